/**
 * @module Deleting a project. The project is marked deleted first (it leaves every list at once);
 * its rows are then removed in bounded slices, child tables first, so a project with millions of
 * labels never makes one long statement. Small projects finish inside the request (204); big ones
 * continue as a `delete-project` task (202).
 */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { makeDb } from '../../db/client'
import { projects } from '../../db/schema'
import type { Ctx } from '../../env'
import { completeTask, reportProgress, startTask, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { loadProject } from './service'
import { formatNumber } from '../../../views/format'

/** Every table that holds rows of a project, deleted in this order (children before parents).
 * Usage facts and the event outbox are kept: deleting never lowers past usage. */
export const PROJECT_TABLES: { table: string; column: string }[] = [
  { table: 'project_data_rows', column: 'project_id' },
  { table: 'reviews', column: 'project_id' },
  { table: 'labels', column: 'project_id' },
  { table: 'project_feature_counts', column: 'project_id' },
  { table: 'project_member_stats', column: 'project_id' },
  { table: 'project_label_days', column: 'project_id' },
  { table: 'batches', column: 'project_id' },
  { table: 'project_pins', column: 'project_id' },
  { table: 'project_members', column: 'project_id' },
]

const SLICE_ROWS = 5_000
/** Statements per queue message: far under D1's 1,000 queries per invocation. */
const STATEMENTS_PER_MESSAGE = 40
/** Below this many rows the whole delete runs inside the request. */
export const INLINE_LIMIT = 5_000

/** Deletes up to `budget` slices of the project's rows; removes the project row when nothing is left. */
export async function deleteProjectSlices(db: Db, projectId: string, budget: number): Promise<{ done: boolean; deleted: number }> {
  let deleted = 0
  for (const { table, column } of PROJECT_TABLES) {
    for (;;) {
      if (budget-- <= 0) return { done: false, deleted }
      const t = sql.identifier(table)
      const r = await db.run(
        sql`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE ${sql.identifier(column)} = ${projectId} LIMIT ${SLICE_ROWS})`,
      )
      const n = r.meta.changes ?? 0
      deleted += n
      if (n < SLICE_ROWS) break
    }
  }
  await db.delete(projects).where(eq(projects.id, projectId))
  return { done: true, deleted }
}

/** Starts deleting a project the caller may delete: 204 (done) or a task (202). */
export async function deleteProject(ctx: Ctx, projectId: string): Promise<{ task: TaskView | null }> {
  const { project } = await loadProject(ctx, projectId, 'project.delete')
  await ctx.db.update(projects).set({ deletedAt: new Date() }).where(eq(projects.id, project.id))
  const rows = project.dataRowCount + project.labelCount
  if (rows <= INLINE_LIMIT) {
    const r = await deleteProjectSlices(ctx.db, project.id, STATEMENTS_PER_MESSAGE)
    if (r.done) return { task: null }
  }
  const { task } = await startTask(ctx, {
    type: 'delete-project',
    name: `Delete project “${project.name}”`,
    subjectId: project.id,
    metadata: { total_rows: rows, deleted_rows: 0 },
    dedupeKey: `delete-project:${project.id}`,
  })
  return { task }
}

export const deleteProjectJob = taskJob('delete-project', async (env, task) => {
  const db = makeDb(env.DB)
  const r = await deleteProjectSlices(db, task.subjectId!, STATEMENTS_PER_MESSAGE)
  const deleted = Number(task.metadata.deleted_rows ?? 0) + r.deleted
  const total = Math.max(Number(task.metadata.total_rows ?? 0), deleted)
  if (r.done) {
    await completeTask(env, task, { metadata: { deleted_rows: deleted }, message: `Deleted ${formatNumber(deleted)} rows` })
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
