/** @module A Bearer secret → the Actor behind it: the secret's shape, its stored hash, and the lookup
 * that finds the key's owner, organization and roles, run by src/middleware/auth.ts
 * (optimistically, src/auth/optimistic-actor.ts). Creating, listing and revoking keys are
 * src/modules/api-keys/service.ts's. */
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { apiKeys } from '../db/schema'
import type { OrgRole } from '../db/schema/columns'
import { sha256Hex } from '../lib/crypto'
import type { Actor } from './actor'
import { runLookup, type Lookup } from './optimistic-actor'
import { narrowRole } from './permissions'

/** Every secret starts so (a string that does not is no key of ours, and costs no query). */
export const SECRET_PREFIX = 'ld_'
/** `last_used_at` is refreshed at most this often, so a busy key does not write on every request. */
export const LAST_USED_GRANULARITY_MS = 5 * 60_000

type KeyRow = {
  keyId: string
  keyRole: OrgRole | null
  readOnly: number
  lastUsedAt: number | null
  userId: string
  email: string
  fullName: string
  orgId: string
  orgName: string
  role: OrgRole
}

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
    item: (d) =>
      d.all(sql`
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
      return {
        userId: row.userId,
        email: row.email,
        fullName: row.fullName,
        orgId: row.orgId,
        orgName: row.orgName,
        role: narrowRole(row.role, row.keyRole),
        keyRole: row.keyRole,
        via: 'api_key',
        apiKeyId: row.keyId,
        readOnly: Boolean(row.readOnly),
      }
    },
    confirmed: (r) => {
      const row = r as KeyRow
      if (row.lastUsedAt !== null && row.lastUsedAt >= now - LAST_USED_GRANULARITY_MS) return
      const stamp = db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(
          and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_GRANULARITY_MS)))),
        )
        .then(() => undefined)
      exec.waitUntil(stamp)
    },
  }
}

/** The SHA-256 of a Bearer secret, or undefined for a string that cannot be one of our keys. */
export const apiKeyHash = async (secret: string) =>
  !secret.startsWith(SECRET_PREFIX) || secret.length > 100 ? undefined : sha256Hex(secret)

/**
 * The Actor behind a Bearer secret, or undefined when the key is unknown, revoked, expired, or its
 * owner is no longer a member of the key's organization (see `apiKeyLookup`).
 */
export async function actorFromApiKey(
  db: Db,
  secret: string,
  exec: { waitUntil(p: Promise<unknown>): void },
  now = Date.now(),
): Promise<Actor | undefined> {
  const hash = await apiKeyHash(secret)
  if (!hash) return undefined
  const lookup = apiKeyLookup(db, hash, exec, now)
  const { row, actor } = await runLookup(db, lookup)
  if (actor) lookup.confirmed?.(row!)
  return actor
}
