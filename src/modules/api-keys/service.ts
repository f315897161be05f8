/** @module API keys: created with a secret shown once (only its SHA-256 is stored), listed and
 * revoked. A key acts as its owner with the owner's current role or the key's narrower role,
 * whichever is lower (src/auth/api-key.ts turns a secret into that Actor); a key made by a key is
 * bounded by it (role, read-only, expiry, revocation). */
import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { apiKeys, users } from '../../db/schema'
import { readRows } from '../../db/reads'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { assignableKeyRoles, authorize, can, narrowRole } from '../../auth/permissions'
import { invalid, notFound, unauthorized } from '../../lib/errors'
import { randomToken, sha256Hex } from '../../lib/crypto'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import type { ApiKeyView, CreateApiKeyInput, CreatedApiKey } from './schemas'
import { SECRET_PREFIX } from '../../auth/api-key'

const DAY = 86_400_000

export type { ApiKeyView }

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
 * expiry as the latest the new key may have; the new key remembers its parent, and the lookup
 * (src/auth/api-key.ts) refuses it once any key up its chain is revoked or expired.
 */
export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<CreatedApiKey> {
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
      ? await ctx.db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.id, ctx.actor.apiKeyId), eq(apiKeys.orgId, ctx.actor.orgId), isNull(apiKeys.revokedAt)))
          .get()
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
  // Through runReads: the confirmation of a remembered actor rides in the same round trip.
  const rows = await readRows(
    ctx,
    ctx.db
      .select({ k: apiKeys, ownerEmail: users.email })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(and(...where))
      .orderBy(desc(apiKeys.id))
      .limit(q.limit + 1),
  )
  return toPage(
    rows,
    q.limit,
    (r) => [r.k.id],
    (r) => view({ ...r.k, ownerEmail: r.ownerEmail }),
  )
}

/** Revokes at once. Own keys for anyone; other people's keys only for admins (others get 404). */
export async function revokeApiKey(ctx: Ctx, id: string): Promise<void> {
  const key = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, ctx.actor.orgId)))
    .get()
  if (!key) throw notFound('API key')
  // Other people's keys are invisible (404) to non-admins: the table's seeAction says so.
  authorize(ctx.actor, key.userId === ctx.actor.userId ? 'api_key.manage_own' : 'api_key.revoke_any', {}, 'API key')
  // The keys it created (and theirs) go with it: the lookup refuses them anyway (their chain holds a
  // revoked key), and this way the list says so too.
  await ctx.db.run(sql`
    WITH RECURSIVE tree(id) AS (SELECT ${id} UNION SELECT c.id FROM api_keys c JOIN tree ON c.parent_key_id = tree.id)
    UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id IN (SELECT id FROM tree) AND org_id = ${ctx.actor.orgId} AND revoked_at IS NULL`)
}
