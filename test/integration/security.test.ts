// The shared security suite every protected route runs: anonymous, revoked key, expired key, and a
// key whose owner left the organization. (Wrong org and each role below the minimum are covered by
// permissions.test.ts, from the same route list.)
import { beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { apiKeys } from '../../src/db/schema'
import { db, makeApiKey, makeUser, seedTwoOrgs } from '../helpers/factories'
import { call } from '../helpers/harness'
import { ALL_ROUTES as ROUTES } from '../helpers/routes'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let revoked: string
let expired: string
let orphaned: string

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const admin = orgs.orgA.ADMIN
  const k1 = await makeApiKey(admin)
  await call('DELETE', `/api/v1/api-keys/${k1.id}`, { key: k1.key })
  revoked = k1.key
  const k2 = await makeApiKey(admin)
  await db()
    .update(apiKeys)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(apiKeys.id, k2.id))
  expired = k2.key
  const leaver = await makeUser(orgs.a, 'ADMIN')
  const k3 = await makeApiKey(leaver)
  orphaned = k3.key
  const res = await call('DELETE', `/api/v1/members/${leaver.id}`, { cookie: admin.cookie })
  expect(res.status).toBe(204)
})

for (const rc of ROUTES) {
  describe(rc.name, () => {
    // /graphql sits outside /api (so the HTML route table counts it) but is for programs: it answers
    // a missing credential as the API does.
    const answersLikeApi = rc.surface === 'api' || rc.name === 'POST /graphql'
    it(answersLikeApi ? 'anonymous → 401 problem' : 'anonymous → redirect to /login', async () => {
      const target = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
      const res = await call(rc.method, target.path, undefined, {
        json: target.json,
        form: target.form,
        body: target.body,
        headers: target.headers,
      })
      if (answersLikeApi) {
        expect(res.status).toBe(401)
        const body = await res.json<{ code?: string; errors?: { extensions: { code: string } }[] }>()
        // GraphQL answers in its own error shape, with the same code.
        expect(body.code ?? body.errors?.[0]?.extensions.code).toBe('UNAUTHORIZED')
      } else {
        expect(res.status).toBe(303)
        expect(res.headers.get('Location')).toMatch(/^\/login/)
      }
    })
    if (rc.surface === 'api') {
      for (const [label, key] of [
        ['revoked key', () => revoked],
        ['expired key', () => expired],
        ['key of someone who left', () => orphaned],
      ] as const) {
        it(`${label} → 401`, async () => {
          const target = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
          const res = await call(rc.method, target.path, { key: key() }, { json: target.json, body: target.body, headers: target.headers })
          expect(res.status).toBe(401)
        })
      }
      it('a malformed Authorization header → 401', async () => {
        const target = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
        const res = await call(rc.method, target.path, undefined, {
          json: target.json,
          body: target.body,
          headers: { ...target.headers, Authorization: 'Basic abc' },
        })
        expect(res.status).toBe(401)
      })
    }
  })
}
