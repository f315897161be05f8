// Usage's created counts (`usage_created_daily`, migration 0018): data rows, members and projects
// created per GMT day, kept exact as they are created — data rows once per INSERT statement
// (src/modules/usage/created.ts), projects and memberships by triggers — checked against a recount
// of the base tables, through the API, an import, a retried insert and deletes (deleted ones stay
// counted, as annotations do).
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { makeDb } from '../../src/db/client'
import { datasets, usageCreatedDaily } from '../../src/db/schema'
import { insertRows, type Candidate } from '../../src/modules/datasets/data-rows'
import { newId } from '../../src/lib/ids'
import { db, seedTwoOrgs, unique, type TestOrg } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { countingD1 } from '../helpers/counting-d1'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
const today = new Date().toISOString().slice(0, 10)
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)

type Counts = Record<string, { dataRows: number; members: number; projects: number }>

/** What the counters say, per day. */
async function counted(org: TestOrg): Promise<Counts> {
  const rows = await db().select().from(usageCreatedDaily).where(eq(usageCreatedDaily.orgId, org.id))
  return Object.fromEntries(rows.map((r) => [r.day, { dataRows: r.dataRows, members: r.members, projects: r.projects }]))
}

/** What the base tables hold, per day of creation (the counters' meaning while nothing is deleted). */
async function recount(org: TestOrg): Promise<Counts> {
  const { results } = await env.DB.prepare(
    `SELECT day, sum(d) AS dataRows, sum(m) AS members, sum(p) AS projects FROM (
       SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, 1 AS d, 0 AS m, 0 AS p FROM data_rows WHERE org_id = ?1
       UNION ALL SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), 0, 1, 0 FROM memberships WHERE org_id = ?1
       UNION ALL SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), 0, 0, 1 FROM projects WHERE org_id = ?1
     ) GROUP BY day`,
  )
    .bind(org.id)
    .all<{ day: string; dataRows: number; members: number; projects: number }>()
  return Object.fromEntries(results.map(({ day, ...c }) => [day, c]))
}

const candidates = (n: number, key: string): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({
    index: i,
    id: newId('dr'),
    row: {
      rowData: `https://x.test/${key}/${i}.jpg`,
      globalKey: `${key}-${i}`,
      externalId: null,
      mediaType: 'IMAGE',
      metadataFields: [],
      attachments: [],
      mediaAttributes: null,
    },
  }))

let dataset: { id: string }

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  dataset = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('created') } }))
})

describe('usage_created_daily', () => {
  it('counts data rows exactly: the API with duplicates, an import, a retried insert', async () => {
    const k = unique('k')
    const res = await call('POST', `/api/v1/datasets/${dataset.id}/data-rows`, admin(), {
      json: [
        { row_data: 'https://x.test/1.jpg', global_key: `${k}-a` },
        { row_data: 'https://x.test/2.jpg', global_key: `${k}-a` }, // duplicate within the input
        { row_data: 'https://x.test/3.jpg' },
      ],
    })
    expect((await json(res)).created).toHaveLength(2)
    // A clash with a row already there is not counted either.
    await call('POST', `/api/v1/datasets/${dataset.id}/data-rows`, admin(), {
      json: [{ row_data: 'https://x.test/4.jpg', global_key: `${k}-A` }],
    })
    expect((await counted(orgs.a))[today]?.dataRows).toBe(2)

    // An import of 1,200 rows: INSERTs of up to 500 rows each.
    const lines = Array.from({ length: 1200 }, (_, i) => JSON.stringify({ row_data: `https://x.test/i${i}.jpg`, global_key: `${k}-i${i}` }))
    const started = await call('POST', `/api/v1/datasets/${dataset.id}/imports`, admin(), {
      body: `${lines.join('\n')}\n`,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    expect(started.status).toBe(202)
    const done = await waitForTask((await json(started)).id, admin(), 60_000)
    expect(done.metadata).toMatchObject({ rows_created: 1200, rows_failed: 0 })

    // A slice retried after a crash inserts its own rows again: they are there, nothing is added,
    // and insertRows still reports them as inserted.
    const d = (await db().select().from(datasets).where(eq(datasets.id, dataset.id)).get())!
    const again = candidates(700, unique('r'))
    const first = await insertRows(db(), d, orgs.orgA.ADMIN.id, again)
    const retried = await insertRows(db(), d, orgs.orgA.ADMIN.id, again)
    expect(first.inserted.size).toBe(700)
    expect(retried.inserted.size).toBe(700)
    expect(retried.errors).toEqual([])

    expect((await counted(orgs.a))[today]?.dataRows).toBe(2 + 1200 + 700)
    expect(await counted(orgs.a)).toEqual(await recount(orgs.a))
  })

  it('counts projects and members by trigger, on the day of their creation', async () => {
    for (let i = 0; i < 2; i++)
      expect(
        (
          await call('POST', '/api/v1/projects', admin(), {
            json: { name: unique('P'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } },
          })
        ).status,
      ).toBe(201)
    // A project and a member created on a past day (as a restored backup would) count on that day.
    const past = Date.parse('2026-01-15T10:00:00Z')
    await env.DB.prepare(
      `INSERT INTO projects (id, org_id, name, description, media_type, ontology, created_by, created_at, updated_at)
       VALUES (?, ?, 'Old', '', 'IMAGE', '{}', ?, ?, ?)`,
    )
      .bind(newId('prj'), orgs.a.id, orgs.orgA.ADMIN.id, past, past)
      .run()
    const late = newId('usr')
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at) VALUES (?, ?, 'Late', 'x', ?, ?)`,
      ).bind(late, `${unique('late')}@example.com`, past, past),
      env.DB.prepare(`INSERT INTO memberships (id, org_id, user_id, role, created_at) VALUES (?, ?, ?, 'LABELER', ?)`).bind(
        newId('mem'),
        orgs.a.id,
        late,
        past,
      ),
    ])

    const c = await counted(orgs.a)
    expect(c[today]).toMatchObject({ members: 5, projects: 2 })
    expect(c['2026-01-15']).toEqual({ dataRows: 0, members: 1, projects: 1 })
    expect(c).toEqual(await recount(orgs.a))
    // The other organization's own.
    expect(await counted(orgs.b)).toEqual({ [today]: { dataRows: 0, members: 5, projects: 0 } })
  })

  it('keeps deleted ones counted: data rows, a dataset, a project and a member', async () => {
    const before = await counted(orgs.a)
    const rows = (await json(await call('GET', `/api/v1/datasets/${dataset.id}/data-rows?limit=2`, admin()))).items
    expect((await call('DELETE', `/api/v1/data-rows/${rows[0].id}`, admin())).status).toBe(204)
    const projects: { id: string; created_at: string }[] = (await json(await call('GET', '/api/v1/projects', admin()))).items
    const todays = projects.find((p) => p.created_at.startsWith(today))!
    const dp = await call('DELETE', `/api/v1/projects/${todays.id}`, admin())
    expect([202, 204]).toContain(dp.status)
    if (dp.status === 202) await waitForTask((await json(dp)).id, admin(), 60_000)
    expect((await call('DELETE', `/api/v1/members/${orgs.orgA.REVIEWER.id}`, admin())).status).toBe(204)
    const dd = await call('DELETE', `/api/v1/datasets/${dataset.id}`, admin())
    expect([202, 204]).toContain(dd.status)
    if (dd.status === 202) await waitForTask((await json(dd)).id, admin(), 60_000)

    const now = await recount(orgs.a)
    expect(now[today]).toMatchObject({ dataRows: 0, members: 4, projects: 1 })
    expect(await counted(orgs.a)).toEqual(before)
  })

  it('shows them per month on the page and in the CSV', async () => {
    const c = await counted(orgs.a)
    const month = today.slice(0, 7)
    const start = `${month}-01`
    const csv = await (await call('GET', `/account/usage.csv?start_date=${start}&end_date=${tomorrow}`, admin())).text()
    const t = c[today]!
    expect(csv).toContain(`month,${month},,,,,,0,0,${t.dataRows},${t.members},${t.projects},`)
    const jan = await (await call('GET', '/account/usage.csv?start_date=2026-01-15&end_date=2026-01-16', admin())).text()
    expect(jan).toContain('month,2026-01,,,,,,0,0,0,1,1,')
    const html = await (await call('GET', `/account/usage?start_date=${start}&end_date=${tomorrow}`, admin())).text()
    expect(html).toContain('deleted ones included')
    const other = await (await call('GET', `/account/usage.csv?start_date=${start}&end_date=${tomorrow}`, orgs.orgB.ADMIN)).text()
    expect(other).toContain(`month,${month},,,,,,0,0,0,5,0,`)
  })

  it('writes one row per INSERT of up to 500 data rows, not one per data row', async () => {
    const d2 = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('metered') } }))
    const d = (await db().select().from(datasets).where(eq(datasets.id, d2.id)).get())!
    const { DB, trips } = countingD1()
    const res = await insertRows(makeDb(DB), d, orgs.orgA.ADMIN.id, candidates(1200, unique('m')))
    expect(res.inserted.size).toBe(1200)
    const stmts = trips.flatMap((t) => t.sql.map((sql, i) => ({ sql, written: t.written?.[i] ?? 0 })))
    const inserts = stmts.filter((s) => /^\s*INSERT INTO data_rows/.test(s.sql))
    const counters = stmts.filter((s) => /usage_created_daily/.test(s.sql))
    expect(inserts).toHaveLength(3)
    expect(counters).toHaveLength(3)
    // The day's row is there already: each statement updates it, 1 row written — 3 for 1,200 data
    // rows (0.0025 per data row; a trigger per row would write 1,200).
    expect(counters.map((s) => s.written)).toEqual([1, 1, 1])
    expect(trips).toHaveLength(1)
  })
})

describe('usage_created_daily triggers', () => {
  it('add 1 row written per project or membership created (the day row, new or updated)', async () => {
    const org = orgs.b.id
    const at = Date.parse('2026-02-03T10:00:00Z')
    const insertMember = (DB: D1Database) => {
      const u = newId('usr')
      return DB.batch([
        DB.prepare(`INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at) VALUES (?, ?, 'W', 'x', ?, ?)`).bind(
          u,
          `${unique('w')}@example.com`,
          at,
          at,
        ),
        DB.prepare(`INSERT INTO memberships (id, org_id, user_id, role, created_at) VALUES (?, ?, ?, 'LABELER', ?)`).bind(
          newId('mem'),
          org,
          u,
          at,
        ),
      ])
    }
    const insertProject = (DB: D1Database) =>
      DB.prepare(
        `INSERT INTO projects (id, org_id, name, description, media_type, ontology, created_by, created_at, updated_at)
         VALUES (?, ?, 'W', '', 'IMAGE', '{}', 'usr_x', ?, ?)`,
      )
        .bind(newId('prj'), org, at, at)
        .run()
    const written = async (f: (DB: D1Database) => Promise<unknown>) => {
      const { DB, trips } = countingD1()
      await f(DB)
      return trips.flatMap((t) => t.written ?? []).reduce<number>((a, b) => a + (b ?? 0), 0)
    }
    const withTrigger = [
      await written(insertMember),
      await written(insertMember),
      await written(insertProject),
      await written(insertProject),
    ]
    const { results } = await env.DB.prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ('usage_created_members', 'usage_created_projects') ORDER BY name`,
    ).all<{ name: string; sql: string }>()
    expect(results).toHaveLength(2)
    for (const t of results) await env.DB.exec(`DROP TRIGGER ${t.name}`)
    try {
      const without = [await written(insertMember), await written(insertMember), await written(insertProject), await written(insertProject)]
      // The first of the day inserts the day's row, the next ones update it: 1 row written each.
      expect(withTrigger.map((w, i) => w - without[i]!)).toEqual([1, 1, 1, 1])
    } finally {
      for (const t of results) await env.DB.prepare(t.sql).run()
    }
  })
})
