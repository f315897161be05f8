/** @module API keys: created with a secret shown once (only its SHA-256 is stored), listed and
 * revoked. A key acts as its owner with the owner's current role or the key's narrower role,
 * whichever is lower (src/auth/api-key.ts turns a secret into that Actor). */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { apiKeys, users } from '../../db/schema'
import type { OrgRole } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { assignableKeyRoles, authorize, can } from '../../auth/permissions'
import { invalid, notFound } from '../../lib/errors'
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

/** Creates a key for the actor. The returned `key` is the only time the secret exists in clear. */
export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<CreatedApiKey> {
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
