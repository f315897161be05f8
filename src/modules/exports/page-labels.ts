/**
 * @module One page of data rows with their labels parsed, for the export formats that rewrite
 * annotations (COCO, YOLO, Pascal VOC, CSV). The same rows and labels as the NDJSON lines: the
 * same query, the same date filters (`rowFilter` in lines.ts), one query per page.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { labels, type LabelAnnotations } from '../../db/schema'
import { type People, rowFilter, type PageRow } from './lines'
import type { ExportFilters } from './schemas'

export type PageLabel = { id: string; createdBy: string; createdAt: Date; annotations: LabelAnnotations }
export type PageItem = { row: PageRow; url: string; labels: PageLabel[] }

export async function loadPageLabels(
  db: Db,
  projectId: string,
  page: PageRow[],
  filters: ExportFilters,
  people: People,
  assetUrl?: (rowId: string) => Promise<string>,
): Promise<PageItem[]> {
  if (!page.length) return []
  const labelRows = await db
    .select({
      id: labels.id,
      dataRowId: labels.dataRowId,
      createdBy: labels.createdBy,
      createdAt: labels.createdAt,
      updatedAt: labels.updatedAt,
      annotations: labels.annotations,
    })
    .from(labels)
    .where(
      and(
        eq(labels.projectId, projectId),
        sql`${labels.dataRowId} IN (SELECT value FROM json_each(${JSON.stringify(page.map((r) => r.id))}))`,
      ),
    )
  await people.load(labelRows.map((l) => l.createdBy))
  const keep = rowFilter(filters)
  const byRow = new Map<string, typeof labelRows>()
  for (const l of labelRows) {
    if (!keep.label(l.createdAt)) continue
    const list = byRow.get(l.dataRowId) ?? []
    list.push(l)
    byRow.set(l.dataRowId, list)
  }
  const out: PageItem[] = []
  for (const r of page) {
    const ls = (byRow.get(r.id) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1))
    if (keep.row(r, ls) === null) continue
    const url = assetUrl && r.rowData.startsWith('r2://') ? await assetUrl(r.id) : r.rowData
    out.push({
      row: r,
      url,
      labels: ls.map((l) => ({
        id: l.id,
        createdBy: people.email(l.createdBy),
        createdAt: l.createdAt,
        annotations: l.annotations ?? { objects: [], classifications: [], relationships: [] },
      })),
    })
  }
  return out
}
