import { beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { FTS_COMMON_MATCHES, FTS_MIN_CHARS } from '../../src/modules/projects/service'
import { foldProjectNames } from '../../src/modules/projects/name-fold'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { ProjectMemberView, ProjectView } from '../../src/modules/projects/schemas'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

const ONTOLOGY = {
  tools: [
    {
      name: 'Car',
      tool: 'bounding_box',
      classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }] }],
    },
    { name: 'Lane', tool: 'line' },
    { name: 'Person', tool: 'polygon' },
  ],
  classifications: [
    {
      name: 'Weather',
      type: 'radio',
      options: [{ name: 'Sunny' }, { name: 'Rainy', classifications: [{ name: 'Intensity', type: 'text' }] }],
    },
    { name: 'Tags', type: 'checklist', options: [{ name: 'Night' }, { name: 'Blurry' }] },
    { name: 'Notes', type: 'text' },
  ],
}

/** Ids of the whole search result, paging `limit` at a time. */
async function searchAll(term: string, who = admin(), limit = 200): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const page: any = await json(
      await call('GET', `/api/v1/projects?limit=${limit}&search=${encodeURIComponent(term)}${cursor ? `&cursor=${cursor}` : ''}`, who),
    )
    ids.push(...page.items.map((p: any) => p.id))
    cursor = page.next_cursor
  } while (cursor)
  return ids
}

/** FTS5 compares the trigram index with the names in `projects` (rank 1: the external content
 * too); a trigger that left the index out of step makes this throw "malformed". */
const ftsIntegrity = () => db().run(sql`INSERT INTO projects_fts(projects_fts, rank) VALUES ('integrity-check', 1)`)

async function create(name: string, body: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/projects', admin(), { json: { name, media_type: 'IMAGE', ...body } })
  expect(res.status, await res.clone().text()).toBe(201)
  return json(res)
}

describe('projects API', () => {
  it('creates a project with an ontology; every feature gets a feature_schema_id', async () => {
    const p = await create('Street signs', { description: 'Signs in Lisbon', ontology: ONTOLOGY })
    expect(p).toMatchObject({
      name: 'Street signs',
      description: 'Signs in Lisbon',
      media_type: 'IMAGE',
      pinned: false,
      data_row_count: 0,
      label_count: 0,
      created_by: orgs.orgA.ADMIN.id,
    })
    expect(p.id).toMatch(/^prj_/)
    const car = p.ontology.tools[0]
    expect(car).toMatchObject({ name: 'Car', tool: 'bounding_box' })
    expect(car.feature_schema_id).toMatch(/^fs_/)
    expect(car.classifications[0].options.map((o: any) => o.value)).toEqual(['red', 'blue'])
    expect(p.ontology.classifications[0].options[1].classifications[0]).toMatchObject({ name: 'Intensity', type: 'text' })
    const got = await json(await call('GET', `/api/v1/projects/${p.id}`, { cookie: orgs.orgA.LABELER.cookie }))
    expectShape(ProjectView, p)
    expectShape(ProjectView, got)
    expect(got.ontology).toEqual(p.ontology)
  })

  it('refuses bad input naming the field, and creates nothing', async () => {
    const before = (await json(await call('GET', '/api/v1/projects?limit=200', admin()))).items.length
    const cases: [unknown, RegExp][] = [
      [{ name: '', media_type: 'IMAGE' }, /"path":"name"/],
      [{ name: 'x'.repeat(300), media_type: 'IMAGE' }, /at most 200/],
      [{ name: 'x', media_type: 'HOLOGRAM' }, /media_type must be one of/],
      [{ name: 'x', media_type: 'IMAGE', ontology: { tools: [{ name: 'A', tool: 'cube' }] } }, /ontology.tools.0.tool/],
      [
        {
          name: 'x',
          media_type: 'IMAGE',
          ontology: {
            tools: [
              { name: 'A', tool: 'point' },
              { name: 'a', tool: 'line' },
            ],
          },
        },
        /appears twice/,
      ],
      [{ name: 'x', media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'radio' }] } }, /needs at least one option/],
      [
        { name: 'x', media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text', options: [{ name: 'a' }] }] } },
        /has no options/,
      ],
      [{ name: 'x', media_type: 'IMAGE', ontology: 'boxes' }, /ontology/],
    ]
    for (const [body, msg] of cases) {
      const res = await call('POST', '/api/v1/projects', admin(), { json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(JSON.stringify(await json(res))).toMatch(msg)
    }
    expect((await json(await call('GET', '/api/v1/projects?limit=200', admin()))).items.length).toBe(before)
  })

  it('lists pinned first (pins are personal), then newest first, with search and paging', async () => {
    const a = await create('Alpha roads')
    const b = await create('Beta rivers')
    const c = await create('Gamma roads')
    const asLabeler = { cookie: orgs.orgA.LABELER.cookie }
    expect((await call('PUT', `/api/v1/projects/${a.id}/pin`, asLabeler)).status).toBe(204)
    const mine = expectPage(ProjectView, await json(await call('GET', '/api/v1/projects?limit=200', asLabeler))).items as ProjectView[]
    expect(mine[0]).toMatchObject({ id: a.id, pinned: true })
    // The JSON list carries each project's ontology (the HTML list leaves it out), pinned or not.
    expect(mine.slice(0, 3).every((p: any) => Array.isArray(p.ontology?.tools) && Array.isArray(p.ontology?.classifications))).toBe(true)
    expect(mine.slice(1, 3).map((p: any) => p.id)).toEqual([c.id, b.id])
    const theirs = (await json(await call('GET', '/api/v1/projects?limit=200', admin()))).items
    expect(theirs[0].id).toBe(c.id)
    const search = (await json(await call('GET', '/api/v1/projects?search=ROADS', asLabeler))).items.map((p: any) => p.id)
    expect(search).toEqual([a.id, c.id])
    // Paging crosses from the pinned phase into the rest without losing or repeating a project.
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: any = await json(await call('GET', `/api/v1/projects?limit=1${cursor ? `&cursor=${cursor}` : ''}`, asLabeler))
      seen.push(...page.items.map((p: any) => p.id))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen).toEqual(mine.map((p: any) => p.id))
    expect((await call('DELETE', `/api/v1/projects/${a.id}/pin`, asLabeler)).status).toBe(204)
  })

  it("the JSON list writes each stored ontology as is: the same text as JSON.stringify of the page, each item the project's own view", async () => {
    const p = await create('Ontology as stored', { ontology: ONTOLOGY })
    const res = await call('GET', '/api/v1/projects?limit=5', admin())
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('application/json')
    const text = await res.text()
    const page = JSON.parse(text)
    expect(text).toBe(JSON.stringify(page))
    expect(page.items.length).toBeGreaterThan(0)
    for (const item of page.items) expect(item).toEqual(await json(await call('GET', `/api/v1/projects/${item.id}`, admin())))
    expect(page.items.find((i: any) => i.id === p.id).ontology.tools.map((t: any) => t.name)).toEqual(['Car', 'Lane', 'Person'])
  })

  it('searches names through the trigram index: substrings in any case; renamed and deleted projects follow', async () => {
    const tok = unique('').replace(/[^a-z0-9]/g, '') // letters and digits only, unique to this test
    const a = await create(`Harbor ${tok} cranes`)
    const b = await create(`${tok.toUpperCase()} docks`)
    const quoted = await create(`Say "${tok}" aloud`)
    await create('Unrelated harbor')
    const middle = tok.slice(1, -1)
    expect(middle.length).toBeGreaterThanOrEqual(FTS_MIN_CHARS)
    expect(await searchAll(middle.toUpperCase())).toEqual([quoted.id, b.id, a.id])
    expect(await searchAll(`"${tok}" a`)).toEqual([quoted.id]) // quotes are part of the term, not FTS syntax
    expect(await searchAll(`${tok} OR harbor`)).toEqual([])
    // Another organization's projects with the same term stay invisible.
    const foreign = await call(
      'POST',
      '/api/v1/projects',
      { cookie: orgs.orgB.ADMIN.cookie },
      { json: { name: `Foreign ${tok}`, media_type: 'IMAGE' } },
    )
    expect(foreign.status).toBe(201)
    expect(await searchAll(tok)).toEqual([quoted.id, b.id, a.id])

    // A rename leaves the old name's trigrams behind and indexes the new one.
    expect((await call('PATCH', `/api/v1/projects/${a.id}`, admin(), { json: { name: 'Harbor cranes' } })).status).toBe(200)
    expect(await searchAll(tok)).toEqual([quoted.id, b.id])
    expect(await searchAll('harbor cranes')).toEqual([a.id])
    expect((await call('PATCH', `/api/v1/projects/${a.id}`, admin(), { json: { name: `Harbor ${tok} again` } })).status).toBe(200)
    expect(await searchAll(tok)).toEqual([quoted.id, b.id, a.id])
    // A deleted project leaves the list at once (soft delete) and the index with its row.
    expect((await call('DELETE', `/api/v1/projects/${b.id}`, admin())).status).toBe(204)
    expect(await searchAll(tok)).toEqual([quoted.id, a.id])
    const left = await db().all<{ n: number }>(sql`SELECT count(*) AS n FROM projects_fts WHERE projects_fts MATCH ${`"${tok}"`}`)
    expect(left[0]!.n).toBe(3) // a, quoted and the other organization's project; b's trigrams are gone
    await ftsIntegrity()
  })

  it('folds case in every script, not only ASCII; names from before the fold column are folded by the cron', async () => {
    const tok = unique('').replace(/[^a-z0-9]/g, '')
    const uber = await create(`ÜBERPRÜFUNG ${tok}`)
    const eclair = await create(`Éclairage ${tok} ΟΔΟΣ`)
    // Through the index (3+ characters) and by walking (fewer), in either case.
    expect(await searchAll('überprüfung')).toEqual([uber.id])
    expect(await searchAll(`prüfung ${tok}`)).toEqual([uber.id])
    expect(await searchAll('ÉCLAIRAGE')).toEqual([eclair.id])
    expect(await searchAll(`${tok} οδος`)).toEqual([eclair.id])
    expect(await searchAll('üb')).toContain(uber.id)
    // A project written before migration 0011 has no fold: search falls back to lower(), which
    // misses the non-ASCII capitals, until the cron's fold runs.
    await db().run(sql`UPDATE projects SET name_fold = NULL WHERE id IN (${uber.id}, ${eclair.id})`)
    expect(await searchAll('überprüfung')).toEqual([])
    expect(await searchAll(`${tok.toUpperCase()}`)).toEqual([eclair.id, uber.id]) // ASCII still folds
    let run
    do run = await foldProjectNames(db(), { batch: 2, maxBatches: 1 })
    while (!run.done)
    expect(await searchAll('überprüfung')).toEqual([uber.id])
    expect(await searchAll(`${tok} οδος`)).toEqual([eclair.id])
    // A rename folds at once.
    expect((await call('PATCH', `/api/v1/projects/${uber.id}`, admin(), { json: { name: `ÄRGER ${tok}` } })).status).toBe(200)
    expect(await searchAll(`ärger ${tok}`)).toEqual([uber.id])
    await ftsIntegrity()
  })

  it('searches of fewer than 3 characters match substrings too (trigrams cannot)', async () => {
    const p = await create(`Qx short ${unique('s')}`)
    const all = (await json(await call('GET', '/api/v1/projects?limit=200', admin()))).items
    const expected = all.filter((x: any) => x.name.toLowerCase().includes('qx')).map((x: any) => x.id)
    expect(expected).toContain(p.id)
    expect(await searchAll('QX')).toEqual(expected)
    expect(await searchAll('x')).toEqual(all.filter((x: any) => x.name.toLowerCase().includes('x')).map((x: any) => x.id))
  })

  it('a term matching more projects than the index should fetch walks the organization newest first, pinned first, without gaps or repeats', async () => {
    const tok = unique('').replace(/[^a-z0-9]/g, '')
    const n = FTS_COMMON_MATCHES + 5
    // Bulk rows straight into D1 (as the benchmark does); the triggers index every name.
    await db().run(sql`
      WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${n})
      INSERT INTO projects (id, org_id, name, description, media_type, ontology, created_by, created_at, updated_at)
      SELECT 'prj_' || ${tok.slice(0, 8).toUpperCase()} || printf('%018d', i), ${orgs.a.id}, 'Bulk ' || ${tok} || ' #' || i, '', 'IMAGE', '{"tools":[],"classifications":[]}', ${orgs.orgA.ADMIN.id}, 0, 0 FROM k`)
    const expected = (
      await db().all<{ id: string }>(sql`SELECT id FROM projects WHERE name LIKE ${`Bulk ${tok} #%`} ORDER BY id DESC`)
    ).map((r) => r.id)
    expect(expected).toHaveLength(n)
    const pinned = expected[700]!
    expect((await call('PUT', `/api/v1/projects/${pinned}/pin`, admin())).status).toBe(204)
    const want = [pinned, ...expected.filter((id) => id !== pinned)]
    const first = await json(await call('GET', `/api/v1/projects?limit=50&search=${tok.toUpperCase()}`, admin()))
    expect(first.items.map((p: any) => p.id)).toEqual(want.slice(0, 50))
    expect(await searchAll(tok, admin(), 200)).toEqual(want)
    // One of them with a rarer word is still found through the index.
    await db().run(sql`UPDATE projects SET name = name || ' solitary' || ${tok} WHERE id = ${expected[3]!}`)
    expect(await searchAll(`solitary${tok}`)).toEqual([expected[3]])
    expect((await call('DELETE', `/api/v1/projects/${pinned}/pin`, admin())).status).toBe(204)
    await ftsIntegrity()
  })

  it('another organization never sees the projects', async () => {
    const p = await create('Secret')
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    const list = (await json(await call('GET', '/api/v1/projects?limit=200', { cookie: orgs.orgB.ADMIN.cookie }))).items
    expect(list.map((x: any) => x.id)).not.toContain(p.id)
  })

  it('project-based members see only projects where they hold a role', async () => {
    const p = await create('Shared with Pat')
    const hidden = await create('Not shared')
    const pat = orgs.orgA.NONE
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: pat.cookie })).status).toBe(404)
    const set = await call('PUT', `/api/v1/projects/${p.id}/members/${pat.id}`, admin(), { json: { role: 'REVIEWER' } })
    expect(set.status).toBe(200)
    expect(expectShape(ProjectMemberView, await json(set)).access_from).toBe('PROJECT')
    const list = (await json(await call('GET', '/api/v1/projects?limit=200', { cookie: pat.cookie }))).items.map((x: any) => x.id)
    expect(list).toEqual([p.id])
    expect(list).not.toContain(hidden.id)
    const members = await json(await call('GET', `/api/v1/projects/${p.id}/members`, admin()))
    for (const m of members) expectShape(ProjectMemberView, m)
    expect(members.find((m: any) => m.user_id === pat.id)).toMatchObject({ role: 'REVIEWER', access_from: 'PROJECT' })
    expect(members.find((m: any) => m.user_id === orgs.orgA.LABELER.id)).toMatchObject({ role: 'LABELER', access_from: 'ORGANIZATION' })
    // An org role and a project role are exclusive.
    const refused = await call('PUT', `/api/v1/projects/${p.id}/members/${orgs.orgA.LABELER.id}`, admin(), { json: { role: 'REVIEWER' } })
    expect(refused.status).toBe(400)
    expect((await json(refused)).detail).toMatch(/org role LABELER/)
    // Switching Pat to an org role and back keeps the project role.
    await call('PATCH', `/api/v1/members/${pat.id}`, admin(), { json: { role: 'LABELER' } })
    await call('PATCH', `/api/v1/members/${pat.id}`, admin(), { json: { role: 'NONE' } })
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: pat.cookie })).status).toBe(200)
    expect((await call('DELETE', `/api/v1/projects/${p.id}/members/${pat.id}`, admin())).status).toBe(204)
    expect((await call('GET', `/api/v1/projects/${p.id}`, { cookie: pat.cookie })).status).toBe(404)
  })

  it('edits keep feature ids by name and validate', async () => {
    const p = await create('Editable', { ontology: ONTOLOGY })
    const next = { ...ONTOLOGY, tools: [...ONTOLOGY.tools, { name: 'Sign', tool: 'point' }] }
    const res = await call(
      'PATCH',
      `/api/v1/projects/${p.id}`,
      { cookie: orgs.orgA.TEAM_MANAGER.cookie },
      { json: { name: 'Edited', ontology: next } },
    )
    expect(res.status).toBe(200)
    const e = await json(res)
    expect(e.name).toBe('Edited')
    expect(e.ontology.tools[0].feature_schema_id).toBe(p.ontology.tools[0].feature_schema_id)
    expect(e.ontology.tools[3]).toMatchObject({ name: 'Sign', tool: 'point' })
    expect((await call('PATCH', `/api/v1/projects/${p.id}`, { cookie: orgs.orgA.LABELER.cookie }, { json: { name: 'No' } })).status).toBe(
      403,
    )
    expect((await call('PATCH', `/api/v1/projects/${p.id}`, admin(), { json: { name: '' } })).status).toBe(400)
  })

  it('deletes a small project at once; it is gone everywhere', async () => {
    const p = await create('Doomed')
    expect((await call('DELETE', `/api/v1/projects/${p.id}`, { cookie: orgs.orgA.TEAM_MANAGER.cookie })).status).toBe(403)
    expect((await call('DELETE', `/api/v1/projects/${p.id}`, admin())).status).toBe(204)
    expect((await call('GET', `/api/v1/projects/${p.id}`, admin())).status).toBe(404)
    expect((await call('DELETE', `/api/v1/projects/${p.id}`, admin())).status).toBe(404)
  })
})
