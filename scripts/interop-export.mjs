// @module Writes the exports that the outside-reader checks in BENCHMARKS.md ("Outside
// readers") feed to labelformat and the Labelbox SDK: the real Labelbox exports imported with
// create_ontology=true, the SDK-serialized annotation-import samples, and labels made through the
// API; image projects also as COCO, YOLO and Pascal VOC (docs/interop.md). Runs against a LabelDesk started with `npm start` (demo admin login).
//
//   PORT=8814 npm start &                      # in another terminal
//   node scripts/interop-export.mjs http://127.0.0.1:8814 /tmp/interop/out
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEMO } from './seed.mjs'

const [base = 'http://127.0.0.1:8787', outDir = 'interop-out'] = process.argv.slice(2)
mkdirSync(outDir, { recursive: true })
const run = Date.now().toString(36)

const login = await fetch(`${base}/login`, {
  method: 'POST',
  redirect: 'manual',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
  body: new URLSearchParams({ email: DEMO.email, password: DEMO.password }),
})
const cookie = /ld_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[0]
if (!cookie) throw new Error(`login failed (${login.status}): is the demo seeded (npm start)?`)

async function api(method, path, body, type = 'application/json') {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Cookie: cookie, Origin: base, ...(body ? { 'Content-Type': type } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text && type !== 'raw' ? JSON.parse(text) : text
}
async function task(id) {
  for (let i = 0; i < 600; i++) {
    const t = await api('GET', `/tasks/${id}`)
    if (t.status === 'COMPLETE' || t.status === 'FAILED') return t
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`task ${id} did not finish`)
}
/** The same project in the file formats other tools read (image projects): coco.json, yolo.zip, voc.zip. */
async function exportFormats(project, name) {
  for (const [format, ext] of [
    ['coco', 'json'],
    ['yolo', 'zip'],
    ['voc', 'zip'],
  ]) {
    const t = await task((await api('POST', `/projects/${project.id}/exports`, { format })).id)
    const res = await fetch(`${base}/api/v1/tasks/${t.id}/result`, { headers: { Cookie: cookie } })
    writeFileSync(join(outDir, `${name}.${format}.${ext}`), Buffer.from(await res.arrayBuffer()))
    console.log(`${name}.${format}.${ext}: ${t.status}`)
  }
}
async function exportTo(project, file, filters = {}) {
  const params = {
    media_attributes: true,
    attachments: true,
    metadata_fields: true,
    data_row_details: true,
    project_details: true,
    label_details: true,
    performance_details: true,
  }
  const t = await task((await api('POST', `/projects/${project.id}/exports`, { params, filters })).id)
  const res = await fetch(`${base}/api/v1/tasks/${t.id}/result`, { headers: { Cookie: cookie } })
  writeFileSync(join(outDir, file), await res.text())
  console.log(`${file}: ${t.status}`)
}
async function importFile(project, body, query) {
  const res = await api('POST', `/projects/${project.id}/label-imports${query}`, body, 'application/x-ndjson')
  const t = await task(res.id)
  console.log(`  import into ${project.name}: ${t.status} ${JSON.stringify(t.metadata)}`)
  return t
}
const project = (name, media_type, ontology) =>
  api('POST', '/projects', { name: `${name} ${run}`, media_type, ...(ontology ? { ontology } : {}) })
const dataset = (name) => api('POST', '/datasets', { name: `${name} ${run}` })

// 1. The two real Labelbox exports, imported with create_ontology=true, exported again.
for (const name of ['lightly', 'roof-wear']) {
  const file = readFileSync(new URL(`../test/fixtures/labelbox/export-v2-${name}.ndjson`, import.meta.url), 'utf8')
  const p = await project(`interop ${name}`, 'IMAGE')
  const d = await dataset(`interop ${name}`)
  await importFile(p, file, `?dataset_id=${d.id}&create_ontology=true`)
  await exportTo(p, `export-${name}.ndjson`)
  await exportFormats(p, `export-${name}`)
}

// 2. SDK-serialized annotation-import lines (test/fixtures/labelbox/sdk/*.ndjson) on rows made here.
const rows = {
  image: [
    {
      global_key: 'sdk-image-1',
      row_data: 'https://storage.example.com/images/street.jpg',
      media_attributes: { width: 640, height: 480, mime_type: 'image/jpeg' },
    },
  ],
  text: [{ global_key: 'sdk-text-1', row_data: 'https://storage.example.com/texts/news.txt', media_type: 'TEXT' }],
  video: [{ global_key: 'sdk-video-1', row_data: 'https://storage.example.com/videos/clip.mp4', media_type: 'VIDEO' }],
}
for (const [kind, media] of [
  ['image', 'IMAGE'],
  ['text', 'TEXT'],
  ['video', 'VIDEO'],
]) {
  const d = await dataset(`interop sdk ${kind}`)
  const made = await api(
    'POST',
    `/datasets/${d.id}/data-rows`,
    rows[kind].map((r) => ({ ...r, global_key: `${r.global_key}-${run}` })),
  )
  const p = await project(`interop sdk ${kind}`, media)
  await api('POST', `/projects/${p.id}/batches`, { name: 'all', data_row_ids: made.created.map((r) => r.id) })
  const file = readFileSync(new URL(`../test/fixtures/labelbox/sdk/${kind}.ndjson`, import.meta.url), 'utf8').replaceAll(
    `"globalKey": "sdk-${kind}-1"`,
    `"globalKey": "sdk-${kind}-1-${run}"`,
  )
  await importFile(p, file, '?create_ontology=true')
  await exportTo(p, `export-sdk-${kind}.ndjson`)
}

// 3. Labels made through the API (boxes only: what labelformat converts).
{
  const ontology = {
    tools: [
      { name: 'car', tool: 'bounding_box' },
      { name: 'person', tool: 'bounding_box' },
    ],
    classifications: [],
  }
  const p = await project('interop api', 'IMAGE', ontology)
  const d = await dataset('interop api')
  const made = await api(
    'POST',
    `/datasets/${d.id}/data-rows`,
    [1, 2, 3].map((i) => ({
      global_key: `api-${i}-${run}`,
      row_data: `https://storage.example.com/images/${i}.jpg`,
      media_attributes: { width: 320 * i, height: 240 * i },
    })),
  )
  await api('POST', `/projects/${p.id}/batches`, { name: 'all', data_row_ids: made.created.map((r) => r.id) })
  for (const [i, r] of made.created.entries()) {
    const objects = [{ name: 'car', bounding_box: { top: 10 * i, left: 5, height: 20, width: 30.5 } }]
    if (i) objects.push({ name: 'person', bounding_box: { top: 1, left: 2, height: 3, width: 4 } })
    await api('POST', `/projects/${p.id}/labels`, { data_row_id: r.id, annotations: { objects } })
  }
  await exportTo(p, 'export-api.ndjson')
  await exportFormats(p, 'export-api')
}

// 4. The demo organization's own projects (uploaded images, labels from the seed and the labeling page).
for (const p of (await api('GET', '/projects?limit=200')).items) {
  if (p.name.startsWith('interop ')) continue
  const name = `demo-${p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
  await exportTo(p, `${name}.ndjson`)
  // Labeled rows only (labelformat reads a line only when it has exactly one label).
  await exportTo(p, `${name}-labeled.ndjson`, { label_created_at: ['2000-01-01', null] })
  if (p.media_type === 'IMAGE') await exportFormats(p, name)
}
