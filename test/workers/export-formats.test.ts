// COCO, YOLO, Pascal VOC and CSV exports end to end through the real queue, R2 multipart and the
// task's Durable Object. Every file is read back by readers written here (a zip read from its
// central directory, an XML tree, an RFC 4180 CSV parser, JSON.parse) — not by the writers — and
// every box must equal the NDJSON export's box.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import worker from '../../src/index'
import { tasks } from '../../src/db/schema'
import { exportBudget } from '../../src/modules/exports/service'
import type { QueueMessage } from '../../src/handlers/queue'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { kids, parseCsv, parseXml, readZip, textOf } from '../helpers/file-readers'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: Record<string, any>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

const ONTOLOGY = {
  tools: [
    {
      name: 'Car',
      tool: 'bounding_box',
      classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }] }],
    },
    { name: 'Road', tool: 'polygon' },
    { name: 'Sign', tool: 'point' },
    { name: 'Person, "walking"', tool: 'bounding_box' },
  ],
  classifications: [
    {
      name: 'Weather',
      type: 'radio',
      options: [{ name: 'Sunny' }, { name: 'Rainy', classifications: [{ name: 'Heavy', type: 'checklist', options: [{ name: 'Yes' }] }] }],
    },
    { name: 'Notes', type: 'text' },
  ],
}
const NOTE = 'He said, "stop"\nthen left'

// Helpers ----------------------------------------------------------------------------------------

const waitDone = (id: string) => waitForTask(id, admin(), 90_000)
async function exportAs(p: any, body: Record<string, unknown>) {
  const res = await call('POST', `/api/v1/projects/${p.id}/exports`, admin(), { json: body })
  expect(res.status, await res.clone().text()).toBe(202)
  const t = await waitDone((await json(res)).id)
  expect(t.status, t.failure_reason).toBe('COMPLETE')
  const file = await call('GET', `/api/v1/tasks/${t.id}/result`, admin())
  const bytes = new Uint8Array(await file.arrayBuffer())
  const errors = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
  return { task: t, bytes, text: new TextDecoder().decode(bytes), type: file.headers.get('Content-Type'), errors }
}

type Box = [number, number, number, number]
/** Boxes (and polygons' points) by row id and tool, from the NDJSON export. */
async function ndjsonTruth() {
  const { text } = await exportAs(project, { params: { media_attributes: true } })
  const boxes = new Map<string, { name: string; box?: Box; points?: number[] }[]>()
  for (const l of text
    .split('\n')
    .filter(Boolean)
    .map((x) => JSON.parse(x))) {
    const list = l.projects[project.id].labels.flatMap((lb: any) => lb.annotations.objects)
    boxes.set(
      l.data_row.id,
      list
        .filter((o: any) => o.bounding_box || o.polygon)
        .map((o: any) =>
          o.bounding_box
            ? { name: o.name, box: [o.bounding_box.left, o.bounding_box.top, o.bounding_box.width, o.bounding_box.height] }
            : { name: o.name, points: o.polygon.flatMap((p: any) => [p.x, p.y]) },
        ),
    )
  }
  return boxes
}
const sortShapes = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: 'street' } }))
  const created = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: [
          {
            row_data: 'https://x.test/1.png',
            global_key: 'a/b.png',
            media_attributes: { width: 640, height: 480, mime_type: 'image/png' },
          },
          { row_data: 'https://x.test/2.png', global_key: 'a_b.png', media_attributes: { width: 100, height: 50 } },
          { row_data: 'https://x.test/3.jpg', external_id: 'CON', media_attributes: { width: 200, height: 100, mime_type: 'image/jpeg' } },
          { row_data: 'https://x.test/4.jpg', global_key: 'nosize.jpg' },
        ],
      }),
    )
  ).created
  rows = { ab: created[0], a_b: created[1], con: created[2], nosize: created[3] }
  project = await json(
    await call('POST', '/api/v1/projects', admin(), { json: { name: 'street, "objects"', media_type: 'IMAGE', ontology: ONTOLOGY } }),
  )
  await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'b', data_row_ids: created.map((r: any) => r.id) },
  })
  const label = async (row: any, annotations: unknown) => {
    const res = await call(
      'POST',
      `/api/v1/projects/${project.id}/labels`,
      { cookie: orgs.orgA.LABELER.cookie },
      { json: { data_row_id: row.id, annotations } },
    )
    expect(res.status, await res.clone().text()).toBe(201)
  }
  await label(rows.ab, {
    objects: [
      {
        name: 'Car',
        bounding_box: { top: 10.5, left: 20.25, height: 30, width: 40 },
        classifications: [{ name: 'Color', radio_answer: { name: 'Blue' } }],
      },
      {
        name: 'Road',
        polygon: [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 100, y: 50 },
          { x: 0, y: 50 },
        ],
      },
      { name: 'Sign', point: { x: 5, y: 6 } },
      { name: 'Person, "walking"', bounding_box: { top: 1, left: 2, height: 3, width: 4 } },
    ],
    classifications: [
      { name: 'Weather', radio_answer: { name: 'Rainy', classifications: [{ name: 'Heavy', checklist_answers: [{ name: 'Yes' }] }] } },
      { name: 'Notes', text_answer: { content: NOTE } },
    ],
  })
  await label(rows.a_b, { objects: [{ name: 'Car', bounding_box: { top: 0, left: 0, height: 50, width: 100 } }] })
  await label(rows.nosize, { objects: [{ name: 'Car', bounding_box: { top: 1, left: 1, height: 1, width: 1 } }] })
})

describe('export formats', () => {
  it('CSV: one line per object or answer, RFC 4180 quoting, boxes equal to the NDJSON export', async () => {
    const truth = await ndjsonTruth()
    const { text, type, task } = await exportAs(project, { format: 'csv' })
    expect(type).toMatch(/^text\/csv/)
    expect(task.name).toMatch(/\(CSV\)$/)
    expect(task.metadata.format).toBe('csv')
    const [header, ...lines] = parseCsv(text)
    expect(header).toEqual([
      'data_row_id',
      'global_key',
      'external_id',
      'row_data',
      'label_id',
      'labeled_by',
      'created_at',
      'kind',
      'feature_name',
      'answer_value',
      'box_left',
      'box_top',
      'box_width',
      'box_height',
      'points',
    ])
    expect(lines.every((l) => l.length === header!.length)).toBe(true)
    const rec = lines.map((l) => Object.fromEntries(header!.map((h, i) => [h, l[i]!])))
    // ab: 4 objects + Color + Weather + Heavy + Notes; a_b: 1; nosize: 1 (CSV needs no size).
    expect(rec.filter((r) => r.data_row_id === rows.ab.id)).toHaveLength(8)
    expect(rec.filter((r) => r.data_row_id === rows.a_b.id)).toHaveLength(1)
    expect(rec.filter((r) => r.data_row_id === rows.nosize.id)).toHaveLength(1)
    expect(rec.filter((r) => r.data_row_id === rows.con.id)).toHaveLength(0)
    for (const [rowId, shapes] of truth) {
      const got = rec
        .filter((r) => r.data_row_id === rowId && (r.kind === 'ImageBoundingBox' || r.kind === 'ImagePolygon'))
        .map((r) =>
          r.kind === 'ImageBoundingBox'
            ? { name: r.feature_name!, box: [r.box_left, r.box_top, r.box_width, r.box_height].map(Number) }
            : { name: r.feature_name!, points: JSON.parse(r.points!).flatMap((p: any) => [p.x, p.y]) },
        )
      expect(sortShapes(got)).toEqual(sortShapes(shapes))
    }
    const ab = rec.filter((r) => r.data_row_id === rows.ab.id)
    expect(ab[0]).toMatchObject({
      global_key: 'a/b.png',
      row_data: 'https://x.test/1.png',
      labeled_by: orgs.orgA.LABELER.email,
      kind: 'ImageBoundingBox',
      feature_name: 'Car',
    })
    expect(ab.find((r) => r.kind === 'text_answer')).toMatchObject({ feature_name: 'Notes', answer_value: NOTE })
    expect(ab.find((r) => r.feature_name === 'Weather > Rainy > Heavy')).toMatchObject({ kind: 'checklist_answer', answer_value: 'Yes' })
    expect(ab.find((r) => r.feature_name === 'Car > Color')).toMatchObject({ kind: 'radio_answer', answer_value: 'Blue' })
    expect(ab.find((r) => r.feature_name === 'Person, "walking"')!.box_width).toBe('4')
    expect(JSON.parse(ab.find((r) => r.kind === 'ImagePoint')!.points!)).toEqual([{ x: 5, y: 6 }])
  })

  it('COCO: images, categories and annotations whose boxes equal the NDJSON export; rows without a size are reported', async () => {
    const truth = await ndjsonTruth()
    const { text, type, task, errors } = await exportAs(project, { format: 'coco' })
    expect(type).toMatch(/^application\/json/)
    expect(task.name).toMatch(/\(COCO\)$/)
    const doc = JSON.parse(text)
    expect(doc.categories).toEqual(ONTOLOGY.tools.map((t, i) => ({ id: i + 1, name: t.name, supercategory: t.tool })))
    expect(doc.images.map((i: any) => i.data_row_id).sort()).toEqual([rows.ab.id, rows.a_b.id, rows.con.id].sort())
    expect(new Set(doc.images.map((i: any) => i.id)).size).toBe(3)
    expect(new Set(doc.annotations.map((a: any) => a.id)).size).toBe(doc.annotations.length)
    const img = (rowId: string) => doc.images.find((i: any) => i.data_row_id === rowId)
    expect(img(rows.ab.id)).toMatchObject({ width: 640, height: 480, global_key: 'a/b.png', coco_url: 'https://x.test/1.png' })
    expect(img(rows.con.id)).toMatchObject({ width: 200, height: 100, external_id: 'CON', file_name: '_CON.jpg' })
    // a/b.png and a_b.png must not share a file name.
    expect([img(rows.ab.id).file_name, img(rows.a_b.id).file_name].sort()).toEqual(['a_b-2.png', 'a_b.png'])
    for (const [rowId, shapes] of truth) {
      if (rowId === rows.nosize.id) continue
      const got = doc.annotations
        .filter((a: any) => a.image_id === img(rowId).id)
        .map((a: any) => {
          const name = doc.categories.find((c: any) => c.id === a.category_id).name
          expect(a.iscrowd).toBe(0)
          return a.segmentation.length ? { name, points: a.segmentation[0] } : { name, box: a.bbox }
        })
      expect(sortShapes(got)).toEqual(sortShapes(shapes))
    }
    const road = doc.annotations.find((a: any) => a.segmentation.length)
    expect(road.bbox).toEqual([0, 0, 100, 50])
    expect(road.area).toBe(5000)
    const car = doc.annotations.find((a: any) => a.image_id === img(rows.ab.id).id && a.category_id === 1)
    expect(car.area).toBe(1200)
    expect(car.labeldesk_classifications[0].radio_answer.name).toBe('Blue')
    expect(img(rows.ab.id).labeldesk_classifications.map((c: any) => c.name)).toEqual(['Weather', 'Notes'])
    expect(img(rows.ab.id).labeldesk_objects.map((o: any) => o.name)).toEqual(['Sign'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ data_row_id: rows.nosize.id })
    expect(errors[0].message).toMatch(/width and height are unknown/)
    expect((await json(await call('GET', `/api/v1/tasks/${task.id}`, admin()))).errors_url).toBeTruthy()
  })

  it('YOLO: a zip with data.yaml, normalized labels equal to the NDJSON boxes, images.txt and unique stems', async () => {
    const truth = await ndjsonTruth()
    const { bytes, type, task, errors } = await exportAs(project, { format: 'yolo' })
    expect(type).toBe('application/zip')
    expect(task.name).toMatch(/\(YOLO\)$/)
    const files = readZip(bytes)
    expect([...files.keys()].sort()).toEqual([
      'data.yaml',
      'images.csv',
      'images.txt',
      'labels/_CON.txt',
      'labels/a_b-2.txt',
      'labels/a_b.txt',
    ])
    const yaml = files.get('data.yaml')!
    const names = [...yaml.matchAll(/^ {2}(\d+): (".*")$/gm)].map((m) => [Number(m[1]), JSON.parse(m[2]!)])
    expect(names).toEqual(ONTOLOGY.tools.map((t, i) => [i, t.name]))
    const map = parseCsv(files.get('images.csv')!)
    expect(map[0]).toEqual(['file_name', 'url', 'data_row_id', 'global_key', 'external_id'])
    expect(files.get('images.txt')!.split('\n').filter(Boolean)).toEqual(map.slice(1).map((r) => r[1]))
    const sizes: Record<string, [number, number]> = { [rows.ab.id]: [640, 480], [rows.a_b.id]: [100, 50], [rows.con.id]: [200, 100] }
    for (const [file, url, rowId] of map.slice(1)) {
      expect(url).toMatch(/^https:\/\/x\.test\//)
      const stem = file!.replace(/^images\//, '').replace(/\.[a-z]+$/, '')
      const [W, H] = sizes[rowId!]!
      const got = files
        .get(`labels/${stem}.txt`)!
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [c, ...xs] = l.split(' ').map(Number)
          const name = ONTOLOGY.tools[c!]!.name
          if (xs.length === 4) {
            const [cx, cy, w, h] = xs as [number, number, number, number]
            return { name, box: [cx * W - (w * W) / 2, cy * H - (h * H) / 2, w * W, h * H].map((n) => Math.round(n * 1e6) / 1e6) }
          }
          return { name, points: xs.map((x, i) => Math.round(x * (i % 2 ? H : W) * 1e6) / 1e6) }
        })
      expect(sortShapes(got)).toEqual(sortShapes(truth.get(rowId!)!))
    }
    expect(errors.map((e: any) => e.data_row_id)).toEqual([rows.nosize.id])
  })

  it('Pascal VOC: a zip of Annotations/<stem>.xml with size and bndbox equal to the NDJSON boxes', async () => {
    const truth = await ndjsonTruth()
    const { bytes, type, errors } = await exportAs(project, { format: 'voc' })
    expect(type).toBe('application/zip')
    const files = readZip(bytes)
    expect([...files.keys()].sort()).toEqual(['Annotations/_CON.xml', 'Annotations/a_b-2.xml', 'Annotations/a_b.xml'])
    const sizes: Record<string, [number, number]> = { [rows.ab.id]: [640, 480], [rows.a_b.id]: [100, 50], [rows.con.id]: [200, 100] }
    for (const [name, xmlText] of files) {
      const doc = parseXml(xmlText)
      expect(doc.tag).toBe('annotation')
      const rowId = textOf(doc, 'source/data_row_id')
      expect(textOf(doc, 'filename')).toBe(name.replace('Annotations/', '').replace('.xml', '') + (rowId === rows.con.id ? '.jpg' : '.png'))
      expect([Number(textOf(doc, 'size/width')), Number(textOf(doc, 'size/height'))]).toEqual(sizes[rowId])
      const got = kids(doc, 'object').map((o) => {
        const [x0, y0, x1, y1] = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(textOf(o, `bndbox/${k}`)))
        return { name: textOf(o, 'name'), box: [x0!, y0!, x1! - x0!, y1! - y0!] }
      })
      // Polygons are written as their bounding box.
      const want = truth.get(rowId)!.map((s) => {
        if (s.box) return s
        const xs = s.points!.filter((_, i) => i % 2 === 0)
        const ys = s.points!.filter((_, i) => i % 2 === 1)
        return {
          name: s.name,
          box: [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)],
        }
      })
      expect(sortShapes(got)).toEqual(sortShapes(want as any))
    }
    expect(errors.map((e: any) => e.data_row_id)).toEqual([rows.nosize.id])
  })

  it('refuses COCO, YOLO and VOC for a non-image project (400 naming the media type); CSV and NDJSON work', async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('texts') } }))
    const created = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [{ row_data: 'hello, world', media_type: 'TEXT' }] }),
      )
    ).created
    const text = await json(
      await call('POST', '/api/v1/projects', admin(), {
        json: { name: unique('Texts'), media_type: 'TEXT', ontology: { tools: [{ name: 'Name', tool: 'text_entity' }] } },
      }),
    )
    await call('POST', `/api/v1/projects/${text.id}/batches`, admin(), { json: { name: 'b', data_row_ids: [created[0].id] } })
    const before = (await db().select().from(tasks)).length
    for (const format of ['coco', 'yolo', 'voc']) {
      const res = await call('POST', `/api/v1/projects/${text.id}/exports`, admin(), { json: { format } })
      expect(res.status).toBe(400)
      expect(JSON.stringify(await json(res))).toMatch(/media type is TEXT/)
    }
    const bad = await call('POST', `/api/v1/projects/${project.id}/exports`, admin(), { json: { format: 'tfrecord' } })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(await json(bad))).toMatch(/format must be one of ndjson, coco, yolo, voc, csv/)
    expect((await db().select().from(tasks)).length).toBe(before)
    const csv = await exportAs(text, { format: 'csv' })
    expect(parseCsv(csv.text)).toHaveLength(1) // the header; no annotations
    expect((await exportAs(text, {})).text.split('\n').filter(Boolean)).toHaveLength(1)
  })

  it('YOLO and COCO over many slices with a crash and a rerun are byte-identical to a clean run', async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('many') } }))
    const n = 2300
    const labeled: string[] = []
    for (let k = 0; k * 1000 < n; k++) {
      const batch = Array.from({ length: Math.min(1000, n - k * 1000) }, (_, j) => {
        const i = k * 1000 + j
        // Every 10th pair collides once path characters are replaced.
        return {
          row_data: `https://x.test/m/${i}.jpg`,
          global_key: i % 20 === 1 ? `m/${i - 1}.jpg` : `m_${i}.jpg`,
          media_attributes: { width: 64 + (i % 7), height: 48 },
        }
      })
      const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: batch })
      expect(res.status, await res.clone().text()).toBe(201)
      const created = (await json(res)).created
      labeled.push(created[3].id, created[created.length - 1].id)
    }
    const big = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Many'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    await call('POST', `/api/v1/projects/${big.id}/batches`, admin(), { json: { name: 'all', dataset_id: d.id } })
    for (const rowId of labeled) {
      const res = await call(
        'POST',
        `/api/v1/projects/${big.id}/labels`,
        { cookie: orgs.orgA.LABELER.cookie },
        {
          json: {
            data_row_id: rowId,
            annotations: {
              objects: [
                { name: 'Car', bounding_box: { top: 1, left: 2, height: 3, width: 4 } },
                {
                  name: 'Road',
                  polygon: [
                    { x: 0, y: 0 },
                    { x: 9, y: 0 },
                    { x: 9, y: 9 },
                  ],
                },
              ],
            },
          },
        },
      )
      expect(res.status).toBe(201)
    }

    for (const format of ['yolo', 'coco']) {
      const clean = await exportAs(big, { format })
      if (format === 'yolo') {
        const files = readZip(clean.bytes)
        expect(files.size).toBe(n + 3)
        expect([...files.keys()].filter((k) => /^labels\/m_\d+-2\.txt$/.test(k))).toHaveLength(n / 20 + (n % 20 > 1 ? 1 : 0))
      } else {
        const doc = JSON.parse(clean.text)
        expect(doc.images).toHaveLength(n)
        expect(new Set(doc.images.map((i: any) => i.file_name)).size).toBe(n)
        expect(doc.annotations).toHaveLength(labeled.length * 2)
      }

      // The same export played by the test (it is the queue), one page a slice, side chunks of one
      // page, one chunk appended a slice; and one slice "crashes" after writing its side chunks and
      // before saving its cursor, so it runs again.
      const id = `tsk_${unique(format)
        .replace(/[^A-Za-z0-9]/g, '')
        .toUpperCase()
        .slice(0, 26)}`
      const cleanRow = (await db().select().from(tasks).where(eq(tasks.id, clean.task.id)).get())!
      await db()
        .insert(tasks)
        .values({
          ...cleanRow,
          id,
          status: 'QUEUED',
          completionPercentage: 0,
          dedupeKey: null,
          resultKey: null,
          errorsKey: null,
          finishedAt: null,
          metadata: {},
          // A fresh task: the clean run's lease may not be given back yet when its status reads
          // COMPLETE (src/modules/tasks/job.ts ends the lease after the last slice returns).
          leaseUntil: null,
          sliceToken: null,
        })
      let carries = 0
      const bucket = new Proxy(env.EXPORTS, {
        get(target, prop) {
          if (prop === 'put') {
            return async (...a: Parameters<R2Bucket['put']>) => {
              const r = await target.put(...a)
              if (String(a[0]).includes(`${id}/carry/`) && ++carries === 2) throw new Error('simulated crash before the cursor is saved')
              return r
            }
          }
          const v = Reflect.get(target, prop)
          return typeof v === 'function' ? v.bind(target) : v
        },
      })
      const testEnv = {
        ...env,
        EXPORTS: bucket,
        TASK_QUEUE: { send: async () => undefined, sendBatch: async () => undefined },
      } as unknown as typeof env
      const budget = { ...exportBudget }
      Object.assign(exportBudget, { pages: 1, sideBytes: 1, sideChunks: 1 })
      let retried = 0
      let slices = 0
      try {
        let attempts = 1
        for (let guard = 0; guard < 60; guard++) {
          const b = createMessageBatch<QueueMessage>('labeldesk-tasks', [
            { id: `m${guard}`, timestamp: new Date(), attempts, body: { kind: 'export-data-rows', taskId: id } },
          ])
          const ctx = createExecutionContext()
          await worker.queue(b, testEnv, ctx)
          const r = await getQueueResult(b, ctx)
          slices++
          if (r.retryMessages.length) retried++, attempts++
          else attempts = 1
          if ((await db().select().from(tasks).where(eq(tasks.id, id)).get())!.status === 'COMPLETE') break
        }
      } finally {
        Object.assign(exportBudget, budget)
      }
      expect(retried, format).toBe(1)
      expect(slices, format).toBeGreaterThanOrEqual(format === 'yolo' ? 9 : 6) // 3 pages, 1 rerun, side chunks one a slice
      const again = new Uint8Array(await (await call('GET', `/api/v1/tasks/${id}/result`, admin())).arrayBuffer())
      expect(again.length, format).toBe(clean.bytes.length)
      expect(again, format).toEqual(clean.bytes)
      expect((await env.EXPORTS.list({ prefix: `tasks/${id}/side/` })).objects).toHaveLength(0)
    }
  }, 180_000)

  it('the export dialog offers the formats and starts a YOLO export; a refused format reads inline', async () => {
    const form = await (await call('GET', `/projects/${project.id}/export?in=dialog`, admin(), { htmx: true })).text()
    for (const f of ['ndjson', 'coco', 'yolo', 'voc', 'csv']) expect(form).toContain(`name="format" value="${f}"`)
    expect(form).toContain('Ultralytics')
    const res = await call('POST', `/projects/${project.id}/export`, admin(), { htmx: true, form: { _in: 'dialog', format: 'yolo' } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('(YOLO)')
    const id = /data-task-id="([^"]+)"/.exec(html)![1]!
    const t = await waitDone(id)
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata.format).toBe('yolo')
    const menu = await (await call('GET', '/tasks', admin())).text()
    expect(menu).toMatch(/Export \(YOLO\) · started/)
    const texts = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Texts'), media_type: 'TEXT' } }))
    const refused = await call('POST', `/projects/${texts.id}/export`, admin(), { htmx: true, form: { _in: 'dialog', format: 'voc' } })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toMatch(/Pascal VOC exports need an image project; this project’s media type is TEXT/)
  })
})

describe('file names and geometry', () => {
  it('claims a page of names in bulk: own names first, then the first free name-2, name-3… without case; stable on a rerun', async () => {
    const status = env.TASK_STATUS.getByName(`tsk_names_${unique('n').replace(/[^A-Za-z0-9]/g, '')}`)
    // The rule, row by row over one page: every row whose name (without case) is free takes it, the
    // first of equal ones winning; then each other row, in order, the first of name-2, name-3… free.
    const taken = new Set<string>()
    const claimed = new Map<string, string>()
    const expectPage = (entries: { id: string; name: string }[]) => {
      for (const e of entries)
        if (!claimed.has(e.id) && !taken.has(e.name.toLowerCase())) {
          taken.add(e.name.toLowerCase())
          claimed.set(e.id, e.name)
        }
      for (const e of entries) {
        if (claimed.has(e.id)) continue
        let k = 1
        let c = e.name
        while (taken.has(c.toLowerCase())) c = `${e.name}-${++k}`
        taken.add(c.toLowerCase())
        claimed.set(e.id, c)
      }
      return entries.map((e) => claimed.get(e.id)!)
    }
    const pages = [
      ['a', 'A', 'a', 'a-2', 'b', 'a'],
      ['a-2', 'a', 'B', 'c', 'a-3', 'a'],
      ['x', 'x', 'x', 'x'],
    ]
    let id = 0
    const seen = new Set<number>()
    for (const names of pages) {
      const entries = names.map((name) => ({ id: `r${++id}`, name }))
      const got = await status.claimNames(entries)
      expect(got.map((g) => g.name)).toEqual(expectPage(entries))
      for (const g of got) {
        expect(seen.has(g.n)).toBe(false)
        seen.add(g.n)
      }
      // The same page again (a slice that runs again): the same names and numbers.
      expect(await status.claimNames(entries)).toEqual(got)
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: id }, (_, i) => i + 1))
    await status.dropNames()
  })

  it("a name without an extension takes its image URL's, so YOLO readers list the image; no classes is `names: {}`", async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('no-ext') } }))
    const made = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [
            { row_data: 'https://x.test/photos/1.JPG?v=2', global_key: 'cat-1', media_attributes: { width: 10, height: 10 } },
            { row_data: 'https://x.test/img?id=2', global_key: 'cat-2', media_type: 'IMAGE', media_attributes: { width: 10, height: 10 } },
          ],
        }),
      )
    ).created
    // Classifications only: an image project with no class for YOLO.
    const ontology = { tools: [], classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Rainy' }] }] }
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('No ext'), media_type: 'IMAGE', ontology } }),
    )
    const batch = await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
      json: { name: 'b', data_row_ids: made.map((r: any) => r.id) },
    })
    expect(batch.status, await batch.clone().text()).toBe(201)
    const zip = readZip((await exportAs(p, { format: 'yolo' })).bytes)
    const files = parseCsv(zip.get('images.csv')!)
      .slice(1)
      .map((r) => r[0])
    // The URL's extension, lower-cased; a URL without one leaves the name as it is.
    expect(files.sort()).toEqual(['images/cat-1.jpg', 'images/cat-2'])
    expect(zip.get('data.yaml')).toMatch(/\nnc: 0\nnames: \{\}\n$/)
    const coco = JSON.parse((await exportAs(p, { format: 'coco' })).text)
    expect(coco.images.map((i: any) => i.file_name).sort()).toEqual(['cat-1.jpg', 'cat-2'])
  })

  it('clips boxes and polygons to the image in COCO, YOLO and VOC; an object wholly outside is left out (COCO keeps it, marked)', async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('edges') } }))
    const [row] = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [{ row_data: 'https://x.test/edge.png', global_key: 'edge.png', media_attributes: { width: 100, height: 50 } }],
        }),
      )
    ).created
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Edges'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: [row.id] } })
    const res = await call(
      'POST',
      `/api/v1/projects/${p.id}/labels`,
      { cookie: orgs.orgA.LABELER.cookie },
      {
        json: {
          data_row_id: row.id,
          annotations: {
            objects: [
              { name: 'Car', bounding_box: { top: -10, left: 90, height: 30, width: 20 } }, // → 90,0 10×20
              { name: 'Person, "walking"', bounding_box: { top: 10, left: 150, height: 5, width: 5 } }, // wholly right of the image
              {
                name: 'Road',
                polygon: [
                  { x: -20, y: 10 },
                  { x: 50, y: 10 },
                  { x: 50, y: 80 },
                ],
              }, // the part with x ≥ 0 and y ≤ 50
            ],
          },
        },
      },
    )
    expect(res.status, await res.clone().text()).toBe(201)

    const doc = JSON.parse((await exportAs(p, { format: 'coco' })).text)
    const car = doc.annotations.find((a: any) => a.category_id === 1)
    expect(car.bbox).toEqual([90, 0, 10, 20])
    expect(car.area).toBe(200)
    const road = doc.annotations.find((a: any) => a.category_id === 2)
    expect(road.bbox).toEqual([0, 10, 50, 40])
    for (let i = 0; i < road.segmentation[0].length; i += 2) {
      expect(road.segmentation[0][i]).toBeGreaterThanOrEqual(0)
      expect(road.segmentation[0][i]).toBeLessThanOrEqual(100)
      expect(road.segmentation[0][i + 1]).toBeGreaterThanOrEqual(0)
      expect(road.segmentation[0][i + 1]).toBeLessThanOrEqual(50)
    }
    expect(doc.annotations).toHaveLength(2)
    expect(doc.images[0].labeldesk_objects).toEqual([
      expect.objectContaining({
        name: 'Person, "walking"',
        category_id: 4,
        outside_image: true,
        bounding_box: { top: 10, left: 150, height: 5, width: 5 },
      }),
    ])

    const yolo = readZip((await exportAs(p, { format: 'yolo' })).bytes)
    const lines = yolo.get('labels/edge.txt')!.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const l of lines) for (const x of l.split(' ').slice(1).map(Number)) expect(x >= 0 && x <= 1, l).toBe(true)
    expect(lines.find((l) => l.startsWith('0 '))).toBe('0 0.95 0.2 0.1 0.4')

    const voc = readZip((await exportAs(p, { format: 'voc' })).bytes)
    const objs = kids(parseXml(voc.get('Annotations/edge.xml')!), 'object')
    expect(objs.map((o) => textOf(o, 'name'))).toEqual(['Car', 'Road'])
    expect(['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(textOf(objs[0]!, `bndbox/${k}`)))).toEqual([90, 0, 100, 20])
    expect(['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(textOf(objs[1]!, `bndbox/${k}`)))).toEqual([0, 10, 50, 50])
  })
})
