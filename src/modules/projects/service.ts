/**
 * @module Projects: create, list (pinned first, then newest; cursor paging; search), read, edit,
 * pin. Access comes from the permission table: `loadProject` resolves the caller's role in the
 * project (404 when they may not see it) and every verb then asks `authorize`.
 */
import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { projectMembers, projectPins, projects } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { authorize, projectRole, visibleProjectsWhere, type Action } from '../../auth/permissions'
import { AppError, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/format'
import { decodeCursor, encodeCursor, type Page } from '../../lib/pagination'
import { normalizeOntology, removedFeatures, type Ontology } from './ontology'
import type { CreateProjectInput, UpdateProjectInput } from './schemas'

export type ProjectRow = typeof projects.$inferSelect

export type ProjectView = {
  id: string
  name: string
  description: string
  media_type: string
  created_at: string
  updated_at: string
  created_by: string
  pinned: boolean
  data_row_count: number
  label_count: number
  labeled_count: number
  skipped_count: number
  percent_complete: number
  ontology: Ontology
}

export const percentComplete = (p: Pick<ProjectRow, 'dataRowCount' | 'labeledCount' | 'skippedCount'>) =>
  p.dataRowCount ? Math.round(((p.labeledCount + p.skippedCount) / p.dataRowCount) * 1000) / 10 : 0

export function projectView(p: ProjectRow, pinned: boolean): ProjectView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    media_type: p.mediaType,
    created_at: iso(p.createdAt)!,
    updated_at: iso(p.updatedAt)!,
    created_by: p.createdBy,
    pinned,
    data_row_count: p.dataRowCount,
    label_count: p.labelCount,
    labeled_count: p.labeledCount,
    skipped_count: p.skippedCount,
    percent_complete: percentComplete(p),
    ontology: p.ontology,
  }
}

export type LoadedProject = { project: ProjectRow; role: OrgRole; pinned: boolean }

/** The project with the caller's role in it. 404 for another organization's project, a deleted
 * one, or one the caller has no role in; then `authorize(action)` (403 when seen but not allowed). */
export async function loadProject(ctx: Ctx, id: string, action: Action = 'project.view'): Promise<LoadedProject> {
  const row = await ctx.db
    .select({ p: projects, memberRole: projectMembers.role, pinnedAt: projectPins.createdAt })
    .from(projects)
    .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, ctx.actor.userId)))
    .leftJoin(projectPins, and(eq(projectPins.projectId, projects.id), eq(projectPins.userId, ctx.actor.userId)))
    .where(and(eq(projects.id, id), eq(projects.orgId, ctx.actor.orgId), isNull(projects.deletedAt)))
    .get()
  if (!row) throw notFound('Project')
  const role = projectRole(ctx.actor, row.memberRole)
  authorize(ctx.actor, 'project.view', { projectRole: role }, 'Project')
  if (action !== 'project.view') authorize(ctx.actor, action, { projectRole: role }, 'Project')
  return { project: row.p, role, pinned: row.pinnedAt != null }
}

export async function createProject(ctx: Ctx, input: CreateProjectInput): Promise<ProjectView> {
  authorize(ctx.actor, 'project.create')
  const now = new Date()
  const row: ProjectRow = {
    id: newId('prj'),
    orgId: ctx.actor.orgId,
    name: input.name,
    description: input.description,
    mediaType: input.media_type,
    ontology: normalizeOntology(input.ontology),
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    dataRowCount: 0,
    labelCount: 0,
    labeledCount: 0,
    skippedCount: 0,
    reviewsAccepted: 0,
    reviewsDeclined: 0,
    reviewsAmbiguous: 0,
  }
  await ctx.db.insert(projects).values(row)
  return projectView(row, false)
}

export async function getProject(ctx: Ctx, id: string): Promise<ProjectView> {
  const { project, pinned } = await loadProject(ctx, id)
  return projectView(project, pinned)
}

/**
 * Edits name, description and ontology. Adding features is always safe; a feature that labels use
 * cannot be removed (`featuresInUse`, provided by the labels module once labels exist).
 */
export async function updateProject(ctx: Ctx, id: string, input: UpdateProjectInput, featuresInUse?: (projectId: string, ids: string[]) => Promise<{ id: string; count: number }[]>): Promise<ProjectView> {
  const { project, pinned } = await loadProject(ctx, id, 'project.edit')
  const next: Partial<ProjectRow> = { updatedAt: new Date() }
  if (input.name !== undefined) next.name = input.name
  if (input.description !== undefined) next.description = input.description
  if (input.ontology !== undefined) {
    const ontology = normalizeOntology(input.ontology, project.ontology)
    const removed = removedFeatures(project.ontology, ontology)
    if (removed.length && featuresInUse) {
      const used = await featuresInUse(project.id, removed.map((f) => f.feature_schema_id))
      if (used.length) {
        const names = used.map((u) => `“${removed.find((f) => f.feature_schema_id === u.id)?.path}” (${u.count} annotation${u.count === 1 ? '' : 's'})`)
        throw new AppError('CONFLICT', `These features are used by labels and cannot be removed: ${names.join(', ')}. Delete those annotations first, or keep the features.`, [{ path: 'ontology', message: `In use: ${names.join(', ')}` }])
      }
    }
    next.ontology = ontology
  }
  await ctx.db.update(projects).set(next).where(eq(projects.id, project.id))
  return projectView({ ...project, ...next }, pinned)
}

export async function setPinned(ctx: Ctx, id: string, pinned: boolean): Promise<void> {
  const { project } = await loadProject(ctx, id, 'project.pin')
  if (pinned) await ctx.db.insert(projectPins).values({ userId: ctx.actor.userId, projectId: project.id, createdAt: new Date() }).onConflictDoNothing()
  else await ctx.db.delete(projectPins).where(and(eq(projectPins.userId, ctx.actor.userId), eq(projectPins.projectId, project.id)))
}

/**
 * The projects the caller may see: pinned first (pins are personal), then newest first. Search is
 * a case-insensitive substring of the name. Two keyset phases share one opaque cursor, so paging
 * never uses OFFSET and stays fast with 100k projects.
 */
export async function listProjects(ctx: Ctx, q: { limit: number; cursor?: string | undefined; search?: string | undefined }): Promise<Page<ProjectView>> {
  const cur = decodeCursor(q.cursor) as ['p' | 'u', string | null] | undefined
  const phase = cur?.[0] ?? 'p'
  const after = cur?.[1]
  const where: SQL[] = [visibleProjectsWhere(ctx.actor)]
  // instr() over lower(name): substring match without LIKE's wildcards or D1's 50-byte pattern limit.
  if (q.search) where.push(sql`instr(lower(${projects.name}), lower(${q.search})) > 0`)
  const pinJoin = and(eq(projectPins.projectId, projects.id), eq(projectPins.userId, ctx.actor.userId))
  const items: ProjectView[] = []

  if (phase === 'p') {
    // Driven from the person's pins (a handful) rather than from the organization's projects
    // (maybe 100k): read the pinned ids first, then those projects.
    const pinnedIds = (await ctx.db.select({ id: projectPins.projectId }).from(projectPins).where(eq(projectPins.userId, ctx.actor.userId)).limit(1000)).map((r) => r.id)
    const pinned = pinnedIds.length
      ? await ctx.db
          .select({ p: projects })
          .from(projects)
          .where(and(...where, sql`${projects.id} IN (SELECT value FROM json_each(${JSON.stringify(pinnedIds)}))`, after ? lt(projects.id, after) : undefined))
          .orderBy(desc(projects.id))
          .limit(q.limit + 1)
      : []
    if (pinned.length > q.limit) {
      const kept = pinned.slice(0, q.limit)
      return { items: kept.map((r) => projectView(r.p, true)), next_cursor: encodeCursor(['p', kept[kept.length - 1]!.p.id]) }
    }
    items.push(...pinned.map((r) => projectView(r.p, true)))
  }
  const room = q.limit - items.length
  const rest = await ctx.db
    .select({ p: projects })
    .from(projects)
    .leftJoin(projectPins, pinJoin)
    .where(and(...where, isNull(projectPins.projectId), phase === 'u' && after ? lt(projects.id, after) : undefined))
    .orderBy(desc(projects.id))
    .limit(room + 1)
  const more = rest.length > room
  const kept = rest.slice(0, room)
  items.push(...kept.map((r) => projectView(r.p, false)))
  return { items, next_cursor: more ? encodeCursor(['u', kept.length ? kept[kept.length - 1]!.p.id : null]) : null }
}

