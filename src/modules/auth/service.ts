/** @module Accounts and sessions: sign-up, login (rate-limited), logout. Only a SHA-256 of the
 * session token is stored; turning a session cookie into an Actor is src/auth/session.ts's. */
import { eq, lt } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { memberships, organizations, sessions, users } from '../../db/schema'
import { forget } from '../../auth/optimistic-actor'
import { sessionLookup } from '../../auth/session'
import type { Env } from '../../env'
import { AppError } from '../../lib/errors'
import { dummyPasswordHash, hashPassword, randomToken, sha256Hex, verifyPassword } from '../../lib/crypto'
import { newId } from '../../lib/ids'
import { clear, hit, retryAfter, type Limit } from '../../lib/rate-limit'
import type { LoginInput, SignupInput } from './schemas'

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000

export const iterations = (env: Env) => Number(env.PBKDF2_ITERATIONS || '100000')

export type NewSession = { token: string; expiresAt: Date; userId: string; orgId: string }

/** Creates a session row and returns the cookie token (the only time it exists in clear). */
export async function createSession(db: Db, userId: string, orgId: string, now = Date.now()): Promise<NewSession> {
  const token = randomToken(32)
  const expiresAt = new Date(now + SESSION_TTL_MS)
  await db.insert(sessions).values({ id: await sha256Hex(token), userId, orgId, createdAt: new Date(now), expiresAt })
  return { token, expiresAt, userId, orgId }
}

/**
 * Creates an organization and its first member, an ADMIN, and signs them in.
 * A taken email is a VALIDATION error on `email` (sign-up has to say so to be usable; it is
 * rate-limited per IP like login).
 */
export async function signup(db: Db, env: Env, input: SignupInput, ip: string): Promise<NewSession> {
  const limits: Limit[] = [{ key: `signup:ip:${ip}`, max: 20, windowMs: 3600_000 }]
  const wait = await retryAfter(db, limits)
  if (wait) throw new AppError('RATE_LIMITED', 'Too many sign-ups from this address. Try again later.', [], wait)
  await hit(db, limits)

  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get()
  if (existing)
    throw new AppError('VALIDATION', 'An account with this email already exists', [
      { path: 'email', message: 'An account with this email already exists. Log in instead.' },
    ])

  const now = new Date()
  const orgId = newId('org')
  const userId = newId('usr')
  const seatLimit = env.SEAT_LIMIT ? Number(env.SEAT_LIMIT) : null
  const passwordHash = await hashPassword(input.password, iterations(env))
  try {
    await db.batch([
      db.insert(organizations).values({ id: orgId, name: input.organization_name, seatLimit, createdAt: now }),
      db.insert(users).values({ id: userId, email: input.email, fullName: input.full_name, passwordHash, createdAt: now, updatedAt: now }),
      db.insert(memberships).values({ id: newId('mem'), orgId, userId, role: 'ADMIN', createdAt: now }),
    ])
  } catch (e) {
    // Two sign-ups racing for one email: the unique index decides.
    if (String(e).includes('UNIQUE'))
      throw new AppError('VALIDATION', 'An account with this email already exists', [
        { path: 'email', message: 'An account with this email already exists. Log in instead.' },
      ])
    throw e
  }
  return createSession(db, userId, orgId)
}

const BAD_CREDENTIALS = 'Email or password is incorrect'

/**
 * Verifies credentials. The same message and (roughly) the same work for an unknown email and a
 * wrong password, so the answer never tells which emails exist. Failures count against the email
 * and the IP; over the limit the answer is RATE_LIMITED with Retry-After.
 */
export async function login(db: Db, env: Env, input: LoginInput, ip: string): Promise<NewSession> {
  const limits: Limit[] = [
    { key: `login:email:${input.email}`, max: 10, windowMs: 15 * 60_000 },
    { key: `login:ip:${ip}`, max: 50, windowMs: 15 * 60_000 },
  ]
  const wait = await retryAfter(db, limits)
  if (wait) throw new AppError('RATE_LIMITED', `Too many login attempts. Try again in ${Math.ceil(wait / 60)} min.`, [], wait)

  const row = await db
    .select({ id: users.id, passwordHash: users.passwordHash, orgId: memberships.orgId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, input.email))
    .get()
  const ok = await verifyPassword(input.password, row?.passwordHash ?? (await dummyPasswordHash(iterations(env))))
  if (!row || !ok || !row.orgId) {
    await hit(db, limits)
    throw new AppError('UNAUTHORIZED', BAD_CREDENTIALS, [{ path: 'password', message: BAD_CREDENTIALS }])
  }
  await clear(db, [limits[0]!.key])
  return createSession(db, row.id, row.orgId)
}

export async function logout(db: Db, token: string): Promise<void> {
  const id = await sha256Hex(token)
  forget(sessionLookup(id).key)
  await db.delete(sessions).where(eq(sessions.id, id))
}

/** Housekeeping for the cron. */
export async function purgeExpiredSessions(db: Db, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date(now)))
}
