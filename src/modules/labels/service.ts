/**
 * @module Labels: create, list, read, edit, delete, review. Every write is one db.batch that also
 * updates what depends on it — feature counts, workflow status, usage facts (append-only) and an
 * event for webhooks — while triggers keep the project, data-row, member and per-day counters.
 * Labelers see and touch only their own labels; reviewers and up see everyone's.
 */
import { jsonParams } from '../../lib/json-params'
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../db/client'
import { runBatch } from '../../db/client'
import {
  dataRows,
  datasets,
  labels,
  projectDataRows,
  reviews,
  usageFacts,
  users,
  type LabelAnnotations,
  type ReviewState,
} from '../../db/schema'
import type { Ctx } from '../../env'
import type { OrgRole } from '../../db/schema/columns'
import { authorize, can } from '../../auth/permissions'
import { AppError, notFound } from '../../lib/errors'
import { runReads } from '../../db/reads'
import { iso } from '../../lib/iso'
import { newId } from '../../lib/ids'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { loadProject, loadProjectWith, projectLookupRead, type LoadedProject } from '../projects/service'
import { countFeatures, featureIds, normalizeAnnotations, type FeatureDelta } from './annotations'
import type { CreateLabelInput, LabelView, ReviewInput, UpdateLabelInput } from './schemas'
import { announceAfterResponse } from '../webhooks/events'

export type LabelRow = typeof labels.$inferSelect
export type { LabelView }

export const labelView = (l: LabelRow, email?: string): LabelView => ({
  id: l.id,
  project_id: l.projectId,
  data_row_id: l.dataRowId,
  created_by: l.createdBy,
  ...(email ? { created_by_email: email } : {}),
  created_at: iso(l.createdAt)!,
  updated_at: iso(l.updatedAt)!,
  seconds_to_create: l.secondsToCreate,
  skipped: l.skipped,
  imported: l.imported,
  review_state: l.reviewState,
  annotations: l.annotations,
})

/** Usage buckets of asset types. */
export function assetType(mediaType: string): 'IMAGE' | 'VIDEO' | 'TEXT' | 'OTHER' {
  if (mediaType === 'IMAGE' || mediaType === 'VIDEO' || mediaType === 'TEXT') return mediaType
  if (mediaType === 'HTML' || mediaType === 'CONVERSATIONAL' || mediaType === 'PDF') return 'TEXT'
  return 'OTHER'
}
export const gmtDay = (d: Date) => d.toISOString().slice(0, 10)

/** One statement adding (or with sign -1 removing) feature counts. */
export function featureCountStmt(
  db: Db,
  projectId: string,
  userId: string,
  deltas: FeatureDelta[],
  sign: 1 | -1,
): BatchItem<'sqlite'> | null {
  if (!deltas.length) return null
  const payload = JSON.stringify(deltas.map((d) => ({ ...d, count: d.count * sign })))
  return db.run(sql`INSERT INTO project_feature_counts (project_id, feature_schema_id, answer_schema_id, user_id, kind, name, answer, count)
    SELECT ${projectId}, json_extract(j.value, '$.feature_schema_id'), json_extract(j.value, '$.answer_schema_id'), ${userId}, json_extract(j.value, '$.kind'),
           json_extract(j.value, '$.name'), json_extract(j.value, '$.answer'), json_extract(j.value, '$.count')
    FROM json_each(${payload}) AS j WHERE true
    ON CONFLICT (project_id, feature_schema_id, answer_schema_id, user_id) DO UPDATE SET count = count + excluded.count, name = excluded.name, answer = excluded.answer`) as unknown as BatchItem<'sqlite'>
}

/** A webhook payload for a label: the label in the export v2 shape plus its data row and project. */
export function labelPayload(l: LabelRow, dr: { id: string; globalKey: string | null }): Record<string, unknown> {
  return {
    project_id: l.projectId,
    data_row: { id: dr.id, ...(dr.globalKey ? { global_key: dr.globalKey } : {}) },
    label: {
      id: l.id,
      label_kind: 'Default',
      version: '1.0.0',
      label_details: { created_at: iso(l.createdAt), updated_at: iso(l.updatedAt), created_by: l.createdBy },
      performance_details: { seconds_to_create: l.secondsToCreate, seconds_to_review: 0, skipped: l.skipped },
      annotations: l.annotations,
    },
    // Kept for consumers of the first payload shape.
    label_id: l.id,
    data_row_id: dr.id,
  }
}

/** The event outbox row for a change; it commits in the change's batch. Webhooks deliver it
 * outside the request: announce `id` (webhooks/events.ts) once the batch has committed. The outbox
 * only serves webhooks, so an organization with no active one (most) gets no row: an edit or a
 * review writes three rows fewer (the row, its key, its org index), as LABEL_CREATED does in
 * `labelsInsertStmts`. A webhook made later never received older changes either way. */
export function eventStmt(
  db: Db,
  orgId: string,
  projectId: string | null,
  topic: string,
  payload: Record<string, unknown>,
  id = newId('evt'),
): BatchItem<'sqlite'> {
  return db.run(sql`INSERT INTO events (id, org_id, project_id, topic, payload, created_at)
    SELECT ${id}, ${orgId}, ${projectId}, ${topic}, ${JSON.stringify(payload)}, ${Date.now()}
    WHERE EXISTS (SELECT 1 FROM webhooks WHERE webhooks.org_id = ${orgId} AND webhooks.status = 'ACTIVE')`) as unknown as BatchItem<'sqlite'>
}

export type DataRowRef = { id: string; globalKey: string | null; mediaType: string; inProject: boolean }

/** A data row of the caller's organization, and whether it is in the project. */
export async function resolveDataRow(
  db: Db,
  orgId: string,
  projectId: string,
  by: { id?: string; globalKey?: string },
): Promise<DataRowRef | null> {
  const where = by.id ? eq(dataRows.id, by.id) : eq(dataRows.globalKeyLower, by.globalKey!.toLowerCase())
  const r = await db
    .select({ id: dataRows.id, globalKey: dataRows.globalKey, mediaType: dataRows.mediaType, pdr: projectDataRows.dataRowId })
    .from(dataRows)
    .innerJoin(datasets, eq(datasets.id, dataRows.datasetId))
    .leftJoin(projectDataRows, and(eq(projectDataRows.dataRowId, dataRows.id), eq(projectDataRows.projectId, projectId)))
    .where(and(where, eq(dataRows.orgId, orgId), sql`${datasets.deletedAt} IS NULL`))
    .get()
  return r ? { id: r.id, globalKey: r.globalKey, mediaType: r.mediaType, inProject: r.pdr !== null } : null
}

/**
 * Many data rows at once (a label-import slice): by id and by global key (case-insensitive), in
 * one query. Answers, for each ref's key (`id:<id>` or `key:<lower-cased key>`), the row or nothing.
 */
export async function resolveDataRows(
  db: Db,
  orgId: string,
  projectId: string,
  refs: { id?: string; globalKey?: string }[],
): Promise<Map<string, DataRowRef>> {
  const ids = [...new Set(refs.filter((r) => r.id !== undefined).map((r) => r.id!))]
  const keys = [...new Set(refs.filter((r) => r.globalKey !== undefined).map((r) => r.globalKey!.toLowerCase()))]
  const out = new Map<string, DataRowRef>()
  if (!ids.length && !keys.length) return out
  // By id, unary `+` keeps org_id off data_rows_global_key_uq: with it SQLite walks every data row
  // of the organization (even for no ids) instead of looking each id up; by key, that index is the lookup.
  const rows = await db.all<{ id: string; globalKey: string | null; keyLower: string | null; mediaType: string; pdr: string | null }>(sql`
    SELECT d.id AS id, d.global_key AS globalKey, d.global_key_lower AS keyLower, d.media_type AS mediaType, pdr.data_row_id AS pdr
    FROM data_rows d
    JOIN datasets ds ON ds.id = d.dataset_id AND ds.deleted_at IS NULL
    LEFT JOIN project_data_rows pdr ON pdr.data_row_id = d.id AND pdr.project_id = ${projectId}
    WHERE +d.org_id = ${orgId} AND d.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
    UNION ALL
    SELECT d.id, d.global_key, d.global_key_lower, d.media_type, pdr.data_row_id
    FROM data_rows d
    JOIN datasets ds ON ds.id = d.dataset_id AND ds.deleted_at IS NULL
    LEFT JOIN project_data_rows pdr ON pdr.data_row_id = d.id AND pdr.project_id = ${projectId}
    WHERE d.org_id = ${orgId} AND d.global_key_lower IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`)
  for (const r of rows) {
    const ref: DataRowRef = { id: r.id, globalKey: r.globalKey, mediaType: r.mediaType, inProject: r.pdr !== null }
    out.set(`id:${r.id}`, ref)
    if (r.keyLower !== null) out.set(`key:${r.keyLower}`, ref)
  }
  return out
}

export type NewLabel = {
  project: LoadedProject['project']
  dataRow: DataRowRef
  createdBy: string
  annotations: LabelAnnotations
  count: number
  deltas: FeatureDelta[]
  secondsToCreate: number
  skipped: boolean
  imported: boolean
  importKey?: string | null
  at?: Date
}

/** The statements that create a label and everything that depends on it (the API and the
 * labeling page; label imports write many at once with `labelsInsertStmts`). */
export function labelInsertStmts(db: Db, n: NewLabel): { id: string; stmts: BatchItem<'sqlite'>[]; row: LabelRow; eventId: string } {
  const { rows, eventIds, stmts } = labelsInsertStmts(db, n.project, n.createdBy, [n])
  return { id: rows[0]!.id, row: rows[0]!, eventId: eventIds[0]!, stmts }
}

/** `rows` as JSON array parameters of at most ~600 K characters each (lib/json-params.ts). */
const jsonChunks = (rows: unknown[][]): string[] => jsonParams(rows, (r) => JSON.stringify(r)).map((p) => p.payload)

/**
 * Labels of one project by one author, with everything that depends on them: the label rows, the
 * feature counts, the queue state of their data rows, usage facts and LABEL_CREATED events. Each
 * table gets one statement (per ~600 KB of rows), its rows read from one JSON parameter with
 * json_each, instead of five statements per label: a label import's slice of 250 labels sends 5
 * statements, not 1,250, which keeps it far inside D1's 1,000 queries per invocation and spares
 * building and shipping each statement. The counter triggers on labels fire per row as before.
 */
export function labelsInsertStmts(
  db: Db,
  project: Pick<LoadedProject['project'], 'id' | 'orgId'>,
  createdBy: string,
  items: Omit<NewLabel, 'project' | 'createdBy'>[],
): { rows: LabelRow[]; eventIds: string[]; stmts: BatchItem<'sqlite'>[] } {
  const now = new Date()
  const rows: LabelRow[] = []
  const eventIds: string[] = []
  const labelRows: unknown[][] = []
  const usageRows: unknown[][] = []
  const eventRows: unknown[][] = []
  const deltas = new Map<string, FeatureDelta>()
  const reviewIds: string[] = []
  const skippedIds: string[] = []
  for (const n of items) {
    const at = n.at ?? now
    const row: LabelRow = {
      id: newId('lbl', at.getTime()),
      orgId: project.orgId,
      projectId: project.id,
      dataRowId: n.dataRow.id,
      createdBy,
      annotations: n.annotations,
      annotationCount: n.count,
      secondsToCreate: n.secondsToCreate,
      skipped: n.skipped,
      imported: n.imported,
      importKey: n.importKey ?? null,
      reviewState: 'UNREVIEWED',
      createdAt: at,
      updatedAt: at,
    }
    rows.push(row)
    labelRows.push([
      row.id,
      row.dataRowId,
      JSON.stringify(row.annotations),
      row.annotationCount,
      row.secondsToCreate,
      row.skipped ? 1 : 0,
      row.imported ? 1 : 0,
      row.importKey,
      at.getTime(),
    ])
    // The sums a label-by-label upsert would reach; the last name seen wins, as it would.
    for (const d of n.deltas) {
      const key = `${d.feature_schema_id}\u0000${d.answer_schema_id}`
      const had = deltas.get(key)
      deltas.set(key, { ...d, count: (had?.count ?? 0) + d.count })
    }
    ;(n.skipped ? skippedIds : reviewIds).push(n.dataRow.id)
    // Usage is recorded when annotations are created and never decremented.
    if (n.count > 0 || !n.skipped)
      usageRows.push([
        gmtDay(at),
        assetType(n.dataRow.mediaType),
        n.imported ? 1 : 0,
        n.count,
        n.skipped ? 0 : 1,
        n.secondsToCreate,
        at.getTime(),
      ])
    const eventId = newId('evt')
    eventIds.push(eventId)
    eventRows.push([eventId, JSON.stringify(labelPayload(row, n.dataRow))])
  }
  const ids = (list: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(list)}))`
  const pdr = (list: string[], set: SQL) =>
    list.length
      ? [
          db.run(
            sql`UPDATE project_data_rows SET ${set} WHERE project_id = ${project.id} AND data_row_id IN ${ids(list)}`,
          ) as unknown as BatchItem<'sqlite'>,
        ]
      : []
  const v = (i: number) => sql.raw(`json_extract(j.value, '$[${i}]')`)
  const stmts: (BatchItem<'sqlite'> | null)[] = [
    ...jsonChunks(labelRows).map(
      (chunk) =>
        db.run(sql`INSERT INTO labels (id, org_id, project_id, data_row_id, created_by, annotations, annotation_count, seconds_to_create, skipped, imported, import_key, review_state, created_at, updated_at)
          SELECT ${v(0)}, ${project.orgId}, ${project.id}, ${v(1)}, ${createdBy}, ${v(2)}, ${v(3)}, ${v(4)}, ${v(5)}, ${v(6)}, ${v(7)}, 'UNREVIEWED', ${v(8)}, ${v(8)}
          FROM json_each(${chunk}) AS j`) as unknown as BatchItem<'sqlite'>,
    ),
    featureCountStmt(db, project.id, createdBy, [...deltas.values()], 1),
    ...pdr(reviewIds, sql`workflow_status = 'IN_REVIEW', reserved_by = NULL, reserved_until = NULL`),
    ...pdr(skippedIds, sql`reserved_by = NULL, reserved_until = NULL`),
    ...jsonChunks(usageRows).map(
      (chunk) =>
        db.run(sql`INSERT INTO usage_facts (org_id, project_id, user_id, day, asset_type, imported, annotations, labels, seconds_total, created_at)
          SELECT ${project.orgId}, ${project.id}, ${createdBy}, ${v(0)}, ${v(1)}, ${v(2)}, ${v(3)}, ${v(4)}, ${v(5)}, ${v(6)}
          FROM json_each(${chunk}) AS j`) as unknown as BatchItem<'sqlite'>,
    ),
    // The outbox only serves webhooks: an organization with no active one (most) gets no events,
    // three rows written per label fewer (announceEvents in ../webhooks/events.ts skips it alike).
    ...jsonChunks(eventRows).map(
      (chunk) =>
        db.run(sql`INSERT INTO events (id, org_id, project_id, topic, payload, created_at)
          SELECT ${v(0)}, ${project.orgId}, ${project.id}, 'LABEL_CREATED', ${v(1)}, ${now.getTime()}
          FROM json_each(${chunk}) AS j
          WHERE EXISTS (SELECT 1 FROM webhooks WHERE webhooks.org_id = ${project.orgId} AND webhooks.status = 'ACTIVE')`) as unknown as BatchItem<'sqlite'>,
    ),
  ]
  return { rows, eventIds, stmts: stmts.filter((x): x is BatchItem<'sqlite'> => x !== null) }
}

export async function createLabel(ctx: Ctx, projectId: string, input: CreateLabelInput): Promise<LabelView> {
  const loaded = await loadProject(ctx, projectId, 'label.create')
  // The page posts its fields as they are: an empty form names no row at all.
  if (!input.data_row_id && !input.global_key)
    throw new AppError('VALIDATION', 'data_row_id or global_key is required', [
      { path: 'data_row_id', message: 'data_row_id or global_key is required' },
    ])
  const dr = await resolveDataRow(ctx.db, ctx.actor.orgId, loaded.project.id, { id: input.data_row_id, globalKey: input.global_key })
  const field = input.data_row_id ? 'data_row_id' : 'global_key'
  if (!dr)
    throw new AppError(
      'VALIDATION',
      `Unknown ${field === 'data_row_id' ? 'data row' : 'global key'}: ${input.data_row_id ?? input.global_key}`,
      [{ path: field, message: 'Data row not found' }],
    )
  if (!dr.inProject)
    throw new AppError('VALIDATION', `Data row ${dr.id} is not in this project; attach it in a batch first`, [
      { path: field, message: 'Data row is not in this project' },
    ])
  const n = normalizeAnnotations(
    input.skipped ? (input.annotations ?? null) : (input.annotations ?? { objects: [], classifications: [] }),
    loaded.project.ontology,
    false,
    loaded.project.mediaType,
  )
  const { row, stmts, eventId } = labelInsertStmts(ctx.db, {
    project: loaded.project,
    dataRow: dr,
    createdBy: ctx.actor.userId,
    annotations: n.annotations,
    count: n.count,
    deltas: n.deltas,
    secondsToCreate: input.seconds_to_create,
    skipped: input.skipped,
    imported: false,
  })
  await runBatch(ctx.db, stmts)
  announceAfterResponse(ctx, row.orgId, [eventId])
  return labelView(row, ctx.actor.email)
}

/** A label of a project the caller can see; labelers only their own (others' are 404). */
async function loadLabel(ctx: Ctx, labelId: string): Promise<{ label: LabelRow; loaded: LoadedProject }> {
  const label = await ctx.db
    .select()
    .from(labels)
    .where(and(eq(labels.id, labelId), eq(labels.orgId, ctx.actor.orgId)))
    .get()
  if (!label) throw notFound('Label')
  const loaded = await loadProject(ctx, label.projectId).catch(() => {
    throw notFound('Label')
  })
  if (label.createdBy !== ctx.actor.userId && !can({ ...ctx.actor, readOnly: false }, 'label.view_all', { projectRole: loaded.role }))
    throw notFound('Label')
  return { label, loaded }
}

export async function getLabel(ctx: Ctx, labelId: string): Promise<LabelView> {
  // What loadLabel checks, in one round trip: the label and its project (found through the label,
  // by a subquery scoped to the organization) go in the same batch.
  const byLabel = sql`(SELECT ${labels.projectId} FROM ${labels} WHERE ${labels.id} = ${labelId} AND ${labels.orgId} = ${ctx.actor.orgId})`
  const lookup = projectLookupRead(ctx, byLabel, 'project.view')
  const [label, loaded] = await runReads(
    ctx,
    {
      stmts: [
        ctx.db
          .select()
          .from(labels)
          .where(and(eq(labels.id, labelId), eq(labels.orgId, ctx.actor.orgId)))
          .limit(1),
      ],
      done: ([rows]) => {
        const l = (rows as LabelRow[])[0]
        if (!l) throw notFound('Label')
        return l
      },
    },
    {
      stmts: lookup.stmts,
      done: (rows) => {
        try {
          return lookup.done(rows)
        } catch {
          throw notFound('Label')
        }
      },
    },
  )
  if (label.createdBy !== ctx.actor.userId && !can({ ...ctx.actor, readOnly: false }, 'label.view_all', { projectRole: loaded.role }))
    throw notFound('Label')
  return labelView(label)
}

export async function listLabels(ctx: Ctx, projectId: string, q: { limit: number; cursor?: string | undefined }): Promise<Page<LabelView>> {
  const after = decodeCursor(q.cursor)
  type Row = { l: LabelRow; email: string | null }
  // The project and its page of labels in one round trip (`guard` keeps a foreign id from reading
  // anything before the project is checked).
  const [, rows] = await loadProjectWith<[Row[]]>(ctx, projectId, 'project.view', (loaded) => {
    const where: (SQL | undefined)[] = [eq(labels.projectId, loaded.project.id), loaded.guard]
    // Labelers see only their own labels.
    if (!can(ctx.actor, 'label.view_all', { projectRole: loaded.role })) where.push(eq(labels.createdBy, ctx.actor.userId))
    if (after) where.push(lt(labels.id, String(after[0])))
    const query = ctx.db
      .select({ l: labels, email: users.email })
      .from(labels)
      .leftJoin(users, eq(users.id, labels.createdBy))
      .where(and(...where))
      .orderBy(desc(labels.id))
      .limit(q.limit + 1)
    return [{ stmts: [query], done: ([r]) => r as Row[] }]
  })
  return toPage(
    rows,
    q.limit,
    (r) => [r.l.id],
    (r) => labelView(r.l, r.email ?? undefined),
  )
}

/** May `actor` edit a label by `createdBy` in a project where they hold `role`? updateLabel's
 * rule: their own with label.create, anyone's with label.edit_any. */
export function mayEditLabel(actor: Ctx['actor'], createdBy: string, role: OrgRole): boolean {
  return createdBy === actor.userId
    ? can(actor, 'label.create', { projectRole: role })
    : can(actor, 'label.edit_any', { projectRole: role })
}

function authorizeEdit(ctx: Ctx, label: LabelRow, loaded: LoadedProject) {
  if (label.createdBy === ctx.actor.userId) authorize(ctx.actor, 'label.create', { projectRole: loaded.role }, 'Label')
  else authorize(ctx.actor, 'label.edit_any', { projectRole: loaded.role }, 'Label')
}

export async function updateLabel(ctx: Ctx, labelId: string, input: UpdateLabelInput): Promise<LabelView> {
  const { label, loaded } = await loadLabel(ctx, labelId)
  authorizeEdit(ctx, label, loaded)
  const now = new Date()
  const next: Partial<LabelRow> = { updatedAt: now }
  const stmts: (BatchItem<'sqlite'> | null)[] = []
  if (input.annotations !== undefined) {
    const n = normalizeAnnotations(input.annotations, loaded.project.ontology, true, loaded.project.mediaType)
    const before = countFeatures(label.annotations, loaded.project.ontology)
    next.annotations = n.annotations
    next.annotationCount = n.count
    stmts.push(
      featureCountStmt(ctx.db, label.projectId, label.createdBy, before.deltas, -1),
      featureCountStmt(ctx.db, label.projectId, label.createdBy, n.deltas, 1),
    )
    // Annotations this edit created (new feature ids) are billable; removed ones stay counted.
    const old = featureIds(label.annotations)
    const added = [...featureIds(n.annotations)].filter((id) => !old.has(id)).length
    if (added > 0) {
      const dr = await ctx.db.select({ mediaType: dataRows.mediaType }).from(dataRows).where(eq(dataRows.id, label.dataRowId)).get()
      stmts.push(
        ctx.db.insert(usageFacts).values({
          orgId: label.orgId,
          projectId: label.projectId,
          userId: ctx.actor.userId,
          day: gmtDay(now),
          assetType: assetType(dr?.mediaType ?? 'OTHER'),
          imported: false,
          annotations: added,
          labels: 0,
          secondsTotal: 0,
          createdAt: now,
        }),
      )
    }
  }
  if (input.seconds_to_create !== undefined) next.secondsToCreate = input.seconds_to_create
  stmts.unshift(ctx.db.update(labels).set(next).where(eq(labels.id, label.id)))
  // History: the annotations this edit replaces become a version (copied inside the database, read
  // before the update above runs: it is first in the batch). Only edits of the annotations count.
  if (input.annotations !== undefined)
    stmts.unshift(
      ctx.db.run(sql`INSERT INTO label_versions (label_id, org_id, annotations, edited_by, edited_at)
        SELECT id, org_id, annotations, ${ctx.actor.userId}, ${now.getTime()} FROM labels WHERE id = ${label.id}`) as unknown as BatchItem<'sqlite'>,
    )
  const eventId = newId('evt')
  stmts.push(
    eventStmt(
      ctx.db,
      label.orgId,
      label.projectId,
      'LABEL_UPDATED',
      labelPayload({ ...label, ...next }, { id: label.dataRowId, globalKey: null }),
      eventId,
    ),
  )
  await runBatch(
    ctx.db,
    stmts.filter((s): s is BatchItem<'sqlite'> => s !== null),
  )
  announceAfterResponse(ctx, label.orgId, [eventId])
  return labelView({ ...label, ...next })
}

/** Removes a label from the project and its exports; usage facts stay. */
export async function deleteLabel(ctx: Ctx, labelId: string): Promise<void> {
  const { label, loaded } = await loadLabel(ctx, labelId)
  authorizeEdit(ctx, label, loaded)
  const before = countFeatures(label.annotations, loaded.project.ontology)
  const eventId = newId('evt')
  await runBatch(ctx.db, [
    ctx.db.delete(labels).where(eq(labels.id, label.id)),
    ...[featureCountStmt(ctx.db, label.projectId, label.createdBy, before.deltas, -1)].filter((s): s is BatchItem<'sqlite'> => s !== null),
    // Back to the queue when no submitted label is left on the row.
    ctx.db
      .update(projectDataRows)
      .set({ workflowStatus: 'TO_LABEL' })
      .where(
        and(
          eq(projectDataRows.projectId, label.projectId),
          eq(projectDataRows.dataRowId, label.dataRowId),
          eq(projectDataRows.labelCount, 0),
        ),
      ),
    eventStmt(
      ctx.db,
      label.orgId,
      label.projectId,
      'LABEL_DELETED',
      { label_id: label.id, data_row_id: label.dataRowId, project_id: label.projectId },
      eventId,
    ),
  ])
  announceAfterResponse(ctx, label.orgId, [eventId])
}

/** Accept (+1) or decline (-1). A reviewer's second review of the same label updates the first. */
export async function reviewLabel(
  ctx: Ctx,
  labelId: string,
  input: ReviewInput,
): Promise<{ id: string; label_id: string; score: number; review_state: ReviewState; created_at: string }> {
  const { label, loaded } = await loadLabel(ctx, labelId)
  authorize(ctx.actor, 'label.review', { projectRole: loaded.role }, 'Label')
  const now = new Date()
  const existing = await ctx.db
    .select()
    .from(reviews)
    .where(and(eq(reviews.labelId, label.id), eq(reviews.createdBy, ctx.actor.userId)))
    .get()
  const id = existing?.id ?? newId('rev')
  const eventId = newId('evt')
  const state = sql`(SELECT CASE WHEN count(*) = 0 THEN 'UNREVIEWED' WHEN min(score) = 1 THEN 'ACCEPTED' WHEN max(score) = -1 THEN 'DECLINED' ELSE 'AMBIGUOUS' END FROM ${reviews} WHERE ${reviews.labelId} = ${label.id})`
  await runBatch(ctx.db, [
    ctx.db
      .insert(reviews)
      .values({
        id,
        orgId: label.orgId,
        labelId: label.id,
        projectId: label.projectId,
        score: input.score,
        createdBy: ctx.actor.userId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({ target: [reviews.labelId, reviews.createdBy], set: { score: input.score, updatedAt: now } }),
    ctx.db
      .update(labels)
      .set({ reviewState: state as unknown as ReviewState })
      .where(eq(labels.id, label.id)),
    ctx.db
      .update(projectDataRows)
      .set({
        workflowStatus:
          sql`CASE (SELECT review_state FROM labels WHERE id = ${label.id}) WHEN 'ACCEPTED' THEN 'DONE' WHEN 'DECLINED' THEN 'IN_REWORK' ELSE ${projectDataRows.workflowStatus} END` as unknown as 'DONE',
      })
      .where(and(eq(projectDataRows.projectId, label.projectId), eq(projectDataRows.dataRowId, label.dataRowId))),
    eventStmt(
      ctx.db,
      label.orgId,
      label.projectId,
      existing ? 'REVIEW_UPDATED' : 'REVIEW_CREATED',
      { review_id: id, label_id: label.id, score: input.score, project_id: label.projectId, data_row_id: label.dataRowId },
      eventId,
    ),
  ])
  announceAfterResponse(ctx, label.orgId, [eventId])
  const after = await ctx.db.select({ s: labels.reviewState }).from(labels).where(eq(labels.id, label.id)).get()
  return { id, label_id: label.id, score: input.score, review_state: after!.s, created_at: (existing?.createdAt ?? now).toISOString() }
}
