/** @module The projects a person may attach data to, for pickers outside a project (the dataset
 * page's "Add to project…"): newest first, with their media type, at most `limit`. */
import { desc, getTableColumns } from 'drizzle-orm'
import { projects } from '../../db/schema'
import type { Ctx } from '../../env'
import { runReads, type Read } from '../../db/reads'
import { can, projectRole, visibleProjectsWhere } from '../../auth/permissions'
import type { MediaType } from '../../db/schema/projects'

export type ProjectChoice = { id: string; name: string; media_type: MediaType }

/**
 * Only people whose org role lets them attach data in every project get choices here (an org role
 * applies to every project, src/auth/permissions.ts); project-based members cannot see datasets,
 * so they never reach the dataset page. One indexed read of the org's live projects.
 */
export async function attachableProjects(ctx: Ctx, limit = 200): Promise<{ items: ProjectChoice[]; more: boolean }> {
  return (await runReads(ctx, attachableProjectsRead(ctx, limit)))[0]
}

/** `attachableProjects` as a read, to share a page's batch (src/db/reads.ts); no statement for
 * someone who gets no choices. */
export function attachableProjectsRead(ctx: Ctx, limit = 200): Read<{ items: ProjectChoice[]; more: boolean }> {
  if (!can(ctx.actor, 'batch.manage', { projectRole: projectRole(ctx.actor, null) }))
    return { stmts: [], done: () => ({ items: [], more: false }) }
  const { id, name, mediaType } = getTableColumns(projects)
  return {
    stmts: [
      ctx.db
        .select({ id, name, media_type: mediaType })
        .from(projects)
        .where(visibleProjectsWhere(ctx.actor))
        .orderBy(desc(projects.id))
        .limit(limit + 1),
    ],
    done: ([r]) => {
      const rows = r as ProjectChoice[]
      return { items: rows.slice(0, limit), more: rows.length > limit }
    },
  }
}
