/** @module Stand-in for zod, which hono-openapi imports lazily; LabelDesk validates with valibot only. */
export const toJSONSchema = () => {
  throw new Error('zod is not bundled in this Worker')
}
