import { beforeAll, describe, expect, it } from 'vitest'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

describe('Members tab (HTML)', () => {
  it('admins see the invite form and role controls; labelers see a read-only list', async () => {
    const asAdmin = await (await call('GET', '/members', { cookie: orgs.orgA.ADMIN.cookie })).text()
    expect(asAdmin).toContain('Invite a member')
    expect(asAdmin).toContain(`id="role-${orgs.orgA.LABELER.id}"`)
    expect(asAdmin).not.toContain(orgs.orgB.LABELER.email)
    const asLabeler = await (await call('GET', '/members', { cookie: orgs.orgA.LABELER.cookie })).text()
    expect(asLabeler).not.toContain('Invite a member')
    expect(asLabeler).not.toContain('hx-post="/members/')
    expect(asLabeler).toContain(orgs.orgA.ADMIN.email)
  })

  it('search as you type answers the table fragment and keeps the URL shareable', async () => {
    const res = await call(
      'GET',
      `/members/rows?search=${encodeURIComponent(orgs.orgA.REVIEWER.fullName)}`,
      { cookie: orgs.orgA.ADMIN.cookie },
      { htmx: true },
    )
    expect(res.headers.get('HX-Replace-Url')).toBe(`/members?search=${encodeURIComponent(orgs.orgA.REVIEWER.fullName)}`)
    const html = await res.text()
    expect(html).toContain(orgs.orgA.REVIEWER.email)
    expect(html).not.toContain(orgs.orgA.LABELER.email)
    expect(html).not.toContain('<html')
    const full = await (
      await call('GET', `/members?search=${encodeURIComponent(orgs.orgA.REVIEWER.email)}`, { cookie: orgs.orgA.ADMIN.cookie })
    ).text()
    expect(full).toContain('<html')
    expect(full).toContain(orgs.orgA.REVIEWER.email)
    expect(full).not.toContain(orgs.orgA.LABELER.email)
  })

  it('inviting shows the link once; errors come back inline with the value kept', async () => {
    const email = `${unique('web')}@example.com`
    const ok = await call(
      'POST',
      '/members/invitations',
      { cookie: orgs.orgA.ADMIN.cookie },
      { form: { email, role: 'REVIEWER' }, htmx: true },
    )
    expect(ok.status).toBe(201)
    const html = await ok.text()
    expect(html).toMatch(/http:\/\/localhost\/invitations\/[A-Za-z0-9_-]+/)
    expect(html).toContain('<hx-partial')
    const dup = await call(
      'POST',
      '/members/invitations',
      { cookie: orgs.orgA.ADMIN.cookie },
      { form: { email, role: 'REVIEWER' }, htmx: true },
    )
    expect(dup.status).toBe(422)
    const dupHtml = await dup.text()
    expect(dupHtml).toContain('Already invited')
    expect(dupHtml).toContain(`value="${email}"`)
    const bad = await call(
      'POST',
      '/members/invitations',
      { cookie: orgs.orgA.ADMIN.cookie },
      { form: { email: 'nope', role: 'LABELER' }, htmx: true },
    )
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Enter a valid email address')
  })

  it('changing a role answers the updated row; the last admin refusal is shown inline', async () => {
    const res = await call(
      'POST',
      `/members/${orgs.orgA.LABELER.id}/role`,
      { cookie: orgs.orgA.ADMIN.cookie },
      { form: { role: 'REVIEWER' }, htmx: true },
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/<option value="REVIEWER" selected/)
    await call(
      'POST',
      `/members/${orgs.orgA.LABELER.id}/role`,
      { cookie: orgs.orgA.ADMIN.cookie },
      { form: { role: 'LABELER' }, htmx: true },
    )
    const { makeOrg, makeUser } = await import('../helpers/factories')
    const org = await makeOrg()
    const only = await makeUser(org, 'ADMIN')
    const refused = await call('POST', `/members/${only.id}/role`, { cookie: only.cookie }, { form: { role: 'LABELER' }, htmx: true })
    expect(refused.status).toBe(409)
    expect(await refused.text()).toContain('last admin')
  })
})

describe('Account pages', () => {
  it('Details shows name, email, role, organization and its id; the name is editable', async () => {
    const u = orgs.orgA.REVIEWER
    const html = await (await call('GET', '/account', { cookie: u.cookie })).text()
    for (const s of [u.email, orgs.a.name, orgs.a.id, 'Reviewer', 'Usage', 'Webhooks', 'Integrations']) expect(html).toContain(s)
    const saved = await call('POST', '/account', { cookie: u.cookie }, { form: { full_name: 'Renamed Reviewer' }, htmx: true })
    expect(await saved.text()).toContain('Saved.')
    const bad = await call('POST', '/account', { cookie: u.cookie }, { form: { full_name: '' }, htmx: true })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Full name is required')
  })

  it('every account tab is a real page now (none says "not available yet")', async () => {
    for (const tab of ['/account', '/account/usage', '/account/api', '/account/webhooks', '/account/integrations']) {
      const res = await call('GET', tab, { cookie: orgs.orgA.ADMIN.cookie })
      expect(res.status).toBe(200)
      expect(await res.text()).not.toContain('not available yet')
    }
  })

  it('API tab creates a key and shows the secret once', async () => {
    const res = await call(
      'POST',
      '/account/api',
      { cookie: orgs.orgA.LABELER.cookie },
      { form: { name: 'my script', expires_in_days: '30' }, htmx: true },
    )
    expect(res.status).toBe(201)
    const html = await res.text()
    expect(html).toMatch(/value="ld_[A-Za-z0-9_-]+"/)
    const page = await (await call('GET', '/account/api', { cookie: orgs.orgA.LABELER.cookie })).text()
    expect(page).toContain('my script')
    expect(page).not.toMatch(/value="ld_[A-Za-z0-9_-]{20,}"/)
    const bad = await call(
      'POST',
      '/account/api',
      { cookie: orgs.orgA.LABELER.cookie },
      { form: { name: 'x', expires_in_days: '0' }, htmx: true },
    )
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('between 1 and 365')
  })

  it('the permissions docs page renders the table', async () => {
    const html = await (await call('GET', '/docs/permissions', { cookie: orgs.orgA.LABELER.cookie })).text()
    expect(html).toContain('member.manage')
    expect(html).toContain('Invite, remove members, change org roles, revoke invites')
  })
})
