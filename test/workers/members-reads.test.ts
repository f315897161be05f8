// Members' reads bounded by what a page shows (issue 21): the seat counters kept by triggers stay
// equal to a recount through every write (deletes included), member search goes through the
// trigram index and finds what the substring match finds, a project's members are read without
// the organization's project-based members who have no role in it, and the add-member picker is
// a bounded page with a search. Rows read are D1's own counters, through the cost meter.
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { db, makeOrg, makeUser, PASSWORD, seedTwoOrgs, unique, type TestOrg, type TestUser } from '../helpers/factories'
import { call, dispatch, json, ORIGIN } from '../helpers/harness'
import { countingD1 } from '../helpers/counting-d1'
import { seats } from '../../src/modules/orgs/service'
import { MEMBER_FTS_COMMON_MATCHES } from '../../src/modules/orgs/member-search'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const sum = (xs: (number | undefined)[] | undefined) => (xs ?? []).reduce<number>((a, b) => a + (b ?? 0), 0)

/** GET `path` as `who`, counting D1's rows read. */
async function measured(path: string, who: TestUser, headers: Record<string, string> = {}) {
  const { DB, trips } = countingD1()
  const res = await dispatch(new Request(ORIGIN + path, { headers: { Cookie: who.cookie, ...headers } }), { ...env, DB } as never)
  const body = await res.text()
  return { status: res.status, body, read: trips.reduce((n, t) => n + sum(t.read), 0), trips: trips.length }
}

/** Every organization's counters against a recount: they must be equal, always. */
async function expectCountersExact() {
  const { results } = await env.DB.prepare(
    `SELECT o.id, o.member_count, o.open_invitation_count,
       (SELECT count(*) FROM memberships m WHERE m.org_id = o.id) AS members,
       (SELECT count(*) FROM invitations i WHERE i.org_id = o.id AND i.accepted_at IS NULL AND i.revoked_at IS NULL) AS open
     FROM organizations o`,
  ).all<{ id: string; member_count: number; open_invitation_count: number; members: number; open: number }>()
  expect(results.length).toBeGreaterThan(0)
  const wrong = results.filter((r) => r.member_count !== r.members || r.open_invitation_count !== r.open)
  expect(wrong).toEqual([])
}

async function invite(admin: TestUser, role = 'LABELER', email = `${unique('inv')}@example.com`) {
  const res = await call('POST', '/api/v1/invitations', { cookie: admin.cookie }, { json: { email, role } })
  expect(res.status, await res.clone().text()).toBe(201)
  return { email, ...(await json<{ id: string; accept_url: string }>(res)) }
}

describe('seat counters', () => {
  it('stay equal to a recount through invite, accept, a failed accept, resend, revoke, remove and deletes', async () => {
    const org = await makeOrg(unique('Seats'), 10)
    const admin = await makeUser(org, 'ADMIN')
    await makeUser(org, 'LABELER')
    await expectCountersExact()
    expect(await seats(db(), org.id)).toEqual({ used: 2, limit: 10 })

    const a = await invite(admin)
    const b = await invite(admin)
    const c = await invite(admin, 'NONE')
    await expectCountersExact()
    expect((await seats(db(), org.id)).used).toBe(5)

    // Accepting moves the seat from the invitation to the membership.
    const token = a.accept_url.split('/').pop()
    expect(
      (await call('POST', `/invitations/${token}`, undefined, { form: { full_name: 'Ann Accepts', password: PASSWORD } })).status,
    ).toBe(303)
    await expectCountersExact()
    expect((await seats(db(), org.id)).used).toBe(5)

    // An accept that fails after claiming the link gives it back (the claim and its undo both count).
    const taken = await makeUser(orgs.b, 'LABELER')
    const d = await invite(admin, 'LABELER', taken.email)
    const dToken = d.accept_url.split('/').pop()
    const refused = await call('POST', `/invitations/${dToken}`, undefined, {
      form: { full_name: 'Someone', password: 'not-their-password-1' },
    })
    expect(refused.status).toBe(422)
    await expectCountersExact()
    expect((await seats(db(), org.id)).used).toBe(6)

    // Resend and revoke; then an expired invitation holds no seat until it is resent.
    expect((await call('POST', `/api/v1/invitations/${b.id}/resend`, { cookie: admin.cookie })).status).toBe(200)
    expect((await call('DELETE', `/api/v1/invitations/${c.id}`, { cookie: admin.cookie })).status).toBe(204)
    await expectCountersExact()
    expect((await seats(db(), org.id)).used).toBe(5)
    await env.DB.prepare('UPDATE invitations SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, b.id)
      .run()
    expect((await seats(db(), org.id)).used).toBe(4)
    expect((await call('POST', `/api/v1/invitations/${b.id}/resend`, { cookie: admin.cookie })).status).toBe(200)
    expect((await seats(db(), org.id)).used).toBe(5)

    // Removing a member, deleting rows directly, and the organization's cascade.
    const joined = (await env.DB.prepare('SELECT user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.full_name = ?')
      .bind('Ann Accepts')
      .first<{ user_id: string }>())!
    expect((await call('DELETE', `/api/v1/members/${joined.user_id}`, { cookie: admin.cookie })).status).toBe(204)
    await env.DB.prepare('DELETE FROM invitations WHERE id = ?').bind(d.id).run()
    await expectCountersExact()
    expect((await seats(db(), org.id)).used).toBe(3)
    const gone = await makeOrg()
    const u = await makeUser(gone, 'ADMIN')
    await invite(u)
    await expectCountersExact()
    await env.DB.prepare('DELETE FROM organizations WHERE id = ?').bind(gone.id).run()
    await expectCountersExact()
  })

  it('costs one row written more per membership or invitation written, none on a resend', async () => {
    const org = await makeOrg()
    const run = async (sql: string, ...p: unknown[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...p)
          .run()
      ).meta.rows_written
    const userId = unique('usr')
    await run(
      `INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at) VALUES (?, ?, 'W', 'x', 0, 0)`,
      userId,
      `${userId}@example.com`,
    )
    // memberships: the row, its 3 indexes (user, org+id, org+role), the organization's counter.
    const membership = await run(
      `INSERT INTO memberships (id, org_id, user_id, role, created_at) VALUES (?, ?, ?, 'LABELER', 0)`,
      unique('mem'),
      org.id,
      userId,
    )
    const invitation = await run(
      `INSERT INTO invitations (id, org_id, email, role, project_roles, token_hash, invited_by, created_at, expires_at) VALUES (?, ?, 'w@example.com', 'LABELER', '[]', ?, 'x', 0, ?)`,
      unique('inv'),
      org.id,
      unique('tok'),
      Date.now() + 1e6,
    )
    const inv = (await env.DB.prepare('SELECT id FROM invitations WHERE org_id = ?').bind(org.id).first<{ id: string }>())!.id
    const resend = await run('UPDATE invitations SET token_hash = ?, expires_at = ? WHERE id = ?', unique('tok'), Date.now() + 2e6, inv)
    const revoke = await run('UPDATE invitations SET revoked_at = ? WHERE id = ?', Date.now(), inv)
    console.log(`rows written: membership insert ${membership}, invitation insert ${invitation}, resend ${resend}, revoke ${revoke}`)
    // A membership: the row, its primary key, 3 indexes (user; org, id; org, role), the counter and
    // the day's row of usage_created_daily (migrations/0018_usage_created_daily.sql). An invitation: the row, its primary key, 4 indexes (token; org, email; the 2 pending ones)
    // and the counter. A resend changes no pending state: the counter is not written.
    expect({ membership, invitation, resend, revoke }).toEqual({ membership: 7, invitation: 7, resend: 3, revoke: 2 })
    await expectCountersExact()
  })
})

describe('member search', () => {
  let org: TestOrg
  let admin: TestUser
  beforeAll(async () => {
    org = await makeOrg(unique('Search'))
    admin = await makeUser(org, 'ADMIN', { fullName: 'Grace Hopper' })
    await makeUser(org, 'LABELER', { fullName: 'Ada Lovelace', email: `${unique('ada')}@analytical.example` })
    await makeUser(org, 'REVIEWER', { fullName: 'Ådne Ørsted' })
  })
  const names = async (search: string, who = admin) =>
    (
      await json<{ items: { full_name: string }[] }>(
        await call('GET', `/api/v1/members?search=${encodeURIComponent(search)}&limit=200`, { cookie: who.cookie }),
      )
    ).items.map((m) => m.full_name)

  it('finds substrings of the name or the email in any case, short or long, in the organization only', async () => {
    expect(await names('LOVEL')).toEqual(['Ada Lovelace'])
    expect(await names('analytical.exa')).toEqual(['Ada Lovelace'])
    expect(await names('elac')).toEqual(['Ada Lovelace'])
    expect(await names('ace')).toEqual(['Ada Lovelace', 'Grace Hopper'])
    expect(await names('ov')).toEqual(['Ada Lovelace'])
    expect(await names('Ørsted')).toEqual(['Ådne Ørsted'])
    expect(await names('zzq')).toEqual([])
    // Someone of another organization with the same name is never found.
    await makeUser(orgs.b, 'LABELER', { fullName: 'Ada Lovelace' })
    expect(await names('Lovelace')).toEqual(['Ada Lovelace'])
  })

  it('follows renames and removals (the index is kept by triggers)', async () => {
    const u = await makeUser(org, 'LABELER', { fullName: 'Katherine Johnson' })
    expect(await names('therine')).toEqual(['Katherine Johnson'])
    await env.DB.prepare('UPDATE users SET full_name = ? WHERE id = ?').bind('Dorothy Vaughan', u.id).run()
    expect(await names('therine')).toEqual([])
    expect(await names('rothy')).toEqual(['Dorothy Vaughan'])
    expect((await call('DELETE', `/api/v1/members/${u.id}`, { cookie: admin.cookie })).status).toBe(204)
    await env.DB.prepare('DELETE FROM users WHERE id = ?').bind(u.id).run()
    expect(await names('rothy')).toEqual([])
  })

  it('reads a rare term from the index: rows read do not grow with the organization', async () => {
    const before = await measured('/members/rows?search=lovelace', admin)
    expect(before.status).toBe(200)
    expect(before.body).toContain('Ada Lovelace')
    // 300 more members who do not match.
    await env.DB.prepare(
      `INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) SELECT ? || '-' || i, ? || '-' || i || '@example.com', 'Filler ' || i, 'x', 0, 0 FROM n`,
    )
      .bind(`${org.id}-f`, `${org.id}-f`)
      .run()
    await env.DB.prepare(
      `INSERT INTO memberships (id, org_id, user_id, role, created_at) SELECT 'mem-' || id, ?, id, 'LABELER', 0 FROM users WHERE id LIKE ? || '-f-%'`,
    )
      .bind(org.id, org.id)
      .run()
    const after = await measured('/members/rows?search=lovelace', admin)
    expect(after.body).toContain('Ada Lovelace')
    expect(after.read).toBe(before.read)
  })

  it('a term matched by more people than the index should fetch walks the members newest first, paging without gaps or repeats', async () => {
    const big = await makeOrg(unique('Crowd'))
    const boss = await makeUser(big, 'ADMIN', { fullName: 'Boss' })
    const n = MEMBER_FTS_COMMON_MATCHES + 20
    await env.DB.prepare(
      `INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT ? || '-' || i, ? || '-' || i || '@example.com', 'Crowdmember ' || i, 'x', 0, 0 FROM n`,
    )
      .bind(n, `${big.id}-c`, `${big.id}-c`)
      .run()
    await env.DB.prepare(
      `INSERT INTO memberships (id, org_id, user_id, role, created_at) SELECT 'mem-' || printf('%06d', substr(id, length(?) + 4)), ?, id, 'LABELER', 0 FROM users WHERE id LIKE ? || '-c-%'`,
    )
      .bind(big.id, big.id, big.id)
      .run()
    const seen: string[] = []
    let cursor: string | null = ''
    let pages = 0
    while (cursor !== null) {
      const page: { items: { user_id: string }[]; next_cursor: string | null } = await json(
        await call('GET', `/api/v1/members?search=CROWDMEMBER&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { cookie: boss.cookie }),
      )
      seen.push(...page.items.map((m) => m.user_id))
      cursor = page.next_cursor
      pages++
    }
    expect(pages).toBe(Math.ceil(n / 200))
    expect(new Set(seen).size).toBe(n)
    // The first page walks: it reads the capped count of matches (twice) and about the page, not
    // every match.
    const first = await measured('/members/rows?search=crowdmember', boss)
    expect(first.status).toBe(200)
    expect(first.read).toBeLessThan(2 * MEMBER_FTS_COMMON_MATCHES + 51 * 5)
  })
})

describe("a project's members", () => {
  it('are read without the project-based members who have no role in it', async () => {
    const org = await makeOrg(unique('Proj'))
    const admin = await makeUser(org, 'ADMIN')
    const labeler = await makeUser(org, 'LABELER')
    const based = await makeUser(org, 'NONE', { fullName: 'Based Here' })
    const project = await json<{ id: string }>(
      await call('POST', '/api/v1/projects', { cookie: admin.cookie }, { json: { name: unique('P'), media_type: 'IMAGE' } }),
    )
    const other = await json<{ id: string }>(
      await call('POST', '/api/v1/projects', { cookie: admin.cookie }, { json: { name: unique('Q'), media_type: 'IMAGE' } }),
    )
    await call('PUT', `/api/v1/projects/${project.id}/members/${based.id}`, { cookie: admin.cookie }, { json: { role: 'REVIEWER' } })
    // A stale project role of someone who has an org role now: listed once, with the org role.
    await env.DB.prepare(`INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, 'REVIEWER', 0)`)
      .bind(project.id, labeler.id)
      .run()
    const list = async () =>
      (
        await json<{ user_id: string; role: string; access_from: string }[]>(
          await call('GET', `/api/v1/projects/${project.id}/members`, { cookie: admin.cookie }),
        )
      )
        .map((m) => [m.user_id, m.role, m.access_from])
        .sort()
    const expected = [
      [admin.id, 'ADMIN', 'ORGANIZATION'],
      [based.id, 'REVIEWER', 'PROJECT'],
      [labeler.id, 'LABELER', 'ORGANIZATION'],
    ].sort()
    expect(await list()).toEqual(expected)
    const before = await measured(`/api/v1/projects/${project.id}/members`, admin)
    // 200 project-based members with a role in another project only.
    for (let i = 0; i < 20; i++) {
      const u = await makeUser(org, 'NONE')
      await call('PUT', `/api/v1/projects/${other.id}/members/${u.id}`, { cookie: admin.cookie }, { json: { role: 'LABELER' } })
    }
    await env.DB.prepare(
      `INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 180) SELECT ? || '-' || i, ? || '-' || i || '@example.com', 'Elsewhere ' || i, 'x', 0, 0 FROM n`,
    )
      .bind(`${org.id}-e`, `${org.id}-e`)
      .run()
    await env.DB.prepare(
      `INSERT INTO memberships (id, org_id, user_id, role, created_at) SELECT 'mem-' || id, ?, id, 'NONE', 0 FROM users WHERE id LIKE ? || '-e-%'`,
    )
      .bind(org.id, org.id)
      .run()
    await env.DB.prepare(
      `INSERT INTO project_members (project_id, user_id, role, created_at) SELECT ?, id, 'LABELER', 0 FROM users WHERE id LIKE ? || '-e-%'`,
    )
      .bind(other.id, org.id)
      .run()
    expect(await list()).toEqual(expected)
    const after = await measured(`/api/v1/projects/${project.id}/members`, admin)
    // An index seek may step on one neighbouring entry more once the B-tree has grown; reading the
    // 200 project-based members would add hundreds.
    expect(after.read).toBeLessThanOrEqual(before.read + 2)
  })
})

describe('the add-member picker', () => {
  it('offers a bounded page, newest first, and finds the others by name or email', async () => {
    const org = await makeOrg(unique('Pick'))
    const admin = await makeUser(org, 'ADMIN')
    const manager = await makeUser(org, 'TEAM_MANAGER')
    const project = await json<{ id: string }>(
      await call('POST', '/api/v1/projects', { cookie: admin.cookie }, { json: { name: unique('P'), media_type: 'IMAGE' } }),
    )
    const oldest = await makeUser(org, 'NONE', { fullName: 'Zelda Oldest' })
    for (let i = 0; i < 30; i++) await makeUser(org, 'NONE', { fullName: `Newer ${i}` })
    const page = await call('GET', `/projects/${project.id}/settings/members`, { cookie: admin.cookie })
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(html).toContain('id="f-member-search"')
    expect((html.match(/<option value="usr/g) ?? []).length).toBe(20)
    expect(html).not.toContain('Zelda Oldest')
    expect(html).toMatch(/The 20 most recently added members are listed/)

    // Search as you type: the select, and its status out of band.
    const found = await call(
      'GET',
      `/projects/${project.id}/settings/members/addable?member_search=zelda`,
      { cookie: admin.cookie },
      { htmx: true },
    )
    const frag = await found.text()
    expect(found.status).toBe(200)
    expect(frag).toContain(`value="${oldest.id}"`)
    expect((frag.match(/<option /g) ?? []).length).toBe(1)
    expect(frag).toContain('hx-swap-oob="true"')
    // Without script, the page itself filters.
    const full = await (
      await call('GET', `/projects/${project.id}/settings/members?member_search=${encodeURIComponent(oldest.email)}`, {
        cookie: admin.cookie,
      })
    ).text()
    expect(full).toContain(`value="${oldest.id}"`)
    expect((full.match(/<option value="usr/g) ?? []).length).toBe(1)

    // A team manager may add project-based members but not convert: no org-role members offered.
    const mine = await (
      await call(
        'GET',
        `/projects/${project.id}/settings/members/addable?member_search=${encodeURIComponent(admin.email)}`,
        { cookie: manager.cookie },
        { htmx: true },
      )
    ).text()
    expect(mine).not.toContain(`value="${admin.id}"`)
    // Someone who may not manage members gets nothing.
    const labeler = await makeUser(org, 'LABELER')
    expect(
      (await call('GET', `/projects/${project.id}/settings/members/addable?member_search=z`, { cookie: labeler.cookie }, { htmx: true }))
        .status,
    ).toBe(403)
    // Another organization's admin: the project does not exist for them.
    expect(
      (
        await call(
          'GET',
          `/projects/${project.id}/settings/members/addable?member_search=z`,
          { cookie: orgs.orgB.ADMIN.cookie },
          { htmx: true },
        )
      ).status,
    ).toBe(404)
  })
})

describe('pending invitations on the Members page', () => {
  it('shows 50, newest first, and "Show more" pages through the rest', async () => {
    const org = await makeOrg(unique('Many'))
    const admin = await makeUser(org, 'ADMIN')
    await env.DB.prepare(
      `INSERT INTO invitations (id, org_id, email, role, project_roles, token_hash, invited_by, created_at, expires_at)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 55)
       SELECT 'inv-' || ? || '-' || printf('%03d', i), ?, 'many' || i || '@example.com', 'LABELER', '[]', ? || i, ?, 0, ? FROM n`,
    )
      .bind(org.id, org.id, unique('tok'), admin.id, Date.now() + 1e6)
      .run()
    const page = await (await call('GET', '/members', { cookie: admin.cookie })).text()
    expect((page.match(/id="invitation-inv-/g) ?? []).length).toBe(50)
    expect(page).toContain('many55@example.com')
    expect(page).not.toContain('many5@example.com<')
    const more = page.match(/hx-get="(\/members\/invitations\?cursor=[^"]+)"/)![1]!
    const rest = await call('GET', more.replace(/&amp;/g, '&'), { cookie: admin.cookie }, { htmx: true })
    const rows = await rest.text()
    expect(rest.status).toBe(200)
    expect((rows.match(/id="invitation-inv-/g) ?? []).length).toBe(5)
    expect(rows).toContain('many1@example.com')
    expect(rows).not.toContain('invitations-more')
    // Without script, the link is the page itself from that cursor.
    const full = await call('GET', more.replace(/&amp;/g, '&'), { cookie: admin.cookie })
    expect(full.status).toBe(200)
    expect(await full.text()).toContain('many1@example.com')
  })
})
