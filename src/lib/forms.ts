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

/** Only same-site relative paths may be redirected to after login. */
export function safeNext(next: string | undefined, fallback = '/projects'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback
  return next
}
