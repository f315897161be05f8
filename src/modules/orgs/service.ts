/**
 * @module Members and invitations. Org taken from ctx; a foreign id is a 404. The last ADMIN
 * can never be removed, demoted or made project-based: the guard is inside the UPDATE/DELETE
 * statement itself, so two admins demoting each other at once cannot both succeed.
 */
import { and, count, desc, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { runReads, type Read } from '../../db/reads'
import { apiKeys, invitations, memberships, organizations, sessions, users } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx, Env } from '../../env'
import { authorize } from '../../auth/permissions'
import { AppError, conflict, notFound } from '../../lib/errors'
import { hashPassword, randomToken, sha256Hex, verifyPassword } from '../../lib/crypto'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { iterations, createSession, type NewSession } from '../auth/service'
import { memberMatches, memberSearchStatements } from './member-search'
import { projectRoleInserts, validateProjectRoles } from './project-roles'
import type { AcceptInput, ChangeRoleInput, InvitationView, InviteInput, MemberView } from './schemas'

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000

export type { InvitationView, MemberView }

const LAST_ADMIN = 'The last admin of an organization cannot be removed, demoted or made project-based. Make someone else an admin first.'

/** Members, most recently added first; `search` matches name or email (case-insensitive substring). */
export async function listMembers(
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; search?: string | undefined },
): Promise<Page<MemberView>> {
  return (await runReads(ctx, membersPageRead(ctx, q)))[0]
}

/** `listMembers` as a read, to share a page's batch (src/db/reads.ts). A search reads through the
 * trigram index when the term is rare (src/modules/orgs/member-search.ts), never every member. */
export function membersPageRead(
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; search?: string | undefined },
): Read<Page<MemberView>> {
  authorize(ctx.actor, 'member.view')
  const after = decodeCursor(q.cursor)
  const where = and(
    eq(memberships.orgId, ctx.actor.orgId),
    after ? lt(memberships.id, String(after[0])) : undefined,
    q.search ? memberMatches(q.search) : undefined,
  )
  // Through runReads: the confirmation of a remembered actor rides in the same round trip. The
  // ids are aliased apart: a batch's rows come back keyed by column name (src/db/reads.ts).
  const fields = {
    id: sql<string>`${memberships.id}`.as('membership_id'),
    userId: sql<string>`${users.id}`.as('member_user_id'),
    email: users.email,
    fullName: users.fullName,
    role: memberships.role,
    createdAt: memberships.createdAt,
  }
  const stmts = memberSearchStatements(q.search, q.limit + 1, (mode, limit) =>
    (mode.from === 'fts'
      ? ctx.db
          .select(fields)
          .from(sql`users_fts`)
          .crossJoin(users)
          .crossJoin(memberships)
          .where(and(mode.match, eq(memberships.userId, users.id), where))
      : ctx.db.select(fields).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(where)
    )
      .orderBy(desc(memberships.id))
      .limit(limit),
  )
  type Row = { id: string; userId: string; email: string; fullName: string; role: OrgRole; createdAt: Date }
  return {
    stmts,
    done: (results) =>
      toPage(
        results.flat() as Row[],
        q.limit,
        (r) => [r.id],
        (r) => ({ user_id: r.userId, email: r.email, full_name: r.fullName, role: r.role, created_at: iso(r.createdAt)! }),
      ),
  }
}

/** A member of the caller's organization or a 404 (no permission check: callers check next, so a
 * foreign id is always a 404 before any 403). */
async function findMember(ctx: Ctx, userId: string): Promise<MemberView> {
  const r = await ctx.db
    .select({ userId: users.id, email: users.email, fullName: users.fullName, role: memberships.role, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, ctx.actor.orgId), eq(memberships.userId, userId)))
    .get()
  if (!r) throw notFound('Member')
  return { user_id: r.userId, email: r.email, full_name: r.fullName, role: r.role, created_at: iso(r.createdAt)! }
}

export async function getMember(ctx: Ctx, userId: string): Promise<MemberView> {
  const m = await findMember(ctx, userId)
  authorize(ctx.actor, 'member.view')
  return m
}

/** SQL that is true while the organization keeps another admin besides `userId`. */
const anotherAdmin = (orgId: string, userId: string) =>
  sql`EXISTS (SELECT 1 FROM ${memberships} m2 WHERE m2.org_id = ${orgId} AND m2.role = 'ADMIN' AND m2.user_id <> ${userId})`

export async function changeRole(ctx: Ctx, userId: string, input: ChangeRoleInput): Promise<MemberView> {
  const current = await findMember(ctx, userId)
  authorize(ctx.actor, 'member.manage')
  if (current.role === input.role) return current
  const updated = await ctx.db
    .update(memberships)
    .set({ role: input.role })
    .where(
      and(
        eq(memberships.orgId, ctx.actor.orgId),
        eq(memberships.userId, userId),
        or(sql`${memberships.role} <> 'ADMIN'`, anotherAdmin(ctx.actor.orgId, userId)),
      ),
    )
    .returning({ id: memberships.id })
  if (!updated.length) throw conflict(LAST_ADMIN, [{ path: 'role', message: LAST_ADMIN }])
  return { ...current, role: input.role }
}

/** Removes a member: their membership, sessions and API keys go in one batch, so they lose
 * access at once (session and key lookups also require the membership). */
export async function removeMember(ctx: Ctx, userId: string): Promise<void> {
  await findMember(ctx, userId)
  authorize(ctx.actor, 'member.manage')
  const [deleted] = await ctx.db.batch([
    ctx.db
      .delete(memberships)
      .where(
        and(
          eq(memberships.orgId, ctx.actor.orgId),
          eq(memberships.userId, userId),
          or(sql`${memberships.role} <> 'ADMIN'`, anotherAdmin(ctx.actor.orgId, userId)),
        ),
      )
      .returning({ id: memberships.id }),
    ctx.db
      .delete(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          eq(sessions.orgId, ctx.actor.orgId),
          sql`NOT EXISTS (SELECT 1 FROM ${memberships} m3 WHERE m3.user_id = ${userId} AND m3.org_id = ${ctx.actor.orgId})`,
        ),
      ),
    ctx.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(apiKeys.userId, userId),
          eq(apiKeys.orgId, ctx.actor.orgId),
          isNull(apiKeys.revokedAt),
          sql`NOT EXISTS (SELECT 1 FROM ${memberships} m4 WHERE m4.user_id = ${userId} AND m4.org_id = ${ctx.actor.orgId})`,
        ),
      ),
  ])
  if (!deleted.length) throw conflict(LAST_ADMIN)
}

// Invitations --------------------------------------------------------------------------------

type InvitationRow = typeof invitations.$inferSelect

function invitationView(r: InvitationRow, now = Date.now(), acceptUrl?: string): InvitationView {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    project_roles: r.projectRoles,
    status: r.expiresAt.getTime() <= now ? 'EXPIRED' : 'PENDING',
    expires_at: iso(r.expiresAt)!,
    created_at: iso(r.createdAt)!,
    ...(acceptUrl ? { accept_url: acceptUrl } : {}),
  }
}

const pendingWhere = (orgId: string) => and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))

/** Pending (and expired, not yet resent or revoked) invitations, newest first. */
export async function listInvitations(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Promise<Page<InvitationView>> {
  return (await runReads(ctx, invitationsPageRead(ctx, q)))[0]
}

/** `listInvitations` as a read, to share a page's batch. */
export function invitationsPageRead(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Read<Page<InvitationView>> {
  authorize(ctx.actor, 'member.view')
  const after = decodeCursor(q.cursor)
  const query = ctx.db
    .select()
    .from(invitations)
    .where(and(pendingWhere(ctx.actor.orgId), after ? lt(invitations.id, String(after[0])) : undefined))
    .orderBy(desc(invitations.id))
    .limit(q.limit + 1)
  return {
    stmts: [query],
    done: ([rows]) => {
      const now = Date.now()
      return toPage(
        rows as (typeof invitations.$inferSelect)[],
        q.limit,
        (r) => [r.id],
        (r) => invitationView(r, now),
      )
    },
  }
}

export type Seats = { used: number; limit: number | null }

/** Members plus pending (unexpired) invitations, against the organization's seat limit. */
export async function seats(db: Db, orgId: string, now = Date.now()): Promise<Seats> {
  return (await runReads({ db }, seatsRead(db, orgId, now)))[0]
}

/** `seats` as a read, to share a page's batch. The counts are the organization's counters
 * (migrations/0021_member_counters.sql), less the open invitations that have expired, counted
 * through invitations_pending_expiry_idx: rows read do not grow with members or pending invitations. */
export function seatsRead(db: Db, orgId: string, now = Date.now()): Read<Seats> {
  const stmts = [
    db
      .select({ members: organizations.memberCount, open: organizations.openInvitationCount, limit: organizations.seatLimit })
      .from(organizations)
      .where(eq(organizations.id, orgId)),
    db
      .select({ n: count() })
      .from(invitations)
      .where(and(pendingWhere(orgId), lte(invitations.expiresAt, new Date(now)))),
  ] as const
  return {
    stmts: [...stmts],
    done: (rows) => {
      const [o, expired] = rows as [{ members: number; open: number; limit: number | null }[], { n: number }[]]
      return { used: (o[0]?.members ?? 0) + (o[0]?.open ?? 0) - (expired[0]?.n ?? 0), limit: o[0]?.limit ?? null }
    },
  }
}

const acceptUrl = (origin: string, token: string) => `${origin}/invitations/${token}`

/**
 * Invites someone by email. The accept link is returned once (and logged, as there is no mail
 * server); only a hash of its token is stored. Refused: an existing member, a pending invitation
 * for the same email (resend it instead), unknown projects, and anything over the seat limit.
 * Someone who belongs to another organization is invited like an unknown address: answering
 * otherwise would tell any admin which addresses other organizations have. The invitee learns it
 * when accepting (acceptInvitation refuses, saying why).
 */
export async function invite(ctx: Ctx, input: InviteInput, origin: string): Promise<InvitationView> {
  authorize(ctx.actor, 'member.manage')
  const orgId = ctx.actor.orgId
  const existing = await ctx.db
    .select({ orgId: memberships.orgId })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .where(eq(users.email, input.email))
    .get()
  if (existing)
    throw conflict(`${input.email} is already a member of this organization`, [
      { path: 'email', message: 'Already a member of this organization' },
    ])
  const dup = await ctx.db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(pendingWhere(orgId), eq(invitations.email, input.email)))
    .get()
  if (dup)
    throw conflict(`${input.email} already has a pending invitation; resend or revoke it instead`, [
      { path: 'email', message: 'Already invited: resend or revoke the pending invitation' },
    ])
  await validateProjectRoles(ctx, input.project_roles)
  const s = await seats(ctx.db, orgId)
  if (s.limit !== null && s.used >= s.limit) {
    throw conflict(
      `Seat limit reached: ${s.used} of ${s.limit} seats are taken by members and pending invitations. Remove a member or revoke an invitation first.`,
      [{ path: 'email', message: `Seat limit of ${s.limit} reached` }],
    )
  }
  const token = randomToken(32)
  const now = new Date()
  const row: InvitationRow = {
    id: newId('inv'),
    orgId,
    email: input.email,
    role: input.role,
    projectRoles: input.project_roles,
    tokenHash: await sha256Hex(token),
    invitedBy: ctx.actor.userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    acceptedAt: null,
    revokedAt: null,
  }
  await ctx.db.insert(invitations).values(row)
  const url = acceptUrl(origin, token)
  console.log(`[invitation] ${input.email} invited to ${ctx.actor.orgName} as ${input.role}: ${url}`)
  return invitationView(row, now.getTime(), url)
}

async function pendingInvitation(ctx: Ctx, id: string): Promise<InvitationRow> {
  const row = await ctx.db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, id), pendingWhere(ctx.actor.orgId)))
    .get()
  if (!row) throw notFound('Invitation')
  return row
}

/** A new link and a new expiry; the old link stops working. */
export async function resendInvitation(ctx: Ctx, id: string, origin: string): Promise<InvitationView> {
  const row = await pendingInvitation(ctx, id)
  authorize(ctx.actor, 'member.manage')
  const token = randomToken(32)
  const now = Date.now()
  const next = { ...row, tokenHash: await sha256Hex(token), expiresAt: new Date(now + INVITATION_TTL_MS) }
  await ctx.db.update(invitations).set({ tokenHash: next.tokenHash, expiresAt: next.expiresAt }).where(eq(invitations.id, id))
  const url = acceptUrl(origin, token)
  console.log(`[invitation] resent to ${row.email}: ${url}`)
  return invitationView(next, now, url)
}

export async function revokeInvitation(ctx: Ctx, id: string): Promise<void> {
  await pendingInvitation(ctx, id)
  authorize(ctx.actor, 'member.manage')
  await ctx.db.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, id))
}

export type InvitationPreview = { email: string; orgName: string; role: OrgRole }

const DEAD_LINK = 'This invitation link is invalid, has expired or was already used. Ask an admin of the organization to resend it.'

/** What the accept page shows; a dead link (unknown, expired, used, revoked, resent) is a 404. */
export async function previewInvitation(db: Db, token: string, now = Date.now()): Promise<InvitationPreview> {
  if (!token || token.length > 100) throw new AppError('NOT_FOUND', DEAD_LINK)
  const row = await db
    .select({ email: invitations.email, role: invitations.role, orgName: organizations.name })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(
      and(
        eq(invitations.tokenHash, await sha256Hex(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date(now)),
      ),
    )
    .get()
  if (!row) throw new AppError('NOT_FOUND', DEAD_LINK)
  return row
}

const WRONG_PASSWORD = 'This is not the password of your LabelDesk account. Enter the password you used before.'

/**
 * Accepts an invitation: claims it first (a conditional UPDATE, so a link works exactly once even
 * when clicked twice at the same moment), then creates the account and membership, and signs in.
 */
export async function acceptInvitation(db: Db, env: Env, token: string, input: AcceptInput): Promise<NewSession> {
  await previewInvitation(db, token)
  const now = new Date()
  const [claimed] = await db
    .update(invitations)
    .set({ acceptedAt: now })
    .where(
      and(
        eq(invitations.tokenHash, await sha256Hex(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    )
    .returning()
  if (!claimed) throw new AppError('NOT_FOUND', DEAD_LINK)
  try {
    const existing = await db
      .select({ id: users.id, passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, claimed.email))
      .get()
    // An existing account (someone who left an organization) proves it is theirs with its own
    // password: the invitation link is also shown to the admin who sent it, so it must not be a
    // way to take over an account by choosing a new password for it.
    if (existing && !(await verifyPassword(input.password, existing.passwordHash)))
      throw new AppError('VALIDATION', WRONG_PASSWORD, [{ path: 'password', message: WRONG_PASSWORD }])
    const userId = existing?.id ?? newId('usr')
    await db.batch([
      existing
        ? db.update(users).set({ fullName: input.full_name, updatedAt: now }).where(eq(users.id, userId))
        : db.insert(users).values({
            id: userId,
            email: claimed.email,
            fullName: input.full_name,
            passwordHash: await hashPassword(input.password, iterations(env)),
            createdAt: now,
            updatedAt: now,
          }),
      db.insert(memberships).values({ id: newId('mem'), orgId: claimed.orgId, userId, role: claimed.role, createdAt: now }),
      ...(await projectRoleInserts(db, claimed.orgId, userId, claimed.projectRoles)),
    ])
    return await createSession(db, userId, claimed.orgId)
  } catch (e) {
    // Give the link back if joining failed (e.g. the person joined another organization meanwhile).
    await db.update(invitations).set({ acceptedAt: null }).where(eq(invitations.id, claimed.id))
    if (String(e).includes('UNIQUE'))
      throw conflict(
        'This email address already belongs to another organization, and a person belongs to one organization. Sign in there, or ask the admin who invited you to invite another address.',
      )
    throw e
  }
}
