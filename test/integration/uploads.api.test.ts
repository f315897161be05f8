import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { sniff } from '../../src/modules/datasets/uploads'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
// A 1×1 PNG.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (c) =>
  c.charCodeAt(0),
)

async function dataset() {
  return json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('up') } }))
}

describe('uploads and content', () => {
  it('stores files in R2, one data row each, typed by content; serves them only to allowed people', async () => {
    const d = await dataset()
    const form = new FormData()
    form.append('file', new File([PNG], 'photo.dat', { type: 'application/octet-stream' }))
    form.append('file', new File(['hello labelers'], 'note.txt', { type: 'text/plain' }))
    const res = await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { body: form })
    expect(res.status, await res.clone().text()).toBe(201)
    const { created } = await json(res)
    expect(created.map((r: any) => r.media_type)).toEqual(['IMAGE', 'TEXT'])
    expect(created[0].external_id).toBe('photo.dat')
    expect(created[0].row_data).toMatch(new RegExp(`^r2://uploads/${orgs.a.id}/${d.id}/dr_`))
    expect(created[0].media_attributes).toMatchObject({ mime_type: 'image/png', file_size: PNG.length })
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(2)

    const img = await call('GET', `/api/v1/data-rows/${created[0].id}/content`, { cookie: orgs.orgA.LABELER.cookie })
    expect(img.status).toBe(200)
    expect(img.headers.get('Content-Type')).toBe('image/png')
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(PNG)
    const part = await call('GET', `/api/v1/data-rows/${created[1].id}/content`, admin(), { headers: { Range: 'bytes=0-4' } })
    expect(part.status).toBe(206)
    expect(await part.text()).toBe('hello')
    // Another organization, and a project-based member without the row in a project: 404.
    expect((await call('GET', `/api/v1/data-rows/${created[0].id}/content`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('GET', `/api/v1/data-rows/${created[0].id}/content`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(404)
    // …until the row is in a project where they hold a role.
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('P'), media_type: 'IMAGE' } }))
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: [created[0].id] } })
    await call('PUT', `/api/v1/projects/${p.id}/members/${orgs.orgA.NONE.id}`, admin(), { json: { role: 'LABELER' } })
    expect((await call('GET', `/api/v1/data-rows/${created[0].id}/content`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(200)
  })

  it('names an uploaded row by its file name (its global key); a name already taken gets the row id added', async () => {
    const d = await dataset()
    const name = `${unique('street')}.png`
    const up = async () => {
      const form = new FormData()
      form.append('file', new File([PNG], name, { type: 'image/png' }))
      const res = await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { body: form })
      expect(res.status).toBe(201)
      return (await json(res)).created[0]
    }
    const first = await up()
    const second = await up()
    expect(first.global_key).toBe(name)
    expect(second.global_key).toBe(`${name}~${second.id}`)
    expect(second.external_id).toBe(name)
  })

  it('uploads a big file in parts into an R2 multipart upload', async () => {
    const d = await dataset()
    const size = 12 * 1024 * 1024
    const begin = await json(await call('POST', `/api/v1/datasets/${d.id}/uploads`, admin(), { json: { filename: 'clip.mp4', size } }))
    expect(begin).toMatchObject({ part_size: 10 * 1024 * 1024, parts: 2 })
    const bytes = new Uint8Array(size)
    bytes.set([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]) // ....ftypisom
    const parts = []
    for (let n = 1; n <= begin.parts; n++) {
      const chunk = bytes.subarray((n - 1) * begin.part_size, n * begin.part_size)
      const q = new URLSearchParams({ key: begin.key, upload_id: begin.upload_id, part: String(n) })
      const r = await call('PUT', `/api/v1/datasets/${d.id}/uploads/parts?${q}`, admin(), {
        body: chunk,
        headers: { 'Content-Length': String(chunk.length) },
      })
      expect(r.status, await r.clone().text()).toBe(200)
      parts.push(await json(r))
    }
    const done = await call('POST', `/api/v1/datasets/${d.id}/uploads/complete`, admin(), {
      json: { key: begin.key, upload_id: begin.upload_id, filename: 'clip.mp4', parts },
    })
    expect(done.status).toBe(201)
    const row = await json(done)
    expect(row).toMatchObject({
      media_type: 'VIDEO',
      external_id: 'clip.mp4',
      media_attributes: { mime_type: 'video/mp4', file_size: size },
    })
    const head = await call('GET', `/api/v1/data-rows/${row.id}/content`, admin(), { headers: { Range: 'bytes=-4' } })
    expect(head.status).toBe(206)
    expect(head.headers.get('Content-Range')).toBe(`bytes ${size - 4}-${size - 1}/${size}`)
    // A key outside the dataset is refused.
    const bad = await call('POST', `/api/v1/datasets/${d.id}/uploads/complete`, admin(), {
      json: { key: 'uploads/other/x', upload_id: begin.upload_id, filename: 'x', parts },
    })
    expect(bad.status).toBe(400)
  })

  it('refuses empty files, missing parts and a wrong content type', async () => {
    const d = await dataset()
    const empty = new FormData()
    empty.append('file', new File([], 'empty.png'))
    expect((await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { body: empty })).status).toBe(400)
    expect((await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { body: new FormData() })).status).toBe(400)
    expect((await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { json: { file: 'x' } })).status).toBe(415)
  })

  it('deletes a dataset: gone from lists at once, rows and files removed, project counts follow', async () => {
    const d = await dataset()
    const form = new FormData()
    form.append('file', new File([PNG], 'a.png'))
    const { created } = await json(await call('POST', `/api/v1/datasets/${d.id}/files`, admin(), { body: form }))
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('P'), media_type: 'IMAGE' } }))
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'all', dataset_id: d.id } })
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(1)
    expect((await call('DELETE', `/api/v1/datasets/${d.id}`, { cookie: orgs.orgA.TEAM_MANAGER.cookie })).status).toBe(403)
    expect((await call('DELETE', `/api/v1/datasets/${d.id}`, admin())).status).toBe(204)
    expect((await call('GET', `/api/v1/datasets/${d.id}`, admin())).status).toBe(404)
    expect((await call('GET', `/api/v1/data-rows/${created[0].id}`, admin())).status).toBe(404)
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(0)
    const left = await env.ASSETS_BUCKET.list({ prefix: `uploads/${orgs.a.id}/${d.id}/` })
    expect(left.objects).toEqual([])
  })
})

describe('content sniffing', () => {
  it('recognises common formats by their first bytes', () => {
    expect(sniff(PNG)?.mime).toBe('image/png')
    expect(sniff(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))?.mediaType).toBe('IMAGE')
    expect(sniff(new TextEncoder().encode('%PDF-1.7'))?.mediaType).toBe('PDF')
    expect(sniff(new TextEncoder().encode('<!DOCTYPE html><html>'))?.mediaType).toBe('HTML')
    expect(sniff(new Uint8Array([0, 1, 2, 3, 0, 0xff]))).toBeNull()
  })
})
