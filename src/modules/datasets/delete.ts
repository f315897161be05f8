/**
 * @module Deleting a dataset: marked deleted at once (gone from every list and lookup), then its
 * data rows are removed in bounded slices (triggers keep project counts exact) and its uploaded
 * files are removed from R2, 1,000 keys per call. Small datasets finish in the request.
 */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { makeDb } from '../../db/client'
import { datasets } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { completeTask, reportProgress, startTask, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { r2Prefix } from './data-rows'
import { loadDataset } from './service'
import type { Read } from '../../db/reads'
import { formatNumber } from '../../../views/format'

const SLICE_ROWS = 2_000
const STATEMENTS_PER_MESSAGE = 40
const INLINE_LIMIT = 2_000

async function deleteSlices(
  db: Db,
  env: Env,
  d: { id: string; orgId: string },
  budget: number,
): Promise<{ done: boolean; deleted: number }> {
  let deleted = 0
  for (;;) {
    if (budget-- <= 0) return { done: false, deleted }
    const r = await db.run(
      sql`DELETE FROM data_rows WHERE rowid IN (SELECT rowid FROM data_rows WHERE dataset_id = ${d.id} LIMIT ${SLICE_ROWS})`,
    )
    const n = r.meta.changes ?? 0
    deleted += n
    if (n < SLICE_ROWS) break
  }
  // Files: one listing page (≤ 1,000 keys) per remaining budget unit.
  const prefix = `${r2Prefix(d.orgId)}${d.id}/`
  for (;;) {
    if (budget-- <= 0) return { done: false, deleted }
    const page = await env.ASSETS_BUCKET.list({ prefix, limit: 1000 })
    if (!page.objects.length) break
    await env.ASSETS_BUCKET.delete(page.objects.map((o) => o.key))
    if (!page.truncated) break
  }
  await db.delete(datasets).where(eq(datasets.id, d.id))
  return { done: true, deleted }
}

/**
 * How many of a dataset's rows the confirm step counts (mutable so that tests can reach it with
 * a small dataset). The count walks the dataset's rows, about 4 rows read per data row in a
 * project (its entry in data_rows_dataset_idx, its entry in pdr_data_row_idx and the
 * project_data_rows row for its `label_count`), so it is capped to keep the page's rows read
 * bounded whatever the dataset's size (≤ ~40,000); beyond the cap the page says its numbers are
 * at least these ("10,000+") and that other projects may hold the rest.
 *
 * Why not an exact per-(dataset, project) counter kept by triggers on project_data_rows: measured
 * on local D1, it writes one more row per row queued into a project (7 → 8 rows written) and per
 * row leaving one (4 → 5), and its "labeled" column one more per row's first label, forever, on
 * the hot paths, for a page seen once before a delete. A row written is billed as 1,000 rows read,
 * and this page reads ~4 rows per data row once: the counter would cost ~250 times what it saves.
 * Nor an index on (dataset, project): D1 bills index entries read as rows read, so counting over
 * it is still O(rows).
 */
export const impactCap = { rows: 10_000 }

/** A project that loses rows when a dataset goes: how many, and how many of those have labels. */
export type DeleteImpact = { project_id: string; project_name: string; rows: number; labeled_rows: number }

/** What deleting the dataset takes from the organization's projects (the confirm step shows it),
 * most rows first, counted over its newest `impactCap.rows` rows. Counted only when someone is about
 * to delete, never on the dataset's page. A read to send after `datasetRead(…, 'dataset.manage')`:
 * only projects of the caller's organization are named, so a foreign id reads nothing to show. */
export function deleteImpactRead(ctx: Ctx, id: string): Read<DeleteImpact[]> {
  // CROSS JOIN keeps SQLite's join order: the dataset's rows (data_rows_dataset_idx, newest first,
  // capped) drive the lookups, and the projects found are then looked up by id. (With a plain JOIN
  // SQLite walked every live project of the organization and probed the counts for each: rows
  // read grew with the organization's projects, even for an empty dataset.)
  const stmt = ctx.db.all<{ project_id: string; project_name: string; rows: number; labeled_rows: number }>(sql`
    SELECT p.id AS project_id, p.name AS project_name, x.n AS rows, x.labeled AS labeled_rows
    FROM (
      SELECT pdr.project_id AS pid, count(*) AS n, sum(pdr.label_count > 0) AS labeled
      FROM (SELECT id FROM data_rows WHERE dataset_id = ${id} ORDER BY id DESC LIMIT ${impactCap.rows}) dr
        CROSS JOIN project_data_rows pdr ON pdr.data_row_id = dr.id
      GROUP BY pdr.project_id
    ) x
    CROSS JOIN projects p ON p.id = x.pid AND p.org_id = ${ctx.actor.orgId} AND p.deleted_at IS NULL
    ORDER BY x.n DESC, p.name`)
  return {
    stmts: [stmt],
    done: ([r]) => (r as DeleteImpact[]).map((i) => ({ ...i, rows: Number(i.rows), labeled_rows: Number(i.labeled_rows ?? 0) })),
  }
}

export async function deleteDataset(ctx: Ctx, id: string): Promise<{ task: TaskView | null }> {
  const d = await loadDataset(ctx, id, 'dataset.manage')
  await ctx.db.update(datasets).set({ deletedAt: new Date() }).where(eq(datasets.id, d.id))
  if (d.rowCount <= INLINE_LIMIT) {
    const r = await deleteSlices(ctx.db, ctx.env, d, 10)
    if (r.done) return { task: null }
  }
  const { task } = await startTask(ctx, {
    type: 'delete-dataset',
    name: `Delete dataset “${d.name}”`,
    subjectId: d.id,
    metadata: { total_rows: d.rowCount, deleted_rows: 0 },
    dedupeKey: `delete-dataset:${d.id}`,
  })
  return { task }
}

export const deleteDatasetJob = taskJob('delete-dataset', async (env, task) => {
  const db = makeDb(env.DB)
  const d = { id: task.subjectId!, orgId: task.orgId }
  const r = await deleteSlices(db, env, d, STATEMENTS_PER_MESSAGE)
  const deleted = Number(task.metadata.deleted_rows ?? 0) + r.deleted
  const total = Math.max(Number(task.metadata.total_rows ?? 0), deleted)
  if (r.done) {
    await completeTask(env, task, { metadata: { deleted_rows: deleted }, message: `Deleted ${formatNumber(deleted)} data rows` })
    return 'done'
  }
  await reportProgress(env, task, {
    percent: total ? (deleted / total) * 100 : 50,
    done: deleted,
    total,
    phase: 'Deleting',
    metadata: { deleted_rows: deleted },
  })
  return 'more'
})
