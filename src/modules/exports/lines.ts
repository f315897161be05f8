/**
 * @module Building export lines (Labelbox export v2 lines, like those in
 * test/fixtures/labelbox/export-v2-*.ndjson) for one page of data rows: the data
 * row, the sections whose flag is set, and the project's labels with their annotations. Reads in
 * bounded chunks; never more than one page in memory.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { batches, labels, reviews, users } from '../../db/schema'
import { iso } from '../../lib/iso'
import { parseBound, type ExportFilters, type ExportParams } from './schemas'

export type PageRow = {
  id: string
  rowData: string
  globalKey: string | null
  externalId: string | null
  mediaType: string
  metadataFields: unknown[]
  attachments: unknown[]
  mediaAttributes: Record<string, unknown> | null
  datasetId: string
  datasetName: string
  createdAt: Date
  updatedAt: Date
  createdBy: string
  batchId: string
  priority: number
  workflowStatus: string
}

const CHUNK = 90

async function inChunks<T>(ids: string[], f: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await f(ids.slice(i, i + CHUNK))))
  return out
}

/** Emails by user id, cached for the whole slice. */
export class People {
  private cache = new Map<string, string>()
  constructor(private db: Db) {}
  async load(ids: string[]) {
    const missing = [...new Set(ids)].filter((id) => !this.cache.has(id))
    const rows = await inChunks(missing, (part) =>
      this.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, part)),
    )
    for (const r of rows) this.cache.set(r.id, r.email)
    for (const id of missing) if (!this.cache.has(id)) this.cache.set(id, id)
  }
  email(id: string) {
    return this.cache.get(id) ?? id
  }
}

/**
 * A row's `media_attributes` as exported: Labelbox's keys, with `width`, `height` and `mime_type`
 * always present — numbers when known, null when not (a URL whose image was never read; the
 * dataset's "Read image sizes" task fills them) — so readers that index them (labelformat) find
 * them. LabelDesk's own `header_error` note stays out.
 */
export function exportedMediaAttributes(stored: Record<string, unknown> | null): Record<string, unknown> {
  const { header_error: _e, ...rest } = stored ?? {}
  const side = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null)
  return {
    ...rest,
    mime_type: typeof rest.mime_type === 'string' ? rest.mime_type : null,
    width: side(rest.width),
    height: side(rest.height),
  }
}

/**
 * The date filters applied to a page: which labels count (`label_created_at`) and whether a row
 * is exported at all — `row` gives the row's last activity, or null to leave the row out. Shared
 * by every export format, so they all export the same rows and labels.
 */
export function rowFilter(filters: ExportFilters) {
  // A bare date as the end bound means the whole of that day.
  const bounds = (r: [string | null, string | null] | undefined) => {
    const [a, b] = r ?? [null, null]
    const from = a ? parseBound(a) : null
    const to = b ? parseBound(b)! + (/^\d{4}-\d{2}-\d{2}$/.test(b) ? 86_399_999 : 0) : null
    return [from, to] as const
  }
  const [lcFrom, lcTo] = bounds(filters.label_created_at)
  const [laFrom, laTo] = bounds(filters.last_activity_at)
  return {
    label(createdAt: Date): boolean {
      const t = createdAt.getTime()
      return !((lcFrom != null && t < lcFrom) || (lcTo != null && t > lcTo))
    },
    row(r: { updatedAt: Date }, ls: { updatedAt: Date }[]): number | null {
      if (filters.label_created_at && !ls.length) return null
      const lastActivity = Math.max(r.updatedAt.getTime(), ...ls.map((l) => l.updatedAt.getTime()))
      if (laFrom != null && lastActivity < laFrom) return null
      if (laTo != null && lastActivity > laTo) return null
      return lastActivity
    },
  }
}

export async function buildLines(
  db: Db,
  project: { id: string; name: string; mediaType?: string },
  page: PageRow[],
  params: ExportParams,
  filters: ExportFilters,
  people: People,
  batchNames: Map<string, string>,
  /** The https link of an uploaded (r2://) asset (src/modules/datasets/asset-urls.ts); without it
   * the stored r2:// location is written. */
  assetUrl?: (rowId: string) => Promise<string>,
): Promise<string[]> {
  if (!page.length) return []
  const rowIds = page.map((r) => r.id)
  const links = new Map<string, string>()
  if (assetUrl) await Promise.all(page.filter((r) => r.rowData.startsWith('r2://')).map(async (r) => links.set(r.id, await assetUrl(r.id))))
  // One query per page each (a JSON list parameter instead of 100-parameter chunks), so a slice
  // can read many pages within D1's per-invocation query budget.
  const labelRows = await db
    .select({
      id: labels.id,
      dataRowId: labels.dataRowId,
      createdBy: labels.createdBy,
      createdAt: labels.createdAt,
      updatedAt: labels.updatedAt,
      secondsToCreate: labels.secondsToCreate,
      skipped: labels.skipped,
      // The stored document as text, minified by SQLite: it goes into the line as it is, instead
      // of being parsed into objects and serialized again (most of a line's bytes, and of the
      // time it took to build one). json() also guarantees a single line and valid JSON.
      annotations: sql<string>`json(${labels.annotations})`,
    })
    .from(labels)
    .where(and(eq(labels.projectId, project.id), sql`${labels.dataRowId} IN (SELECT value FROM json_each(${JSON.stringify(rowIds)}))`))
  const reviewRows =
    (params.label_details || params.project_details) && labelRows.length
      ? await db
          .select()
          .from(reviews)
          .where(sql`${reviews.labelId} IN (SELECT value FROM json_each(${JSON.stringify(labelRows.map((l) => l.id))}))`)
      : []
  await people.load([
    ...labelRows.map((l) => l.createdBy),
    ...reviewRows.map((r) => r.createdBy),
    ...(params.data_row_details ? page.map((r) => r.createdBy) : []),
  ])
  const missingBatches = [...new Set(page.map((r) => r.batchId))].filter((b) => !batchNames.has(b))
  if (params.project_details && missingBatches.length) {
    const bs = await inChunks(missingBatches, (part) =>
      db.select({ id: batches.id, name: batches.name }).from(batches).where(inArray(batches.id, part)),
    )
    for (const id of missingBatches) batchNames.set(id, bs.find((b) => b.id === id)?.name ?? '')
  }

  const keep = rowFilter(filters)
  const byRow = new Map<string, typeof labelRows>()
  for (const l of labelRows) {
    if (!keep.label(l.createdAt)) continue
    const list = byRow.get(l.dataRowId) ?? []
    list.push(l)
    byRow.set(l.dataRowId, list)
  }
  const reviewsByLabel = new Map<string, typeof reviewRows>()
  for (const r of reviewRows) reviewsByLabel.set(r.labelId, [...(reviewsByLabel.get(r.labelId) ?? []), r])
  // Labelbox's workflow history (project_details): one entry per review decision, oldest first
  // (the review queue is LabelDesk's only workflow step: an accept approves, a decline rejects).
  // label_details keeps Labelbox's five keys; the SDK's export tests compare them exactly.
  const history = (labelIds: string[]) =>
    labelIds
      .flatMap((id) => reviewsByLabel.get(id) ?? [])
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((rv) => ({
        action: rv.score > 0 ? 'Approve' : 'Reject',
        created_at: iso(rv.createdAt),
        created_by: { user_id: rv.createdBy, email: people.email(rv.createdBy) },
        label_id: rv.labelId,
      }))
  // Video labels are Labelbox's "Video" kind; every other label is "Default".
  const labelKind = project.mediaType === 'VIDEO' ? 'Video' : 'Default'

  const lines: string[] = []
  for (const r of page) {
    const ls = (byRow.get(r.id) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1))
    const lastActivity = keep.row(r, ls)
    if (lastActivity === null) continue
    const dataRow: Record<string, unknown> = { id: r.id }
    if (r.globalKey) dataRow.global_key = r.globalKey
    if (r.externalId) dataRow.external_id = r.externalId
    dataRow.row_data = links.get(r.id) ?? r.rowData
    if (params.data_row_details) {
      dataRow.details = {
        dataset_id: r.datasetId,
        dataset_name: r.datasetName,
        created_at: iso(r.createdAt),
        updated_at: iso(r.updatedAt),
        last_activity_at: iso(lastActivity),
        created_by: people.email(r.createdBy),
      }
    }
    const line: Record<string, unknown> = { data_row: dataRow }
    if (params.media_attributes) line.media_attributes = exportedMediaAttributes(r.mediaAttributes)
    if (params.attachments) line.attachments = r.attachments
    if (params.metadata_fields) line.metadata_fields = r.metadataFields
    // Assembled as text in the order JSON.stringify would write the object (data_row, the
    // optional sections, projects → {name, labels, project_details}; each label's annotations
    // last), so each line is the same minified JSON as before, with the annotations spliced in.
    const labelsJson = ls.map((l) => {
      const out: Record<string, unknown> = { id: l.id, label_kind: labelKind, version: '1.0.0' }
      if (params.label_details) {
        out.label_details = {
          created_at: iso(l.createdAt),
          updated_at: iso(l.updatedAt),
          created_by: people.email(l.createdBy),
          content_last_updated_at: iso(l.updatedAt),
          reviews: (reviewsByLabel.get(l.id) ?? []).map((rv) => ({
            score: rv.score,
            created_by: people.email(rv.createdBy),
            created_at: iso(rv.createdAt),
          })),
        }
      }
      if (params.performance_details)
        out.performance_details = { seconds_to_create: l.secondsToCreate, seconds_to_review: 0, skipped: l.skipped }
      return `${JSON.stringify(out).slice(0, -1)},"annotations":${l.annotations}}`
    })
    let entry = `{"name":${JSON.stringify(project.name)},"labels":[${labelsJson.join(',')}]`
    if (params.project_details) {
      // No consensus here: one label is expected per data row.
      entry += `,"project_details":${JSON.stringify({ batch_id: r.batchId, batch_name: batchNames.get(r.batchId) ?? '', priority: r.priority, consensus_expected_label_count: 1, workflow_status: r.workflowStatus, workflow_history: history(ls.map((l) => l.id)) })}`
    }
    lines.push(`${JSON.stringify(line).slice(0, -1)},"projects":{${JSON.stringify(project.id)}:${entry}}}}`)
  }
  return lines
}
