// A data row is queued only in a project of its media type (issue 19, guards): a batch that names
// rows of another type — by id, by global key or as a whole dataset — is refused whole, through the
// API (problem+json 400 naming the field) and the project's Data tab (inline, 422), with the count
// and the reason; nothing is attached.
import { beforeAll, describe, expect, it } from 'vitest'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: { id: string }
let ds: string
let images: { id: string; global_key: string }[]
let texts: { id: string; global_key: string }[]
let video: { id: string }

const admin = () => orgs.orgA.ADMIN
const count = async () => (await json(await call('GET', `/api/v1/projects/${project.id}`, admin()))).data_row_count

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  project = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Images'), media_type: 'IMAGE' } }))
  ds = (await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('mixed') } }))).id
  const tag = unique('g')
  const created = (
    await json(
      await call('POST', `/api/v1/datasets/${ds}/data-rows`, admin(), {
        json: [
          { row_data: 'https://x.test/1.jpg', global_key: `${tag}-i1` },
          { row_data: 'https://x.test/2.jpg', global_key: `${tag}-i2` },
          { row_data: 'First ticket', media_type: 'TEXT', global_key: `${tag}-t1` },
          { row_data: 'Second ticket', media_type: 'TEXT', global_key: `${tag}-t2` },
          { row_data: 'Third ticket', media_type: 'TEXT', global_key: `${tag}-t3` },
          { row_data: 'https://x.test/clip.mp4', media_type: 'VIDEO', global_key: `${tag}-v1` },
        ],
      }),
    )
  ).created
  images = created.slice(0, 2)
  texts = created.slice(2, 5)
  video = created[5]
})

describe('batches refuse rows of another media type', () => {
  it('API, by id: 400 problem+json naming data_row_ids, with the count and the reason; nothing attached', async () => {
    const res = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
      json: { name: unique('b'), data_row_ids: [...images, ...texts, video].map((r) => r.id) },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
    const p = await json(res)
    expect(p.detail).toMatch(/^3 rows are TEXT and 1 row is VIDEO; this is an IMAGE project\./)
    expect(p.errors).toEqual([{ path: 'data_row_ids', message: p.detail }])
    expect(await count()).toBe(0)
    expect(await json(await call('GET', `/api/v1/projects/${project.id}/batches`, admin()))).toEqual([])
  })

  it('API, by global key and by dataset: refused the same way, naming the field', async () => {
    const byKey = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
      json: { name: unique('b'), global_keys: [images[0]!.global_key, texts[0]!.global_key] },
    })
    expect(byKey.status).toBe(400)
    const k = await json(byKey)
    expect(k.detail).toMatch(/^1 row is TEXT; this is an IMAGE project\./)
    expect(k.errors[0].path).toBe('global_keys')
    const whole = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), { json: { name: unique('b'), dataset_id: ds } })
    expect(whole.status).toBe(400)
    const w = await json(whole)
    expect(w.detail).toMatch(/^3 rows are TEXT and 1 row is VIDEO; this is an IMAGE project\. Dataset “[^”]+” can be attached whole only/)
    expect(w.errors[0].path).toBe('dataset_id')
    expect(await count()).toBe(0)
  })

  it('API: rows of the project’s type alone are attached', async () => {
    const res = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
      json: { name: unique('b'), data_row_ids: images.map((r) => r.id) },
    })
    expect(res.status).toBe(201)
    expect(await json(res)).toMatchObject({ size: 2, skipped: 0 })
    expect(await count()).toBe(2)
  })

  it('the Data tab says the same inline (422), keeps the form, attaches nothing', async () => {
    const url = `/projects/${project.id}/settings/data`
    const res = await call('POST', url, orgs.orgA.TEAM_MANAGER, {
      form: { name: 'Mixed', data_row_ids: [images[0]!.id, texts[0]!.id, texts[1]!.id].join('\n') },
      htmx: true,
    })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('2 rows are TEXT; this is an IMAGE project.')
    expect(html).toContain('value="Mixed"')
    const whole = await call('POST', url, orgs.orgA.TEAM_MANAGER, { form: { name: 'Whole', dataset_id: ds }, htmx: true })
    expect(whole.status).toBe(422)
    expect(await whole.text()).toContain('3 rows are TEXT and 1 row is VIDEO; this is an IMAGE project.')
    expect(await count()).toBe(2)
  })

  it('a TEXT project takes the texts and refuses the images', async () => {
    const tp = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Texts'), media_type: 'TEXT' } }))
    const bad = await call('POST', `/api/v1/projects/${tp.id}/batches`, admin(), {
      json: { name: 'b', data_row_ids: [texts[0]!.id, images[0]!.id] },
    })
    expect(bad.status).toBe(400)
    expect((await json(bad)).detail).toMatch(/^1 row is IMAGE; this is a TEXT project\./)
    const good = await call('POST', `/api/v1/projects/${tp.id}/batches`, admin(), {
      json: { name: 'b', data_row_ids: texts.map((r) => r.id) },
    })
    expect(good.status).toBe(201)
    expect((await json(good)).size).toBe(3)
  })
})
