/** @module API keys: created with a secret shown once (only its SHA-256 is stored), acting as
 * their owner with the owner's current role or the key's narrower role, whichever is lower; a key
 * made by a key is bounded by it (role, read-only, expiry, revocation). */
import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { apiKeys, memberships, organizations, users } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Actor, Ctx } from '../../env'
import { assignableKeyRoles, authorize, can, narrowRole } from '../../auth/permissions'
import { invalid, notFound, unauthorized } from '../../lib/errors'
import { randomToken, sha256Hex } from '../../lib/crypto'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/format'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import type { CreateApiKeyInput } from './schemas'
import { runLookup, type Lookup } from '../../auth/optimistic-actor'

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

/**
 * Creates a key for the actor. The returned `key` is the only time the secret exists in clear.
 *
 * A credential never creates one stronger than itself: a key minting a key (the JSON API) passes
 * on its own narrowed role when none (or a wider one) is asked for, its read-only-ness, and its
 * expiry as the latest the new key may have; the new key remembers its parent, and `apiKeyLookup`
 * refuses it once any key up its chain is revoked or expired.
 */
export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<ApiKeyView & { key: string }> {
  authorize(ctx.actor, 'api_key.manage_own')
  if (input.role && !assignableKeyRoles(ctx.actor.role).includes(input.role)) {
    throw invalid('role', `A key cannot have a higher role than yours (${ctx.actor.role})`)
  }
  const now = new Date()
  let role: OrgRole | null = input.role ?? null
  let readOnly = input.read_only
  let expiresAt = new Date(now.getTime() + input.expires_in_days * DAY)
  let parentKeyId: string | null = null
  if (ctx.actor.via === 'api_key') {
    const parent = ctx.actor.apiKeyId
      ? await ctx.db.select().from(apiKeys).where(and(eq(apiKeys.id, ctx.actor.apiKeyId), eq(apiKeys.orgId, ctx.actor.orgId), isNull(apiKeys.revokedAt))).get()
      : undefined
    if (!parent) throw unauthorized('Invalid, revoked or expired API key')
    role = role === null ? parent.role : parent.role === null ? role : narrowRole(parent.role, role)
    readOnly ||= parent.readOnly
    if (parent.expiresAt < expiresAt) expiresAt = parent.expiresAt
    parentKeyId = parent.id
  }
  const secret = SECRET_PREFIX + randomToken(30)
  const row = {
    id: newId('key'),
    orgId: ctx.actor.orgId,
    userId: ctx.actor.userId,
    name: input.name,
    prefix: secret.slice(0, 11),
    hash: await sha256Hex(secret),
    role,
    readOnly,
    createdAt: now,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    parentKeyId,
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
  // The keys it created (and theirs) go with it: the lookup refuses them anyway (their chain holds a
  // revoked key), and this way the list says so too.
  await ctx.db.run(sql`
    WITH RECURSIVE tree(id) AS (SELECT ${id} UNION SELECT c.id FROM api_keys c JOIN tree ON c.parent_key_id = tree.id)
    UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id IN (SELECT id FROM tree) AND org_id = ${ctx.actor.orgId} AND revoked_at IS NULL`)
}

type KeyRow = { keyId: string; keyRole: OrgRole | null; readOnly: number; lastUsedAt: number | null; userId: string; email: string; fullName: string; orgId: string; orgName: string; role: OrgRole }

/**
 * The lookup of an API key (by the SHA-256 of its secret): its owner, organization, roles and last
 * use, or no row when the key is unknown, revoked, expired, or its owner is no longer a member of
 * the key's organization. Raw SQL with column aliases so that it can lead a D1 batch
 * (src/auth/optimistic-actor.ts). Once the actor is in use, `confirmed` stamps `last_used_at`
 * (after the response) when it is older than LAST_USED_GRANULARITY_MS.
 */
export function apiKeyLookup(db: Db, hash: string, exec: { waitUntil(p: Promise<unknown>): void }, now = Date.now()): Lookup {
  return {
    key: `k:${hash}`,
    item: (d) => d.all(sql`
      SELECT k.id AS keyId, k.role AS keyRole, k.read_only AS readOnly, k.last_used_at AS lastUsedAt,
             u.id AS userId, u.email AS email, u.full_name AS fullName, o.id AS orgId, o.name AS orgName, m.role AS role
      FROM api_keys k
      JOIN users u ON u.id = k.user_id
      JOIN memberships m ON m.user_id = k.user_id AND m.org_id = k.org_id
      JOIN organizations o ON o.id = k.org_id
      WHERE k.hash = ${hash} AND k.revoked_at IS NULL AND k.expires_at > ${now}
        AND (k.parent_key_id IS NULL OR NOT EXISTS (
          WITH RECURSIVE chain(id) AS (SELECT k.parent_key_id UNION SELECT p.parent_key_id FROM api_keys p JOIN chain ON p.id = chain.id WHERE p.parent_key_id IS NOT NULL)
          SELECT 1 FROM api_keys a JOIN chain ON a.id = chain.id WHERE a.revoked_at IS NOT NULL OR a.expires_at <= ${now}))`),
    toActor: (r) => {
      if (!r) return undefined
      const row = r as KeyRow
      return { userId: row.userId, email: row.email, fullName: row.fullName, orgId: row.orgId, orgName: row.orgName, role: narrowRole(row.role, row.keyRole), keyRole: row.keyRole, via: 'api_key', apiKeyId: row.keyId, readOnly: Boolean(row.readOnly) }
    },
    confirmed: (r) => {
      const row = r as KeyRow
      if (row.lastUsedAt !== null && row.lastUsedAt >= now - LAST_USED_GRANULARITY_MS) return
      const stamp = db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_GRANULARITY_MS)))))
        .then(() => undefined)
      exec.waitUntil(stamp)
    },
  }
}

/** The SHA-256 of a Bearer secret, or undefined for a string that cannot be one of our keys. */
export const apiKeyHash = async (secret: string) => (!secret.startsWith(SECRET_PREFIX) || secret.length > 100 ? undefined : sha256Hex(secret))

/**
 * The Actor behind a Bearer secret, or undefined when the key is unknown, revoked, expired, or its
 * owner is no longer a member of the key's organization (see `apiKeyLookup`).
 */
export async function actorFromApiKey(db: Db, secret: string, exec: { waitUntil(p: Promise<unknown>): void }, now = Date.now()): Promise<Actor | undefined> {
  const hash = await apiKeyHash(secret)
  if (!hash) return undefined
  const lookup = apiKeyLookup(db, hash, exec, now)
  const { row, actor } = await runLookup(db, lookup)
  if (actor) lookup.confirmed?.(row!)
  return actor
}
