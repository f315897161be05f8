/** @module Project roles given with an invitation: checked when inviting, written on acceptance. */
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { projectMembers, projects } from '../../db/schema'
import type { ProjectRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { AppError } from '../../lib/errors'

type Grant = { project_id: string; role: string }

/** Every project must exist in the caller's organization; each may appear once. */
export async function validateProjectRoles(ctx: Ctx, grants: Grant[]): Promise<void> {
  if (!grants.length) return
  const errors: { path: string; message: string }[] = []
  const seen = new Set<string>()
  grants.forEach((g, i) => {
    if (seen.has(g.project_id)) errors.push({ path: `project_roles.${i}.project_id`, message: `Project ${g.project_id} is listed twice` })
    seen.add(g.project_id)
  })
  const ids = [...seen]
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await ctx.db
      .select({ id: projects.id })
      .from(projects)
      .where(and(eq(projects.orgId, ctx.actor.orgId), isNull(projects.deletedAt), inArray(projects.id, ids.slice(i, i + 90))))
    rows.forEach((r) => found.add(r.id))
  }
  grants.forEach((g, i) => {
    if (!found.has(g.project_id)) errors.push({ path: `project_roles.${i}.project_id`, message: `Project ${g.project_id} not found` })
  })
  if (errors.length) throw new AppError('VALIDATION', errors.map((e) => e.message).join('; '), errors)
}

/** Statements that give an accepting person their invited project roles (projects deleted since
 * the invitation are skipped). */
export async function projectRoleInserts(db: Db, orgId: string, userId: string, grants: Grant[]) {
  if (!grants.length) return []
  const ok = new Set<string>()
  for (let i = 0; i < grants.length; i += 90) {
    const live = await db
      .select({ id: projects.id })
      .from(projects)
      .where(
        and(
          eq(projects.orgId, orgId),
          isNull(projects.deletedAt),
          inArray(
            projects.id,
            grants.slice(i, i + 90).map((g) => g.project_id),
          ),
        ),
      )
    live.forEach((r) => ok.add(r.id))
  }
  const now = new Date()
  return grants
    .filter((g) => ok.has(g.project_id))
    .map((g) =>
      db
        .insert(projectMembers)
        .values({ projectId: g.project_id, userId, role: g.role as ProjectRole, createdAt: now })
        .onConflictDoNothing(),
    )
}
