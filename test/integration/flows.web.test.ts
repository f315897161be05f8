// The flows of issue 20 that needed ids or left people guessing: the dataset picker of a project's
// Data tab, the dataset-delete warning, webhook Ping staying on its page, the GraphQL help and
// names instead of ids in the activity.
import { beforeAll, describe, expect, it } from 'vitest'
import { makeApiKey, seedTwoOrgs } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { freshProject, makeDataRows } from '../helpers/routes-projects'

let t: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  t = await seedTwoOrgs()
})
const admin = () => ({ cookie: t.orgA.ADMIN.cookie })
const manager = () => ({ cookie: t.orgA.TEAM_MANAGER.cookie })
const datasetName = async (id: string) => (await json(await call('GET', `/api/v1/datasets/${id}`, admin()))).name as string

describe('project Data tab: dataset picker', () => {
  it('lists the organization’s datasets by name with row counts, and attaches the one picked', async () => {
    const p = await freshProject(t.orgA.ADMIN)
    const mine = await makeDataRows(t.a, t.orgA.ADMIN.id, 3)
    const foreign = await makeDataRows(t.b, t.orgB.ADMIN.id, 2)
    const name = await datasetName(mine.datasetId)
    const url = `/projects/${p.id}/settings/data`
    const page = await (await call('GET', url, manager())).text()
    expect(page).toContain('<select class="select" id="f-dataset_id" name="dataset_id"')
    expect(page).toContain(`<option value="${mine.datasetId}">${name} · 3 rows</option>`)
    expect(page).not.toContain(foreign.datasetId)

    const res = await call('POST', url, manager(), { form: { name: 'Picked', dataset_id: mine.datasetId }, htmx: true })
    expect(res.status).toBe(201)
    expect(await res.text()).toContain('Attached 3 data rows as batch “Picked”.')

    // The server still checks the id: another organization's dataset is not found, and the form
    // keeps showing what was sent.
    const bad = await call('POST', url, manager(), { form: { name: 'Foreign', dataset_id: foreign.datasetId }, htmx: true })
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(html).toMatch(/not found/i)
    expect(html).toContain(`<option value="${foreign.datasetId}" selected="">${foreign.datasetId}</option>`)
  })
})

describe('deleting a dataset that projects use', () => {
  it('the confirm step lists each project with the rows it loses', async () => {
    const rows = await makeDataRows(t.a, t.orgA.ADMIN.id, 5)
    const some = await freshProject(t.orgA.ADMIN)
    const all = await freshProject(t.orgA.ADMIN)
    const unused = await freshProject(t.orgA.ADMIN)
    const attach = async (p: string, form: Record<string, string>) =>
      expect((await call('POST', `/projects/${p}/settings/data`, admin(), { form: { name: 'B', ...form }, htmx: true })).status).toBe(201)
    await attach(some.id, { data_row_ids: rows.ids.slice(0, 2).join('\n') })
    await attach(all.id, { dataset_id: rows.datasetId })

    const url = `/datasets/${rows.datasetId}/delete`
    const res = await call('GET', url, admin())
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('2 projects use this dataset')
    expect(html).toContain('7 of their data rows leave them')
    const cells = [...html.matchAll(/<a href="\/projects\/([^"]+)">[^<]*<\/a><\/td><td class="num">([\d,]+)<\/td>/g)].map((m) => [
      m[1],
      m[2],
    ])
    expect(cells).toEqual([
      [all.id, '5'],
      [some.id, '2'],
    ])
    expect(html).not.toContain(unused.id)
    expect(html).toContain(`action="/datasets/${rows.datasetId}/delete"`)

    // Only those who may delete see it; another organization gets a 404.
    expect((await call('GET', url, manager())).status).toBe(403)
    expect((await call('GET', url, { cookie: t.orgB.ADMIN.cookie })).status).toBe(404)

    // The dataset's menus lead to this step instead of deleting at once.
    const page = await (await call('GET', `/datasets/${rows.datasetId}`, admin())).text()
    expect(page).toContain(`<a class="menu-item danger" href="${url}">`)

    expect((await call('POST', url, admin(), { form: {} })).status).toBe(303)
    const count = async (id: string) => (await json(await call('GET', `/api/v1/projects/${id}`, admin()))).data_row_count
    expect(await count(some.id)).toBe(0)
    expect(await count(all.id)).toBe(0)
  })

  it('says so when no project uses the dataset', async () => {
    const rows = await makeDataRows(t.a, t.orgA.ADMIN.id, 1)
    const html = await (await call('GET', `/datasets/${rows.datasetId}/delete`, admin())).text()
    expect(html).toContain('No project uses this dataset’s rows.')
  })
})

describe('webhooks tab', () => {
  it('Ping answers with a redirect to the webhook page, which shows the queued ping on a plain GET', async () => {
    const created = await call('POST', '/api/v1/webhooks', admin(), {
      json: { url: 'https://hooks.example.com/flows', topics: ['LABEL_CREATED'] },
    })
    expect(created.status).toBe(201)
    const w = await json(created)
    const res = await call('POST', `/account/webhooks/${w.id}/ping`, admin(), { form: {} })
    expect(res.status).toBe(303)
    const location = res.headers.get('Location')!
    const m = new RegExp(`^/account/webhooks/${w.id}\\?pinged=(evt_\\w+)$`).exec(location)
    expect(m).not.toBeNull()
    const page = await call('GET', location, admin())
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(`Ping ${m![1]} queued; its delivery shows below within seconds.`)
    // Only an event id makes a notice; anything else is ignored, not echoed.
    expect(await (await call('GET', `/account/webhooks/${w.id}?pinged=<b>x</b>`, admin())).text()).not.toContain('alert-success')
    expect((await call('POST', `/account/webhooks/${w.id}/ping`, { cookie: t.orgB.ADMIN.cookie }, { form: {} })).status).toBe(404)
  })

  it('explains signatures (a snippet per scheme), the topics, the retries and which URLs are refused', async () => {
    const html = await (await call('GET', '/account/webhooks', admin())).text()
    expect(html).toContain('<h2>Receiving webhooks</h2>')
    expect(html).toContain('Node: check webhook-signature')
    expect(html).toContain('Python: check X-Hub-Signature-256')
    expect(html).toContain('createHmac(&#39;sha256&#39;, key)')
    expect(html).toContain('hmac.new(secret.encode(), raw_body, hashlib.sha256)')
    for (const topic of ['LABEL_CREATED', 'REVIEW_UPDATED', 'TASK_FAILED', 'PING']) expect(html).toContain(`<code>${topic}</code>`)
    expect(html).toContain('retried after 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h (about 23 h in all')
    expect(html).toContain('After 5 events in a row fail')
    // The test Worker runs with the production setting.
    expect(html).toContain('https only. Loopback, private and link-local addresses')
  })
})

describe('Usage page: GraphQL', () => {
  it('shows a copyable curl example for /graphql that answers when run as written', async () => {
    const html = await (await call('GET', '/account/usage?start_date=2026-11-01&end_date=2026-12-01', admin())).text()
    const pre = /<pre id="usage-graphql-curl"[^>]*>([^<]*)<\/pre>/.exec(html)?.[1]
    expect(pre).toBeDefined()
    expect(html).toContain('data-copy="#usage-graphql-curl"')
    const text = pre!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
    expect(text).toMatch(/^curl -s http:\/\/localhost\/graphql \\\n/)
    const body = /-d '([^']+)'$/.exec(text)?.[1]
    expect(body).toBeDefined()
    // Run it with an admin's key: the query is valid against the real schema.
    const key = await makeApiKey(t.orgA.ADMIN)
    const res = await call('POST', '/graphql', { key: key.key }, { json: JSON.parse(body!) })
    expect(res.status).toBe(200)
    const out = await json(res)
    expect(out.errors).toBeUndefined()
    expect(Array.isArray(out.data.annotationCounts)).toBe(true)
    expect(JSON.parse(body!).variables).toEqual({ where: { startDate: '2026-11-01', endDate: '2026-12-01' } })
  })
})

describe('names instead of internal ids', () => {
  it('activity names and links data rows; review shows tool kinds in words; a data row says who created it', async () => {
    const rows = await makeDataRows(t.a, t.orgA.ADMIN.id, 2)
    const p = await freshProject(t.orgA.ADMIN, { ontology: { tools: [{ name: 'Car', tool: 'bounding_box' }], classifications: [] } })
    await call('POST', `/projects/${p.id}/settings/data`, admin(), { form: { name: 'B', dataset_id: rows.datasetId }, htmx: true })
    const res = await call(
      'POST',
      `/api/v1/projects/${p.id}/labels`,
      { cookie: t.orgA.LABELER.cookie },
      {
        json: {
          data_row_id: rows.ids[0],
          annotations: { objects: [{ name: 'Car', bounding_box: { top: 1, left: 2, height: 3, width: 4 } }] },
        },
      },
    )
    expect(res.status, await res.clone().text()).toBe(201)
    const labelId = (await json(res)).id

    const dash = await (await call('GET', `/projects/${p.id}`, admin())).text()
    const activity = dash.slice(dash.indexOf('id="activity"'))
    // The link goes to the row's page at the label, drawn there over the asset.
    expect(activity).toContain(
      `<a href="/datasets/${rows.datasetId}/rows/${rows.ids[0]}#label-${labelId}" title="${rows.ids[0]}"><span class="ds-break">${rows.keys[0]}</span></a>`,
    )
    expect(activity).toContain(t.orgA.LABELER.fullName)

    const review = await (await call('GET', `/projects/${p.id}/review`, admin())).text()
    expect(review).toContain('<strong>Car</strong> <span class="muted small">Bounding box · ')
    // The export kind names only the drawing's markup (data-kind), never a word people read.
    expect(review).not.toMatch(/>[^<]*ImageBoundingBox/)

    const row = await (await call('GET', `/datasets/${rows.datasetId}/rows/${rows.ids[0]}`, admin())).text()
    expect(row).toContain(
      `<dd title="${t.orgA.ADMIN.id}">${t.orgA.ADMIN.fullName} <span class="muted small">${t.orgA.ADMIN.email}</span></dd>`,
    )
  })
})
