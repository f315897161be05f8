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

/** A project that loses rows when a dataset goes: how many, and how many of those have labels. */
export type DeleteImpact = { project_id: string; project_name: string; rows: number; labeled_rows: number }

/** What deleting the dataset takes from the organization's projects (the confirm step shows it),
 * most rows first. Counted only when someone is about to delete, never on the dataset's page. */
export async function deleteImpact(ctx: Ctx, id: string): Promise<DeleteImpact[]> {
  const d = await loadDataset(ctx, id, 'dataset.manage')
  // CROSS JOIN keeps SQLite's join order: the dataset's rows (data_rows_dataset_idx) drive the
  // lookups, so the rows read follow the dataset's size, never the organization's.
  const r = await ctx.db.all<{ project_id: string; project_name: string; rows: number; labeled_rows: number }>(sql`
    SELECT p.id AS project_id, p.name AS project_name, x.n AS rows, x.labeled AS labeled_rows
    FROM (
      SELECT pdr.project_id AS pid, count(*) AS n, sum(pdr.label_count > 0) AS labeled
      FROM data_rows dr CROSS JOIN project_data_rows pdr ON pdr.data_row_id = dr.id
      WHERE dr.dataset_id = ${d.id}
      GROUP BY pdr.project_id
    ) x
    JOIN projects p ON p.id = x.pid AND p.org_id = ${ctx.actor.orgId} AND p.deleted_at IS NULL
    ORDER BY x.n DESC, p.name`)
  return r.map((i) => ({ ...i, rows: Number(i.rows), labeled_rows: Number(i.labeled_rows ?? 0) }))
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
