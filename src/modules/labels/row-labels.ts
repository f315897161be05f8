/**
 * @module The data-row page's reads: the dataset, the row (with its creator's name), every label of
 * the row in the caller's organization's projects (author, review state, project, the caller's role
 * there) and the labels' earlier versions — one D1 round trip (`runReads`), which also confirms a
 * remembered actor. Who sees which label and who may edit it is the rule `loadLabel` and
 * `updateLabel` apply (./service.ts): labelers their own, reviewers and up everyone's.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import {
  dataRows,
  datasets,
  labels,
  labelVersions,
  projectDataRows,
  projectMembers,
  projects,
  type LabelAnnotations,
} from '../../db/schema'
import type { ProjectRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { authorize, can, projectRole } from '../../auth/permissions'
import { notFound } from '../../lib/errors'
import { iso } from '../../lib/iso'
import { runReads } from '../../db/reads'
import { dataRowView, type DataRowRow, type DataRowView } from '../datasets/data-rows'
import { datasetView, type DatasetRow, type DatasetView } from '../datasets/service'
import type { Ontology } from '../projects/ontology'
import type { ReviewState } from '../../db/schema'
import { mayEditLabel } from './service'

/** Labels shown on one row's page at most (a row is labeled a few times, not hundreds). */
export const ROW_LABELS_LIMIT = 100
/** Earlier versions listed at most, over all the row's labels. */
export const ROW_VERSIONS_LIMIT = 200

export type RowLabelVersion = { number: number; by: string | null; at: string; objects: number | null; current: boolean }

export type RowLabel = {
  id: string
  project: { id: string; name: string; media_type: string; ontology: Ontology }
  created_by: string
  /** The author's name, or null for someone no longer in the organization. */
  author: string | null
  created_at: string
  updated_at: string
  review_state: ReviewState
  skipped: boolean
  annotations: LabelAnnotations
  /** 1 + the edits kept in label_versions. */
  version_count: number
  /** Newest first: the current version, then the earlier ones kept (as many as were read). */
  versions: RowLabelVersion[]
  /** Whether the caller may open it in the editor (updateLabel's rule). */
  can_edit: boolean
}

export type DataRowPageData = {
  dataset: DatasetView
  row: DataRowView
  creator: { name: string; email: string } | null
  labels: RowLabel[]
  /** More labels than ROW_LABELS_LIMIT exist. */
  more: boolean
}

const memberName = (orgId: string, userId: unknown) =>
  sql<
    string | null
  >`(SELECT u.full_name FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = ${orgId} WHERE u.id = ${userId})`

export async function dataRowPage(ctx: Ctx, datasetId: string, rowId: string): Promise<DataRowPageData> {
  const orgId = ctx.actor.orgId
  const me = ctx.actor.userId
  // The row must be in this (live) dataset of the caller's organization: every statement says so,
  // so a foreign or mismatched id reads nothing.
  const rowHere = and(eq(dataRows.id, rowId), eq(dataRows.datasetId, datasetId), eq(dataRows.orgId, orgId))
  const liveDataset = sql`EXISTS (SELECT 1 FROM ${datasets} WHERE ${datasets.id} = ${datasetId} AND ${datasets.orgId} = ${orgId} AND ${datasets.deletedAt} IS NULL)`
  const rowGuard = sql`EXISTS (SELECT 1 FROM ${dataRows} WHERE ${rowHere} AND ${liveDataset})`
  const [dataset, row, labelRows, versionRows] = await runReads<
    [
      DatasetRow | undefined,
      { r: DataRowRow; creatorName: string | null; creatorEmail: string | null } | undefined,
      LabelHit[],
      VersionHit[],
    ]
  >(
    ctx,
    {
      stmts: [
        ctx.db
          .select()
          .from(datasets)
          .where(and(eq(datasets.id, datasetId), eq(datasets.orgId, orgId), isNull(datasets.deletedAt)))
          .limit(1),
      ],
      done: ([rows]) => (rows as DatasetRow[])[0],
    },
    {
      stmts: [
        ctx.db
          .select({
            r: dataRows,
            creatorName: memberName(orgId, dataRows.createdBy).as('creator_name'),
            creatorEmail: sql<
              string | null
            >`(SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = ${orgId} WHERE u.id = ${dataRows.createdBy})`.as(
              'creator_email',
            ),
          })
          .from(dataRows)
          .where(rowHere)
          .limit(1),
      ],
      done: ([rows]) => (rows as { r: DataRowRow; creatorName: string | null; creatorEmail: string | null }[])[0],
    },
    {
      stmts: [
        ctx.db
          .select({
            id: labels.id,
            projectId: labels.projectId,
            createdBy: labels.createdBy,
            annotations: labels.annotations,
            createdAt: labels.createdAt,
            updatedAt: labels.updatedAt,
            reviewState: labels.reviewState,
            skipped: labels.skipped,
            projectName: sql<string>`${projects.name}`.as('project_name'),
            projectMedia: sql<string>`${projects.mediaType}`.as('project_media'),
            projectOntology: sql<string>`${projects.ontology}`.as('project_ontology'),
            memberRole: sql<ProjectRole | null>`${projectMembers.role}`.as('member_role'),
            author: memberName(orgId, labels.createdBy).as('author_name'),
            versions: sql<number>`(SELECT count(*) FROM ${labelVersions} WHERE ${labelVersions.labelId} = ${labels.id})`.as('version_rows'),
          })
          .from(projectDataRows)
          .innerJoin(labels, and(eq(labels.projectId, projectDataRows.projectId), eq(labels.dataRowId, projectDataRows.dataRowId)))
          // `+` keeps SQLite from walking the organization's projects by projects_org_idx: the row's
          // few project_data_rows (pdr_data_row_idx) are the way in, each project then by its key.
          .innerJoin(
            projects,
            and(eq(projects.id, labels.projectId), sql`+${projects.orgId} = ${orgId}`, sql`+${projects.deletedAt} IS NULL`),
          )
          .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, me)))
          .where(and(eq(projectDataRows.dataRowId, rowId), eq(labels.orgId, orgId), rowGuard))
          .orderBy(desc(labels.id))
          .limit(ROW_LABELS_LIMIT + 1),
      ],
      done: ([rows]) => rows as LabelHit[],
    },
    {
      stmts: [
        ctx.db
          .select({
            labelId: labelVersions.labelId,
            editedAt: labelVersions.editedAt,
            editor: memberName(orgId, labelVersions.editedBy).as('editor_name'),
            objects: sql<number | null>`json_array_length(${labelVersions.annotations}, '$.objects')`.as('version_objects'),
          })
          .from(projectDataRows)
          .innerJoin(labels, and(eq(labels.projectId, projectDataRows.projectId), eq(labels.dataRowId, projectDataRows.dataRowId)))
          .innerJoin(labelVersions, eq(labelVersions.labelId, labels.id))
          .where(and(eq(projectDataRows.dataRowId, rowId), eq(labels.orgId, orgId), eq(labelVersions.orgId, orgId), rowGuard))
          .orderBy(desc(labelVersions.id))
          .limit(ROW_VERSIONS_LIMIT),
      ],
      done: ([rows]) => rows as VersionHit[],
    },
  )
  if (!dataset) throw notFound('Dataset')
  authorize(ctx.actor, 'dataset.view')
  if (!row) throw notFound('Data row')
  const byLabel = new Map<string, VersionHit[]>()
  for (const v of versionRows) byLabel.set(v.labelId, [...(byLabel.get(v.labelId) ?? []), v])
  const out: RowLabel[] = []
  for (const l of labelRows.slice(0, ROW_LABELS_LIMIT)) {
    const role = projectRole(ctx.actor, l.memberRole)
    if (!can({ ...ctx.actor, readOnly: false }, 'project.view', { projectRole: role })) continue
    // Labelers see their own labels only (as loadLabel in ./service.ts).
    if (l.createdBy !== me && !can({ ...ctx.actor, readOnly: false }, 'label.view_all', { projectRole: role })) continue
    out.push(rowLabel(l, byLabel.get(l.id) ?? [], mayEditLabel(ctx.actor, l.createdBy, role)))
  }
  return {
    dataset: datasetView(dataset),
    row: dataRowView(row.r),
    creator: row.creatorName !== null ? { name: row.creatorName, email: row.creatorEmail ?? '' } : null,
    labels: out,
    more: labelRows.length > ROW_LABELS_LIMIT,
  }
}

type LabelHit = {
  id: string
  projectId: string
  createdBy: string
  annotations: LabelAnnotations
  createdAt: Date
  updatedAt: Date
  reviewState: ReviewState
  skipped: boolean
  projectName: string
  projectMedia: string
  projectOntology: string | Ontology
  memberRole: ProjectRole | null
  author: string | null
  versions: number
}
type VersionHit = { labelId: string; editedAt: Date; editor: string | null; objects: number | null }

function rowLabel(l: LabelHit, kept: VersionHit[], canEdit: boolean): RowLabel {
  const ontology = (typeof l.projectOntology === 'string' ? JSON.parse(l.projectOntology) : l.projectOntology) as Ontology
  const count = Number(l.versions) + 1
  // kept: newest edit first. Edit k (1-based, oldest first) made version k + 1.
  const versions: RowLabelVersion[] = kept.map((v, i) => ({
    number: count - i,
    by: v.editor,
    at: iso(v.editedAt)!,
    objects: i === 0 ? l.annotations.objects.length : (kept[i - 1]!.objects ?? null),
    current: i === 0,
  }))
  // The first version is the author's, when every edit was read.
  if (kept.length === count - 1)
    versions.push({
      number: 1,
      by: l.author,
      at: iso(l.createdAt)!,
      objects: kept.length ? (kept[kept.length - 1]!.objects ?? null) : l.annotations.objects.length,
      current: kept.length === 0,
    })
  return {
    id: l.id,
    project: { id: l.projectId, name: l.projectName, media_type: l.projectMedia, ontology },
    created_by: l.createdBy,
    author: l.author,
    created_at: iso(l.createdAt)!,
    updated_at: iso(l.updatedAt)!,
    review_state: l.reviewState,
    skipped: Boolean(l.skipped),
    annotations: l.annotations,
    version_count: count,
    versions,
    can_edit: canEdit,
  }
}
