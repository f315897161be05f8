/** @module Keyset (cursor) paging. Cursors are opaque base64url JSON of the last row's sort key;
 * queries use `WHERE (sort key) < cursor`, never OFFSET. */
import { AppError } from './errors'
import { fromBase64, toBase64Url } from './crypto'

export type Page<T> = { items: T[]; next_cursor: string | null }

export function encodeCursor(key: unknown[]): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(key)))
}

export function decodeCursor(cursor: string | undefined): unknown[] | undefined {
  if (!cursor) return undefined
  try {
    const json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(fromBase64(cursor.replace(/-/g, '+').replace(/_/g, '/')))
    const key = JSON.parse(json)
    if (Array.isArray(key)) return key
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
