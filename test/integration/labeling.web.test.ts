import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { makeUser, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 4 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: unique(`q${i}`) })),
      }),
    )
  ).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), {
      json: {
        name: unique('Queue'),
        media_type: 'IMAGE',
        ontology: {
          tools: [{ name: 'Car', tool: 'bounding_box' }],
          classifications: [{ name: 'Weather', type: 'radio', required: true, options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
        },
      },
    }),
  )
  await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'low', priority: 5, data_row_ids: [rows[0].id, rows[1].id] },
  })
  await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'high', priority: 1, data_row_ids: [rows[2].id, rows[3].id] },
  })
})

const rowIn = (html: string) => /name="data_row_id" value="([^"]+)"/.exec(html)?.[1]

describe('labeling queue', () => {
  it('serves rows by batch priority, never the same row to two people at once', async () => {
    const a = await makeUser(orgs.a, 'LABELER')
    const b = await makeUser(orgs.a, 'LABELER')
    const pageA = await (await call('GET', `/projects/${project.id}/label`, { cookie: a.cookie })).text()
    const pageB = await (await call('GET', `/projects/${project.id}/label`, { cookie: b.cookie })).text()
    const ra = rowIn(pageA)
    const rb = rowIn(pageB)
    expect([rows[2].id, rows[3].id]).toContain(ra)
    expect([rows[2].id, rows[3].id]).toContain(rb)
    expect(ra).not.toBe(rb)
    // A reload gives the same reserved row back.
    expect(rowIn(await (await call('GET', `/projects/${project.id}/label`, { cookie: a.cookie })).text())).toBe(ra)
    expect(pageA).toContain('data-shortcut="1"')
    expect(pageA).toContain('Sunny')
  })

  it('submits a box and a radio answer with the time spent; skips; required answers are enforced', async () => {
    const u = orgs.orgA.LABELER
    const page = await (await call('GET', `/projects/${project.id}/label`, { cookie: u.cookie })).text()
    const row = rowIn(page)!
    const started = /name="started_at" value="(\d+)"/.exec(page)![1]!
    const weather = project.ontology.classifications[0]
    const car = project.ontology.tools[0]
    const missing = await call(
      'POST',
      `/projects/${project.id}/label`,
      { cookie: u.cookie },
      { form: { data_row_id: row, started_at: started, objects: '[]' } },
    )
    expect(missing.status).toBe(422)
    expect(await missing.text()).toContain('Answer the required question: Weather')
    const objects = JSON.stringify([{ feature_schema_id: car.feature_schema_id, bounding_box: { top: 5, left: 6, height: 20, width: 30 } }])
    const ok = await call(
      'POST',
      `/projects/${project.id}/label`,
      { cookie: u.cookie },
      {
        form: {
          data_row_id: row,
          started_at: String(Number(started) - 7000),
          objects,
          [`cls.${weather.feature_schema_id}`]: weather.options[1].feature_schema_id,
        },
      },
    )
    expect(ok.status).toBe(303)
    const mine = (await json(await call('GET', `/api/v1/projects/${project.id}/labels`, { cookie: u.cookie }))).items
    const l = mine.find((x: any) => x.data_row_id === row)
    expect(l.annotations.objects[0]).toMatchObject({ name: 'Car', bounding_box: { top: 5, left: 6, height: 20, width: 30 } })
    expect(l.annotations.classifications[0].radio_answer.name).toBe('Rainy')
    expect(l.seconds_to_create).toBeGreaterThanOrEqual(7)
    // Skip the next one.
    const next = rowIn(await (await call('GET', `/projects/${project.id}/label`, { cookie: u.cookie })).text())!
    expect(next).not.toBe(row)
    const skip = await call(
      'POST',
      `/projects/${project.id}/label`,
      { cookie: u.cookie },
      { form: { data_row_id: next, started_at: started, objects: '[]', skip: '1' } },
    )
    expect(skip.status).toBe(303)
    const o = await json(await call('GET', `/api/v1/projects/${project.id}/overview`, admin()))
    expect(o.labeled).toBeGreaterThanOrEqual(1)
    expect(o.skipped).toBeGreaterThanOrEqual(1)
  })

  it('review queue: reviewers accept or decline; labelers get 403', async () => {
    expect((await call('GET', `/projects/${project.id}/review`, { cookie: orgs.orgA.LABELER.cookie })).status).toBe(403)
    const page = await (await call('GET', `/projects/${project.id}/review`, { cookie: orgs.orgA.REVIEWER.cookie })).text()
    const labelId = /name="label_id" value="([^"]+)"/.exec(page)?.[1]
    expect(labelId).toMatch(/^lbl_/)
    // The label is drawn by the overlay (views/labels/label-overlay.tsx); Fix opens it in the editor.
    expect(page).toContain('class="overlay-svg"')
    expect(page).toContain(
      `href="/projects/${project.id}/labels/${labelId}/edit?review=1&amp;return=${encodeURIComponent(`/projects/${project.id}/review`)}"`,
    )
    const res = await call(
      'POST',
      `/projects/${project.id}/review`,
      { cookie: orgs.orgA.REVIEWER.cookie },
      { form: { label_id: labelId!, score: '1' } },
    )
    expect(res.status).toBe(303)
    expect((await json(await call('GET', `/api/v1/labels/${labelId}`, admin()))).review_state).toBe('ACCEPTED')
    const empty = await (await call('GET', `/projects/${project.id}/review`, { cookie: orgs.orgA.REVIEWER.cookie })).text()
    expect(empty).toContain('Nothing to review')
  })

  it('other organizations and project-based members without a role get 404', async () => {
    expect((await call('GET', `/projects/${project.id}/label`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('GET', `/projects/${project.id}/label`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(404)
  })

  // The page reserves its row in the same batch that confirms a remembered session
  // (src/modules/labels/work-queue.ts): a stale actor's batch must reserve nothing.
  it('a project-based labeler gets a row; a remembered actor who lost the right reserves nothing', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Queue2'), media_type: 'IMAGE', ontology: { tools: [] } } }),
    )
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'all', data_row_ids: rows.map((r) => r.id) } })
    const reservedBy = async (userId: string) =>
      (await env.DB.prepare('SELECT count(*) AS n FROM project_data_rows WHERE project_id = ? AND reserved_by = ?')
        .bind(p.id, userId)
        .first<{ n: number }>())!.n
    const projectBased = await makeUser(orgs.a, 'NONE')
    const set = await call('PUT', `/api/v1/projects/${p.id}/members/${projectBased.id}`, admin(), { json: { role: 'LABELER' } })
    expect(set.status).toBe(200)
    const page = await (await call('GET', `/projects/${p.id}/label`, { cookie: projectBased.cookie })).text()
    expect(rows.map((r) => r.id)).toContain(rowIn(page))
    expect(await reservedBy(projectBased.id)).toBe(1)

    // Each is remembered by this isolate (a first GET), then loses the right behind its back.
    const demoted = await makeUser(orgs.a, 'LABELER')
    const loggedOut = await makeUser(orgs.a, 'LABELER')
    for (const u of [demoted, loggedOut]) expect((await call('GET', '/projects', { cookie: u.cookie })).status).toBe(200)
    await env.DB.prepare(`UPDATE memberships SET role = 'NONE' WHERE user_id = ?`).bind(demoted.id).run()
    await env.DB.prepare('DELETE FROM sessions WHERE user_id = ?').bind(loggedOut.id).run()
    expect((await call('GET', `/projects/${p.id}/label`, { cookie: demoted.cookie })).status).toBe(404)
    expect((await call('GET', `/projects/${p.id}/label`, { cookie: loggedOut.cookie })).status).toBe(303)
    expect(await reservedBy(demoted.id)).toBe(0)
    expect(await reservedBy(loggedOut.id)).toBe(0)
  })
})
