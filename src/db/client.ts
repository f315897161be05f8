/** @module The drizzle handle. Always obtained per request/job (never module-level) so that
 * organizations can later be spread over several D1 databases. */
import { drizzle } from 'drizzle-orm/d1'

export type Db = ReturnType<typeof makeDb>

/**
 * No `schema` option: it only serves drizzle's relational API (`db.query.…`), which nothing here
 * uses, and with it every handle walks all tables and their relations when it is made — about a
 * third of a millisecond of CPU per request, measured with the inspector's profiler under load.
 */
export function makeDb(d1: D1Database) {
  return drizzle(d1, { casing: 'snake_case' })
}

import type { BatchItem } from 'drizzle-orm/batch'
import { is } from 'drizzle-orm'
import { SQLiteRaw } from 'drizzle-orm/sqlite-core/query-builders/raw'

/** A read that can share a D1 round trip with others: its statements, and how their rows become
 * its answer (see `runReads` in reads.ts). */
export type Read<T> = { stmts: BatchItem<'sqlite'>[]; done: (rows: unknown[][]) => T }

/** Runs statements of mixed kinds in one D1 batch (one transaction). D1 has no interactive
 * transactions, so every multi-statement write that must be all-or-nothing goes through here. */
export async function runBatch(db: Db, stmts: BatchItem<'sqlite'>[]): Promise<unknown[]> {
  if (!stmts.length) return []
  for (const s of stmts) {
    // drizzle 0.45's D1 batch expects a prepared `stmt` on raw `db.run(sql)` items that carry
    // parameters, which SQLiteRaw does not have: give it one.
    if (is(s, SQLiteRaw) && !(s as unknown as { stmt?: unknown }).stmt) {
      ;(s as unknown as { stmt: D1PreparedStatement }).stmt = db.$client.prepare(s.getQuery().sql)
    }
  }
  return db.batch(stmts as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])
}
