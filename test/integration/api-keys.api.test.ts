import { beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { apiKeys } from '../../src/db/schema'
import { LAST_USED_GRANULARITY_MS } from '../../src/auth/api-key'
import { db, makeApiKey, makeUser, seedTwoOrgs } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { ApiKeyView, CreatedApiKey } from '../../src/modules/api-keys/schemas'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

describe('API keys', () => {
  it('creates a key shown once, stores only a hash, and authenticates with Bearer', async () => {
    const u = orgs.orgA.REVIEWER
    const res = await call('POST', '/api/v1/api-keys', { cookie: u.cookie }, { json: { name: '  nightly export  ' } })
    expect(res.status).toBe(201)
    const k = expectShape(CreatedApiKey, await json(res))
    expect(k).toMatchObject({ name: 'nightly export', role: null, read_only: false, owner: { id: u.id, email: u.email }, status: 'ACTIVE' })
    expect(k.id).toMatch(/^key_/)
    expect(k.key.startsWith(k.prefix)).toBe(true)
    const days = (Date.parse(k.expires_at) - Date.parse(k.created_at)) / 86_400_000
    expect(Math.round(days)).toBe(90)
    const row = await db().select().from(apiKeys).where(eq(apiKeys.id, k.id)).get()
    expect(JSON.stringify(row)).not.toContain(k.key)
    const list = expectPage(ApiKeyView, await json(await call('GET', '/api/v1/api-keys', { cookie: u.cookie })))
    expect(JSON.stringify(list)).not.toContain(k.key)
    expect(list.items[0]).not.toHaveProperty('key')
    const me = await json(await call('GET', '/api/v1/me', { key: k.key }))
    expect(me.user.id).toBe(u.id)
  })

  it('refuses bad expiries, unknown roles and roles above the owner', async () => {
    const u = orgs.orgA.TEAM_MANAGER
    for (const [body, msg] of [
      [{ name: 'x', expires_in_days: 0 }, /between 1 and 365/],
      [{ name: 'x', expires_in_days: 3650 }, /between 1 and 365/],
      [{ name: 'x', expires_in_days: 1.5 }, /whole number/],
      [{ name: '', expires_in_days: 10 }, /Name is required/],
      [{ name: 'x'.repeat(201) }, /at most 200/],
      [{ name: 'x', role: 'ADMIN' }, /higher role than yours/],
      [{ name: 'x', role: 'GOD' }, /role must be one of/],
      [{ name: 'x', read_only: 'yes' }, /read_only/],
    ] as const) {
      const res = await call('POST', '/api/v1/api-keys', { cookie: u.cookie }, { json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(JSON.stringify(await json(res))).toMatch(msg)
    }
    const ok = await call(
      'POST',
      '/api/v1/api-keys',
      { cookie: u.cookie },
      { json: { name: 'lower', role: 'LABELER', expires_in_days: 365 } },
    )
    expect(ok.status).toBe(201)
  })

  it('a narrowed key acts with the lower role; a read-only key may only read', async () => {
    const boss = orgs.orgA.ADMIN
    const narrow = await makeApiKey(boss, { role: 'LABELER' })
    expect((await json(await call('GET', '/api/v1/me', { key: narrow.key }))).role).toBe('LABELER')
    expect(
      (await call('POST', '/api/v1/invitations', { key: narrow.key }, { json: { email: 'x@example.com', role: 'LABELER' } })).status,
    ).toBe(403)
    const ro = await makeApiKey(boss, { read_only: true })
    expect((await call('GET', '/api/v1/members', { key: ro.key })).status).toBe(200)
    const denied = await call('PATCH', '/api/v1/me', { key: ro.key }, { json: { full_name: 'Nope' } })
    expect(denied.status).toBe(403)
    expect((await json(denied)).detail).toMatch(/read-only/)
  })

  it("a key follows its owner's current role (never more than the owner now has)", async () => {
    const u = await makeUser(orgs.a, 'ADMIN')
    const k = await makeApiKey(u)
    await call('PATCH', `/api/v1/members/${u.id}`, { cookie: orgs.orgA.ADMIN.cookie }, { json: { role: 'LABELER' } })
    expect((await json(await call('GET', '/api/v1/me', { key: k.key }))).role).toBe('LABELER')
  })

  it('records last use without writing on every request', async () => {
    const k = await makeApiKey(orgs.orgA.LABELER)
    await call('GET', '/api/v1/me', { key: k.key })
    const first = (await db().select().from(apiKeys).where(eq(apiKeys.id, k.id)).get())!.lastUsedAt!
    expect(first).toBeInstanceOf(Date)
    await call('GET', '/api/v1/me', { key: k.key })
    const second = (await db().select().from(apiKeys).where(eq(apiKeys.id, k.id)).get())!.lastUsedAt!
    expect(second.getTime()).toBe(first.getTime())
    await db()
      .update(apiKeys)
      .set({ lastUsedAt: new Date(Date.now() - LAST_USED_GRANULARITY_MS - 1000) })
      .where(eq(apiKeys.id, k.id))
    await call('GET', '/api/v1/me', { key: k.key })
    const third = (await db().select().from(apiKeys).where(eq(apiKeys.id, k.id)).get())!.lastUsedAt!
    expect(third.getTime()).toBeGreaterThan(first.getTime() - LAST_USED_GRANULARITY_MS)
  })

  it('revoking takes effect at once', async () => {
    const k = await makeApiKey(orgs.orgA.LABELER)
    expect((await call('DELETE', `/api/v1/api-keys/${k.id}`, { key: k.key })).status).toBe(204)
    expect((await call('GET', '/api/v1/me', { key: k.key })).status).toBe(401)
  })

  it("lists exactly what can(view) allows: own keys, or for admins the organization's", async () => {
    const labeler = orgs.orgA.LABELER
    const mine = await makeApiKey(labeler)
    const theirs = await makeApiKey(orgs.orgA.REVIEWER)
    const foreign = await makeApiKey(orgs.orgB.ADMIN)
    const asLabeler = (await json(await call('GET', '/api/v1/api-keys?limit=200', { cookie: labeler.cookie }))).items.map((k: any) => k.id)
    expect(asLabeler).toContain(mine.id)
    expect(asLabeler).not.toContain(theirs.id)
    expect(asLabeler).not.toContain(foreign.id)
    const all = (await json(await call('GET', '/api/v1/api-keys?limit=200', { cookie: orgs.orgA.ADMIN.cookie }))).items
    expect(all.map((k: any) => k.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]))
    expect(all.map((k: any) => k.id)).not.toContain(foreign.id)
    expect(all.every((k: any) => Object.values(orgs.orgB).every((u) => u.id !== k.owner.id))).toBe(true)
    // An admin revokes someone else's key; another organization's key is a 404.
    expect((await call('DELETE', `/api/v1/api-keys/${theirs.id}`, { cookie: orgs.orgA.ADMIN.cookie })).status).toBe(204)
    expect((await call('DELETE', `/api/v1/api-keys/${foreign.id}`, { cookie: orgs.orgA.ADMIN.cookie })).status).toBe(404)
  })
})
