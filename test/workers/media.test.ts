// Image sizes (media_attributes) and asset links, end to end: uploads read their header, API and
// imported rows keep the given attributes, the read-media-attributes task fills unknown sizes
// through the content paths (R2, S3 with an integration against moto_server, https with the SSRF
// guard), and exports write width/height (null when unknown) and signed links to uploads that
// open without a session.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { AwsClient } from 'aws4fetch'
import lightly from '../fixtures/labelbox/export-v2-lightly.ndjson?raw'
import roofWear from '../fixtures/labelbox/export-v2-roof-wear.ndjson?raw'
import { seedTwoOrgs, ctxFor, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { bmpFile, gifFile, jpegFile, pngFile, tiffFile, webpLossyFile } from '../helpers/images'
import { assetLinkProblem, assetLinks, assetUrlSigner, publicBase } from '../../src/modules/datasets/asset-urls'
import { httpReader, probeRow } from '../../src/modules/datasets/media'
import { readImageHeader } from '../../src/modules/datasets/media-header'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const newDataset = async () => json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('media') } }))
async function upload(datasetId: string, files: File[]) {
  const form = new FormData()
  for (const f of files) form.append('file', f)
  const res = await call('POST', `/api/v1/datasets/${datasetId}/files`, admin(), { body: form })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await json(res)).created as any[]
}
const file = (bytes: Uint8Array, name: string) => new File([bytes], name, { type: 'application/octet-stream' })

describe('uploads read the image header', () => {
  it('stores width, height, mime type and EXIF orientation; an unreadable header keeps the row and says why', async () => {
    const d = await newDataset()
    const broken = await pngFile(7, 3)
    broken.set([0, 0, 0, 0], 16)
    const created = await upload(d.id, [
      file(await pngFile(7, 3), 'a.png'),
      file(jpegFile(40, 30, { orientation: 6 }), 'turned.jpg'),
      file(gifFile(640, 416), 'c.gif'),
      file(webpLossyFile(300, 200), 'd.webp'),
      file(bmpFile(5, 9), 'e.bmp'),
      file(tiffFile(200, 170), 'f.tif'),
      file(broken, 'broken.png'),
      file(new TextEncoder().encode('just words'), 'g.txt'),
    ])
    const attrs = created.map((r) => r.media_attributes)
    expect(attrs[0]).toEqual({ mime_type: 'image/png', file_size: expect.any(Number), file_name: 'a.png', width: 7, height: 3 })
    // Orientation 6: stored 40×30, shown (and labeled) 30 wide and 40 high.
    expect(attrs[1]).toMatchObject({ mime_type: 'image/jpeg', width: 30, height: 40, exif_rotation: '6' })
    expect(attrs.slice(2, 6).map((a) => [a.mime_type, a.width, a.height])).toEqual([
      ['image/gif', 640, 416],
      ['image/webp', 300, 200],
      ['image/bmp', 5, 9],
      ['image/tiff', 200, 170],
    ])
    expect(created[6].media_type).toBe('IMAGE')
    expect(attrs[6]).toEqual({
      mime_type: 'image/png',
      file_size: broken.length,
      file_name: 'broken.png',
      header_error: 'the image/png header gives an impossible size (0×3)',
    })
    expect(attrs[7]).not.toHaveProperty('width')
    // The reason is on the data-row page.
    const page = await call('GET', `/datasets/${d.id}/rows/${created[6].id}`, admin())
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('Size unknown')
    expect(html).toContain('The image’s header could not be read: the image/png header gives an impossible size (0×3)')
  })

  it('a chunked upload reads the header of the stored object with ranged reads', async () => {
    const d = await newDataset()
    const bytes = jpegFile(1024, 768, { orientation: 8, padding: 200 * 1024 })
    const begin = await json(
      await call('POST', `/api/v1/datasets/${d.id}/uploads`, admin(), { json: { filename: 'big.jpg', size: bytes.length } }),
    )
    const q = new URLSearchParams({ key: begin.key, upload_id: begin.upload_id, part: '1' })
    const part = await json(
      await call('PUT', `/api/v1/datasets/${d.id}/uploads/parts?${q}`, admin(), {
        body: bytes,
        headers: { 'Content-Length': String(bytes.length) },
      }),
    )
    const done = await call('POST', `/api/v1/datasets/${d.id}/uploads/complete`, admin(), {
      json: { key: begin.key, upload_id: begin.upload_id, filename: 'big.jpg', parts: [part] },
    })
    expect(done.status, await done.clone().text()).toBe(201)
    expect((await json(done)).media_attributes).toMatchObject({
      mime_type: 'image/jpeg',
      width: 768,
      height: 1024,
      exif_rotation: '8',
      file_size: bytes.length,
    })
  })
})

describe('media_attributes on data-row inputs', () => {
  it('accepts Labelbox media attributes, checks them, and reports bad ones per row', async () => {
    const d = await newDataset()
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: [
        {
          row_data: 'https://x.test/a.jpg',
          media_attributes: { width: 640, height: 416, mime_type: 'image/jpg', exif_rotation: 1, frame_rate: 30 },
        },
        { row_data: 'https://x.test/b.jpg', media_attributes: { width: -1, height: 'tall', exif_rotation: '9' } },
        { row_data: 'https://x.test/c.jpg', media_attributes: { header_error: 'made up' } },
        { row_data: 'https://x.test/d.jpg', media_attributes: [640, 480] },
        { row_data: 'https://x.test/no-extension', media_attributes: { mime_type: 'image/png' } },
        // An export v2 line is a data-row input too.
        {
          data_row: { id: 'ckxyz', global_key: unique('v2'), external_id: 'e.png', row_data: 'https://x.test/e.png' },
          media_attributes: { height: 337, width: 389, mime_type: 'image/png', exif_rotation: '1' },
          projects: {},
        },
      ],
    })
    expect(res.status).toBe(201)
    const body = await json(res)
    expect(body.created).toHaveLength(3)
    const byData = Object.fromEntries(body.created.map((r: any) => [r.row_data, r]))
    expect(byData['https://x.test/a.jpg'].media_attributes).toEqual({
      width: 640,
      height: 416,
      mime_type: 'image/jpg',
      exif_rotation: '1',
      frame_rate: 30,
    })
    expect(byData['https://x.test/no-extension']).toMatchObject({ media_type: 'IMAGE', media_attributes: { mime_type: 'image/png' } })
    expect(byData['https://x.test/e.png']).toMatchObject({
      external_id: 'e.png',
      media_attributes: { height: 337, width: 389, mime_type: 'image/png', exif_rotation: '1' },
    })
    expect(body.errors.map((e: any) => [e.index, e.field])).toEqual([
      [1, 'media_attributes.width'],
      [1, 'media_attributes.height'],
      [1, 'media_attributes.exif_rotation'],
      [2, 'media_attributes.header_error'],
      [3, 'media_attributes'],
    ])
    expect(body.errors[0].message).toBe('media_attributes.width must be positive')
  })

  it('a manifest import of export v2 lines keeps their media attributes', async () => {
    const d = await newDataset()
    const gk = unique('m')
    const manifest = [
      JSON.stringify({
        data_row: { id: 'lb1', global_key: gk, external_id: 'x.jpg', row_data: 'https://x.test/x.jpg' },
        media_attributes: { height: 426, width: 640, mime_type: 'image/jpg' },
        projects: {},
      }),
      JSON.stringify({ row_data: 'https://x.test/y.jpg', media_attributes: { width: 0 } }),
    ].join('\n')
    const res = await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), {
      body: manifest,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    expect(res.status).toBe(202)
    const t = await waitForTask((await json(res)).id, admin())
    expect(t.metadata).toMatchObject({ rows_created: 1, rows_failed: 1 })
    const row = await json(await call('GET', `/api/v1/data-rows?global_key=${encodeURIComponent(gk)}`, admin()))
    expect(row).toMatchObject({
      external_id: 'x.jpg',
      media_type: 'IMAGE',
      media_attributes: { height: 426, width: 640, mime_type: 'image/jpg' },
    })
    const errors = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    expect(errors).toEqual([{ line: 2, field: 'media_attributes.width', message: 'media_attributes.width must be positive' }])
  })

  it('a label import of Labelbox exports keeps each created row’s media attributes, and the export gives them back', async () => {
    for (const fileText of [lightly, roofWear]) {
      const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('lb'), media_type: 'IMAGE' } }))
      const d = await newDataset()
      const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=${d.id}&create_ontology=true`, admin(), {
        body: fileText,
        headers: { 'Content-Type': 'application/x-ndjson' },
      })
      expect(res.status).toBe(202)
      expect((await waitForTask((await json(res)).id, admin())).status).toBe('COMPLETE')
      const ex = await call('POST', `/api/v1/projects/${p.id}/exports`, admin(), { json: { params: { media_attributes: true } } })
      const t = await waitForTask((await json(ex)).id, admin())
      const lines = (await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text())
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
      const input = fileText
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
      expect(lines).toHaveLength(input.length)
      const want = Object.fromEntries(input.map((l) => [l.data_row.global_key, l.media_attributes]))
      for (const l of lines) {
        expect(l.media_attributes).toEqual(want[l.data_row.global_key])
        expect(typeof l.media_attributes.width).toBe('number')
        expect(typeof l.media_attributes.height).toBe('number')
      }
    }
  })
})

describe('exports', () => {
  it('write width/height (null when unknown) and signed links to uploads that open without a session until they expire', async () => {
    const d = await newDataset()
    const png = await pngFile(12, 8)
    const [up] = await upload(d.id, [file(png, 'street.png')])
    const api = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [
            {
              row_data: 'https://x.test/known.jpg',
              external_id: 'known.jpg',
              media_attributes: { width: 640, height: 480, mime_type: 'image/jpeg' },
            },
            { row_data: 'https://x.test/unknown.jpg', external_id: 'unknown.jpg' },
          ],
        }),
      )
    ).created
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('exp'), media_type: 'IMAGE' } }))
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
      json: { name: 'b', data_row_ids: [up.id, ...api.map((r: any) => r.id)] },
    })
    const started = Date.now()
    const ex = await call('POST', `/api/v1/projects/${p.id}/exports`, admin(), { json: { params: { media_attributes: true } } })
    const t = await waitForTask((await json(ex)).id, admin())
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata.asset_urls).toMatchObject({ kind: 'signed', expires_at: expect.any(String) })
    const meta = await json(await call('GET', `/api/v1/tasks/${t.id}/result/metadata`, admin()))
    expect(meta.asset_urls).toEqual(t.metadata.asset_urls)
    const expiresAt = Date.parse(meta.asset_urls.expires_at)
    expect(expiresAt - started).toBeGreaterThan(6.9 * 24 * 3600_000)
    expect(expiresAt - started).toBeLessThan(7.1 * 24 * 3600_000)

    const lines = (await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    const byId = Object.fromEntries(lines.map((l) => [l.data_row.id, l]))
    // Every line has numeric width/height when known, null when not (what labelformat reads).
    expect(byId[up.id].media_attributes).toMatchObject({ mime_type: 'image/png', width: 12, height: 8 })
    expect(byId[api[0].id].media_attributes).toEqual({ mime_type: 'image/jpeg', width: 640, height: 480 })
    expect(byId[api[1].id].media_attributes).toEqual({ mime_type: null, width: null, height: null })
    expect(byId[api[1].id].data_row).toEqual({ id: api[1].id, external_id: 'unknown.jpg', row_data: 'https://x.test/unknown.jpg' })

    const link = byId[up.id].data_row.row_data as string
    expect(link).toMatch(new RegExp(`^http://localhost/api/v1/data-rows/${up.id}/content\\?expires=\\d+&signature=[\\w-]+$`))
    // No cookie, no key: the signature is the permission.
    const got = await call('GET', link.slice('http://localhost'.length), undefined, { origin: null })
    expect(got.status).toBe(200)
    expect(got.headers.get('Content-Type')).toBe('image/png')
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(png)
    const ranged = await call('GET', link.slice('http://localhost'.length), undefined, { origin: null, headers: { Range: 'bytes=0-7' } })
    expect(ranged.status).toBe(206)
    // A changed signature, expiry or row is refused; so is the route without a signature or key.
    const u = new URL(link)
    const sig = u.searchParams.get('signature')!
    const tampered = [
      `/api/v1/data-rows/${up.id}/content?expires=${u.searchParams.get('expires')}&signature=${sig.slice(0, -2)}AA`,
      `/api/v1/data-rows/${up.id}/content?expires=${Number(u.searchParams.get('expires')) + 1}&signature=${sig}`,
      `/api/v1/data-rows/${api[0].id}/content?expires=${u.searchParams.get('expires')}&signature=${sig}`,
      `/api/v1/data-rows/${up.id}/content?signature=${sig}`,
    ]
    for (const path of tampered) {
      const r = await call('GET', path, undefined, { origin: null })
      expect(r.status, path).toBe(403)
      expect(r.headers.get('Content-Type')).toMatch(/problem\+json/)
    }
    expect((await call('GET', `/api/v1/data-rows/${up.id}/content`, undefined, { origin: null })).status).toBe(401)
    // Expired links say so.
    expect(await assetLinkProblem(env, up.id, u.searchParams.get('expires')!, sig)).toBeNull()
    expect(await assetLinkProblem(env, up.id, u.searchParams.get('expires')!, sig, expiresAt + 1000)).toMatch(/expired/)
    // A deleted row's link is dead.
    expect((await call('DELETE', `/api/v1/data-rows/${up.id}`, admin())).status).toBe(204)
    expect((await call('GET', link.slice('http://localhost'.length), undefined, { origin: null })).status).toBe(404)
  })

  it('the base is PUBLIC_URL when set, else the request origin; without a secret links go through the API', async () => {
    expect(publicBase({ PUBLIC_URL: 'https://labels.example.com/' }, 'http://localhost')).toBe('https://labels.example.com')
    expect(publicBase({ PUBLIC_URL: '' }, 'http://localhost')).toBe('http://localhost')
    const unsigned = assetLinks({ PUBLIC_URL: 'https://labels.example.com', ASSET_URL_SECRET: undefined }, 'http://localhost')!
    expect(unsigned).toEqual({ base: 'https://labels.example.com', signed: false, expires: null })
    expect(await (await assetUrlSigner({}, unsigned))('dr_1')).toBe('https://labels.example.com/api/v1/data-rows/dr_1/content')
    const signed = assetLinks({ PUBLIC_URL: '', ASSET_URL_SECRET: 's1' }, 'https://a.test', 1_000_000)!
    const url = new URL(await (await assetUrlSigner({ ASSET_URL_SECRET: 's1' }, signed))('dr_1'))
    expect(url.searchParams.get('expires')).toBe(String(1000 + 7 * 24 * 3600))
    // Another secret (a rotated one) does not accept it.
    expect(
      await assetLinkProblem(
        { ASSET_URL_SECRET: 's2' },
        'dr_1',
        url.searchParams.get('expires')!,
        url.searchParams.get('signature')!,
        1_000_000,
      ),
    ).toMatch(/does not match/)
    expect(
      await assetLinkProblem(
        { ASSET_URL_SECRET: 's1' },
        'dr_1',
        url.searchParams.get('expires')!,
        url.searchParams.get('signature')!,
        1_000_000,
      ),
    ).toBeNull()
  })
})

describe('API reference', () => {
  it('documents the new fields and routes in OpenAPI', async () => {
    const spec = await json(await call('GET', '/api/openapi.json', undefined))
    const content = spec.paths['/api/v1/data-rows/{id}/content'].get
    expect(content.description).toMatch(/signature/)
    expect(spec.paths['/api/v1/datasets/{id}/media-attributes'].post.responses['202']).toBeTruthy()
    expect(JSON.stringify(spec.paths['/api/v1/data-rows/{id}'].get.responses['200'])).toContain('exif_rotation')
    expect(spec.paths['/api/v1/projects/{id}/exports'].post.description).toMatch(/asset_urls/)
  })
})

// The fill task -----------------------------------------------------------------------------------

const endpoint = env.AWS_ENDPOINT_URL
const s3 = new AwsClient({ accessKeyId: 'testing', secretAccessKey: 'testing', region: 'us-east-1', service: 's3' })
const bucket = unique('ld-media')
  .toLowerCase()
  .replace(/[^a-z0-9-]/g, '-')
  .slice(0, 50)
async function putS3(key: string, body: Uint8Array) {
  const mk = await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT' })
  expect([200, 409]).toContain(mk.status)
  expect((await s3.fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body })).status).toBe(200)
}

describe('the read-media-attributes task', () => {
  it('reads unknown sizes through R2, S3 (integration) and https, reports the unreadable ones, shows in Tasks', async () => {
    await putS3('imgs/one.png', await pngFile(33, 22))
    await putS3('imgs/turned.jpg', jpegFile(1600, 1200, { orientation: 6, padding: 150 * 1024 }))
    const i = await json(
      await call('POST', '/api/v1/integrations', admin(), {
        json: { provider: 'AWS', name: unique('S3'), role_arn: 'arn:aws:iam::210987654321:role/LabelDeskAccess' },
      }),
    )
    const v = await json(
      await call('POST', `/api/v1/integrations/${i.id}/validate`, admin(), { json: { test_object_url: `s3://${bucket}/imgs/one.png` } }),
    )
    expect(v.valid).toBe(true)
    const d = await newDataset()
    expect((await call('PUT', `/api/v1/datasets/${d.id}/integration`, admin(), { json: { integration_id: i.id } })).status).toBe(200)
    // An R2 object named by an API row (as a migrated upload would be).
    const key = `uploads/${orgs.a.id}/${d.id}/moved/x.gif`
    await env.ASSETS_BUCKET.put(key, gifFile(99, 77))
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: [
        { row_data: `s3://${bucket}/imgs/one.png`, external_id: 'one' },
        { row_data: `s3://${bucket}/imgs/turned.jpg`, external_id: 'turned' },
        { row_data: `s3://${bucket}/imgs/missing.png`, external_id: 'missing' },
        { row_data: `r2://${key}`, media_type: 'IMAGE', external_id: 'r2' },
        // Refused by the SSRF guard (http to a loopback address): the reason is kept.
        { row_data: 'http://127.0.0.1:9/x.png', external_id: 'private' },
        { row_data: 'https://x.test/known.png', external_id: 'known', media_attributes: { width: 5, height: 5 } },
        { row_data: 'https://x.test/doc.pdf', external_id: 'not an image' },
      ],
    })
    const rows = Object.fromEntries((await json(res)).created.map((r: any) => [r.external_id, r]))
    expect(Object.keys(rows)).toHaveLength(7)

    const start = await call('POST', `/api/v1/datasets/${d.id}/media-attributes`, admin())
    expect(start.status, await start.clone().text()).toBe(202)
    const task = await json(start)
    expect(task).toMatchObject({ type: 'read-media-attributes', metadata: { rows_total: 5 } })
    const done = await waitForTask(task.id, admin())
    expect(done.status).toBe('COMPLETE')
    expect(done.metadata).toMatchObject({ rows_done: 5, sizes_read: 3, rows_failed: 2 })
    const get = async (name: string) => json(await call('GET', `/api/v1/data-rows/${rows[name].id}`, admin()))
    expect((await get('one')).media_attributes).toEqual({ mime_type: 'image/png', width: 33, height: 22 })
    expect((await get('turned')).media_attributes).toEqual({ mime_type: 'image/jpeg', width: 1200, height: 1600, exif_rotation: '6' })
    expect((await get('r2')).media_attributes).toEqual({ mime_type: 'image/gif', width: 99, height: 77 })
    expect((await get('missing')).media_attributes.header_error).toMatch(/^could not read the file: /)
    expect((await get('private')).media_attributes.header_error).toMatch(/https/)
    expect((await get('known')).media_attributes).toEqual({ width: 5, height: 5 })
    expect((await get('not an image')).media_attributes).toBeNull()
    const errors = (await (await call('GET', `/api/v1/tasks/${task.id}/errors`, admin())).text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
    expect(errors.map((e) => e.data_row_id).sort()).toEqual([rows.missing.id, rows.private.id].sort())
    // The Tasks list shows it.
    const list = await json(await call('GET', '/api/v1/tasks', admin()))
    expect(list.items.map((t: any) => t.id)).toContain(task.id)
    const tasksPage = await (await call('GET', '/tasks', admin())).text()
    expect(tasksPage).toContain('Image sizes')
    expect(tasksPage).toContain('3 image sizes read · 2 unreadable')
  })

  it('starts from the dataset page (htmx: the Tasks menu follows it); others may not start it', async () => {
    const d = await newDataset()
    const page = await (await call('GET', `/datasets/${d.id}`, admin())).text()
    expect(page).toContain(`hx-post="/datasets/${d.id}/media-attributes"`)
    const r = await call('POST', `/datasets/${d.id}/media-attributes`, admin(), { htmx: true, form: {} })
    expect(r.status).toBe(204)
    const trigger = JSON.parse(r.headers.get('HX-Trigger')!)
    expect(trigger.taskStarted.id).toMatch(/^tsk_/)
    expect((await waitForTask(trigger.taskStarted.id, admin())).status).toBe('COMPLETE')
    expect((await call('POST', `/api/v1/datasets/${d.id}/media-attributes`, { cookie: orgs.orgA.LABELER.cookie })).status).toBe(403)
    expect((await call('POST', `/api/v1/datasets/${d.id}/media-attributes`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
  })

  it('reads over HTTP with Range requests, only where the SSRF guard allows', async () => {
    const big = jpegFile(640, 480, { orientation: 6, padding: 300 * 1024 })
    await putS3('public/big.jpg', big)
    // Private targets allowed for this local server only.
    const local = { ...env, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }
    // A query-signed URL, as a customer's bucket would hand out (moto refuses unsigned GETs).
    const signed = (await s3.sign(`${endpoint}/${bucket}/public/big.jpg`, { aws: { signQuery: true } })).url
    expect(await readImageHeader(httpReader(local, signed, true))).toEqual({
      ok: true,
      attrs: { mime_type: 'image/jpeg', width: 480, height: 640, exif_rotation: '6' },
    })
    // The real setting refuses loopback and http.
    const refused = await probeRow(ctxFor(orgs.orgA.ADMIN.actor), null, {
      id: 'dr_x',
      rowData: `${endpoint}/${bucket}/public/big.jpg`,
      mediaAttributes: null,
    })
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/^could not read the file: .*https/) })
  })
})
