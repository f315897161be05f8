/** Factories with unique ids: rows inserted directly (fast), sessions and API keys made through
 * the real services so that they behave exactly like the product's. */
import { env } from 'cloudflare:workers'
import { makeDb } from '../../src/db/client'
import { memberships, organizations, users } from '../../src/db/schema'
import type { OrgRole } from '../../src/db/schema/columns'
import type { Actor, Ctx } from '../../src/env'
import { hashPassword } from '../../src/lib/crypto'
import { newId } from '../../src/lib/ids'
import { createSession } from '../../src/modules/auth/service'
import { createApiKey } from '../../src/modules/api-keys/service'

export const db = () => makeDb(env.DB)
export const PASSWORD = 'correct-horse-battery'

let hash: Promise<string> | undefined
const passwordHash = () => (hash ??= hashPassword(PASSWORD, 1000))

let seq = 0
export const unique = (label = 'x') =>
  `${label}-${Date.now().toString(36)}-${(++seq).toString(36)}-${Math.random().toString(36).slice(2, 6)}`

export type TestOrg = { id: string; name: string }
export type TestUser = { id: string; email: string; fullName: string; role: OrgRole; org: TestOrg; cookie: string; actor: Actor }

export async function makeOrg(name = unique('Org'), seatLimit: number | null = null): Promise<TestOrg> {
  const id = newId('org')
  await db().insert(organizations).values({ id, name, seatLimit, createdAt: new Date() })
  return { id, name }
}

export async function makeUser(org: TestOrg, role: OrgRole, opts: { email?: string; fullName?: string } = {}): Promise<TestUser> {
  const id = newId('usr')
  const email = (opts.email ?? `${unique(role.toLowerCase())}@example.com`).toLowerCase()
  const fullName = opts.fullName ?? `${role[0]}${role.slice(1).toLowerCase()} ${unique('')}`
  const now = new Date()
  await db().batch([
    db()
      .insert(users)
      .values({ id, email, fullName, passwordHash: await passwordHash(), createdAt: now, updatedAt: now }),
    db()
      .insert(memberships)
      .values({ id: newId('mem'), orgId: org.id, userId: id, role, createdAt: now }),
  ])
  const s = await createSession(db(), id, org.id)
  const actor: Actor = { userId: id, email, fullName, orgId: org.id, orgName: org.name, role, via: 'session', readOnly: false }
  return { id, email, fullName, role, org, cookie: `ld_session=${s.token}`, actor }
}

export function ctxFor(actor: Actor): Ctx {
  return { db: db(), env, actor, requestId: 'test', waitUntil: () => undefined }
}

export async function makeApiKey(user: TestUser, opts: { role?: OrgRole | null; read_only?: boolean; expires_in_days?: number } = {}) {
  const k = await createApiKey(ctxFor(user.actor), {
    name: unique('key'),
    expires_in_days: opts.expires_in_days ?? 30,
    role: (opts.role ?? null) as never,
    read_only: opts.read_only ?? false,
  })
  return k
}

/** Two organizations with a member of every role: every integration test file seeds these. */
export async function seedTwoOrgs() {
  const a = await makeOrg(unique('Acme'))
  const b = await makeOrg(unique('Other'))
  const roles = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE'] as const
  const orgA = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await makeUser(a, r)] as const))) as Record<
    OrgRole,
    TestUser
  >
  const orgB = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await makeUser(b, r)] as const))) as Record<
    OrgRole,
    TestUser
  >
  return { a, b, orgA, orgB }
}
