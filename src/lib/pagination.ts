/** @module Keyset (cursor) paging. Cursors are opaque base64url JSON of the last row's sort key;
 * queries use `WHERE (sort key) < cursor`, never OFFSET. */
import { AppError } from './errors'
import { fromBase64, toBase64Url } from './crypto'

export type Page<T> = { items: T[]; next_cursor: string | null }

export function encodeCursor(key: unknown[]): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(key)))
}

/** The usual sort key: one row id. */
const idKey = (k: unknown[]) => k.length === 1 && typeof k[0] === 'string' && k[0].length <= 200

/**
 * The sort key a cursor holds, checked against the shape its list makes (`shape`; by default one
 * row id): a cursor is the caller's input like any other, and a key of the wrong shape must be a
 * 400 naming `cursor`, not a value the database cannot bind.
 */
export function decodeCursor(cursor: string | undefined, shape: (key: unknown[]) => boolean = idKey): unknown[] | undefined {
  if (!cursor) return undefined
  try {
    const json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      fromBase64(cursor.replace(/-/g, '+').replace(/_/g, '/')),
    )
    const key = JSON.parse(json)
    if (Array.isArray(key) && shape(key)) return key
  } catch {
    /* fall through */
  }
  throw new AppError('VALIDATION', 'cursor is invalid', [{ path: 'cursor', message: 'cursor is invalid' }])
}

/** Rows were fetched with `limit + 1`; trims the extra row and derives the next cursor from the last kept row. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => unknown[], map: (row: R) => T): Page<T> {
  const more = rows.length > limit
  const kept = more ? rows.slice(0, limit) : rows
  const last = kept[kept.length - 1]
  return { items: kept.map(map), next_cursor: more && last !== undefined ? encodeCursor(key(last)) : null }
}
