/** @module OpenAPI descriptions of the JSON API's routes (served at /api/openapi.json by
 * src/app.ts) and the shape of list answers. */
import { describeRoute, resolver } from 'hono-openapi'
import * as v from 'valibot'
import { ProblemSchema } from './problem'

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: resolver(ProblemSchema) } },
})

/** OpenAPI description of one route: summary, tag, success answer and the usual problems. */
export function doc(
  tag: string,
  summary: string,
  success: { status?: number; description?: string; schema?: v.GenericSchema } = {},
  extra: { description?: string } = {},
) {
  const status = String(success.status ?? 200)
  return describeRoute({
    tags: [tag],
    summary,
    description: extra.description,
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    responses: {
      [status]: success.schema
        ? { description: success.description ?? 'OK', content: { 'application/json': { schema: resolver(success.schema as never) } } }
        : { description: success.description ?? 'OK' },
      400: problemResponse('Validation failed'),
      401: problemResponse('No credentials, or a revoked or expired API key'),
      403: problemResponse('Your role does not allow this'),
      404: problemResponse('Not found (or not visible to you)'),
    },
  })
}

/** `{"items": [...], "next_cursor": …}` schema for OpenAPI. */
export const listOf = (item: v.GenericSchema) => v.object({ items: v.array(item), next_cursor: v.nullable(v.string()) })
