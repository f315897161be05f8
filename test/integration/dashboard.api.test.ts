// The dashboard's "Mine" review numbers come from per-member counters kept by triggers
// (migrations/0009_member_review_triggers.sql). After every kind of label write they must equal a
// recount of the labels themselves, and the overview must show them.
import { beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { labels, projectMemberStats } from '../../src/db/schema'
import { newId } from '../../src/lib/ids'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
const labeler = () => ({ cookie: orgs.orgA.LABELER.cookie })
const manager = () => ({ cookie: orgs.orgA.TEAM_MANAGER.cookie })
const reviewer = () => ({ cookie: orgs.orgA.REVIEWER.cookie })

const ONTOLOGY = { tools: [{ name: 'Sign', tool: 'point' }], classifications: [] }
const point = (x: number) => ({ objects: [{ name: 'Sign', point: { x, y: 1 } }] })

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 8 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg` })),
      }),
    )
  ).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Reviews'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
  )
  await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), { json: { name: 'all', data_row_ids: rows.map((r) => r.id) } })
})

type Counts = { accepted: number; declined: number; ambiguous: number }

/** The counters of every member of the project, and the same numbers counted from the labels. */
async function countersAndRecount(): Promise<{ kept: Record<string, Counts>; recount: Record<string, Counts> }> {
  const kept: Record<string, Counts> = {}
  for (const s of await db().select().from(projectMemberStats).where(eq(projectMemberStats.projectId, project.id))) {
    kept[s.userId] = { accepted: s.reviewsAccepted, declined: s.reviewsDeclined, ambiguous: s.reviewsAmbiguous }
  }
  const recount: Record<string, Counts> = Object.fromEntries(Object.keys(kept).map((u) => [u, { accepted: 0, declined: 0, ambiguous: 0 }]))
  for (const l of await db().select().from(labels).where(eq(labels.projectId, project.id))) {
    if (l.skipped || l.reviewState === 'UNREVIEWED') continue
    const c = (recount[l.createdBy] ??= { accepted: 0, declined: 0, ambiguous: 0 })
    c[l.reviewState.toLowerCase() as keyof Counts]++
  }
  return { kept, recount }
}

async function expectExact(labelerCounts: Counts) {
  const { kept, recount } = await countersAndRecount()
  expect(kept).toEqual(recount)
  expect(kept[orgs.orgA.LABELER.id]).toEqual(labelerCounts)
  // …and "Mine" on the dashboard shows the caller's own row.
  const mine = await json(await call('GET', `/api/v1/projects/${project.id}/overview?scope=mine`, labeler()))
  const own = await db()
    .select({ n: sql<number>`count(*)` })
    .from(labels)
    .where(sql`${labels.projectId} = ${project.id} AND ${labels.createdBy} = ${orgs.orgA.LABELER.id} AND NOT ${labels.skipped}`)
  const reviewed = labelerCounts.accepted + labelerCounts.declined + labelerCounts.ambiguous
  expect(mine.reviews).toMatchObject({ ...labelerCounts, unreviewed: own[0]!.n - reviewed })
}

const create = async (who: { cookie: string }, row: number, body: Record<string, unknown> = { annotations: point(row) }) => {
  const res = await call('POST', `/api/v1/projects/${project.id}/labels`, who, { json: { data_row_id: rows[row].id, ...body } })
  expect(res.status, await res.clone().text()).toBe(201)
  return json(res)
}
const review = async (who: { cookie: string }, labelId: string, score: 1 | -1) => {
  const res = await call('POST', `/api/v1/labels/${labelId}/reviews`, who, { json: { score } })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await json(res)).review_state
}

describe('per-member review counters', () => {
  it('stay exact through create, review, re-review, edit, skip changes and delete', async () => {
    const l = [await create(labeler(), 0), await create(labeler(), 1), await create(labeler(), 2), await create(labeler(), 3)]
    const other = await create(manager(), 4)
    await create(labeler(), 5, { skipped: true })
    await expectExact({ accepted: 0, declined: 0, ambiguous: 0 })

    expect(await review(reviewer(), l[0].id, 1)).toBe('ACCEPTED')
    expect(await review(reviewer(), l[1].id, -1)).toBe('DECLINED')
    expect(await review(reviewer(), l[2].id, 1)).toBe('ACCEPTED')
    expect(await review(admin(), l[2].id, -1)).toBe('AMBIGUOUS')
    expect(await review(reviewer(), other.id, 1)).toBe('ACCEPTED')
    await expectExact({ accepted: 1, declined: 1, ambiguous: 1 })

    // A reviewer changing their mind moves the label from one state to another.
    expect(await review(reviewer(), l[2].id, -1)).toBe('DECLINED')
    await expectExact({ accepted: 1, declined: 2, ambiguous: 0 })

    // Editing annotations or time keeps the review state, and so the counts.
    expect(
      (await call('PATCH', `/api/v1/labels/${l[0].id}`, labeler(), { json: { annotations: point(9), seconds_to_create: 7 } })).status,
    ).toBe(200)
    await expectExact({ accepted: 1, declined: 2, ambiguous: 0 })

    // No service flips `skipped` today; the trigger covers it anyway (a skipped label is not counted).
    await db().update(labels).set({ skipped: true }).where(eq(labels.id, l[1].id))
    await expectExact({ accepted: 1, declined: 1, ambiguous: 0 })
    await db().update(labels).set({ skipped: false }).where(eq(labels.id, l[1].id))
    await expectExact({ accepted: 1, declined: 2, ambiguous: 0 })

    expect((await call('DELETE', `/api/v1/labels/${l[1].id}`, labeler())).status).toBe(204)
    await expectExact({ accepted: 1, declined: 1, ambiguous: 0 })
    expect((await call('DELETE', `/api/v1/labels/${l[0].id}`, reviewer())).status).toBe(204)
    await expectExact({ accepted: 0, declined: 1, ambiguous: 0 })

    // A label written with a review state already (not a path the app has today) is counted too.
    const now = new Date()
    await db()
      .insert(labels)
      .values({
        id: newId('lbl'),
        orgId: orgs.a.id,
        projectId: project.id,
        dataRowId: rows[6].id,
        createdBy: orgs.orgA.LABELER.id,
        annotations: { objects: [], classifications: [], relationships: [] },
        reviewState: 'AMBIGUOUS',
        createdAt: now,
        updatedAt: now,
      })
    await expectExact({ accepted: 0, declined: 1, ambiguous: 1 })
  })
})
