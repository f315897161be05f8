import { beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { labels, usageFacts } from '../../src/db/schema'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { LabelView } from '../../src/modules/labels/schemas'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
const labeler = () => ({ cookie: orgs.orgA.LABELER.cookie })
const reviewer = () => ({ cookie: orgs.orgA.REVIEWER.cookie })

const ONTOLOGY = {
  tools: [
    {
      name: 'Car',
      tool: 'bounding_box',
      classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }] }],
    },
    { name: 'Road', tool: 'polygon' },
    { name: 'Lane', tool: 'line' },
    { name: 'Sign', tool: 'point' },
  ],
  classifications: [
    { name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] },
    { name: 'Tags', type: 'checklist', options: [{ name: 'Night' }, { name: 'Blurry' }] },
    { name: 'Notes', type: 'text' },
  ],
}

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 6 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: unique(`g${i}`) })),
      }),
    )
  ).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Labels'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
  )
  await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'b1', data_row_ids: rows.slice(0, 5).map((r) => r.id) },
  })
})

const good = {
  objects: [
    {
      name: 'Car',
      bounding_box: { top: 10, left: 20, height: 30, width: 40 },
      classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
    },
    {
      name: 'road',
      polygon: [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
      ],
    },
  ],
  classifications: [
    { name: 'Weather', radio_answer: { name: 'Sunny' } },
    { name: 'Tags', checklist_answers: [{ name: 'Night' }, { name: 'Blurry' }] },
    { name: 'Notes', text_answer: { content: 'looks fine' } },
  ],
}

describe('labels API', () => {
  it('creates a label in export v2 shape with feature ids and schema ids', async () => {
    const res = await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), {
      json: { data_row_id: rows[0].id, annotations: good, seconds_to_create: 12.5 },
    })
    expect(res.status, await res.clone().text()).toBe(201)
    const l = await json(res)
    expectShape(LabelView, l)
    expectShape(LabelView, await json(await call('GET', `/api/v1/labels/${l.id}`, labeler())))
    expectPage(LabelView, await json(await call('GET', `/api/v1/projects/${project.id}/labels`, labeler())))
    expect(l).toMatchObject({
      project_id: project.id,
      data_row_id: rows[0].id,
      created_by: orgs.orgA.LABELER.id,
      seconds_to_create: 12.5,
      skipped: false,
      review_state: 'UNREVIEWED',
    })
    const car = l.annotations.objects[0]
    expect(car).toMatchObject({
      name: 'Car',
      annotation_kind: 'ImageBoundingBox',
      feature_schema_id: project.ontology.tools[0].feature_schema_id,
      bounding_box: { top: 10, left: 20, height: 30, width: 40 },
    })
    expect(car.feature_id).toMatch(/^ann_/)
    expect(car.classifications[0].radio_answer).toMatchObject({ name: 'Red', value: 'red' })
    expect(l.annotations.objects[1]).toMatchObject({
      name: 'Road',
      annotation_kind: 'ImagePolygon',
      polygon: [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
      ],
    })
    expect(l.annotations.classifications[1].checklist_answers.map((a: any) => a.name)).toEqual(['Night', 'Blurry'])
    expect(l.annotations.classifications[2].text_answer).toEqual({ content: 'looks fine' })
    // Usage counts every object and answer, nested ones included: 2 objects + 1 nested + 1 + 2 + 1 = 7.
    const facts = await db().select().from(usageFacts).where(eq(usageFacts.projectId, project.id))
    expect(facts.reduce((s, f) => s + f.annotations, 0)).toBe(7)
  })

  it('names the path of every bad annotation and creates nothing', async () => {
    const before = (await db().select({ n: sql<number>`count(*)` }).from(labels).where(eq(labels.projectId, project.id)))[0]!.n
    const bad = {
      objects: [
        { name: 'Truck', bounding_box: { top: 1, left: 1, height: 1, width: 1 } },
        { name: 'Car', bounding_box: { top: 1, left: 1, height: 5, width: -3 } },
        {
          name: 'Road',
          polygon: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        {
          name: 'Car',
          polygon: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
            { x: 2, y: 2 },
          ],
        },
      ],
      classifications: [
        { name: 'Weather', radio_answer: [{ name: 'Sunny' }, { name: 'Rainy' }] },
        { name: 'Tags', checklist_answers: [{ name: 'Snow' }] },
      ],
    }
    const res = await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), {
      json: { data_row_id: rows[1].id, annotations: bad },
    })
    expect(res.status).toBe(400)
    const paths = (await json(res)).errors.map((e: any) => e.path)
    expect(paths).toEqual([
      'annotations.objects.0.name',
      'annotations.objects.1.bounding_box.width',
      'annotations.objects.2.polygon',
      'annotations.objects.3.bounding_box',
      'annotations.classifications.0.radio_answer',
      'annotations.classifications.1.checklist_answers.0.name',
    ])
    const after = (await db().select({ n: sql<number>`count(*)` }).from(labels).where(eq(labels.projectId, project.id)))[0]!.n
    expect(after).toBe(before)
  })

  it('refuses data rows that are not in the project, and both or neither identifiers', async () => {
    const out = await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), {
      json: { data_row_id: rows[5].id, annotations: good },
    })
    expect(out.status).toBe(400)
    expect((await json(out)).errors[0]).toMatchObject({ path: 'data_row_id' })
    expect((await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), { json: { annotations: good } })).status).toBe(400)
    expect(
      (await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), { json: { data_row_id: 'dr_nope', annotations: good } }))
        .status,
    ).toBe(400)
    expect(
      (
        await call(
          'POST',
          `/api/v1/projects/${project.id}/labels`,
          { cookie: orgs.orgB.ADMIN.cookie },
          { json: { data_row_id: rows[0].id } },
        )
      ).status,
    ).toBe(404)
  })

  it('labelers see only their own labels; reviewers see all and review; counters stay exact', async () => {
    const mgr = { cookie: orgs.orgA.TEAM_MANAGER.cookie }
    const byKey = await json(
      await call('POST', `/api/v1/projects/${project.id}/labels`, mgr, {
        json: {
          global_key: rows[1].global_key.toUpperCase(),
          annotations: { classifications: [{ name: 'Weather', radio_answer: { name: 'Rainy' } }] },
          seconds_to_create: 4,
        },
      }),
    )
    expect(byKey.data_row_id).toBe(rows[1].id)
    const skip = await json(
      await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), {
        json: { data_row_id: rows[2].id, skipped: true, seconds_to_create: 2 },
      }),
    )
    expect(skip.skipped).toBe(true)
    const mine = (await json(await call('GET', `/api/v1/projects/${project.id}/labels`, labeler()))).items
    expect(mine.every((l: any) => l.created_by === orgs.orgA.LABELER.id)).toBe(true)
    expect((await call('GET', `/api/v1/labels/${byKey.id}`, labeler())).status).toBe(404)
    const all = (await json(await call('GET', `/api/v1/projects/${project.id}/labels`, reviewer()))).items
    expect(all.map((l: any) => l.id)).toContain(byKey.id)

    expect((await call('POST', `/api/v1/labels/${byKey.id}/reviews`, labeler(), { json: { score: 1 } })).status).toBe(404)
    const r1 = await json(await call('POST', `/api/v1/labels/${byKey.id}/reviews`, reviewer(), { json: { score: 1 } }))
    expect(r1.review_state).toBe('ACCEPTED')
    const r2 = await json(await call('POST', `/api/v1/labels/${byKey.id}/reviews`, admin(), { json: { score: -1 } }))
    expect(r2.review_state).toBe('AMBIGUOUS')
    expect((await call('POST', `/api/v1/labels/${byKey.id}/reviews`, reviewer(), { json: { score: 0 } })).status).toBe(400)

    const o = await json(await call('GET', `/api/v1/projects/${project.id}/overview`, mgr))
    expect(o).toMatchObject({ data_rows: 5, labeled: 2, skipped: 1, remaining: 2, percent_complete: 60 })
    expect(o.reviews).toMatchObject({ unreviewed: 1, accepted: 0, declined: 0, ambiguous: 1, coverage: 50 })
    expect(o.objects).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Car', count: 1 }), expect.objectContaining({ name: 'Road', count: 1 })]),
    )
    expect(o.classifications).toEqual(
      expect.arrayContaining([
        { name: 'Weather', answer: 'Sunny', count: 1 },
        { name: 'Weather', answer: 'Rainy', count: 1 },
        { name: 'Color', answer: 'Red', count: 1 },
      ]),
    )
    expect(o.collaborators.map((c: any) => c.user_id).sort()).toEqual([orgs.orgA.LABELER.id, orgs.orgA.TEAM_MANAGER.id].sort())
    const labelerLine = o.collaborators.find((c: any) => c.user_id === orgs.orgA.LABELER.id)
    expect(labelerLine).toMatchObject({ labels: 1, skips: 1, seconds_total: 14.5, seconds_per_label: 14.5 })
    // A labeler sees only their own performance line and their own numbers in "mine".
    const asLabeler = await json(await call('GET', `/api/v1/projects/${project.id}/overview?scope=mine`, labeler()))
    expect(asLabeler.collaborators.map((c: any) => c.user_id)).toEqual([orgs.orgA.LABELER.id])
    expect(asLabeler).toMatchObject({ labeled: 1, skipped: 1, data_rows: 5 })
    expect(asLabeler.objects.map((x: any) => x.name).sort()).toEqual(['Car', 'Road'])
    const series = await json(await call('GET', `/api/v1/projects/${project.id}/label-series?bucket=day`, mgr))
    expect(series).toEqual([{ start: new Date().toISOString().slice(0, 10), count: 2 }])
    expect((await call('GET', `/api/v1/projects/${project.id}/label-series?bucket=year`, mgr)).status).toBe(400)
  })

  it('edits own labels; deleting keeps usage, frees the row, and updates counters', async () => {
    const l = await json(
      await call('POST', `/api/v1/projects/${project.id}/labels`, labeler(), {
        json: { data_row_id: rows[3].id, annotations: { objects: [{ name: 'Sign', point: { x: 1, y: 2 } }] } },
      }),
    )
    const upd = await call('PATCH', `/api/v1/labels/${l.id}`, labeler(), {
      json: {
        annotations: {
          objects: [
            ...l.annotations.objects,
            {
              name: 'Lane',
              line: [
                { x: 0, y: 0 },
                { x: 5, y: 5 },
              ],
            },
          ],
        },
      },
    })
    expect(upd.status).toBe(200)
    expect((await json(upd)).annotations.objects[0].feature_id).toBe(l.annotations.objects[0].feature_id)
    expect(
      (await call('PATCH', `/api/v1/labels/${l.id}`, { cookie: orgs.orgA.TEAM_MANAGER.cookie }, { json: { seconds_to_create: 3 } })).status,
    ).toBe(200)
    const usageBefore = (await db().select().from(usageFacts).where(eq(usageFacts.projectId, project.id))).reduce(
      (s, f) => s + f.annotations,
      0,
    )
    const before = await json(await call('GET', `/api/v1/projects/${project.id}/overview`, admin()))
    expect((await call('DELETE', `/api/v1/labels/${l.id}`, labeler())).status).toBe(204)
    const after = await json(await call('GET', `/api/v1/projects/${project.id}/overview`, admin()))
    expect(after.labeled).toBe(before.labeled - 1)
    expect(after.objects.find((o: any) => o.name === 'Lane')).toBeUndefined()
    const usageAfter = (await db().select().from(usageFacts).where(eq(usageFacts.projectId, project.id))).reduce(
      (s, f) => s + f.annotations,
      0,
    )
    expect(usageAfter).toBe(usageBefore)
  })

  it('refuses to remove an ontology feature that labels use', async () => {
    const without = { ...ONTOLOGY, tools: ONTOLOGY.tools.filter((t) => t.name !== 'Car').map((t) => ({ ...t })) }
    const res = await call('PATCH', `/api/v1/projects/${project.id}`, admin(), {
      json: {
        ontology: {
          ...without,
          tools: project.ontology.tools.filter((t: any) => t.name !== 'Car'),
          classifications: project.ontology.classifications,
        },
      },
    })
    expect(res.status).toBe(409)
    expect((await json(res)).detail).toMatch(/“Car” \(1 annotation\)/)
  })
})
