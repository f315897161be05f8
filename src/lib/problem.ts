/** @module problem+json (RFC 9457): how the JSON API answers every error. */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import * as v from 'valibot'
import { AppError, ERROR_STATUS, toProblem, type ErrorCode } from './errors'

export function problem(c: Context, err: AppError) {
  if (err.retryAfter) c.header('Retry-After', String(err.retryAfter))
  return c.json(toProblem(err, c.get('requestId') ?? ''), err.status as 400, { 'Content-Type': 'application/problem+json' })
}

const CODE_BY_STATUS = new Map(Object.entries(ERROR_STATUS).map(([code, status]) => [status as number, code as ErrorCode]))

/**
 * Every error answer of the API is problem+json, including those made as plain Responses below
 * the services (R2's Range refusals in lib/r2.ts, a Durable Object's or the runtime's refusal):
 * they are rewrapped here, keeping their text as the detail and their headers (Content-Range…).
 */
export const problemAnswers = createMiddleware(async (c, next) => {
  await next()
  const res = c.res
  if (res.status < 400 || res.status === 101 || (res.headers.get('Content-Type') ?? '').includes('application/problem+json')) return
  const plain = (res.headers.get('Content-Type') ?? '').startsWith('text/plain')
  const text = plain ? (await res.text().catch(() => '')).trim().slice(0, 500) : ''
  if (!plain) await res.body?.cancel().catch(() => undefined)
  const code = CODE_BY_STATUS.get(res.status) ?? (res.status >= 500 ? 'INTERNAL' : 'VALIDATION')
  const field = res.status === 416 ? 'Range' : 'request'
  const detail =
    res.status === 416 ? `Range: ${text || 'not satisfiable for this file'}` : text || `The request was refused (${res.status})`
  const out = problem(c, new AppError(code, detail, code === 'INTERNAL' ? [] : [{ path: field, message: detail }]))
  const answer = new Response(out.body, { status: res.status, headers: out.headers })
  for (const h of ['Content-Range', 'Accept-Ranges', 'Retry-After']) if (res.headers.get(h)) answer.headers.set(h, res.headers.get(h)!)
  c.res = undefined
  c.res = answer
})

export const ProblemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  code: v.string(),
  request_id: v.string(),
  errors: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
})
