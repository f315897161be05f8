/**
 * @module Project members: everyone with an org role has access through the organization;
 * project-based members (org role NONE) get a role per project here. Setting a project role for
 * someone with an org role is refused: the two are exclusive.
 */
import { and, asc, eq, ne, or, sql } from 'drizzle-orm'
import type { Read } from '../../db/reads'
import { memberships, projectMembers, users } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { iso } from '../../lib/iso'
import { loadProject, loadProjectWith, type LoadedProject } from './service'
import type { ProjectMemberInput, ProjectMemberView } from './schemas'

export type { ProjectMemberView }

/** Who has access to the project and through what. */
export async function listProjectMembers(ctx: Ctx, projectId: string): Promise<ProjectMemberView[]> {
  // The project's check and its members in one round trip (loadProjectWith, guarded).
  const [, members] = await loadProjectWith<[ProjectMemberView[]]>(ctx, projectId, 'project.view', (l) => [projectMembersRead(ctx, l)])
  return members
}

/** `listProjectMembers` as a read about a project being loaded (or loaded). The project's role and
 * since are aliased: a batch's rows come back keyed by column name (src/db/reads.ts). */
export function projectMembersRead(ctx: Ctx, { project, guard }: LoadedProject): Read<ProjectMemberView[]> {
  const query = ctx.db
    .select({
      userId: users.id,
      email: users.email,
      fullName: users.fullName,
      orgRole: memberships.role,
      projectRole: sql<ProjectMemberView['role'] | null>`${projectMembers.role}`.as('project_role'),
      orgSince: memberships.createdAt,
      projectSince: sql<number | null>`${projectMembers.createdAt}`.as('project_since'),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(projectMembers, and(eq(projectMembers.userId, memberships.userId), eq(projectMembers.projectId, project.id)))
    .where(
      and(
        eq(memberships.orgId, ctx.actor.orgId),
        or(ne(memberships.role, 'NONE'), and(eq(memberships.role, 'NONE'), ne(projectMembers.role, 'NONE'))),
        guard,
      ),
    )
    .orderBy(asc(users.fullName))
  return {
    stmts: [query],
    done: ([rows]) =>
      (rows as Awaited<typeof query>).map((r) =>
        r.orgRole !== 'NONE'
          ? {
              user_id: r.userId,
              email: r.email,
              full_name: r.fullName,
              role: r.orgRole,
              access_from: 'ORGANIZATION' as const,
              created_at: iso(r.orgSince)!,
            }
          : {
              user_id: r.userId,
              email: r.email,
              full_name: r.fullName,
              role: r.projectRole!,
              access_from: 'PROJECT' as const,
              created_at: iso(r.projectSince)!,
            },
      ),
  }
}

export type Addable = { user_id: string; email: string; full_name: string; org_role: OrgRole }

/** Members of the organization who could get a role here (for the settings form): everyone
 * without a project role in it yet, with their org role. A project role counts only for a
 * project-based member (org role NONE): someone with an org role has that role in every project,
 * so the form offers admins to make them project-based first (src/modules/projects/web/members.tsx). */
export async function addableMembers(ctx: Ctx, projectId: string): Promise<Addable[]> {
  const [, addable] = await loadProjectWith<[Addable[]]>(ctx, projectId, 'project.manage_members', (l) => [addableMembersRead(ctx, l)])
  return addable
}

/** `addableMembers` as a read about a project being loaded (or loaded). */
export function addableMembersRead(ctx: Ctx, { project, guard }: LoadedProject): Read<Addable[]> {
  const query = ctx.db
    .select({
      userId: users.id,
      email: users.email,
      fullName: users.fullName,
      orgRole: memberships.role,
      // Aliased: a batch's rows come back keyed by column name, and both roles are called `role`.
      projectRole: sql<string | null>`${projectMembers.role}`.as('project_role'),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(projectMembers, and(eq(projectMembers.userId, memberships.userId), eq(projectMembers.projectId, project.id)))
    .where(and(eq(memberships.orgId, ctx.actor.orgId), guard))
    .orderBy(asc(users.fullName))
  return {
    stmts: [query],
    done: ([rows]) =>
      (rows as Awaited<typeof query>)
        // Oneself is left out of the org-role group: nobody makes themself project-based from here.
        .filter((r) => (r.orgRole !== 'NONE' ? r.userId !== ctx.actor.userId : !r.projectRole || r.projectRole === 'NONE'))
        .map((r) => ({ user_id: r.userId, email: r.email, full_name: r.fullName, org_role: r.orgRole })),
  }
}

/** A member of the caller's organization: their org role and name (404 for anyone else). */
export async function orgMember(ctx: Ctx, userId: string) {
  const m = await ctx.db
    .select({ role: memberships.role, full_name: users.fullName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, ctx.actor.orgId), eq(memberships.userId, userId)))
    .get()
  if (!m) throw notFound('Member')
  return m
}

export async function setProjectMember(ctx: Ctx, projectId: string, userId: string, input: ProjectMemberInput): Promise<ProjectMemberView> {
  const { project } = await loadProject(ctx, projectId, 'project.manage_members')
  const m = await orgMember(ctx, userId)
  if (m.role !== 'NONE') {
    throw new AppError(
      'VALIDATION',
      `This member has the org role ${m.role}, which already applies to every project. Project roles are only for project-based members (org role NONE).`,
      [{ path: 'role', message: 'Member has an org role' }],
    )
  }
  const now = new Date()
  await ctx.db
    .insert(projectMembers)
    .values({ projectId: project.id, userId, role: input.role, createdAt: now })
    .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role: input.role } })
  const u = await ctx.db.select().from(users).where(eq(users.id, userId)).get()
  return {
    user_id: userId,
    email: u!.email,
    full_name: u!.fullName,
    role: input.role,
    access_from: 'PROJECT',
    created_at: now.toISOString(),
  }
}

export async function removeProjectMember(ctx: Ctx, projectId: string, userId: string): Promise<void> {
  const { project } = await loadProject(ctx, projectId, 'project.manage_members')
  const m = await orgMember(ctx, userId)
  if (m.role !== 'NONE')
    throw new AppError('VALIDATION', `This member's access comes from the org role ${m.role}; change it on the Members tab.`, [
      { path: 'user_id', message: 'Access comes from the org role' },
    ])
  const gone = await ctx.db
    .delete(projectMembers)
    .where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, userId)))
    .returning()
  if (!gone.length) throw notFound('Project member')
}
