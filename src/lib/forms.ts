/** @module Reading HTML forms: every field as a string (files aside), hostile bodies refused here
 * (one place) as a 4xx naming the field, and the `next` of a form made safe. */
import type { Context } from 'hono'
import { AppError } from './errors'

/** What a form body may hold. A text field is at most FIELD_BYTES (anything it names is far
 * smaller; it also keeps every value under D1's limit for one bound value, SQLITE_TOOBIG). */
export const FORM_BYTES = 2 * 1024 * 1024
export const FILE_FORM_BYTES = 100 * 1024 * 1024
export const FIELD_BYTES = 512 * 1024
export const MAX_FIELDS = 5000

type FormBody = { fields: Map<string, string[]>; files: Map<string, File[]> }

const bodyError = (message: string) => new AppError('VALIDATION', `body: ${message}`, [{ path: 'body', message }])
const tooLarge = (path: string, message: string) => new AppError('PAYLOAD_TOO_LARGE', `${path}: ${message}`, [{ path, message }])
/** Control characters other than tab, CR and LF (which text areas send). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/
/** RFC 2046: 1–70 characters from a small set, not ending in a space; quoted or not. */
const BOUNDARY = /;\s*boundary=(?:"([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])"|([0-9A-Za-z'()+_,\-./:=?]{1,70}))\s*(?:;|$)/i
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodeComponent(s: string, what: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    throw new AppError('VALIDATION', `${what}: bad percent-encoding`, [{ path: what, message: 'bad percent-encoding' }])
  }
}

/**
 * Reads a urlencoded or multipart form body once, at the one place hostile bodies are refused:
 * a wrong media type (415), a body or field too big (413), no or a bad multipart boundary,
 * truncated or malformed parts, bad percent-encoding or UTF-8, control characters in names or NUL
 * in values, too many fields (400, the field named). Nothing downstream sees such a body.
 */
async function readFormBody(c: Context, maxBytes = FORM_BYTES): Promise<FormBody> {
  const type = c.req.header('Content-Type') ?? ''
  const multipart = /^multipart\/form-data/i.test(type)
  if (!multipart && !/^application\/x-www-form-urlencoded/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the form as application/x-www-form-urlencoded or multipart/form-data')
  }
  const declared = Number(c.req.header('Content-Length') ?? NaN)
  const limit = `the form may be at most ${Math.round(maxBytes / 1024 / 1024)} MB`
  if (declared > maxBytes) throw tooLarge('body', limit)
  if (multipart && !BOUNDARY.test(type)) throw bodyError('multipart/form-data needs a boundary parameter of 1 to 70 characters')
  let buf: ArrayBuffer
  try {
    buf = await c.req.arrayBuffer()
  } catch {
    throw bodyError('the body could not be read')
  }
  if (buf.byteLength > maxBytes) throw tooLarge('body', limit)
  const out: FormBody = { fields: new Map(), files: new Map() }
  let count = 0
  const add = (name: string, value: string | File) => {
    if (++count > MAX_FIELDS) throw tooLarge('body', `a form may have at most ${MAX_FIELDS} fields`)
    const shown = name.replace(CONTROL, '?').slice(0, 100) || 'body'
    if (CONTROL.test(name) || name.length > 200)
      throw new AppError('VALIDATION', `${shown}: not a valid field name`, [{ path: shown, message: 'not a valid field name' }])
    if (typeof value === 'string') {
      if (value.length > FIELD_BYTES || new TextEncoder().encode(value).byteLength > FIELD_BYTES)
        throw tooLarge(name, `at most ${FIELD_BYTES / 1024} KB`)
      if (value.includes('\u0000'))
        throw new AppError('VALIDATION', `${name}: must not contain NUL characters`, [
          { path: name, message: 'must not contain NUL characters' },
        ])
      out.fields.set(name, [...(out.fields.get(name) ?? []), value])
    } else {
      if (CONTROL.test(value.name) || value.name.length > 1000)
        throw new AppError('VALIDATION', `${name}: the file name must not contain control characters`, [
          { path: name, message: 'the file name must not contain control characters' },
        ])
      out.files.set(name, [...(out.files.get(name) ?? []), value])
    }
  }
  if (multipart) {
    let form: FormData
    try {
      form = await new Response(buf, { headers: { 'Content-Type': type } }).formData()
    } catch {
      throw bodyError('the multipart form could not be read (malformed or truncated parts, or a boundary that does not match)')
    }
    for (const [name, value] of form as unknown as Iterable<[string, string | File]>) add(name, value)
    return out
  }
  let text: string
  try {
    text = utf8.decode(buf)
  } catch {
    throw bodyError('not valid UTF-8')
  }
  for (const pair of text.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), 'body')
    add(name, eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), name.replace(CONTROL, '?').slice(0, 100) || 'body'))
  }
  return out
}

/** Every text field of a form, the last value of repeated ones (files aside). */
export async function readForm(c: Context): Promise<Record<string, string>> {
  const { fields } = await readFormBody(c)
  const out: Record<string, string> = {}
  for (const [k, v] of fields) out[k] = v[v.length - 1]!
  return out
}

/** Every value of a repeated field (checkbox groups). */
export async function readFormAll(c: Context): Promise<Record<string, string[]>> {
  const { fields } = await readFormBody(c)
  return Object.fromEntries(fields)
}

/** The files of a multipart form field (empty file inputs left out), up to FILE_FORM_BYTES in all. */
export async function readFormFiles(c: Context, name: string): Promise<File[]> {
  if (!/^multipart\/form-data/i.test(c.req.header('Content-Type') ?? ''))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send files as multipart/form-data with one or more "${name}" parts`)
  const { files } = await readFormBody(c, FILE_FORM_BYTES)
  return (files.get(name) ?? []).filter((f) => f.size > 0 || f.name !== '')
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
