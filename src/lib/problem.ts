/** @module problem+json (RFC 9457): how the JSON API answers every error. */
import type { Context } from 'hono'
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
