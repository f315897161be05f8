/** @module valibot → AppError. Every input (JSON, form, query) goes through `parse` or the
 * `json`/`query` middlewares, so a user never sees a raw validator body. */
import * as v from 'valibot'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { validator } from 'hono-openapi'
import type { ValidationTargets } from 'hono'
import { AppError, type FieldError } from './errors'

type AnyIssue = { message: string; path?: ReadonlyArray<PropertyKey | { key: unknown }> | undefined }

export function issuesToErrors(issues: readonly AnyIssue[]): FieldError[] {
  return issues.map((i) => ({
    path:
      (i.path ?? []).map((p) => (typeof p === 'object' && p !== null ? String((p as { key: unknown }).key) : String(p))).join('.') ||
      '_root',
    message: i.message,
  }))
}

export function validationError(issues: readonly AnyIssue[]): AppError {
  const errors = issuesToErrors(issues)
  const detail = errors.map((e) => (e.path === '_root' ? e.message : `${e.path}: ${e.message}`)).join('; ')
  return new AppError('VALIDATION', detail || 'Invalid input', errors)
}

/** Parse or throw a VALIDATION AppError naming each bad field. */
export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (!result.success) throw validationError(result.issues)
  return result.output
}

const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;|\s|$)/i

/**
 * Where a text stops being JSON (only called once JSON.parse has failed, whose messages do not
 * always say): a small scanner over RFC 8259 that returns the offset of the first bad character,
 * or the length of the text when it ends too soon.
 */
export function jsonErrorPosition(text: string): number {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (): never => {
    throw i
  }
  /** Past the current character, then past any whitespace. */
  const skip = () => {
    i++
    ws()
  }
  const word = (w: string) => {
    for (const ch of w) {
      if (text[i] !== ch) fail()
      i++
    }
  }
  const str = () => {
    i++
    for (;;) {
      if (i >= text.length) fail()
      const ch = text[i]!
      if (ch === '"') return void i++
      if (ch < ' ') fail()
      i++
      if (ch !== '\\') continue
      if (text[i] === 'u') {
        i++
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail()
      } else if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++
      else fail()
    }
  }
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m) fail()
    i += m![0].length
  }
  const value = (depth: number): void => {
    ws()
    if (depth > 1000) fail()
    const ch = text[i]
    if (ch === undefined) fail()
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']'
      skip()
      if (text[i] === close) return void i++
      for (;;) {
        if (ch === '{') {
          ws()
          if (text[i] !== '"') fail()
          str()
          ws()
          if (text[i] !== ':') fail()
          i++
        }
        value(depth + 1)
        ws()
        if (text[i] === close) return void i++
        if (text[i] !== ',') fail()
        i++
      }
    }
    if (ch === '"') return str()
    if (ch === 't') return word('true')
    if (ch === 'f') return word('false')
    if (ch === 'n') return word('null')
    return num()
  }
  try {
    value(0)
    ws()
    return Math.min(i, text.length)
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : text.length
  }
}

/**
 * Validating middleware that also documents the input in the OpenAPI file. A JSON body that does
 * not parse is refused here saying where (`body: not valid JSON at position N`); errors about the
 * input as a whole (not an object…, or an unknown key named "") name the body or the query rather
 * than no field.
 */
export function validate<S extends v.GenericSchema & StandardSchemaV1, T extends keyof ValidationTargets>(target: T, schema: S) {
  const root = target === 'json' ? 'body' : target
  const inner = validator(target, schema, (result) => {
    if (!result.success)
      throw validationError(
        (result.error as readonly AnyIssue[]).map((i) => (issuesToErrors([i])[0]!.path !== '_root' ? i : { ...i, path: [root] })),
      )
  })
  if (target !== 'json') return inner
  const checked: typeof inner = async (c, next) => {
    const type = c.req.header('Content-Type') ?? ''
    if (JSON_TYPE.test(type)) {
      // Read once as text (Hono keeps it: the validator's c.req.json() parses this same text).
      const text = await c.req.text()
      try {
        JSON.parse(text)
      } catch {
        const message = `not valid JSON at position ${jsonErrorPosition(text)}`
        throw new AppError('VALIDATION', `body: ${message}`, [{ path: 'body', message }])
      }
      return inner(c, next)
    }
    // Without a JSON type Hono hands the schema an empty object, whose complaints ("Invalid key:
    // Expected name") hide the real mistake: say which header to send.
    const sent = type ? `this request says Content-Type: ${type.split(';')[0]!.trim().slice(0, 100)}` : 'this request has no Content-Type'
    const message = `Send the body as JSON with the header Content-Type: application/json (${sent})`
    if ((await c.req.arrayBuffer()).byteLength) throw new AppError('UNSUPPORTED_MEDIA_TYPE', message, [{ path: 'Content-Type', message }])
    let passed = false
    try {
      return await inner(c, () => {
        passed = true
        return next()
      })
    } catch (e) {
      // Only the schema's refusal of the missing body, not an error of the handler after it.
      if (passed || !(e instanceof AppError) || e.code !== 'VALIDATION') throw e
      throw new AppError('VALIDATION', `The request has no JSON body. ${message}. ${e.detail}`, e.errors)
    }
  }
  return Object.assign(checked, inner)
}

// Shared field schemas ------------------------------------------------------------------------

/** Names of projects, datasets, keys, webhooks, integrations: trimmed, 1–200 characters. */
export const Name = v.pipe(
  v.string('Name is required'),
  v.trim(),
  v.minLength(1, 'Name is required'),
  v.maxLength(200, 'Name must be at most 200 characters'),
)

export const Email = v.pipe(
  v.string('Email is required'),
  v.trim(),
  v.toLowerCase(),
  v.minLength(1, 'Email is required'),
  v.maxLength(254, 'Email is too long'),
  v.email('Enter a valid email address'),
)

export const Password = v.pipe(
  v.string('Password is required'),
  v.minLength(10, 'Password must be at least 10 characters'),
  v.maxLength(200, 'Password must be at most 200 characters'),
)

export const FullName = v.pipe(
  v.string('Full name is required'),
  v.trim(),
  v.minLength(1, 'Full name is required'),
  v.maxLength(200, 'Full name must be at most 200 characters'),
)

/** `?search=`: trimmed, at most 200 characters, no control characters (a NUL cannot be searched for). */
export const SearchText = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(200, 'search must be at most 200 characters'),
  v.regex(/^[^\u0000-\u001f\u007f]*$/, 'search must not contain control characters'),
)

/** `?limit=` 1–200, default 50, and an opaque `?cursor=`. */
export const ListQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, 'limit must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(200, 'limit must be at most 200'),
    ),
    '50',
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(500, 'cursor is invalid'))),
  search: v.optional(SearchText),
})
export type ListQuery = v.InferOutput<typeof ListQuery>
