// Usage: facts written with every label → cron rollups → GET /api/v1/usage and POST /graphql.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { eq, inArray, sql } from 'drizzle-orm'
import worker from '../../src/index'
import { dataRows, usageFacts } from '../../src/db/schema'
import { rollupUsage } from '../../src/modules/usage/rollup'
import { db, makeApiKey, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
const labeler = () => ({ cookie: orgs.orgA.LABELER.cookie })
const today = new Date().toISOString().slice(0, 10)
const RANGE = '?start_date=2026-01-01&end_date=2026-02-01'

async function runCron() {
  const ctx = createExecutionContext()
  await worker.scheduled!(createScheduledController({ scheduledTime: new Date(), cron: '*/15 * * * *' }), env, ctx)
  await waitOnExecutionContext(ctx)
}

/** Creates a label with `n` annotations (1–3) on row `i`; optionally moves its fact to a past day. */
async function label(i: number, n: 1 | 2 | 3, opts: { day?: string; imported?: boolean; as?: { cookie: string } } = {}) {
  const classifications: any[] = [{ name: 'Q', text_answer: { content: 'x' } }]
  if (n >= 2) classifications.push({ name: 'Tags', checklist_answers: n === 3 ? [{ name: 'A' }, { name: 'B' }] : [{ name: 'A' }] })
  const res = await call('POST', `/api/v1/projects/${project.id}/labels`, opts.as ?? labeler(), {
    json: { data_row_id: rows[i].id, annotations: { classifications }, seconds_to_create: 10 },
  })
  expect(res.status, await res.clone().text()).toBe(201)
  const l = await json(res)
  if (opts.day || opts.imported) {
    const [last] = await db()
      .select({ id: sql<number>`max(${usageFacts.id})` })
      .from(usageFacts)
      .where(eq(usageFacts.projectId, project.id))
    await db()
      .update(usageFacts)
      .set({ ...(opts.day ? { day: opts.day } : {}), ...(opts.imported ? { imported: true } : {}) })
      .where(eq(usageFacts.id, last!.id))
  }
  return l
}

const usage = async (q = RANGE, auth: { cookie?: string; key?: string } = admin()) => call('GET', `/api/v1/usage${q}`, auth)
const gql = async (query: string, variables?: unknown, auth: { cookie?: string; key?: string } = admin()) =>
  call('POST', '/graphql', auth, { json: { query, variables } })
const COUNTS =
  'query($w: AnnotationCountWhere!, $o: AnnotationCountOrderBy) { annotationCounts(where: $w, orderBy: $o) { image video text creationDate updateTime } }'

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 12 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg` })),
      }),
    )
  ).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), {
      json: {
        name: unique('Usage'),
        media_type: 'IMAGE',
        ontology: {
          classifications: [
            { name: 'Q', type: 'text' },
            { name: 'Tags', type: 'checklist', options: [{ name: 'A' }, { name: 'B' }] },
          ],
        },
      },
    }),
  )
  const b = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'b', data_row_ids: rows.map((r) => r.id) },
  })
  expect(b.status).toBe(201)
  // Asset types: rows 0-5 images, 6-8 video, 9-10 text, 11 other. Set after the batch: a batch
  // refuses rows of another media type than the project's (src/modules/projects/batches.ts), but
  // usage buckets labels by the row's type, so rows queued before that rule still need counting.
  const type = (i: number) => (i < 6 ? 'IMAGE' : i < 9 ? 'VIDEO' : i < 11 ? 'TEXT' : 'OTHER')
  for (const t of ['IMAGE', 'VIDEO', 'TEXT', 'OTHER'] as const) {
    await db()
      .update(dataRows)
      .set({ mediaType: t })
      .where(
        inArray(
          dataRows.id,
          rows.filter((_, i) => type(i) === t).map((r) => r.id),
        ),
      )
  }
})

describe('usage rollups', () => {
  let deletable: string
  it('counts annotations by GMT day and asset type, imported ones included', async () => {
    deletable = (await label(0, 3, { day: '2026-01-10' })).id // image 3
    await label(1, 1, { day: '2026-01-10', as: admin() }) // image 1
    await label(6, 2, { day: '2026-01-10' }) // video 2
    await label(9, 3, { day: '2026-01-11', imported: true }) // text 3 (imported)
    await label(11, 1, { day: '2026-01-11' }) // other 1
    await label(2, 2) // image 2, today
    // Nothing before the cron runs: the page never scans raw facts.
    expect((await json(await usage())).days).toEqual([])
    await runCron()
    const u = await json(await usage())
    expect(u.days).toEqual([
      { date: '2026-01-10', image: 4, video: 2, text: 0, other: 0, total: 6 },
      { date: '2026-01-11', image: 0, video: 0, text: 3, other: 1, total: 4 },
    ])
    expect(u.totals).toEqual({ image: 4, video: 2, text: 3, other: 1, total: 10 })
    expect(Date.parse(u.updated_at)).toBeGreaterThan(Date.now() - 60_000)
    const t = await json(await usage(`?start_date=${today}&end_date=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`))
    expect(t.days).toEqual([{ date: today, image: 2, video: 0, text: 0, other: 0, total: 2 }])
    // The other organization sees none of it.
    expect((await json(await usage(RANGE, { cookie: orgs.orgB.ADMIN.cookie }))).days).toEqual([])
  })

  it('deleting a label never lowers the counts; running again changes nothing', async () => {
    const before = await json(await usage())
    expect((await call('DELETE', `/api/v1/labels/${deletable}`, admin())).status).toBe(204)
    await runCron()
    await runCron()
    expect(await rollupUsage(db())).toMatchObject({ facts: 0, conflict: false })
    const after = await json(await usage())
    expect(after.days).toEqual(before.days)
    expect(after.totals).toEqual(before.totals)
  })

  it('late data updates the right past day', async () => {
    await label(3, 2, { day: '2026-01-10' })
    await runCron()
    const u = await json(await usage())
    expect(u.days[0]).toEqual({ date: '2026-01-10', image: 6, video: 2, text: 0, other: 0, total: 8 })
  })

  it('two overlapping runs never double count', async () => {
    await label(4, 3, { day: '2026-01-12' })
    await label(7, 1, { day: '2026-01-12' })
    // A second run starts and finishes while the first is between reading and writing its chunk.
    let inner: Awaited<ReturnType<typeof rollupUsage>> | undefined
    const outer = await rollupUsage(db(), Date.now(), {
      beforeApply: async () => {
        inner ??= await rollupUsage(db())
      },
    })
    expect(inner).toMatchObject({ facts: 2, conflict: false })
    expect(outer).toMatchObject({ facts: 0, conflict: true })
    // And two started together, in small chunks.
    await label(8, 2, { day: '2026-01-12' })
    await label(10, 1, { day: '2026-01-12' })
    await label(5, 1, { day: '2026-01-12' })
    const both = await Promise.all([rollupUsage(db(), Date.now(), { chunkSize: 1 }), rollupUsage(db(), Date.now(), { chunkSize: 1 })])
    expect(both[0].facts + both[1].facts).toBe(3)
    const u = await json(await usage())
    expect(u.days[2]).toEqual({ date: '2026-01-12', image: 4, video: 3, text: 1, other: 0, total: 8 })
  })

  it('GraphQL answers equal the JSON API, ascending by default, with API keys too', async () => {
    const u = await json(await usage())
    const expected = u.days.map((d: any) => ({ image: d.image, video: d.video, text: d.text, creationDate: d.date }))
    const asc = await json(await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' } }))
    expect(asc.errors).toBeUndefined()
    expect(asc.data.annotationCounts.map(({ updateTime, ...r }: any) => r)).toEqual(expected)
    for (const r of asc.data.annotationCounts) expect(Date.parse(r.updateTime)).toBeGreaterThan(0)
    const key = await makeApiKey(orgs.orgA.ADMIN)
    const desc = await json(
      await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' }, o: 'CREATION_DATE_DESC' }, { key: key.key }),
    )
    expect(desc.data.annotationCounts.map((r: any) => r.creationDate)).toEqual(expected.map((r: any) => r.creationDate).reverse())
    const inline = await json(
      await gql('{ annotationCounts(where: {startDate: "2026-01-11", endDate: "2026-01-12"}) { text creationDate } }'),
    )
    expect(inline.data.annotationCounts).toEqual([{ text: 3, creationDate: '2026-01-11' }])
  })

  it('bad input gets a clear error and no partial answer', async () => {
    const bad = async (q: string, field: string, re: RegExp) => {
      const res = await usage(q)
      expect(res.status).toBe(400)
      const p = await json(res)
      expect(p.code).toBe('VALIDATION')
      expect(
        p.errors.some((e: any) => e.path === field && re.test(e.message)),
        JSON.stringify(p),
      ).toBe(true)
    }
    await bad('?start_date=2026-02-01&end_date=2026-01-01', 'end_date', /after start_date/)
    await bad('?start_date=2026-02-01&end_date=2026-02-01', 'end_date', /after start_date/)
    await bad('?start_date=2025-01-01&end_date=2026-01-03', 'end_date', /366 days/)
    await bad('?start_date=2026-1-1&end_date=2026-02-01', 'start_date', /YYYY-MM-DD/)
    await bad('?start_date=2026-02-30&end_date=2026-03-05', 'start_date', /real calendar date/)
    await bad('?start_date=2026-01-01', 'end_date', /required/)

    const syntax = await gql('{ annotationCounts(where: {startDate: "2026-01-01" ')
    expect(syntax.status).toBe(400)
    const s = await json(syntax)
    expect(s.errors[0].message).toMatch(/Syntax Error/)
    expect(s.data).toBeUndefined()
    const unknownField = await gql('{ annotationCounts(where: {startDate: "2026-01-01", endDate: "2026-02-01"}) { audio } }')
    expect(unknownField.status).toBe(400)
    const range = await json(await gql(COUNTS, { w: { startDate: '2026-02-01', endDate: '2026-01-01' } }))
    expect(range.data).toBeNull()
    expect(range.errors[0].message).toMatch(/endDate must be after startDate/)
    const year = await json(await gql(COUNTS, { w: { startDate: '2025-01-01', endDate: '2026-02-01' } }))
    expect(year.data).toBeNull()
    expect(year.errors[0].message).toMatch(/366 days/)
    const malformed = await json(await gql(COUNTS, { w: { startDate: 'yesterday', endDate: '2026-02-01' } }))
    expect(malformed.data).toBeNull()
    expect(malformed.errors[0].message).toMatch(/startDate must be a date/)
    const noQuery = await call('POST', '/graphql', admin(), { json: { variables: {} } })
    expect(noQuery.status).toBe(400)
    expect((await json(noQuery)).errors[0].message).toMatch(/query is required/)
  })

  it('admins only, on both surfaces; wrong keys and cross-site posts are refused', async () => {
    expect((await usage(RANGE, labeler())).status).toBe(403)
    expect((await usage(RANGE, { cookie: orgs.orgA.TEAM_MANAGER.cookie })).status).toBe(403)
    expect((await usage(RANGE, {})).status).toBe(401)
    const g = await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' } }, labeler())
    expect(g.status).toBe(403)
    expect((await json(g)).errors[0].message).toBeTruthy()
    expect((await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' } }, {})).status).toBe(401)
    expect((await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' } }, { key: 'ld_nope' })).status).toBe(401)
    const key = await makeApiKey(orgs.orgA.ADMIN, { role: 'LABELER' })
    expect((await gql(COUNTS, { w: { startDate: '2026-01-01', endDate: '2026-02-01' } }, { key: key.key })).status).toBe(403)
    const csrf = await call('POST', '/graphql', admin(), { json: { query: '{ __typename }' }, origin: 'https://evil.test' })
    expect(csrf.status).toBe(403)
  })
})
