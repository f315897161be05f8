/**
 * @module Keeps `usage_created_daily` (src/db/schema/usage.ts) exact for data rows: once per
 * INSERT statement of data rows, adding that statement's own change count. A trigger per row would
 * add 1 row written per data row imported (imports write 100k–1M rows, at ~5 rows written each);
 * this adds 1 per INSERT of up to 500 rows, and no statement: it is also the `SELECT changes()` that
 * tells `insertRows` how many rows went in. Projects and memberships are counted by triggers
 * (migrations/0018_usage_created_daily.sql).
 */

/** `changes()` is still the previous statement's count while this one runs (SQLite sets it when a
 * statement completes), in its WHERE and in its RETURNING alike; triggers' writes never count in
 * it, so the dataset counter's updates do not either. */
const DATA_ROWS_SQL = `INSERT INTO usage_created_daily (org_id, day, data_rows)
  SELECT ?1, ?2, changes() WHERE changes() > 0
  ON CONFLICT (org_id, day) DO UPDATE SET data_rows = data_rows + excluded.data_rows
  RETURNING changes() AS n`

/**
 * The statement to run right after an INSERT into data_rows, in the same batch: it adds the rows
 * that INSERT created to the GMT day of `createdAt`, and answers `[{ n }]` with their number, or no
 * row when there were none (a slice retried after a crash, whose rows are already there, adds
 * nothing).
 */
export function countInsertedDataRows(d1: D1Database, orgId: string, createdAt: number): D1PreparedStatement {
  return d1.prepare(DATA_ROWS_SQL).bind(orgId, new Date(createdAt).toISOString().slice(0, 10))
}

/** How many rows the INSERT before `countInsertedDataRows` created, from that statement's answer. */
export const insertedCount = (answer: D1Result): number => Number((answer.results[0] as { n?: number } | undefined)?.n ?? 0)
