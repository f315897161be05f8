/**
 * @module Batches: named groups of data rows attached to a project with a priority (1 = highest).
 * A data row is in a project once: rows already there are skipped and counted. Detaching a batch
 * takes its unlabeled rows out of the queue; labeled rows and their labels stay. A row whose media
 * type is not the project's is never queued: a batch naming one is refused whole, with the count
 * and the reason (as Labelbox does), and label imports report such lines (labels/import/rows.ts).
 */
import type { BatchItem } from 'drizzle-orm/batch'
import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { batches, dataRows, datasets, projectDataRows } from '../../db/schema'
import type { Ctx } from '../../env'
import { runBatch, type Db } from '../../db/client'
import { jsonParams } from '../../lib/json-params'
import { AppError, conflict, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { loadProject, readProject, type LoadedProject, type ProjectRef } from './service'
import type { Read } from '../../db/reads'
import type { BatchView, CreateBatchInput } from './schemas'

export type { BatchView }

const CHUNK = 90 // D1 allows 100 bound parameters per query.

/** Resolves ids or global keys to this organization's data rows; any unknown one is a 400 naming it. */
async function resolveRows(
  ctx: Ctx,
  field: 'data_row_ids' | 'global_keys',
  values: string[],
): Promise<{ id: string; mediaType: string }[]> {
  const wanted = [...new Set(field === 'global_keys' ? values.map((k) => k.toLowerCase()) : values)]
  const found = new Map<string, { id: string; mediaType: string }>()
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const part = wanted.slice(i, i + CHUNK)
    const col = field === 'global_keys' ? dataRows.globalKeyLower : dataRows.id
    const rows = await ctx.db
      .select({ id: dataRows.id, key: col, mediaType: dataRows.mediaType })
      .from(dataRows)
      .innerJoin(datasets, eq(datasets.id, dataRows.datasetId))
      .where(and(eq(dataRows.orgId, ctx.actor.orgId), isNull(datasets.deletedAt), inArray(col, part)))
    for (const r of rows) found.set(r.key!, { id: r.id, mediaType: r.mediaType })
  }
  const missing = wanted.filter((w) => !found.has(w))
  if (missing.length) {
    const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ` and ${missing.length - 20} more` : '')
    throw new AppError('VALIDATION', `Unknown ${field === 'global_keys' ? 'global keys' : 'data row ids'}: ${shown}`, [
      { path: field, message: `Unknown: ${shown}` },
    ])
  }
  return [...found.values()]
}

/** "3 rows are TEXT and 1 row is VIDEO": rows by media type, most first. */
export function describeMismatch(counts: { mediaType: string; n: number }[]): string {
  const parts = [...counts]
    .sort((a, b) => b.n - a.n || a.mediaType.localeCompare(b.mediaType))
    .map((c) => `${c.n.toLocaleString('en-US')} ${c.n === 1 ? 'row is' : 'rows are'} ${c.mediaType}`)
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '')
}

/** Refuses rows whose media type is not the project's: nothing is attached (a 400 naming `field`). */
function refuseMismatch(project: { mediaType: string }, counts: { mediaType: string; n: number }[], field: string, hint: string) {
  const wrong = counts.filter((c) => c.mediaType !== project.mediaType && c.n > 0)
  if (!wrong.length) return
  const message = `${describeMismatch(wrong)}; this is ${/^[AEIOU]/.test(project.mediaType) ? 'an' : 'a'} ${project.mediaType} project. ${hint}`
  throw new AppError('VALIDATION', message, [{ path: field, message }])
}

// Batch sizes and the project's data-row count are kept by triggers on project_data_rows
// (migrations/0001_counters.sql), in the same statement as each insert or delete.

/** Statements that put data rows, by id, into a project in batch `b`: one INSERT … SELECT per JSON
 * parameter however many ids (src/lib/json-params.ts). Rows already in the project are skipped. */
export function attachRowsStmts(
  db: Db,
  b: { id: string; projectId: string; priority: number },
  ids: string[],
  now: number,
): BatchItem<'sqlite'>[] {
  return jsonParams(ids, (id) => JSON.stringify(id)).map(({ payload }) =>
    db.run(sql`
      INSERT INTO project_data_rows (project_id, data_row_id, batch_id, priority, workflow_status, label_count, skip_count, created_at)
      SELECT ${b.projectId}, value, ${b.id}, ${b.priority}, 'TO_LABEL', 0, 0, ${now} FROM json_each(${payload}) WHERE true
      ON CONFLICT DO NOTHING`),
  )
}

type NewBatch = { id: string; orgId: string; projectId: string; name: string; priority: number; createdBy: string }

/** Puts data rows into a project in batch `b`, creating the batch the first time (a background job
 * that attaches rows slice by slice names the same batch each time). One transaction. */
export async function attachRows(db: Db, b: NewBatch, ids: string[], now = Date.now()): Promise<void> {
  if (!ids.length) return
  const insertBatch = db
    .insert(batches)
    .values({ ...b, size: 0, createdAt: new Date(now) })
    .onConflictDoNothing()
  await runBatch(db, [insertBatch, ...attachRowsStmts(db, b, ids, now)])
}

export async function createBatch(ctx: Ctx, projectId: string, input: CreateBatchInput): Promise<BatchView> {
  const { project } = await loadProject(ctx, projectId, 'batch.manage')
  const clash = await ctx.db
    .select({ id: batches.id })
    .from(batches)
    .where(and(eq(batches.projectId, project.id), eq(batches.name, input.name)))
    .get()
  if (clash)
    throw conflict(`This project already has a batch named “${input.name}”`, [{ path: 'name', message: 'A batch with this name exists' }])
  const id = newId('bat')
  const now = new Date()
  const insertBatch = ctx.db.insert(batches).values({
    id,
    orgId: ctx.actor.orgId,
    projectId: project.id,
    name: input.name,
    priority: input.priority,
    size: 0,
    createdBy: ctx.actor.userId,
    createdAt: now,
  })
  let requested: number
  let attach: BatchItem<'sqlite'>[]
  if (input.dataset_id) {
    const ds = await ctx.db
      .select()
      .from(datasets)
      .where(and(eq(datasets.id, input.dataset_id), eq(datasets.orgId, ctx.actor.orgId), isNull(datasets.deletedAt)))
      .get()
    if (!ds)
      throw new AppError('VALIDATION', `Unknown dataset: ${input.dataset_id}`, [{ path: 'dataset_id', message: 'Dataset not found' }])
    // Every row of the dataset is attached, so every one must fit: counted per media type once,
    // on the dataset's index (a write that reads the dataset's rows, not a page).
    const byType = await ctx.db
      .select({ mediaType: dataRows.mediaType, n: count() })
      .from(dataRows)
      .where(and(eq(dataRows.datasetId, ds.id), sql`${dataRows.mediaType} <> ${project.mediaType}`))
      .groupBy(dataRows.mediaType)
    refuseMismatch(
      project,
      byType,
      'dataset_id',
      `Dataset “${ds.name}” can be attached whole only when all its rows are ${project.mediaType}; attach the matching rows by id or global key.`,
    )
    requested = ds.rowCount
    // One INSERT … SELECT: a dataset of any size attaches without moving rows through the Worker.
    attach = [
      ctx.db
        .insert(projectDataRows)
        .select(
          ctx.db
            .select({
              projectId: sql<string>`${project.id}`.as('project_id'),
              dataRowId: dataRows.id,
              batchId: sql<string>`${id}`.as('batch_id'),
              priority: sql<number>`${input.priority}`.as('priority'),
              workflowStatus: sql<'TO_LABEL'>`'TO_LABEL'`.as('workflow_status'),
              labelCount: sql<number>`0`.as('label_count'),
              skipCount: sql<number>`0`.as('skip_count'),
              reservedBy: sql<null>`NULL`.as('reserved_by'),
              reservedUntil: sql<null>`NULL`.as('reserved_until'),
              createdAt: sql<Date>`${now.getTime()}`.as('created_at'),
            })
            .from(dataRows)
            .where(and(eq(dataRows.datasetId, ds.id), eq(dataRows.orgId, ctx.actor.orgId))),
        )
        .onConflictDoNothing(),
    ]
  } else {
    const field = input.data_row_ids ? 'data_row_ids' : 'global_keys'
    const rows = await resolveRows(ctx, field, (input.data_row_ids ?? input.global_keys)!)
    const byType = new Map<string, number>()
    for (const r of rows) byType.set(r.mediaType, (byType.get(r.mediaType) ?? 0) + 1)
    refuseMismatch(
      project,
      [...byType].map(([mediaType, n]) => ({ mediaType, n })),
      field,
      `Nothing was attached; leave those rows out (a row is queued only in a project of its media type).`,
    )
    const ids = rows.map((r) => r.id)
    requested = ids.length
    attach = attachRowsStmts(ctx.db, { id, projectId: project.id, priority: input.priority }, ids, now.getTime())
  }
  // Batch row, attachments and exact counters in one transaction.
  await runBatch(ctx.db, [insertBatch, ...attach])
  const b = await ctx.db.select().from(batches).where(eq(batches.id, id)).get()
  return { id, name: input.name, priority: input.priority, size: b!.size, created_at: now.toISOString(), skipped: requested - b!.size }
}

/** The project's batches; `ref` is its id or the project the caller already loaded (`loadProject`). */
export async function listBatches(ctx: Ctx, ref: ProjectRef): Promise<BatchView[]> {
  return readProject(ctx, ref, (loaded) => listBatchesRead(ctx, loaded))
}

/** The same as a read, to share a round trip with the dashboard's other reads. */
export function listBatchesRead(ctx: Ctx, { project, guard }: LoadedProject): Read<BatchView[]> {
  const stmt = ctx.db
    .select()
    .from(batches)
    .where(and(eq(batches.projectId, project.id), guard))
    .orderBy(desc(batches.id))
    .limit(1000)
  return {
    stmts: [stmt],
    done: ([rows]) =>
      (rows as (typeof batches.$inferSelect)[]).map((b) => ({
        id: b.id,
        name: b.name,
        priority: b.priority,
        size: b.size,
        created_at: iso(b.createdAt)!,
      })),
  }
}

/** Detaches a batch: unlabeled (and unskipped) rows leave the project's queue; labeled rows stay. */
export async function deleteBatch(ctx: Ctx, projectId: string, batchId: string): Promise<{ removed: number; kept: number }> {
  const { project } = await loadProject(ctx, projectId, 'batch.manage')
  const b = await ctx.db
    .select()
    .from(batches)
    .where(and(eq(batches.id, batchId), eq(batches.projectId, project.id)))
    .get()
  if (!b) throw notFound('Batch')
  const [kept] = await ctx.db
    .select({ n: count() })
    .from(projectDataRows)
    .where(and(eq(projectDataRows.batchId, b.id), sql`(${projectDataRows.labelCount} > 0 OR ${projectDataRows.skipCount} > 0)`))
  const del = ctx.db
    .delete(projectDataRows)
    .where(and(eq(projectDataRows.batchId, b.id), eq(projectDataRows.labelCount, 0), eq(projectDataRows.skipCount, 0)))
  await runBatch(ctx.db, [del, ctx.db.delete(batches).where(eq(batches.id, b.id))])
  return { removed: b.size - (kept?.n ?? 0), kept: kept?.n ?? 0 }
}
