// Project settings → Data → "Upload files into a new dataset": the dataset is made from the
// project's page and its upload panel is told to attach the uploaded rows to the project. The
// browser half (uploading and the batch) is in test/e2e/project-upload.test.mjs.
import { beforeAll, describe, expect, it } from 'vitest'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let t: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: { id: string; name: string }

beforeAll(async () => {
  t = await seedTwoOrgs()
  project = await json(
    await call(
      'POST',
      '/api/v1/projects',
      { cookie: t.orgA.ADMIN.cookie },
      { json: { name: unique('Street scenes'), media_type: 'IMAGE' } },
    ),
  )
})

const datasetCount = async () => (await json(await call('GET', '/api/v1/datasets?limit=100', { cookie: t.orgA.ADMIN.cookie }))).items.length

describe('upload into a new dataset from project settings', () => {
  it('offers the form to admins only', async () => {
    const admin = await (await call('GET', `/projects/${project.id}/settings/data`, { cookie: t.orgA.ADMIN.cookie })).text()
    expect(admin).toContain('Upload files into a new dataset')
    expect(admin).toContain(`value="${project.name} uploads"`)
    // A team manager may attach batches but not create datasets.
    const tm = await (await call('GET', `/projects/${project.id}/settings/data`, { cookie: t.orgA.TEAM_MANAGER.cookie })).text()
    expect(tm).toContain('Attach data as a batch')
    expect(tm).not.toContain('Upload files into a new dataset')
  })

  it('creates the dataset and opens its upload panel aimed at the project', async () => {
    const res = await call(
      'POST',
      `/projects/${project.id}/settings/data/upload`,
      { cookie: t.orgA.ADMIN.cookie },
      { form: { name: 'Drive 7 frames', priority: '2' } },
    )
    expect(res.status).toBe(303)
    const loc = res.headers.get('location')!
    expect(loc).toMatch(new RegExp(`^/datasets/ds_[0-9A-Z]+\\?panel=upload&project=${project.id}&priority=2$`))
    const ds = await json(await call('GET', `/api/v1/datasets/${loc.split('/')[2]!.split('?')[0]}`, { cookie: t.orgA.ADMIN.cookie }))
    expect(ds.name).toBe('Drive 7 frames')
    const page = await (await call('GET', loc, { cookie: t.orgA.ADMIN.cookie })).text()
    expect(page).toContain(`data-attach-project="${project.id}"`)
    expect(page).toContain('data-attach-priority="2"')
    expect(page).toContain('data-attach-name="Drive 7 frames"')
    expect(page).toMatch(/also added to the project <a href="\/projects\/prj_[0-9A-Z]+\/settings\/data">/)
  })

  it('refuses an empty name inline and creates nothing', async () => {
    const before = await datasetCount()
    const res = await call(
      'POST',
      `/projects/${project.id}/settings/data/upload`,
      { cookie: t.orgA.ADMIN.cookie },
      { form: { name: '   ', priority: '9' } },
    )
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Name is required')
    expect(await datasetCount()).toBe(before)
  })

  it("ignores a project the person may not attach to (another org's, or unknown)", async () => {
    const foreign = await json(
      await call('POST', '/api/v1/projects', { cookie: t.orgB.ADMIN.cookie }, { json: { name: unique('Theirs'), media_type: 'IMAGE' } }),
    )
    const ds = await json(await call('POST', '/api/v1/datasets', { cookie: t.orgA.ADMIN.cookie }, { json: { name: unique('d') } }))
    for (const id of [foreign.id, 'prj_00000000000000000000000000']) {
      const page = await call('GET', `/datasets/${ds.id}?panel=upload&project=${id}&priority=1`, { cookie: t.orgA.ADMIN.cookie })
      expect(page.status).toBe(200)
      expect(await page.text()).not.toContain('data-attach-project')
    }
  })
})
