// The flows of issue 20 that needed ids or left people guessing: the dataset picker of a project's
// Data tab, the dataset-delete warning, webhook Ping staying on its page, the GraphQL help and
// names instead of ids in the activity.
import { beforeAll, describe, expect, it } from 'vitest'
import { seedTwoOrgs } from '../helpers/factories'
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
