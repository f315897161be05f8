/**
 * Generated permission tests: every route × every role × session / API key / read-only key /
 * narrowed key × same / other organization. The expected answer is computed from the permission
 * table; the route must agree. Each test file runs one slice of the route list: the test pool
 * (vitest-pool-workers 0.15.1) wraps the Durable Object class in one more Proxy every time a new
 * instance is made in a file, so a file that starts hundreds of tasks overflows the stack.
 */
import { and, inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { RUNNING, tasks } from '../../src/db/schema'
import { can, PERMISSIONS, narrowRole, type Action, type Rule } from '../../src/auth/permissions'
import type { OrgRole } from '../../src/db/schema/columns'
import { db, makeApiKey, seedTwoOrgs, type TestUser } from './factories'
import { call, type Auth } from './harness'
import { isOk, type RouteCase, type Target } from './routes'

export function permissionSuite(routes: RouteCase[]) {
  let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
  const ROLES: OrgRole[] = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE']
  type Via = 'session' | 'key' | 'read-only key' | 'key narrowed to LABELER'
  const VIAS: Via[] = ['session', 'key', 'read-only key', 'key narrowed to LABELER']

  beforeAll(async () => {
    orgs = await seedTwoOrgs()
  })

  // Exports, imports and deletes that the cases start go on in the queue after the last case: let
  // them end before the file's storage and module runner are torn down under them.
  afterAll(async () => {
    await vi.waitFor(
      async () => {
        const running = await db()
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(inArray(tasks.orgId, [orgs.a.id, orgs.b.id]), inArray(tasks.status, RUNNING)))
          .all()
        expect(running).toEqual([])
      },
      { timeout: 60_000, interval: 250 },
    )
  }, 70_000)

  // One key per caller and way in, made on first use and shared by that caller's cases: no route
  // here touches the caller's own keys (key routes act on fresh keys their prepare() makes).
  const keys = new Map<string, Promise<string>>()
  async function authFor(u: TestUser, via: Via): Promise<{ auth: Auth; role: OrgRole; readOnly: boolean }> {
    if (via === 'session') return { auth: { cookie: u.cookie }, role: u.role, readOnly: false }
    const keyRole = via === 'key narrowed to LABELER' ? 'LABELER' : null
    let key = keys.get(`${u.id} ${via}`)
    if (!key) {
      key = makeApiKey(u, { read_only: via === 'read-only key', role: u.role === 'NONE' ? null : keyRole }).then((k) => k.key)
      keys.set(`${u.id} ${via}`, key)
    }
    return { auth: { key: await key }, role: narrowRole(u.role, u.role === 'NONE' ? null : keyRole), readOnly: via === 'read-only key' }
  }

  function expected(
    rc: RouteCase,
    caller: TestUser,
    eff: { role: OrgRole; readOnly: boolean },
    target: Target,
    sameOrg: boolean,
  ): 'ok' | 403 | 404 {
    if (!sameOrg && rc.hasTarget) return 404
    const action = rc.action(caller, target)
    const actor = { role: eff.role, readOnly: eff.readOnly, userId: caller.id }
    // Every prepare() makes a fresh project through the org admin, so the caller's role in it is
    // their effective org role (project-based members have none there).
    const resource = { ownerId: target.ownerId, projectRole: eff.role }
    if (can(actor, action, resource)) return 'ok'
    const rule: Rule = PERMISSIONS[action]
    const see = rc.seeAction ?? (rule.seeAction as Action | undefined)
    if (see && !can({ ...actor, readOnly: false }, see, resource)) return 404
    return 403
  }

  for (const rc of routes) {
    describe(rc.name, () => {
      for (const role of ROLES) {
        for (const via of VIAS) {
          if (rc.surface === 'html' && via !== 'session') continue
          if (via === 'key narrowed to LABELER' && role !== 'ADMIN' && role !== 'TEAM_MANAGER') continue
          for (const sameOrg of [true, false]) {
            it(`${role} via ${via}, ${sameOrg ? 'same org' : 'other org'}`, async () => {
              const caller = orgs.orgA[role]
              const { auth, role: effRole, readOnly } = await authFor(caller, via)
              const org = sameOrg ? orgs.a : orgs.b
              const admin = sameOrg ? orgs.orgA.ADMIN : orgs.orgB.ADMIN
              const target = await rc.prepare({ org, admin, actor: sameOrg ? caller : orgs.orgB[role] })
              const want = expected(rc, caller, { role: effRole, readOnly }, target, sameOrg)
              const res = await call(rc.method, target.path, auth, {
                json: target.json,
                form: target.form,
                body: target.body,
                headers: target.headers,
              })
              const got = isOk(res.status) ? 'ok' : res.status
              // Read to the end: a streamed body (a task's result) left unread is cut off when the
              // test ends, and the stream's writer then fails with "Network connection lost".
              if (got === want) await res.arrayBuffer()
              if (got !== want)
                throw new Error(
                  `${rc.name} as ${role} via ${via} (${sameOrg ? 'same' : 'other'} org): expected ${want}, got ${res.status} ${(await res.text()).slice(0, 300)}`,
                )
              if (rc.surface === 'api' && got !== 'ok') expect(res.headers.get('Content-Type')).toContain('application/problem+json')
            })
          }
        }
      }
    })
  }
}
