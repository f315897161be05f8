import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { eq, sql } from 'drizzle-orm'
import { usageFacts } from '../../src/db/schema'
import { rollupUsage } from '../../src/modules/usage/rollup'
import { makeDb } from '../../src/db/client'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  const rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: [{ row_data: 'https://x.test/a.jpg' }, { row_data: 'https://x.test/b.jpg' }],
      }),
    )
  ).created
  const p = await json(
    await call('POST', '/api/v1/projects', admin(), {
      json: { name: unique('Web usage'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } },
    }),
  )
  await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: rows.map((r: any) => r.id) } })
  for (const r of rows) {
    const res = await call('POST', `/api/v1/projects/${p.id}/labels`, admin(), {
      json: { data_row_id: r.id, annotations: { classifications: [{ name: 'Q', text_answer: { content: 'x' } }] }, seconds_to_create: 30 },
    })
    expect(res.status).toBe(201)
  }
  // One of them on a past day.
  const [last] = await db()
    .select({ id: sql<number>`max(${usageFacts.id})` })
    .from(usageFacts)
    .where(eq(usageFacts.projectId, p.id))
  await db().update(usageFacts).set({ day: '2026-01-15' }).where(eq(usageFacts.id, last!.id))
  await rollupUsage(makeDb(env.DB))
})

describe('usage page', () => {
  it('shows admins the total, the chart and both tables', async () => {
    const res = await call('GET', '/account/usage?start_date=2026-01-01&end_date=2026-03-01', admin())
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('id="usage-chart"')
    expect(html).toMatch(/<title>2026-01-15: 1 annotation — Images 1<\/title>/)
    expect(html).toContain('Organization usage')
    expect(html).toContain('id="usage-months"')
    expect(html).toContain('Jan 2026')
    expect(html).toContain('Labeling breakdown')
    expect(html).toContain('id="usage-projects"')
    expect(html).toContain('id="usage-members"')
    expect(html).toContain(orgs.orgA.ADMIN.email)
    expect(html).toContain('Last updated')
    expect(html).toContain('/account/usage.csv?start_date=2026-01-01&amp;end_date=2026-03-01')
  })

  it('defaults to the last 30 days, has presets, and buckets long ranges', async () => {
    const html = await (await call('GET', '/account/usage', admin())).text()
    expect(html).toContain('Last 30 days')
    expect(html).toMatch(/aria-current="true"[^>]*>\s*Last 30 days|Last 30 days/)
    const year = await (await call('GET', '/account/usage?days=365', admin())).text()
    expect(year).toContain('Annotations per month by asset type')
  })

  it('shows range errors on the form', async () => {
    const res = await call('GET', '/account/usage?start_date=2026-03-01&end_date=2026-01-01', admin())
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('The end date must be after the start date')
  })

  it('downloads CSV', async () => {
    const res = await call('GET', '/account/usage.csv?start_date=2026-01-01&end_date=2026-03-01', admin())
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toMatch(/text\/csv/)
    const body = await res.text()
    expect(body).toContain('day,2026-01-15,,1,0,0,0,1')
    expect(body).toContain('month,2026-01')
  })

  it('refuses non-admins', async () => {
    expect((await call('GET', '/account/usage', { cookie: orgs.orgA.LABELER.cookie })).status).toBe(403)
    expect((await call('GET', '/account/usage.csv', { cookie: orgs.orgA.TEAM_MANAGER.cookie })).status).toBe(403)
    expect((await call('GET', '/account/usage', undefined)).status).toBe(303)
  })
})
