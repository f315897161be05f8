/**
 * @module Project members: everyone with an org role has access through the organization;
 * project-based members (org role NONE) get a role per project here. Setting a project role for
 * someone with an org role is refused: the two are exclusive.
 */
import { and, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm'
import { unionAll } from 'drizzle-orm/sqlite-core'
import type { Read } from '../../db/reads'
import { memberships, projectMembers, users } from '../../db/schema'
import { ORG_ROLES, type OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { iso } from '../../lib/iso'
import { memberMatches, memberSearchStatements } from '../orgs/member-search'
import { loadProject, loadProjectWith, type LoadedProject } from './service'
import type { ProjectMemberInput, ProjectMemberView } from './schemas'

export type { ProjectMemberView }

/** Who has access to the project and through what. */
export async function listProjectMembers(ctx: Ctx, projectId: string): Promise<ProjectMemberView[]> {
  // The project's check and its members in one round trip (loadProjectWith, guarded).
  const [, members] = await loadProjectWith<[ProjectMemberView[]]>(ctx, projectId, 'project.view', (l) => [projectMembersRead(ctx, l)])
  return members
}

/** Org roles that give access to every project (all but NONE): listed, so that the (org, role)
 * index reads only those members. */
const ORG_WIDE_ROLES = ORG_ROLES.filter((r) => r !== 'NONE')

/**
 * `listProjectMembers` as a read about a project being loaded (or loaded). Two selects, one
 * statement, sorted by name: the members with an org role (through memberships_org_role_idx) and
 * the project-based ones with a role here (through the project's project_members). Rows read grow
 * with the members who have access, never with project-based members of other projects. The
 * project's role and since are aliased: a batch's rows come back keyed by column name
 * (src/db/reads.ts), and the two selects line up by name.
 */
export function projectMembersRead(ctx: Ctx, { project, guard }: LoadedProject): Read<ProjectMemberView[]> {
  const orgWide = ctx.db
    .select({
      userId: sql<string>`${users.id}`.as('user_id'),
      email: sql<string>`${users.email}`.as('email'),
      fullName: sql<string>`${users.fullName}`.as('full_name'),
      orgRole: sql<OrgRole>`${memberships.role}`.as('org_role'),
      projectRole: sql<ProjectMemberView['role'] | null>`NULL`.as('project_role'),
      orgSince: sql<number>`${memberships.createdAt}`.as('org_since'),
      projectSince: sql<number | null>`NULL`.as('project_since'),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, ctx.actor.orgId), inArray(memberships.role, ORG_WIDE_ROLES), guard))
  // CROSS JOIN keeps the order: from the project's roles to the membership of each, never the reverse.
  const projectBased = ctx.db
    .select({
      userId: sql<string>`${users.id}`.as('user_id'),
      email: sql<string>`${users.email}`.as('email'),
      fullName: sql<string>`${users.fullName}`.as('full_name'),
      orgRole: sql<OrgRole>`${memberships.role}`.as('org_role'),
      projectRole: sql<ProjectMemberView['role'] | null>`${projectMembers.role}`.as('project_role'),
      orgSince: sql<number>`${memberships.createdAt}`.as('org_since'),
      projectSince: sql<number | null>`${projectMembers.createdAt}`.as('project_since'),
    })
    .from(projectMembers)
    .crossJoin(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(projectMembers.projectId, project.id),
        ne(projectMembers.role, 'NONE'),
        eq(memberships.userId, projectMembers.userId),
        eq(memberships.orgId, ctx.actor.orgId),
        eq(memberships.role, 'NONE'),
        guard,
      ),
    )
  const query = unionAll(orgWide, projectBased).orderBy(sql`full_name`)
  type Row = {
    userId: string
    email: string
    fullName: string
    orgRole: OrgRole
    projectRole: ProjectMemberView['role'] | null
    orgSince: number
    projectSince: number | null
  }
  return {
    stmts: [query],
    done: ([rows]) =>
      (rows as Row[]).map((r) =>
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

/** Members offered at once by the add-member picker; a search finds the others. */
export const ADDABLE_LIMIT = 20

/** Members of the organization who could get a role here (for the settings form): everyone
 * without a project role in it yet, with their org role. A project role counts only for a
 * project-based member (org role NONE): someone with an org role has that role in every project,
 * so the form offers admins to make them project-based first (src/modules/projects/web/members.tsx). */
export async function addableMembers(ctx: Ctx, projectId: string, o: AddableQuery = {}): Promise<Addable[]> {
  const [, addable] = await loadProjectWith<[Addable[]]>(ctx, projectId, 'project.manage_members', (l) => [addableMembersRead(ctx, l, o)])
  return addable
}

/** `search`: name or email (as on the Members tab); `withOrgRole`: also offer members with an org
 * role (who would become project-based: admins only). */
export type AddableQuery = { search?: string | undefined; withOrgRole?: boolean; limit?: number }

/**
 * `addableMembers` as a read about a project being loaded (or loaded): at most `limit` members,
 * newest first, through the organization's members index or, for a rare search term, the trigram
 * index (src/modules/orgs/member-search.ts). Besides the ones offered it reads only members who
 * already have access here (the ones it passes over), so its rows read are bounded by the page and
 * the project's members table, never by the whole organization.
 */
export function addableMembersRead(ctx: Ctx, { project, guard }: LoadedProject, o: AddableQuery = {}): Read<Addable[]> {
  const limit = o.limit ?? ADDABLE_LIMIT
  const fields = {
    userId: sql<string>`${users.id}`.as('addable_user_id'),
    membershipId: sql<string>`${memberships.id}`.as('addable_membership_id'),
    email: users.email,
    fullName: users.fullName,
    orgRole: memberships.role,
    // Aliased: a batch's rows come back keyed by column name, and both roles are called `role`.
    projectRole: sql<string | null>`${projectMembers.role}`.as('project_role'),
  }
  const where = and(
    eq(memberships.orgId, ctx.actor.orgId),
    guard,
    // Project-based members without a role here; with an org role, anyone but oneself: nobody
    // makes themself project-based from here.
    o.withOrgRole
      ? or(and(ne(memberships.role, 'NONE'), ne(memberships.userId, ctx.actor.userId)), and(eq(memberships.role, 'NONE'), noRoleHere))
      : and(eq(memberships.role, 'NONE'), noRoleHere),
    o.search ? memberMatches(o.search) : undefined,
  )
  const pmJoin = and(eq(projectMembers.userId, memberships.userId), eq(projectMembers.projectId, project.id))
  const stmts = memberSearchStatements(o.search, limit, (mode, lim) =>
    (mode.from === 'fts'
      ? ctx.db
          .select(fields)
          .from(sql`users_fts`)
          .crossJoin(users)
          .crossJoin(memberships)
          .leftJoin(projectMembers, pmJoin)
          .where(and(mode.match, eq(memberships.userId, users.id), where))
      : ctx.db
          .select(fields)
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .leftJoin(projectMembers, pmJoin)
          .where(where)
    )
      .orderBy(desc(memberships.id))
      .limit(lim),
  )
  type Row = { userId: string; email: string; fullName: string; orgRole: OrgRole }
  return {
    stmts,
    done: (results) =>
      (results.flat() as Row[])
        .map((r) => ({ user_id: r.userId, email: r.email, full_name: r.fullName, org_role: r.orgRole }))
        // Shown by name; which ones are shown is the newest `limit`.
        .sort((a, b) => (a.full_name < b.full_name ? -1 : a.full_name > b.full_name ? 1 : 0)),
  }
}

/** No role in the project (a NONE role row counts as none), for a left join on project_members. */
const noRoleHere = or(isNull(projectMembers.role), eq(projectMembers.role, 'NONE'))

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
