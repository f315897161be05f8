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
    path: (i.path ?? []).map((p) => (typeof p === 'object' && p !== null ? String((p as { key: unknown }).key) : String(p))).join('.') || '_root',
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

/** Validating middleware that also documents the input in the OpenAPI file. */
export function validate<S extends v.GenericSchema & StandardSchemaV1, T extends keyof ValidationTargets>(target: T, schema: S) {
  return validator(target, schema, (result) => {
    if (!result.success) throw validationError(result.error as readonly AnyIssue[])
  })
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
export const SearchText = v.pipe(v.string(), v.trim(), v.maxLength(200, 'search must be at most 200 characters'), v.regex(/^[^\u0000-\u001f\u007f]*$/, 'search must not contain control characters'))

/** `?limit=` 1–200, default 50, and an opaque `?cursor=`. */
export const ListQuery = v.object({
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, 'limit must be a whole number'), v.transform(Number), v.minValue(1, 'limit must be at least 1'), v.maxValue(200, 'limit must be at most 200')),
    '50',
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(500, 'cursor is invalid'))),
  search: v.optional(SearchText),
})
export type ListQuery = v.InferOutput<typeof ListQuery>
