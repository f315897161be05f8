import { beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { invitations, organizations } from '../../src/db/schema'
import { db, makeApiKey, makeOrg, makeUser, PASSWORD, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, sessionCookie } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { InvitationView, MemberView } from '../../src/modules/orgs/schemas'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

async function inviteAndAccept(role: string, name = 'New Person') {
  const email = `${unique('joiner')}@example.com`
  const inv = await json(await call('POST', '/api/v1/invitations', admin(), { json: { email, role } }))
  expectShape(InvitationView, inv)
  const token = inv.accept_url.split('/').pop()
  const res = await call('POST', `/invitations/${token}`, undefined, { form: { full_name: name, password: PASSWORD } })
  return { email, inv, token, res }
}

describe('members list', () => {
  it('lists exactly the members of the caller organization, newest first, with search', async () => {
    const page = await json(await call('GET', '/api/v1/members?limit=200', { cookie: orgs.orgA.LABELER.cookie }))
    expectPage(MemberView, page)
    const ids = page.items.map((m: any) => m.user_id)
    for (const u of Object.values(orgs.orgA)) expect(ids).toContain(u.id)
    for (const u of Object.values(orgs.orgB)) expect(ids).not.toContain(u.id)
    const created = page.items.map((m: any) => m.created_at)
    expect([...created].sort().reverse()).toEqual(created)
    expect(Object.keys(page.items[0]).sort()).toEqual(['created_at', 'email', 'full_name', 'role', 'user_id'])

    const one = await json(
      await call('GET', `/api/v1/members?search=${encodeURIComponent(orgs.orgA.REVIEWER.email.toUpperCase())}`, admin()),
    )
    expect(one.items.map((m: any) => m.user_id)).toEqual([orgs.orgA.REVIEWER.id])
  })

  it('pages with a cursor and validates limit', async () => {
    const p1 = await json(await call('GET', '/api/v1/members?limit=2', admin()))
    expect(p1.items).toHaveLength(2)
    expect(p1.next_cursor).toBeTruthy()
    const p2 = await json(await call('GET', `/api/v1/members?limit=2&cursor=${p1.next_cursor}`, admin()))
    expect(p2.items[0].user_id).not.toBe(p1.items[0].user_id)
    expect((await call('GET', '/api/v1/members?limit=0', admin())).status).toBe(400)
    expect((await call('GET', '/api/v1/members?limit=201', admin())).status).toBe(400)
    expect((await call('GET', '/api/v1/members?cursor=%%%', admin())).status).toBe(400)
  })
})

describe('invitations', () => {
  it('invite → accept joins the organization with the invited role; the link works once', async () => {
    const { inv, token, res, email } = await inviteAndAccept('REVIEWER', 'Rita Reviewer')
    expect(inv).toMatchObject({ email, role: 'REVIEWER' })
    expect(inv.id).toMatch(/^inv_/)
    expect(inv.accept_url).toMatch(/^http:\/\/localhost\/invitations\/[A-Za-z0-9_-]{20,}$/)
    expect(res.status).toBe(303)
    const me = await json(await call('GET', '/api/v1/me', { cookie: sessionCookie(res) }))
    expect(me).toMatchObject({ role: 'REVIEWER', organization: { id: orgs.a.id }, user: { email, full_name: 'Rita Reviewer' } })
    const again = await call('POST', `/invitations/${token}`, undefined, { form: { full_name: 'X', password: PASSWORD } })
    expect(again.status).toBe(404)
    expect(await again.text()).toContain('already used')
    expect((await call('GET', `/invitations/${token}`, undefined)).status).toBe(404)
    // No longer pending.
    const pending = await json(await call('GET', '/api/v1/invitations?limit=200', admin()))
    expect(pending.items.map((i: any) => i.id)).not.toContain(inv.id)
  })

  it('the accept page validates name and password and keeps the link alive', async () => {
    const email = `${unique('j')}@example.com`
    const inv = await json(await call('POST', '/api/v1/invitations', admin(), { json: { email, role: 'LABELER' } }))
    const token = inv.accept_url.split('/').pop()
    const page = await call('GET', `/invitations/${token}`, undefined)
    expect(await page.text()).toContain(orgs.a.name)
    const bad = await call('POST', `/invitations/${token}`, undefined, { form: { full_name: '', password: 'short' } })
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(html).toContain('Full name is required')
    expect(html).toContain('at least 10 characters')
    const ok = await call('POST', `/invitations/${token}`, undefined, { form: { full_name: 'Late Joiner', password: PASSWORD } })
    expect(ok.status).toBe(303)
  })

  it('resend gives a new link and kills the old one; revoke kills it', async () => {
    const email = `${unique('re')}@example.com`
    const inv = await json(await call('POST', '/api/v1/invitations', admin(), { json: { email, role: 'LABELER' } }))
    const resent = await json(await call('POST', `/api/v1/invitations/${inv.id}/resend`, admin()))
    expect(resent.accept_url).not.toBe(inv.accept_url)
    expect((await call('GET', `/invitations/${inv.accept_url.split('/').pop()}`, undefined)).status).toBe(404)
    expect((await call('GET', `/invitations/${resent.accept_url.split('/').pop()}`, undefined)).status).toBe(200)
    expect((await call('DELETE', `/api/v1/invitations/${inv.id}`, admin())).status).toBe(204)
    expect((await call('GET', `/invitations/${resent.accept_url.split('/').pop()}`, undefined)).status).toBe(404)
    expect((await call('DELETE', `/api/v1/invitations/${inv.id}`, admin())).status).toBe(404)
  })

  it('an expired link cannot be used', async () => {
    const email = `${unique('old')}@example.com`
    const inv = await json(await call('POST', '/api/v1/invitations', admin(), { json: { email, role: 'LABELER' } }))
    await db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(invitations.id, inv.id))
    const res = await call('POST', `/invitations/${inv.accept_url.split('/').pop()}`, undefined, {
      form: { full_name: 'Too Late', password: PASSWORD },
    })
    expect(res.status).toBe(404)
    const listed = await json(await call('GET', '/api/v1/invitations?limit=200', admin()))
    expect(listed.items.find((i: any) => i.id === inv.id).status).toBe('EXPIRED')
  })

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const before = (await json(await call('GET', '/api/v1/invitations?limit=200', admin()))).items.length
    const cases: [unknown, number, RegExp][] = [
      [{ email: 'not-an-email', role: 'LABELER' }, 400, /valid email/],
      [{ email: `${unique('a')}@example.com`, role: 'OWNER' }, 400, /role must be one of/],
      [{ email: `${unique('a')}@example.com` }, 400, /role/],
      [{ email: orgs.orgA.LABELER.email, role: 'LABELER' }, 409, /already a member/],
      [
        { email: `${unique('a')}@example.com`, role: 'LABELER', project_roles: [{ project_id: 'prj_x', role: 'LABELER' }] },
        400,
        /only for project-based/,
      ],
      [
        { email: `${unique('a')}@example.com`, role: 'NONE', project_roles: [{ project_id: 'prj_missing', role: 'LABELER' }] },
        400,
        /prj_missing not found/,
      ],
      [
        { email: `${unique('a')}@example.com`, role: 'NONE', project_roles: [{ project_id: 'prj_x', role: 'ADMIN' }] },
        400,
        /role must be one of/,
      ],
    ]
    for (const [body, status, msg] of cases) {
      const res = await call('POST', '/api/v1/invitations', admin(), { json: body })
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect(JSON.stringify(await json(res))).toMatch(msg)
    }
    const email = `${unique('dup')}@example.com`
    expect((await call('POST', '/api/v1/invitations', admin(), { json: { email, role: 'LABELER' } })).status).toBe(201)
    const dup = await call('POST', '/api/v1/invitations', admin(), { json: { email: email.toUpperCase(), role: 'REVIEWER' } })
    expect(dup.status).toBe(409)
    expect((await json(await call('GET', '/api/v1/invitations?limit=200', admin()))).items.length).toBe(before + 1)
  })

  it('enforces a seat limit counting members and pending invitations', async () => {
    const org = await makeOrg(unique('Small'), 3)
    const boss = await makeUser(org, 'ADMIN')
    await makeUser(org, 'LABELER')
    const ok = await call(
      'POST',
      '/api/v1/invitations',
      { cookie: boss.cookie },
      { json: { email: `${unique('s')}@example.com`, role: 'LABELER' } },
    )
    expect(ok.status).toBe(201)
    const full = await call(
      'POST',
      '/api/v1/invitations',
      { cookie: boss.cookie },
      { json: { email: `${unique('s')}@example.com`, role: 'LABELER' } },
    )
    expect(full.status).toBe(409)
    expect((await json(full)).detail).toMatch(/Seat limit reached: 3 of 3/)
    await db().update(organizations).set({ seatLimit: null }).where(eq(organizations.id, org.id))
  })
})

describe('roles and removal', () => {
  it('changes a role; the member immediately acts with it', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    expect((await call('GET', '/api/v1/invitations', { cookie: u.cookie })).status).toBe(200)
    const changed = await json(await call('PATCH', `/api/v1/members/${u.id}`, admin(), { json: { role: 'ADMIN' } }))
    expect(changed.role).toBe('ADMIN')
    expect((await json(await call('GET', '/api/v1/me', { cookie: u.cookie }))).role).toBe('ADMIN')
    expect((await call('PATCH', `/api/v1/members/${u.id}`, admin(), { json: { role: 'CEO' } })).status).toBe(400)
  })

  it('never removes, demotes or makes project-based the last admin', async () => {
    const org = await makeOrg()
    const only = await makeUser(org, 'ADMIN')
    for (const role of ['LABELER', 'NONE', 'TEAM_MANAGER']) {
      const res = await call('PATCH', `/api/v1/members/${only.id}`, { cookie: only.cookie }, { json: { role } })
      expect(res.status).toBe(409)
      expect((await json(res)).detail).toMatch(/last admin/)
    }
    expect((await call('DELETE', `/api/v1/members/${only.id}`, { cookie: only.cookie })).status).toBe(409)
    expect((await json(await call('GET', '/api/v1/me', { cookie: only.cookie }))).role).toBe('ADMIN')
    // With a second admin, the first may step down.
    const second = await makeUser(org, 'ADMIN')
    expect((await call('PATCH', `/api/v1/members/${only.id}`, { cookie: second.cookie }, { json: { role: 'LABELER' } })).status).toBe(200)
    expect((await call('PATCH', `/api/v1/members/${second.id}`, { cookie: second.cookie }, { json: { role: 'LABELER' } })).status).toBe(409)
  })

  it("a removed member's sessions and API keys stop working at once", async () => {
    const u = await makeUser(orgs.a, 'TEAM_MANAGER')
    const k = await makeApiKey(u)
    expect((await call('GET', '/api/v1/me', { key: k.key })).status).toBe(200)
    expect((await call('DELETE', `/api/v1/members/${u.id}`, admin())).status).toBe(204)
    expect((await call('GET', '/api/v1/me', { key: k.key })).status).toBe(401)
    expect((await call('GET', '/api/v1/me', { cookie: u.cookie })).status).toBe(401)
    expect((await call('DELETE', `/api/v1/members/${u.id}`, admin())).status).toBe(404)
    // They cannot log in either (no organization any more).
    const login = await call('POST', '/login', undefined, { form: { email: u.email, password: PASSWORD } })
    expect(login.status).toBe(401)
  })

  it('a removed person can be invited again', async () => {
    const { res, email } = await inviteAndAccept('LABELER')
    const me = await json(await call('GET', '/api/v1/me', { cookie: sessionCookie(res) }))
    expect((await call('DELETE', `/api/v1/members/${me.user.id}`, admin())).status).toBe(204)
    const inv = await json(await call('POST', '/api/v1/invitations', admin(), { json: { email, role: 'REVIEWER' } }))
    const token = inv.accept_url.split('/').pop()
    // The page is the same for every address (whether one has an account is not shown to whoever holds the link).
    expect(await (await call('GET', `/invitations/${token}`, undefined)).text()).toContain('enter that account’s password instead')
    // The link (which the inviting admin also sees) cannot set a new password for the account.
    const takeover = await call('POST', `/invitations/${token}`, undefined, {
      form: { full_name: 'Back Again', password: 'a-new-password' },
    })
    expect(takeover.status).toBe(422)
    expect(await takeover.text()).toContain('not the password of your LabelDesk account')
    const back = await call('POST', `/invitations/${token}`, undefined, {
      form: { full_name: 'Back Again', password: PASSWORD },
    })
    expect(back.status).toBe(303)
    expect((await json(await call('GET', '/api/v1/me', { cookie: sessionCookie(back) }))).role).toBe('REVIEWER')
  })
})
