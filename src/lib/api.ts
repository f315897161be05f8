/** @module JSON API helpers: problem+json answers, OpenAPI route descriptions, list answers. */
import type { Context } from 'hono'
import { describeRoute, resolver } from 'hono-openapi'
import * as v from 'valibot'
import { AppError, toProblem } from './errors'

export function problem(c: Context, err: AppError) {
  if (err.retryAfter) c.header('Retry-After', String(err.retryAfter))
  return c.json(toProblem(err, c.get('requestId') ?? ''), err.status as 400, { 'Content-Type': 'application/problem+json' })
}

export const ProblemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  code: v.string(),
  request_id: v.string(),
  errors: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
})

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: resolver(ProblemSchema) } },
})

/** OpenAPI description of one route: summary, tag, success answer and the usual problems. */
export function doc(tag: string, summary: string, success: { status?: number; description?: string; schema?: v.GenericSchema } = {}, extra: { description?: string } = {}) {
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
