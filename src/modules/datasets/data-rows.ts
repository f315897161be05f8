/**
 * @module Data rows: bulk insert with per-row results, list, read, delete, and serving the asset.
 *
 * Inserts pass many rows as ONE JSON parameter expanded by SQLite's json_each(): D1 allows only
 * 100 bound parameters per statement, which would otherwise cap a statement at 7 rows.
 * `ON CONFLICT DO NOTHING` skips rows that clash on a global key (reported per row) or on their
 * id (a retried import slice re-inserting its own rows: not an error, and never a duplicate); the
 * statement's change count says whether any did.
 */
import { jsonParams } from '../../lib/json-params'
import { and, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { dataRows, datasets, projectDataRows, projectMembers, projects } from '../../db/schema'
import type { Ctx } from '../../env'
import { authorize, can } from '../../auth/permissions'
import { notFound } from '../../lib/errors'
import { iso } from '../../lib/iso'
import { newId } from '../../lib/ids'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { checkRow, type RowContext, type ValidRow } from './row-input'
import { runReads, type Read } from '../../db/reads'
import { datasetRead, loadDataset, type DatasetRow } from './service'
import { countInsertedDataRows, insertedCount } from '../usage/created'
import type { DataRowErrorView, DataRowView } from './schemas'

export type DataRowRow = typeof dataRows.$inferSelect
export type { DataRowView }
export type RowResultError = DataRowErrorView

export const dataRowView = (r: DataRowRow): DataRowView => ({
  id: r.id,
  dataset_id: r.datasetId,
  row_data: r.rowData,
  global_key: r.globalKey,
  external_id: r.externalId,
  media_type: r.mediaType,
  metadata_fields: r.metadataFields,
  attachments: r.attachments,
  media_attributes: r.mediaAttributes ?? null,
  created_at: iso(r.createdAt)!,
  updated_at: iso(r.updatedAt)!,
  created_by: r.createdBy,
})

export const r2Prefix = (orgId: string) => `uploads/${orgId}/`
export const rowContext = (d: DatasetRow): RowContext => ({ s3Allowed: d.integrationId !== null, r2Prefix: r2Prefix(d.orgId) })

/** `mediaAttributes` replaces the row's own (an upload's, read from the file). */
export type Candidate = { index: number; id: string; row: ValidRow; mediaAttributes?: Record<string, unknown> }

/** How many rows go into one INSERT at most (one JSON parameter, see lib/json-params.ts). */
export const INSERT_CHUNK = 500

/** One INSERT of a JSON list of rows (`insertPayloads`); parameters: org, dataset, payload,
 * created_by, created_at, updated_at. */
const INSERT_SQL = `INSERT INTO data_rows (id, org_id, dataset_id, row_data, global_key, global_key_lower, external_id, media_type, metadata_fields, attachments, media_attributes, created_by, created_at, updated_at)
  SELECT json_extract(j.value, '$.id'), ?1, ?2, json_extract(j.value, '$.rd'), json_extract(j.value, '$.gk'), json_extract(j.value, '$.gkl'),
         json_extract(j.value, '$.ext'), json_extract(j.value, '$.mt'), json_extract(j.value, '$.meta'), json_extract(j.value, '$.att'), json_extract(j.value, '$.ma'),
         ?4, ?5, ?6
  FROM json_each(?3) AS j WHERE true
  ON CONFLICT DO NOTHING`

/** Candidates as the JSON objects the INSERT reads, cut into parameters of at most INSERT_CHUNK rows
 * (raw-text rows of up to 64K characters would pass the size cap long before 500 rows). */
function insertPayloads(fresh: Candidate[]): { part: Candidate[]; payload: string }[] {
  return jsonParams(
    fresh,
    (c) =>
      JSON.stringify({
        id: c.id,
        rd: c.row.rowData,
        gk: c.row.globalKey,
        gkl: c.row.globalKey?.toLowerCase() ?? null,
        ext: c.row.externalId,
        mt: c.row.mediaType,
        meta: JSON.stringify(c.row.metadataFields),
        att: JSON.stringify(c.row.attachments),
        ma: (c.mediaAttributes ?? c.row.mediaAttributes) ? JSON.stringify(c.mediaAttributes ?? c.row.mediaAttributes) : null,
      }),
    INSERT_CHUNK,
  )
}

/**
 * Inserts valid rows into a dataset. Duplicate global keys — within the candidates or against
 * rows already in the organization — become per-row errors. Returns the ids inserted (or already
 * present with the same id) and the errors. `firstByKey` (lower-cased global key → index) carries
 * the keys of earlier calls for the same input, so an input inserted in parts reports a repeated
 * key as a duplicate within the input, as one call would.
 */
export async function insertRows(
  db: Db,
  d: DatasetRow,
  createdBy: string,
  candidates: Candidate[],
  now = Date.now(),
  firstByKey = new Map<string, number>(),
  /** How the input names the row at `index` (a 0-based array index here; imports give line numbers). */
  rowName: (index: number) => string = (i) => `row ${i + 1} of this input`,
): Promise<{ inserted: Set<string>; errors: RowResultError[] }> {
  const errors: RowResultError[] = []
  const fresh: Candidate[] = []
  for (const c of candidates) {
    const key = c.row.globalKey?.toLowerCase()
    if (key !== undefined) {
      const first = firstByKey.get(key)
      if (first !== undefined) {
        errors.push({
          index: c.index,
          global_key: c.row.globalKey,
          field: 'global_key',
          message: `duplicate global key: also used by ${rowName(first)}`,
        })
        continue
      }
      firstByKey.set(key, c.index)
    }
    fresh.push(c)
  }
  const inserted = new Set<string>()
  const parts = insertPayloads(fresh)
  // Every chunk's INSERT goes to D1 in one batch: one round trip for the whole call instead of one
  // per 500 rows (an import slice's chunk of 2,000 records is 4 statements). A batch is one
  // transaction, and ON CONFLICT DO NOTHING keeps a clash from failing it. No RETURNING: a million
  // ids would travel back only to say that, as usual, all of them went in. `changes()` after each
  // INSERT says how many did (SQLite's count for that statement alone; D1's `meta.changes` also
  // counts the rows the counter triggers touch), read by the statement that adds them to the usage
  // page's data rows created that day (src/modules/usage/created.ts).
  const d1 = db.$client
  const insert = d1.prepare(INSERT_SQL)
  const changes = countInsertedDataRows(d1, d.orgId, now)
  const results = parts.length
    ? await d1.batch(parts.flatMap(({ payload }) => [insert.bind(d.orgId, d.id, payload, createdBy, now, now), changes]))
    : []
  const unsure: Candidate[] = []
  parts.forEach(({ part }, i) => {
    if (insertedCount(results[2 * i + 1]!) === part.length) for (const c of part) inserted.add(c.id)
    else unsure.push(...part)
  })
  // A part where some rows did not go in: a row whose id is there is ours (inserted now or by an
  // earlier run of a retried slice); the others clashed on their global key with another row.
  // One query per call (a JSON list, like the insert), only when something clashed.
  if (unsure.length) {
    const present = new Set(
      (
        await db
          .select({ id: dataRows.id })
          .from(dataRows)
          .where(sql`${dataRows.id} IN (SELECT value FROM json_each(${JSON.stringify(unsure.map((c) => c.id))}))`)
      ).map((r) => r.id),
    )
    for (const c of unsure) {
      if (present.has(c.id)) inserted.add(c.id)
      else
        errors.push({
          index: c.index,
          global_key: c.row.globalKey,
          field: 'global_key',
          message: `duplicate global key: ${JSON.stringify(c.row.globalKey)} is already used by another data row in this organization`,
        })
    }
  }
  errors.sort((a, b) => a.index - b.index)
  return { inserted, errors }
}

/** Who may see a data row: anyone who may see datasets, or a project-based member of a project
 * that holds the row. */
export async function mayViewDataRow(ctx: Ctx, row: DataRowRow): Promise<boolean> {
  if (can(ctx.actor, 'dataset.view')) return true
  if (ctx.actor.role !== 'NONE') return false
  const hit = await ctx.db
    .select({ one: sql<number>`1` })
    .from(projectDataRows)
    .innerJoin(projects, and(eq(projects.id, projectDataRows.projectId), isNull(projects.deletedAt)))
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, ctx.actor.userId)))
    .where(and(eq(projectDataRows.dataRowId, row.id), sql`${projectMembers.role} <> 'NONE'`))
    .limit(1)
  return hit.length > 0
}

/** POST /datasets/{id}/data-rows: up to 1,000 rows, partial success. */
export async function createDataRows(
  ctx: Ctx,
  datasetId: string,
  inputs: unknown[],
): Promise<{ created: DataRowView[]; errors: RowResultError[] }> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  const rc = rowContext(d)
  const errors: RowResultError[] = []
  const candidates: Candidate[] = []
  inputs.forEach((input, index) => {
    const r = checkRow(input, rc)
    if ('errors' in r) {
      const gk = typeof (input as { global_key?: unknown })?.global_key === 'string' ? (input as { global_key: string }).global_key : null
      for (const e of r.errors) errors.push({ index, global_key: gk, field: e.field, message: e.message })
    } else candidates.push({ index, id: newId('dr'), row: r.row })
  })
  const res = await insertRows(ctx.db, d, ctx.actor.userId, candidates)
  errors.push(...res.errors)
  errors.sort((a, b) => a.index - b.index)
  const ids = candidates.filter((c) => res.inserted.has(c.id)).map((c) => c.id)
  const created: DataRowView[] = []
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await ctx.db
      .select()
      .from(dataRows)
      .where(inArray(dataRows.id, ids.slice(i, i + 90)))
    created.push(...rows.map(dataRowView))
  }
  created.sort((a, b) => (a.id < b.id ? -1 : 1))
  return { created, errors }
}

export async function listDataRows(
  ctx: Ctx,
  datasetId: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<Page<DataRowView>> {
  // The dataset's check (404, permission) and its rows in one round trip.
  const [, rows] = await runReads(ctx, datasetRead(ctx, datasetId), dataRowsPageRead(ctx, datasetId, q))
  return rows
}

/**
 * A page of a dataset's rows, newest first, as a read. The statement is scoped to the caller's
 * organization itself, so it reads nothing foreign even when sent before the dataset's check (put
 * `datasetRead` in front of it). `when`: an SQL condition the rows are read under at all (a page
 * that needs them only once a task has finished). A malformed cursor is refused in `done`, after
 * the reads in front of it: a missing dataset is a 404 before a bad cursor's 400.
 */
export function dataRowsPageRead(
  ctx: Ctx,
  datasetId: string,
  q: { limit: number; cursor?: string | undefined },
  when?: SQL,
): Read<Page<DataRowView>> {
  let after: ReturnType<typeof decodeCursor>
  try {
    after = decodeCursor(q.cursor)
  } catch (e) {
    return {
      stmts: [],
      done: () => {
        throw e
      },
    }
  }
  return {
    stmts: [
      ctx.db
        .select()
        .from(dataRows)
        .where(
          and(
            eq(dataRows.datasetId, datasetId),
            eq(dataRows.orgId, ctx.actor.orgId),
            after ? lt(dataRows.id, String(after[0])) : undefined,
            when,
          ),
        )
        .orderBy(desc(dataRows.id))
        .limit(q.limit + 1),
    ],
    done: ([r]) => toPage(r as DataRowRow[], q.limit, (row) => [row.id], dataRowView),
  }
}

/** A data row of the caller's organization in a live dataset, with its dataset's integration;
 * visible to whoever may see datasets (org role), or — for the labeling queue — through a project
 * (checked by the caller). One read, through `runReads`: for a thumbnail, the request's only D1
 * round trip (it also confirms a remembered actor). */
export async function loadDataRowAndDataset(
  ctx: Ctx,
  by: { id?: string; globalKey?: string },
): Promise<{ row: DataRowRow; integrationId: string | null }> {
  const where = by.id ? eq(dataRows.id, by.id) : eq(dataRows.globalKeyLower, (by.globalKey ?? '').toLowerCase())
  const [hit] = await runReads(ctx, {
    stmts: [
      ctx.db
        .select({ r: dataRows, integrationId: datasets.integrationId })
        .from(dataRows)
        .innerJoin(datasets, eq(datasets.id, dataRows.datasetId))
        .where(and(where, eq(dataRows.orgId, ctx.actor.orgId), isNull(datasets.deletedAt)))
        .limit(1),
    ],
    done: ([rows]) => (rows as { r: DataRowRow; integrationId: string | null }[])[0],
  })
  if (!hit) throw notFound('Data row')
  return { row: hit.r, integrationId: hit.integrationId }
}

export async function loadDataRow(ctx: Ctx, by: { id?: string; globalKey?: string }): Promise<DataRowRow> {
  return (await loadDataRowAndDataset(ctx, by)).row
}

/** Whoever may see datasets, or a project-based member of a project holding the row (as for its
 * content); anyone else gets 404. */
export async function getDataRow(ctx: Ctx, by: { id?: string; globalKey?: string }): Promise<DataRowView> {
  const r = await loadDataRow(ctx, by)
  if (!(await mayViewDataRow(ctx, r))) throw notFound('Data row')
  return dataRowView(r)
}

export async function deleteDataRow(ctx: Ctx, id: string): Promise<void> {
  const r = await loadDataRow(ctx, { id })
  authorize(ctx.actor, 'dataset.manage')
  await ctx.db.delete(dataRows).where(eq(dataRows.id, r.id))
  if (r.rowData.startsWith(`r2://${r2Prefix(ctx.actor.orgId)}`))
    ctx.waitUntil(ctx.env.ASSETS_BUCKET.delete(r.rowData.slice('r2://'.length)))
}
