/**
 * @module Case folding for project-name search. SQLite's lower() folds ASCII letters only, so a
 * search for "über" would miss "ÜBER"; JavaScript's toLowerCase() folds every script. The folded
 * name is stored with the project (`name_fold`, set on create and rename); rows from before it
 * existed are folded here by the cron, a bounded batch per run, and search reads
 * `coalesce(name_fold, lower(name))` meanwhile.
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client'

export const foldName = (s: string) => s.toLowerCase()

/** Rows per statement and statements per cron run. */
const BATCH = 1000
const MAX_BATCHES = 20

/** Folds the names of projects that have no `name_fold` yet. */
export async function foldProjectNames(
  db: Db,
  o: { batch?: number; maxBatches?: number } = {},
): Promise<{ folded: number; done: boolean }> {
  const batch = o.batch ?? BATCH
  let folded = 0
  for (let i = 0; i < (o.maxBatches ?? MAX_BATCHES); i++) {
    const rows = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM projects WHERE name_fold IS NULL LIMIT ${batch}`)
    if (!rows.length) return { folded, done: true }
    const pairs = JSON.stringify(rows.map((r) => [r.id, foldName(r.name)]))
    // Only where the name is still unfolded: a rename meanwhile has set its own fold.
    await db.run(sql`
      UPDATE projects SET name_fold = (SELECT json_extract(j.value, '$[1]') FROM json_each(${pairs}) j WHERE json_extract(j.value, '$[0]') = projects.id)
      WHERE id IN (SELECT json_extract(value, '$[0]') FROM json_each(${pairs})) AND name_fold IS NULL`)
    folded += rows.length
    if (rows.length < batch) return { folded, done: true }
  }
  return { folded, done: false }
}
