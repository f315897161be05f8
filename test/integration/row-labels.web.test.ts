// The data-row page's labels through the Worker (issue 19, "See and fix"): every geometry kind drawn
// in the image's own pixels, answers (nested too), who and when, the review state, "Open in editor"
// only for those updateLabel lets edit, the versions an edit keeps, and tenancy (a foreign row or
// label is a 404, another organization's labels never show).
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeUser, seedTwoOrgs, unique, type TestUser } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let otherLabeler: TestUser
let project: any
let textProject: any
let ds: string
let row: string
let textRow: string
let label: string
let textLabel: string

const ok = async (res: Response, status = 201) => {
  expect(res.status, await res.clone().text()).toBe(status)
  return json(res)
}
const page = async (who: { cookie: string }, path = `/datasets/${ds}/rows/${row}`) => call('GET', path, who)
const html = async (who: { cookie: string }, path?: string) => {
  const res = await page(who, path)
  expect(res.status).toBe(200)
  return res.text()
}
const editLink = (l: string, p = project.id) =>
  `href="/projects/${p}/labels/${l}/edit?return=${encodeURIComponent(`/datasets/${ds}/rows/${row}`)}"`

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  otherLabeler = await makeUser(orgs.a, 'LABELER')
  const admin = orgs.orgA.ADMIN
  const ontology = {
    tools: [
      {
        name: 'Car',
        tool: 'bounding_box',
        color: '#ff0000',
        classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }] }],
      },
      { name: 'Lane', tool: 'polygon' },
      { name: 'Curb', tool: 'line' },
      { name: 'Sign', tool: 'point' },
      { name: 'Road', tool: 'mask' },
    ],
    classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
  }
  project = await ok(await call('POST', '/api/v1/projects', admin, { json: { name: unique('Street'), media_type: 'IMAGE', ontology } }))
  textProject = await ok(
    await call('POST', '/api/v1/projects', admin, {
      json: {
        name: unique('Tickets'),
        media_type: 'TEXT',
        ontology: { tools: [{ name: 'Person', tool: 'text_entity' }], classifications: [] },
      },
    }),
  )
  ds = (await ok(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('rows') } }))).id
  const created = (
    await ok(
      await call('POST', `/api/v1/datasets/${ds}/data-rows`, admin, {
        json: [
          { row_data: 'https://x.test/street.jpg', media_attributes: { width: 640, height: 480, mime_type: 'image/jpeg' } },
          { row_data: 'Alice met Bob in Paris.', media_type: 'TEXT' },
        ],
      }),
    )
  ).created
  row = created[0].id
  textRow = created[1].id
  await ok(await call('POST', `/api/v1/projects/${project.id}/batches`, admin, { json: { name: 'b', data_row_ids: [row] } }))
  await ok(await call('POST', `/api/v1/projects/${textProject.id}/batches`, admin, { json: { name: 'b', data_row_ids: [textRow] } }))
  label = (
    await ok(
      await call('POST', `/api/v1/projects/${project.id}/labels`, orgs.orgA.LABELER, {
        json: {
          data_row_id: row,
          annotations: {
            objects: [
              {
                name: 'Car',
                bounding_box: { top: 20, left: 10, height: 40, width: 30 },
                classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
              },
              {
                name: 'Lane',
                polygon: [
                  { x: 1, y: 2 },
                  { x: 300, y: 4 },
                  { x: 5, y: 460 },
                ],
              },
              {
                name: 'Curb',
                line: [
                  { x: 0, y: 470 },
                  { x: 639, y: 471 },
                ],
              },
              { name: 'Sign', point: { x: 600, y: 33 } },
              { name: 'Road', mask: { url: 'https://x.test/mask.png' } },
            ],
            classifications: [{ name: 'Weather', radio_answer: { name: 'Sunny' } }],
          },
        },
      }),
    )
  ).id
  textLabel = (
    await ok(
      await call('POST', `/api/v1/projects/${textProject.id}/labels`, orgs.orgA.LABELER, {
        json: { data_row_id: textRow, annotations: { objects: [{ name: 'Person', location: { start: 10, end: 12 } }] } },
      }),
    )
  ).id
})

describe('the data-row page shows labels drawn over the asset', () => {
  it('draws every geometry kind in the original image pixels, with answers, author and review state', async () => {
    const h = await html(orgs.orgA.ADMIN)
    expect(h).toContain('viewBox="0 0 640 480"')
    expect(h).toMatch(/<rect data-kind="ImageBoundingBox" x="10" y="20" width="30" height="40" fill="#ff0000"/)
    expect(h).toMatch(/<polygon data-kind="ImagePolygon" points="1,2 300,4 5,460"/)
    expect(h).toMatch(/<polyline data-kind="ImagePolyline" points="0,470 639,471"/)
    expect(h).toMatch(/<circle data-kind="ImagePoint" cx="600" cy="33"/)
    expect(h).toMatch(/<image data-kind="ImageSegmentationMask" href="https:\/\/x.test\/mask.png" x="0" y="0" width="640" height="480"/)
    // Answers: the global one and the one nested under the Car.
    expect(h).toMatch(/Weather<\/span> <strong class="answer-a">Sunny<\/strong>/)
    expect(h).toMatch(/Color<\/span> <strong class="answer-a">Red<\/strong>/)
    // Who (a name, not an id), when, and the review state.
    expect(h).toContain(orgs.orgA.LABELER.fullName)
    expect(h).toContain('Not reviewed')
    expect(h).toContain(`>${project.name}</a>`)
  })

  it('marks text entities in the text (end inclusive)', async () => {
    const h = await html(orgs.orgA.ADMIN, `/datasets/${ds}/rows/${textRow}`)
    expect(h).toContain('<mark class="entity" data-kind="TextEntity" title="Person">Bob</mark>')
    expect(h).toContain(
      editLink(textLabel, textProject.id).replace(
        encodeURIComponent(`/datasets/${ds}/rows/${row}`),
        encodeURIComponent(`/datasets/${ds}/rows/${textRow}`),
      ),
    )
  })

  it('the review page draws the label with the same overlay and offers Fix (edit, accept, back to the queue)', async () => {
    const res = await call('GET', `/projects/${project.id}/review`, orgs.orgA.REVIEWER)
    expect(res.status).toBe(200)
    const h = await res.text()
    expect(h).toContain('viewBox="0 0 640 480"')
    for (const kind of ['ImageBoundingBox', 'ImagePolygon', 'ImagePolyline', 'ImagePoint', 'ImageSegmentationMask'])
      expect(h).toContain(`data-kind="${kind}"`)
    expect(h).toContain(
      `href="/projects/${project.id}/labels/${label}/edit?review=1&amp;return=${encodeURIComponent(`/projects/${project.id}/review`)}"`,
    )
    const text = await (await call('GET', `/projects/${textProject.id}/review`, orgs.orgA.REVIEWER)).text()
    expect(text).toContain('<mark class="entity" data-kind="TextEntity" title="Person">Bob</mark>')
  })

  it('shows the review state once reviewed', async () => {
    await ok(await call('POST', `/api/v1/labels/${label}/reviews`, orgs.orgA.REVIEWER, { json: { score: 1 } }))
    expect(await html(orgs.orgA.ADMIN)).toContain('Accepted')
  })

  it('"Open in editor" only for those updateLabel lets edit: the author, reviewers and up', async () => {
    for (const who of [orgs.orgA.LABELER, orgs.orgA.REVIEWER, orgs.orgA.TEAM_MANAGER, orgs.orgA.ADMIN]) {
      const h = await html(who)
      expect(h, who.role).toContain(editLink(label))
      expect(h, who.role).toContain('Open in editor')
    }
    // Another labeler neither sees the label nor may edit it (labelers see their own labels only).
    const other = await html(otherLabeler)
    expect(other).not.toContain(editLink(label))
    expect(other).not.toContain('data-kind="ImageBoundingBox"')
    expect(other).toContain('No label you can see is on this row yet.')
  })

  it('keeps history: an edit adds a version row and the page says who edited and how many versions', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM label_versions WHERE label_id = ?').bind(label).first<{ n: number }>()
    expect(before!.n).toBe(0)
    const edited = await call('PATCH', `/api/v1/labels/${label}`, orgs.orgA.REVIEWER, {
      json: { annotations: { objects: [{ name: 'Sign', point: { x: 5, y: 6 } }], classifications: [] } },
    })
    expect(edited.status, await edited.clone().text()).toBe(200)
    // Only the time: no new version.
    expect((await call('PATCH', `/api/v1/labels/${label}`, orgs.orgA.REVIEWER, { json: { seconds_to_create: 9 } })).status).toBe(200)
    const v = await env.DB.prepare('SELECT label_id, org_id, annotations, edited_by FROM label_versions WHERE label_id = ?')
      .bind(label)
      .all<any>()
    expect(v.results).toHaveLength(1)
    expect(v.results[0].org_id).toBe(orgs.a.id)
    expect(v.results[0].edited_by).toBe(orgs.orgA.REVIEWER.id)
    // The version holds the annotations before the edit.
    expect(JSON.parse(v.results[0].annotations).objects).toHaveLength(5)
    const h = await html(orgs.orgA.ADMIN)
    expect(h).toContain(`edited by ${orgs.orgA.REVIEWER.fullName}`)
    expect(h).toContain('2 versions')
    expect(h).toMatch(/Version 2 \(current\): edited by [^<]+<time[^>]*>[^<]*<\/time><span class="muted"> · 1 objects/)
    expect(h).toMatch(/Version 1: labeled by [^<]+<time[^>]*>[^<]*<\/time><span class="muted"> · 5 objects/)
    expect(h).toMatch(/<circle data-kind="ImagePoint" cx="5" cy="6"/)
    expect(h).not.toContain('data-kind="ImageBoundingBox"')
    // Deleting the label takes its versions with it.
    const other = (
      await ok(
        await call('POST', `/api/v1/projects/${project.id}/labels`, orgs.orgA.ADMIN, {
          json: { data_row_id: row, annotations: { objects: [{ name: 'Sign', point: { x: 1, y: 1 } }] } },
        }),
      )
    ).id
    await ok(await call('PATCH', `/api/v1/labels/${other}`, orgs.orgA.ADMIN, { json: { annotations: { objects: [] } } }), 200)
    expect((await call('DELETE', `/api/v1/labels/${other}`, orgs.orgA.ADMIN)).status).toBe(204)
    const left = await env.DB.prepare('SELECT count(*) AS n FROM label_versions WHERE label_id = ?').bind(other).first<{ n: number }>()
    expect(left!.n).toBe(0)
  })

  it("the dashboard's activity rows link to the data row at the label", async () => {
    const dash = await (await call('GET', `/projects/${project.id}`, orgs.orgA.ADMIN)).text()
    expect(dash).toContain(`href="/datasets/${ds}/rows/${row}#label-${label}"`)
    expect(await html(orgs.orgA.ADMIN)).toContain(`id="label-${label}"`)
  })

  it('is a 404 for another organization, a row of another dataset, and never shows foreign labels', async () => {
    expect((await page(orgs.orgB.ADMIN)).status).toBe(404)
    const foreignDs = (await ok(await call('POST', '/api/v1/datasets', orgs.orgB.ADMIN, { json: { name: unique('b') } }))).id
    expect((await page(orgs.orgB.ADMIN, `/datasets/${foreignDs}/rows/${row}`)).status).toBe(404)
    const otherDs = (await ok(await call('POST', '/api/v1/datasets', orgs.orgA.ADMIN, { json: { name: unique('a2') } }))).id
    expect((await page(orgs.orgA.ADMIN, `/datasets/${otherDs}/rows/${row}`)).status).toBe(404)
    expect((await page(orgs.orgA.ADMIN, `/datasets/${ds}/rows/dr_nope`)).status).toBe(404)
  })
})
