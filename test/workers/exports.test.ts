// Exports end to end through the real queue, R2 multipart and the task's Durable Object.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { asc, eq } from 'drizzle-orm'
import worker from '../../src/index'
import { projectDataRows, tasks } from '../../src/db/schema'
import { exportBudget, PART_BYTES } from '../../src/modules/exports/service'
import type { QueueMessage } from '../../src/handlers/queue'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { insertTask } from '../helpers/drain-task'
import { call, json, waitForTask } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
let batch: any
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
    { name: 'Lane', tool: 'line' },
    { name: 'Name', tool: 'text_entity' },
    { name: 'Sky', tool: 'mask' },
  ],
  classifications: [
    {
      name: 'Weather',
      type: 'radio',
      options: [{ name: 'Sunny' }, { name: 'Rainy', classifications: [{ name: 'Heavy', type: 'checklist', options: [{ name: 'Yes' }] }] }],
    },
    { name: 'Tags', type: 'checklist', options: [{ name: 'Night' }, { name: 'Blurry' }] },
    { name: 'Notes', type: 'text' },
  ],
}
const EVERY_KIND = {
  objects: [
    {
      name: 'Car',
      bounding_box: { top: 1, left: 2, height: 3, width: 4 },
      classifications: [{ name: 'Color', radio_answer: { name: 'Blue' } }],
    },
    {
      name: 'Road',
      polygon: [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 1 },
      ],
    },
    { name: 'Sign', point: { x: 5, y: 6 } },
    {
      name: 'Lane',
      line: [
        { x: 0, y: 0 },
        { x: 9, y: 9 },
      ],
    },
    { name: 'Name', location: { start: 3, end: 8 } },
    { name: 'Sky', mask: { url: 'https://x.test/mask.png' } },
  ],
  classifications: [
    { name: 'Weather', radio_answer: { name: 'Rainy', classifications: [{ name: 'Heavy', checklist_answers: [{ name: 'Yes' }] }] } },
    { name: 'Tags', checklist_answers: [{ name: 'Night' }] },
    { name: 'Notes', text_answer: { content: 'all kinds' } },
  ],
}

const waitDone = (id: string) => waitForTask(id, admin(), 90_000)
async function exportNow(body: unknown) {
  const res = await call('POST', `/api/v1/projects/${project.id}/exports`, admin(), { json: body })
  expect(res.status, await res.clone().text()).toBe(202)
  const t = await waitDone((await json(res)).id)
  expect(t.status).toBe('COMPLETE')
  const text = await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text()
  return {
    task: t,
    lines: text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    text,
  }
}

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: 'street' } }))
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: [
          {
            row_data: 'https://x.test/a.jpg',
            global_key: unique('a'),
            external_id: 'a.jpg',
            metadata_fields: [{ name: 'cam', value: 'front' }],
            attachments: [{ type: 'RAW_TEXT', value: 'hi' }],
          },
          { row_data: 'https://x.test/b.jpg', global_key: unique('b') },
          { row_data: 'https://x.test/c.jpg' },
        ],
      }),
    )
  ).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), { json: { name: 'street-objects', media_type: 'IMAGE', ontology: ONTOLOGY } }),
  )
  batch = await json(
    await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
      json: { name: 'batch-1', priority: 2, data_row_ids: rows.map((r) => r.id) },
    }),
  )
  const l = await json(
    await call(
      'POST',
      `/api/v1/projects/${project.id}/labels`,
      { cookie: orgs.orgA.LABELER.cookie },
      { json: { data_row_id: rows[0].id, annotations: EVERY_KIND, seconds_to_create: 41.2 } },
    ),
  )
  await call('POST', `/api/v1/labels/${l.id}/reviews`, { cookie: orgs.orgA.REVIEWER.cookie }, { json: { score: 1 } })
  await call(
    'POST',
    `/api/v1/projects/${project.id}/labels`,
    { cookie: orgs.orgA.LABELER.cookie },
    { json: { data_row_id: rows[1].id, skipped: true } },
  )
})

describe('exports', () => {
  it('writes one line per data row with every annotation kind, sections only when asked', async () => {
    const { lines, task, text } = await exportNow({})
    expect(lines).toHaveLength(3)
    for (const raw of text.split('\n').filter(Boolean)) expect(raw).toBe(JSON.stringify(JSON.parse(raw)))
    const first = lines.find((l) => l.data_row.id === rows[0].id)
    expect(Object.keys(first).sort()).toEqual(['data_row', 'projects'])
    expect(first.data_row).toEqual({
      id: rows[0].id,
      global_key: rows[0].global_key,
      external_id: 'a.jpg',
      row_data: 'https://x.test/a.jpg',
    })
    const label = first.projects[project.id].labels[0]
    expect(Object.keys(label).sort()).toEqual(['annotations', 'id', 'label_kind', 'version'])
    expect(label.annotations.objects.map((o: any) => o.annotation_kind)).toEqual([
      'ImageBoundingBox',
      'ImagePolygon',
      'ImagePoint',
      'ImagePolyline',
      'TextEntity',
      'ImageSegmentationMask',
    ])
    expect(label.annotations.objects[4].location).toEqual({ start: 3, end: 8 })
    expect(label.annotations.objects[5].mask).toEqual({ url: 'https://x.test/mask.png' })
    expect(label.annotations.classifications[0].radio_answer.classifications[0].checklist_answers[0].name).toBe('Yes')
    expect(label.annotations.relationships).toEqual([])
    const unlabeled = lines.find((l) => l.data_row.id === rows[2].id)
    expect(unlabeled.data_row).toEqual({ id: rows[2].id, row_data: 'https://x.test/c.jpg' })
    expect(unlabeled.projects[project.id].labels).toEqual([])
    const meta = await json(await call('GET', `/api/v1/tasks/${task.id}/result/metadata`, admin()))
    expect(meta).toEqual({ total_size: new TextEncoder().encode(text).length, total_lines: 3, asset_urls: task.metadata.asset_urls })
  })

  it('includes each section iff its flag is set', async () => {
    const all = {
      data_row_details: true,
      metadata_fields: true,
      attachments: true,
      media_attributes: true,
      project_details: true,
      label_details: true,
      performance_details: true,
    }
    const { lines, text } = await exportNow({ params: all })
    // Lines are assembled as text (annotations spliced in as stored): each must still be exactly
    // the minified JSON that JSON.stringify writes for it, in the documented key order.
    for (const raw of text.split('\n').filter(Boolean)) expect(raw).toBe(JSON.stringify(JSON.parse(raw)))
    expect(Object.keys(lines[0])).toEqual(['data_row', 'media_attributes', 'attachments', 'metadata_fields', 'projects'])
    expect(Object.keys(lines.find((l) => l.data_row.id === rows[0].id).projects[project.id])).toEqual(['name', 'labels', 'project_details'])
    expect(Object.keys(lines.find((l) => l.data_row.id === rows[0].id).projects[project.id].labels[0])).toEqual([
      'id',
      'label_kind',
      'version',
      'label_details',
      'performance_details',
      'annotations',
    ])
    const first = lines.find((l) => l.data_row.id === rows[0].id)
    expect(first.data_row.details).toMatchObject({ dataset_name: 'street', created_by: orgs.orgA.ADMIN.email })
    expect(first.metadata_fields).toEqual([{ name: 'cam', value: 'front' }])
    expect(first.attachments).toEqual([{ type: 'RAW_TEXT', value: 'hi' }])
    // Sizes never read: present, and null (src/modules/exports/lines.ts).
    expect(first.media_attributes).toEqual({ mime_type: null, width: null, height: null })
    const p = first.projects[project.id]
    expect(p.project_details).toEqual({
      batch_id: batch.id,
      batch_name: 'batch-1',
      priority: 2,
      consensus_expected_label_count: 1,
      workflow_status: 'DONE',
      // The review decision, as Labelbox's workflow history (src/modules/exports/lines.ts).
      workflow_history: [
        expect.objectContaining({
          action: 'Approve',
          label_id: p.labels[0].id,
          created_by: expect.objectContaining({ email: orgs.orgA.REVIEWER.email }),
        }),
      ],
    })
    expect(p.labels[0].label_details).toMatchObject({
      created_by: orgs.orgA.LABELER.email,
      reviews: [{ score: 1, created_by: orgs.orgA.REVIEWER.email }],
    })
    expect(p.labels[0].performance_details).toEqual({ seconds_to_create: 41.2, seconds_to_review: 0, skipped: false })
    for (const flag of Object.keys(all)) {
      const { lines: one } = await exportNow({ params: { [flag]: true } })
      const l = one.find((x) => x.data_row.id === rows[0].id)
      const has = {
        data_row_details: 'details' in l.data_row,
        metadata_fields: 'metadata_fields' in l,
        attachments: 'attachments' in l,
        media_attributes: 'media_attributes' in l,
        project_details: 'project_details' in l.projects[project.id],
        label_details: 'label_details' in l.projects[project.id].labels[0],
        performance_details: 'performance_details' in l.projects[project.id].labels[0],
      }
      expect(
        Object.entries(has)
          .filter(([, v]) => v)
          .map(([k]) => k),
      ).toEqual([flag])
    }
  })

  it('filters by ids, keys, batch, workflow status and dates', async () => {
    expect((await exportNow({ filters: { data_row_ids: [rows[1].id] } })).lines.map((l) => l.data_row.id)).toEqual([rows[1].id])
    expect((await exportNow({ filters: { global_keys: [rows[0].global_key.toUpperCase()] } })).lines.map((l) => l.data_row.id)).toEqual([
      rows[0].id,
    ])
    expect((await exportNow({ filters: { workflow_status: 'Done' } })).lines.map((l) => l.data_row.id)).toEqual([rows[0].id])
    expect((await exportNow({ filters: { workflow_status: 'ToLabel' } })).lines).toHaveLength(2)
    expect((await exportNow({ filters: { batch_ids: [batch.id] } })).lines).toHaveLength(3)
    const today = new Date().toISOString().slice(0, 10)
    expect((await exportNow({ filters: { label_created_at: [today, null] } })).lines.map((l) => l.data_row.id).sort()).toEqual(
      [rows[0].id, rows[1].id].sort(),
    )
    expect((await exportNow({ filters: { label_created_at: ['2001-01-01', '2001-01-02 00:00:00'] } })).lines).toEqual([])
    expect((await exportNow({ filters: { last_activity_at: [null, '2099-01-01T00:00:00+02:00'] } })).lines).toHaveLength(3)
  })

  it('refuses bad requests before any task exists', async () => {
    const before = (await db().select().from(tasks)).length
    const cases: [unknown, RegExp][] = [
      [{ filters: { data_row_ids: ['a'], global_keys: ['b'] } }, /not both/],
      [{ filters: { data_row_ids: Array.from({ length: 2001 }, (_, i) => `dr_${i}`) } }, /at most 2,000/],
      [{ filters: { data_row_ids: [] } }, /must not be empty/],
      [{ filters: { label_created_at: ['yesterday', null] } }, /YYYY-MM-DD/],
      [{ filters: { label_created_at: ['2026-02-30', null] } }, /YYYY-MM-DD/],
      [{ filters: { workflow_status: 'Finished' } }, /workflow_status must be one of/],
      [{ filters: { batch_ids: ['bat_nope'] } }, /Unknown batch ids/],
      [{ params: { labels: true } }, /unknown param/],
      [{ params: { label_details: 'yes' } }, /label_details must be true or false/],
    ]
    for (const [body, msg] of cases) {
      const res = await call('POST', `/api/v1/projects/${project.id}/exports`, admin(), { json: body })
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(JSON.stringify(await json(res))).toMatch(msg)
    }
    expect((await call('POST', `/api/v1/projects/${project.id}/exports`, { cookie: orgs.orgA.LABELER.cookie }, { json: {} })).status).toBe(
      403,
    )
    expect((await call('POST', `/api/v1/projects/${project.id}/exports`, { cookie: orgs.orgB.ADMIN.cookie }, { json: {} })).status).toBe(
      404,
    )
    expect((await db().select().from(tasks)).length).toBe(before)
  })

  it('asking for the same export while it runs returns the running task; labelers cannot download', async () => {
    const a = await json(
      await call('POST', `/api/v1/projects/${project.id}/exports`, admin(), { json: { params: { label_details: true } } }),
    )
    const b = await json(
      await call('POST', `/api/v1/projects/${project.id}/exports`, admin(), { json: { params: { label_details: true } } }),
    )
    if (b.status !== 'COMPLETE') expect(b.id).toBe(a.id)
    await waitDone(a.id)
    expect((await call('GET', `/api/v1/tasks/${a.id}/result`, { cookie: orgs.orgA.LABELER.cookie })).status).toBe(404)
  })

  it('a big export spans several parts of exactly PART_BYTES, complete and in order; slices that crash and rerun give identical output', async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('big') } }))
    const filler = 'x'.repeat(900)
    const n = 12_000 // ~1 KiB a line: 12 MiB, i.e. three parts (two of exactly PART_BYTES and the rest)
    for (let k = 0; k < n / 1000; k++) {
      const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 1000 }, (_, i) => ({ row_data: `${filler} ${k}-${i}` })),
      })
      expect(res.status).toBe(201)
    }
    const big = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Big'), media_type: 'TEXT' } }))
    await call('POST', `/api/v1/projects/${big.id}/batches`, admin(), { json: { name: 'all', dataset_id: d.id } })
    const expectedIds = (
      await db()
        .select({ id: projectDataRows.dataRowId })
        .from(projectDataRows)
        .where(eq(projectDataRows.projectId, big.id))
        .orderBy(asc(projectDataRows.dataRowId))
    ).map((r) => r.id)
    expect(expectedIds).toHaveLength(n)

    // Through the real queue, with the production budget.
    const start = async () =>
      json(await call('POST', `/api/v1/projects/${big.id}/exports`, admin(), { json: { params: { performance_details: true } } }))
    const t1 = await waitDone((await start()).id)
    expect(t1.status).toBe('COMPLETE')
    expect(t1.metadata.lines_written).toBe(n)
    const clean = await (await call('GET', `/api/v1/tasks/${t1.id}/result`, admin())).text()
    const size = new TextEncoder().encode(clean).length
    expect(size).toBeGreaterThan(2 * PART_BYTES)
    const parts = ((await env.TASK_STATUS.getByName(t1.id).cursor()) as { parts: unknown[] }).parts
    expect(parts).toHaveLength(Math.ceil(size / PART_BYTES))
    expect(parts.length).toBeGreaterThanOrEqual(3)
    // Complete and in order: every data row of the project once, by id, each line whole.
    const lines = clean.split('\n')
    expect(lines.pop()).toBe('')
    const ids = lines.map((l) => JSON.parse(l).data_row.id)
    expect(ids).toEqual(expectedIds)
    expect(lines.every((l) => JSON.parse(l).data_row.row_data.startsWith(filler))).toBe(true)

    // Second run, delivered by the test itself (it plays the queue) with a small budget, so the
    // export crosses many slices and carries partial parts between them; and the consumer
    // "crashes" once right after uploading a part, before saving its cursor. The message is retried
    // from the saved cursor and the file must be byte-identical to the clean run.
    const sent: QueueMessage[] = []
    let uploaded = 0
    const crashAfterUpload = 2
    const crashing = (u: R2MultipartUpload) => ({
      uploadId: u.uploadId,
      key: u.key,
      uploadPart: async (partNumber: number, bytes: Uint8Array) => {
        const part = await u.uploadPart(partNumber, bytes)
        if (++uploaded === crashAfterUpload) throw new Error('simulated crash after uploading a part')
        return part
      },
      complete: (p: R2UploadedPart[]) => u.complete(p),
      abort: () => u.abort(),
    })
    const bucket = new Proxy(env.EXPORTS, {
      get(target, prop) {
        if (prop === 'createMultipartUpload')
          return async (...a: Parameters<R2Bucket['createMultipartUpload']>) => crashing(await target.createMultipartUpload(...a))
        if (prop === 'resumeMultipartUpload')
          return (...a: Parameters<R2Bucket['resumeMultipartUpload']>) => crashing(target.resumeMultipartUpload(...a))
        const v = Reflect.get(target, prop)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const testEnv = {
      ...env,
      EXPORTS: bucket,
      TASK_QUEUE: { send: async (m: QueueMessage) => void sent.push(m), sendBatch: async () => undefined },
    } as unknown as typeof env
    const { id } = await insertTask(
      {
        orgId: orgs.a.id,
        createdBy: orgs.orgA.ADMIN.id,
        type: 'export-data-rows',
        name: 'manual',
        subjectId: big.id,
        params: { params: { performance_details: true }, filters: {} },
      },
      'manual',
    )
    const status = env.TASK_STATUS.getByName(id)
    const budget = { ...exportBudget }
    exportBudget.pages = 2 // ~2 MiB a slice: a part is cut across two or three slices
    let retried = 0
    let carried = 0
    try {
      let attempts = 1
      for (let guard = 0; guard < 40; guard++) {
        const b = createMessageBatch<QueueMessage>('labeldesk-tasks', [
          { id: `m${guard}`, timestamp: new Date(), attempts, body: { kind: 'export-data-rows', taskId: id } },
        ])
        const ctx = createExecutionContext()
        await worker.queue(b, testEnv, ctx)
        const r = await getQueueResult(b, ctx)
        if (r.retryMessages.length) retried++, attempts++
        else attempts = 1
        if (((await status.cursor()) as { carry: boolean }).carry) carried++
        if ((await db().select().from(tasks).where(eq(tasks.id, id)).get())!.status === 'COMPLETE') break
      }
    } finally {
      Object.assign(exportBudget, budget)
    }
    expect(retried).toBe(1)
    expect(carried).toBeGreaterThanOrEqual(3)
    const final = (await status.cursor()) as { parts: unknown[]; slice: number; lines: number }
    expect(final.parts).toHaveLength(parts.length)
    expect(final.slice).toBeGreaterThan(final.parts.length) // parts were cut across slices
    expect(final.lines).toBe(n)
    const again = await (await call('GET', `/api/v1/tasks/${id}/result`, admin())).text()
    expect(again).toBe(clean)
  }, 120_000) // 12k rows and two full exports: past the default 30 s on a loaded machine
})
