/** @module Reading HTML forms: every field as a string (files aside), bad bodies as VALIDATION. */
import type { Context } from 'hono'
import { AppError } from './errors'

export async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('Content-Type') ?? ''
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the form as application/x-www-form-urlencoded or multipart/form-data')
  }
  let body: Record<string, string | File | (string | File)[]>
  try {
    body = await c.req.parseBody({ all: true })
  } catch {
    throw new AppError('VALIDATION', 'The form could not be read')
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) {
    const last = Array.isArray(v) ? v[v.length - 1] : v
    if (typeof last === 'string') out[k] = last
  }
  return out
}

/** Every value of a repeated field (checkbox groups). */
export async function readFormAll(c: Context): Promise<Record<string, string[]>> {
  const body = await c.req.parseBody({ all: true })
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(body)) {
    out[k] = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string')
  }
  return out
}

/** Where paths are resolved to compare origins; never contacted. */
const HERE = 'http://labeldesk.invalid'

/**
 * Only same-origin paths may be redirected to after login (or any form's `next`). The value is
 * refused when it holds a control character (browsers drop tabs and newlines, so `/\t/x` is
 * `//x`; CR/LF would break the header) or a backslash (read as `/`), and otherwise resolved with
 * `new URL` against a stand-in origin: it must stay on that origin, and the normalized path must
 * start with exactly one `/`. The normalized form is what is returned (percent-encoded).
 */
export function safeNext(next: string | undefined, fallback = '/projects'): string {
  if (!next || next.length > 2000 || !next.startsWith('/') || /[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return fallback
  let url: URL
  try {
    url = new URL(next, HERE)
  } catch {
    return fallback
  }
  if (url.origin !== HERE) return fallback
  const out = url.pathname + url.search + url.hash
  return out.startsWith('/') && !out.startsWith('//') ? out : fallback
}
