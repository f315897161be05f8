/**
 * @module The usage rollup (cron): adds the `usage_facts` written since the last run into
 * `usage_daily` (org · day · asset type · source) and `usage_daily_breakdown` (org · day ·
 * project · member).
 *
 * Invariants:
 * - **Incremental**: facts are read by primary key after a watermark (`usage_rollup_state`), in
 *   chunks, so a run costs what is new, never what is old. Late facts (imports with past creation
 *   dates) carry their own `day` and simply add to that past day's rows.
 * - **Exactly once**: each chunk's upserts (`count = count + excluded.count`) and the watermark's
 *   advance go in ONE `db.batch` (a D1 transaction). The batch starts with a compare-and-set of the
 *   watermark (`… WHERE last_fact_id = <what this run read>`) followed by a guard that fails the
 *   whole batch when that update changed no row (`changes() = 0` → a deliberate primary-key
 *   conflict). So a crash cannot apply half a chunk, a re-run finds nothing new, and of two
 *   overlapping runs that read the same chunk only the first to commit applies it; the other's
 *   batch rolls back and it stops.
 * - Bounded: at most `MAX_CHUNKS` chunks and about `QUERY_BUDGET` D1 queries per run (D1 allows
 *   1,000 per invocation); the next run carries on from the watermark.
 */
import type { Db } from '../../db/client'

const STATE_ID = 'global'
/** Facts read per query. */
export const CHUNK_FACTS = 5_000
const MAX_CHUNKS = 20
const QUERY_BUDGET = 900
/** Rows per multi-row upsert: 7 bound parameters each, under D1's 100. */
const ROWS_PER_STMT = 14
const worstCaseQueries = (facts: number) => 2 * Math.ceil(facts / ROWS_PER_STMT) + 4

type Fact = {
  id: number
  org_id: string
  project_id: string
  user_id: string
  day: string
  asset_type: string
  imported: number
  annotations: number
  labels: number
  seconds_total: number
}

type Sums = { annotations: number; labels: number; seconds: number }

export type RollupResult = { facts: number; chunks: number; watermark: number; conflict: boolean }

export type RollupOptions = {
  /** Facts per chunk (tests use small chunks). */
  chunkSize?: number
  maxChunks?: number
  /** Called after a chunk is read and before its batch is written: tests start a second run here
   * to prove that overlapping runs never double count. */
  beforeApply?: (chunk: number) => Promise<void>
}

async function readWatermark(d1: D1Database, now: number): Promise<number> {
  await d1
    .prepare('INSERT INTO usage_rollup_state (id, last_fact_id, updated_at) VALUES (?, 0, ?) ON CONFLICT (id) DO NOTHING')
    .bind(STATE_ID, now)
    .run()
  const row = await d1.prepare('SELECT last_fact_id FROM usage_rollup_state WHERE id = ?').bind(STATE_ID).first<{ last_fact_id: number }>()
  return row?.last_fact_id ?? 0
}

function add(map: Map<string, Sums & { key: string[] }>, key: string[], f: Fact) {
  const k = key.join('\u0000')
  let s = map.get(k)
  if (!s) map.set(k, (s = { key, annotations: 0, labels: 0, seconds: 0 }))
  s.annotations += f.annotations
  s.labels += f.labels
  s.seconds += f.seconds_total
}

/** Multi-row upserts that add to what is there. `computed_at` is a literal (a number we made). */
function upserts(
  d1: D1Database,
  table: 'usage_daily' | 'usage_daily_breakdown',
  keyCols: string[],
  rows: (Sums & { key: string[] })[],
  now: number,
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = []
  const cols = [...keyCols, 'annotations', 'labels', 'seconds_total', 'computed_at']
  for (let i = 0; i < rows.length; i += ROWS_PER_STMT) {
    const slice = rows.slice(i, i + ROWS_PER_STMT)
    const values = slice.map(() => `(${keyCols.map(() => '?').join(', ')}, ?, ?, ?, ${Math.trunc(now)})`).join(', ')
    const sql =
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values} ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET ` +
      'annotations = annotations + excluded.annotations, labels = labels + excluded.labels, ' +
      'seconds_total = seconds_total + excluded.seconds_total, computed_at = excluded.computed_at'
    out.push(d1.prepare(sql).bind(...slice.flatMap((r) => [...r.key, r.annotations, r.labels, r.seconds])))
  }
  return out
}

/**
 * Rolls up the facts written since the last run. Safe to run at any time, twice, or two at once.
 * Returns how many facts this run applied.
 */
export async function rollupUsage(db: Db, nowMs: number = Date.now(), opts: RollupOptions = {}): Promise<RollupResult> {
  const d1 = db.$client
  const chunkSize = opts.chunkSize ?? CHUNK_FACTS
  const maxChunks = opts.maxChunks ?? MAX_CHUNKS
  let budget = QUERY_BUDGET
  let facts = 0
  let chunks = 0
  let watermark = await readWatermark(d1, nowMs)
  budget -= 2
  while (chunks < maxChunks && budget >= worstCaseQueries(chunkSize) + 1) {
    const { results } = await d1
      .prepare(
        'SELECT id, org_id, project_id, user_id, day, asset_type, imported, annotations, labels, seconds_total FROM usage_facts WHERE id > ? ORDER BY id LIMIT ?',
      )
      .bind(watermark, chunkSize)
      .all<Fact>()
    budget -= 1
    if (!results.length) break
    const next = results[results.length - 1]!.id

    const daily = new Map<string, Sums & { key: string[] }>()
    const breakdown = new Map<string, Sums & { key: string[] }>()
    for (const f of results) {
      add(daily, [f.org_id, f.day, f.asset_type, f.imported ? 'imported' : 'human'], f)
      add(breakdown, [f.org_id, f.day, f.project_id, f.user_id], f)
    }

    const stmts = [
      // Compare-and-set first; the guard right after it aborts the transaction when another run
      // moved the watermark since we read it (a second 'global' row violates the primary key).
      d1
        .prepare('UPDATE usage_rollup_state SET last_fact_id = ?, updated_at = ? WHERE id = ? AND last_fact_id = ?')
        .bind(next, nowMs, STATE_ID, watermark),
      d1.prepare('INSERT INTO usage_rollup_state (id, last_fact_id, updated_at) SELECT ?, -1, 0 WHERE changes() = 0').bind(STATE_ID),
      ...upserts(d1, 'usage_daily', ['org_id', 'day', 'asset_type', 'source'], [...daily.values()], nowMs),
      ...upserts(d1, 'usage_daily_breakdown', ['org_id', 'day', 'project_id', 'user_id'], [...breakdown.values()], nowMs),
    ]
    if (opts.beforeApply) await opts.beforeApply(chunks)
    try {
      await d1.batch(stmts)
    } catch (err) {
      budget -= 1
      const now = await d1
        .prepare('SELECT last_fact_id FROM usage_rollup_state WHERE id = ?')
        .bind(STATE_ID)
        .first<{ last_fact_id: number }>()
      // Someone else applied this chunk first: nothing of ours was written; leave the rest to them.
      if (now && now.last_fact_id !== watermark) return { facts, chunks, watermark: now.last_fact_id, conflict: true }
      throw err
    }
    budget -= stmts.length
    facts += results.length
    chunks += 1
    watermark = next
    if (results.length < chunkSize) break
  }
  return { facts, chunks, watermark, conflict: false }
}
