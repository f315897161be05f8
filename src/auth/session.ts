/** @module A session cookie → the Actor behind it: the cookie's name, the stored id (SHA-256) of a
 * token, and the lookup that finds its person, organization and current role, run by
 * src/middleware/auth.ts (optimistically, src/auth/optimistic-actor.ts). Sign-up, login and logout
 * are src/modules/auth/service.ts's. */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { sha256Hex } from '../lib/crypto'
import type { Actor } from './actor'
import { runLookup, type Lookup } from './optimistic-actor'

export const SESSION_COOKIE = 'ld_session'

/** The lookup of a session (by the SHA-256 of its token): its person, organization and current
 * role, or no row if the session is unknown, expired, or the person has left the organization
 * (their membership is gone). Raw SQL with column aliases so that it can lead a D1 batch
 * (src/auth/optimistic-actor.ts), whose results are keyed by column name. */
export function sessionLookup(id: string, now = Date.now()): Lookup {
  return {
    key: `s:${id}`,
    item: (db) =>
      db.all(sql`
      SELECT u.id AS userId, u.email AS email, u.full_name AS fullName, o.id AS orgId, o.name AS orgName, m.role AS role
      FROM sessions s
      JOIN users u ON u.id = s.user_id
      JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
      JOIN organizations o ON o.id = s.org_id
      WHERE s.id = ${id} AND s.expires_at > ${now}`),
    toActor: (row) =>
      row
        ? {
            ...(row as Pick<Actor, 'userId' | 'email' | 'fullName' | 'orgId' | 'orgName' | 'role'>),
            via: 'session',
            sessionId: id,
            readOnly: false,
          }
        : undefined,
  }
}

/** The session id (stored hash) of a cookie token, or undefined for a token that cannot be one. */
export const sessionId = async (token: string) => (!token || token.length > 100 ? undefined : sha256Hex(token))

/** The Actor behind a session cookie, or undefined (see `sessionLookup`). */
export async function actorFromSession(db: Db, token: string, now = Date.now()): Promise<Actor | undefined> {
  const id = await sessionId(token)
  if (!id) return undefined
  return (await runLookup(db, sessionLookup(id, now))).actor
}
