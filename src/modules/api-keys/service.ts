/** @module API keys: created with a secret shown once (only its SHA-256 is stored), acting as
 * their owner with the owner's current role or the key's narrower role, whichever is lower. */
import { and, desc, eq, gt, isNull, lt, or, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { apiKeys, memberships, organizations, users } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Actor, Ctx } from '../../env'
import { assignableKeyRoles, authorize, can, narrowRole } from '../../auth/permissions'
import { invalid, notFound } from '../../lib/errors'
import { randomToken, sha256Hex } from '../../lib/crypto'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/format'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import type { CreateApiKeyInput } from './schemas'

const SECRET_PREFIX = 'ld_'
const DAY = 86_400_000
/** `last_used_at` is refreshed at most this often, so a busy key does not write on every request. */
export const LAST_USED_GRANULARITY_MS = 5 * 60_000

export type ApiKeyView = {
  id: string
  name: string
  prefix: string
  role: OrgRole | null
  read_only: boolean
  created_at: string
  last_used_at: string | null
  expires_at: string
  revoked_at: string | null
  status: 'ACTIVE' | 'EXPIRED' | 'REVOKED'
  owner: { id: string; email: string }
}

type Row = typeof apiKeys.$inferSelect & { ownerEmail: string }

function view(r: Row, now = Date.now()): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    read_only: r.readOnly,
    created_at: iso(r.createdAt)!,
    last_used_at: iso(r.lastUsedAt),
    expires_at: iso(r.expiresAt)!,
    revoked_at: iso(r.revokedAt),
    status: r.revokedAt ? 'REVOKED' : r.expiresAt.getTime() <= now ? 'EXPIRED' : 'ACTIVE',
    owner: { id: r.userId, email: r.ownerEmail },
  }
}

/** Creates a key for the actor. The returned `key` is the only time the secret exists in clear. */
export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<ApiKeyView & { key: string }> {
  authorize(ctx.actor, 'api_key.manage_own')
  if (input.role && !assignableKeyRoles(ctx.actor.role).includes(input.role)) {
    throw invalid('role', `A key cannot have a higher role than yours (${ctx.actor.role})`)
  }
  const secret = SECRET_PREFIX + randomToken(30)
  const now = new Date()
  const row = {
    id: newId('key'),
    orgId: ctx.actor.orgId,
    userId: ctx.actor.userId,
    name: input.name,
    prefix: secret.slice(0, 11),
    hash: await sha256Hex(secret),
    role: input.role ?? null,
    readOnly: input.read_only,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.expires_in_days * DAY),
    lastUsedAt: null,
    revokedAt: null,
  }
  await ctx.db.insert(apiKeys).values(row)
  return { ...view({ ...row, ownerEmail: ctx.actor.email }), key: secret }
}

/** The actor's own keys; for admins (not on a read-only key) everyone's in the organization. */
export async function listApiKeys(ctx: Ctx, q: { limit: number; cursor?: string | undefined; all?: boolean }): Promise<Page<ApiKeyView>> {
  const everyone = q.all !== false && can(ctx.actor, 'api_key.view_any')
  const after = decodeCursor(q.cursor)
  const where: (SQL | undefined)[] = [eq(apiKeys.orgId, ctx.actor.orgId)]
  if (!everyone) where.push(eq(apiKeys.userId, ctx.actor.userId))
  if (after) where.push(lt(apiKeys.id, String(after[0])))
  const rows = await ctx.db
    .select({ k: apiKeys, ownerEmail: users.email })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(...where))
    .orderBy(desc(apiKeys.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.k.id], (r) => view({ ...r.k, ownerEmail: r.ownerEmail }))
}

/** Revokes at once. Own keys for anyone; other people's keys only for admins (others get 404). */
export async function revokeApiKey(ctx: Ctx, id: string): Promise<void> {
  const key = await ctx.db.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, ctx.actor.orgId))).get()
  if (!key) throw notFound('API key')
  // Other people's keys are invisible (404) to non-admins: the table's seeAction says so.
  authorize(ctx.actor, key.userId === ctx.actor.userId ? 'api_key.manage_own' : 'api_key.revoke_any', {}, 'API key')
  if (!key.revokedAt) await ctx.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id))
}

/**
 * The Actor behind a Bearer secret, or undefined when the key is unknown, revoked, expired, or its
 * owner is no longer a member of the key's organization.
 */
export async function actorFromApiKey(db: Db, secret: string, exec?: { waitUntil(p: Promise<unknown>): void }, now = Date.now()): Promise<Actor | undefined> {
  if (!secret.startsWith(SECRET_PREFIX) || secret.length > 100) return undefined
  const row = await db
    .select({
      keyId: apiKeys.id,
      keyRole: apiKeys.role,
      readOnly: apiKeys.readOnly,
      lastUsedAt: apiKeys.lastUsedAt,
      userId: users.id,
      email: users.email,
      fullName: users.fullName,
      orgId: organizations.id,
      orgName: organizations.name,
      role: memberships.role,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .innerJoin(memberships, and(eq(memberships.userId, apiKeys.userId), eq(memberships.orgId, apiKeys.orgId)))
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(eq(apiKeys.hash, await sha256Hex(secret)), isNull(apiKeys.revokedAt), gt(apiKeys.expiresAt, new Date(now))))
    .get()
  if (!row) return undefined
  if (!row.lastUsedAt || row.lastUsedAt.getTime() < now - LAST_USED_GRANULARITY_MS) {
    const stamp = db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_GRANULARITY_MS)))))
      .then(() => undefined)
    if (exec) exec.waitUntil(stamp)
    else await stamp
  }
  return {
    userId: row.userId,
    email: row.email,
    fullName: row.fullName,
    orgId: row.orgId,
    orgName: row.orgName,
    role: narrowRole(row.role, row.keyRole),
    via: 'api_key',
    apiKeyId: row.keyId,
    readOnly: row.readOnly,
  }
}
