// The dataset-delete confirm step's counts (src/modules/datasets/delete.ts): exact per project
// (rows and labeled rows, checked against a recount) while the dataset is within the cap, and past
// it counted over the dataset's newest rows only, saying so, with rows read bounded by the cap
// (D1's own counters, through the cost meter) instead of the dataset's size.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { impactCap } from '../../src/modules/datasets/delete'
import { seedTwoOrgs } from '../helpers/factories'
import { call, ORIGIN } from '../helpers/harness'
import { countingD1 } from '../helpers/counting-d1'
import { freshProject, makeDataRows } from '../helpers/routes-projects'

let t: Awaited<ReturnType<typeof seedTwoOrgs>>
let rows: Awaited<ReturnType<typeof makeDataRows>>
const projects: { id: string }[] = []
const ontology = { tools: [{ name: 'Sign', tool: 'point' }], classifications: [] }

beforeAll(async () => {
  t = await seedTwoOrgs()
  const admin = { cookie: t.orgA.ADMIN.cookie }
  rows = await makeDataRows(t.a, t.orgA.ADMIN.id, 30)
  const all = await freshProject(t.orgA.ADMIN, { ontology })
  const some = await freshProject(t.orgA.ADMIN, { ontology })
  projects.push(all, some)
  const batch = async (p: string, ids: string[]) =>
    expect((await call('POST', `/api/v1/projects/${p}/batches`, admin, { json: { name: 'b', data_row_ids: ids } })).status).toBe(201)
  await batch(all.id, rows.ids)
  // Old rows and new ones, so that a cap over the newest rows sees only some of them.
  await batch(some.id, [...rows.ids.slice(0, 4), ...rows.ids.slice(-3)])
  for (const [p, r] of [
    [all.id, rows.ids[0]!],
    [all.id, rows.ids[29]!],
    [all.id, rows.ids[29]!],
    [some.id, rows.ids[28]!],
  ] as const) {
    const res = await call('POST', `/api/v1/projects/${p}/labels`, admin, {
      json: { data_row_id: r, annotations: { objects: [{ name: 'Sign', point: { x: 1, y: 1 } }] } },
    })
    expect(res.status, await res.clone().text()).toBe(201)
  }
}, 60_000)

afterEach(() => {
  impactCap.rows = 10_000
})

/** The page through the Worker, with the rows D1 read for it. */
async function confirmPage() {
  const { DB, trips } = countingD1()
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(`${ORIGIN}/datasets/${rows.datasetId}/delete`, { headers: { Cookie: t.orgA.ADMIN.cookie } }),
    { ...env, DB } as typeof env,
    ctx,
  )
  const html = await res.text()
  await waitOnExecutionContext(ctx)
  expect(res.status).toBe(200)
  const read = trips.reduce((n, trip) => n + (trip.read ?? []).reduce<number>((a, b) => a + (b ?? 0), 0), 0)
  const cells = Object.fromEntries(
    [...html.matchAll(/<a href="\/projects\/([^"]+)">[^<]*<\/a><\/td><td class="num">([\d,+]+)<\/td><td class="num">([\d,+]+)<\/td>/g)].map(
      (m) => [m[1]!, [m[2]!, m[3]!]],
    ),
  )
  return { html, read, cells }
}

/** Each project's rows of the dataset and labeled rows, counted from scratch over its newest `limit` rows. */
async function recount(limit: number) {
  const r = await env.DB.prepare(
    `SELECT pdr.project_id AS p, count(*) AS n, sum(pdr.label_count > 0) AS labeled FROM project_data_rows pdr
     WHERE pdr.data_row_id IN (SELECT id FROM data_rows WHERE dataset_id = ? ORDER BY id DESC LIMIT ?) GROUP BY pdr.project_id`,
  )
    .bind(rows.datasetId, limit)
    .all<{ p: string; n: number; labeled: number }>()
  return Object.fromEntries(r.results.map((x) => [x.p, [x.n, x.labeled]]))
}

describe('the dataset-delete confirm step', () => {
  it('counts every project exactly while the dataset is within the cap, reading a few rows per data row', async () => {
    const { html, read, cells } = await confirmPage()
    const exact = await recount(1_000_000)
    expect(exact).toEqual({ [projects[0]!.id]: [30, 2], [projects[1]!.id]: [7, 1] })
    expect(cells).toEqual(Object.fromEntries(Object.entries(exact).map(([p, [n, l]]) => [p, [String(n), String(l)]])))
    expect(html).toContain('37 of their data rows leave them')
    expect(html).not.toContain('Counted over the newest')
    // 37 data rows in projects: ~4 rows read each, and the page's chrome.
    expect(read).toBeLessThanOrEqual(37 * 4 + 60)
  })

  it('past the cap, counts over the newest rows, says so, and reads rows bounded by the cap', async () => {
    const full = (await confirmPage()).read
    impactCap.rows = 5
    const { html, read, cells } = await confirmPage()
    const newest = await recount(5)
    // The 5 newest rows: all in the first project, 3 of them in the second.
    expect(Object.values(newest).map(([n]) => n)).toEqual(expect.arrayContaining([5, 3]))
    expect(cells).toEqual(Object.fromEntries(Object.entries(newest).map(([p, [n, l]]) => [p, [`${n}+`, l ? `${l}+` : '0']])))
    expect(html).toContain('8+ of their data rows leave them')
    expect(html).toContain('Counted over the newest 5 of its 30 rows')
    expect(read).toBeLessThanOrEqual(8 * 4 + 60)
    expect(read).toBeLessThan(full)
  })

  it('past the cap with none of the newest rows in a project, does not claim that no project uses it', async () => {
    impactCap.rows = 0
    const { html, cells } = await confirmPage()
    expect(cells).toEqual({})
    expect(html).toContain('No project uses the newest 0 of its 30 rows; projects may still hold its other rows.')
  })
})
