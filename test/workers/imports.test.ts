// Data-row imports through the real queue and Durable Object: partial success with exact per-line
// errors, idempotent re-runs, and a slice processed twice (a redelivered message) changing nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import worker from '../../src/index'
import { dataRows, tasks } from '../../src/db/schema'
import { importBudget, SLICE_BYTES } from '../../src/modules/datasets/imports'
import type { QueueMessage } from '../../src/handlers/queue'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { insertTask } from '../helpers/drain-task'
import { call, json, waitForTask } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

async function newDataset() {
  return json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('import') } }))
}

const waitDone = (id: string) => waitForTask(id, admin(), 60_000)

async function startImport(datasetId: string, body: string, type = 'application/x-ndjson') {
  const res = await call('POST', `/api/v1/datasets/${datasetId}/imports`, admin(), { body, headers: { 'Content-Type': type } })
  expect(res.status, await res.clone().text()).toBe(202)
  expect(res.headers.get('Location')).toMatch(/^\/api\/v1\/tasks\/tsk_/)
  return json(res)
}

describe('import-data-rows', () => {
  it('keeps every good row and reports every bad line exactly (NDJSON)', async () => {
    const d = await newDataset()
    const p = unique('nd')
    const lines = [
      JSON.stringify({ row_data: 'https://x.test/1.jpg', global_key: `${p}-1` }),
      JSON.stringify({ row_data: 'ftp://x.test/2.jpg', global_key: `${p}-2` }),
      JSON.stringify({ row_data: 'Plain text row' }),
      '{"row_data": "broken',
      JSON.stringify({ row_data: 'https://x.test/5.jpg', global_key: `${p}-1` }),
      '',
      JSON.stringify({ row_data: 'https://x.test/7.mp4', external_id: 'seven' }),
    ]
    const task = await startImport(d.id, `${lines.join('\n')}\n`)
    expect(task).toMatchObject({ type: 'import-data-rows', status: 'QUEUED', created_by: orgs.orgA.ADMIN.id })
    const done = await waitDone(task.id)
    expect(done.status).toBe('COMPLETE')
    expect(done.completion_percentage).toBe(100)
    expect(done.metadata).toMatchObject({ rows_created: 3, rows_failed: 3 })
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(3)
    const errs = (await (await call('GET', `/api/v1/tasks/${task.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs.map((e) => [e.line, e.field ?? null])).toEqual([
      [2, 'row_data'],
      [4, null],
      [5, 'global_key'],
    ])
    expect(errs[0].global_key).toBe(`${p}-2`)
    expect(errs[1].message).toMatch(/invalid JSON/)
    expect(errs[2].message).toBe('duplicate global key: also used by line 1 of this file')
    const csv = await (await call('GET', `/api/v1/tasks/${task.id}/errors?format=csv`, admin())).text()
    expect(csv.split('\n')[0]).toBe('line,global_key,field,message')
    expect(csv).toContain(`2,${p}-2,row_data,`)
    const result = await json(await call('GET', `/api/v1/tasks/${task.id}/result`, admin()))
    expect(result).toMatchObject({ created: 3, failed: 3, lines: 7 })

    // Running the same import again creates nothing new: every keyed row is a duplicate.
    const again = await waitDone((await startImport(d.id, `${lines.join('\n')}\n`)).id)
    expect(again.metadata.rows_created).toBe(2) // the two rows without a global key
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(5)
    const keyed = await db()
      .select()
      .from(dataRows)
      .where(eq(dataRows.globalKeyLower, `${p}-1`.toLowerCase()))
    expect(keyed).toHaveLength(1)
  })

  it('a global key repeated far apart in one slice (another chunk of records) is still a duplicate within the file', async () => {
    const d = await newDataset()
    const p = unique('far')
    const body = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({ row_data: `https://x.test/${i}.png`, global_key: i === 2399 ? `${p}-0` : `${p}-${i}` }),
    ).join('\n')
    const done = await waitDone((await startImport(d.id, body)).id)
    expect(done.metadata).toMatchObject({ rows_created: 2499, rows_failed: 1 })
    const errs = (await (await call('GET', `/api/v1/tasks/${done.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs).toEqual([
      expect.objectContaining({ line: 2400, field: 'global_key', message: 'duplicate global key: also used by line 1 of this file' }),
    ])
  })

  it('reads CSV (header counted in line numbers) and JSON arrays', async () => {
    const d = await newDataset()
    const p = unique('csv')
    const csv = `row_data,global_key,external_id\nhttps://x.test/a.png,${p}-a,"a, one"\nhttps://x.test/b.png,${p}-b\n"text, with comma",,t\n`
    const t1 = await waitDone((await startImport(d.id, csv, 'text/csv')).id)
    expect(t1.metadata).toMatchObject({ rows_created: 2, rows_failed: 1 })
    const e1 = await (await call('GET', `/api/v1/tasks/${t1.id}/errors`, admin())).text()
    expect(JSON.parse(e1.trim())).toMatchObject({ line: 3, message: expect.stringMatching(/expected 3 columns/) })

    const arr = JSON.stringify(
      [{ row_data: 'https://x.test/j1.png' }, { row_data: 'https://x.test/j2.png', media_type: 'VIDEO' }, { row_data: 42 }],
      null,
      2,
    )
    const t2 = await waitDone((await startImport(d.id, arr, 'application/json')).id)
    expect(t2.metadata).toMatchObject({ rows_created: 2, rows_failed: 1 })
  })

  it('refuses bad requests before any task exists', async () => {
    const d = await newDataset()
    const before = (await db().select().from(tasks)).length
    expect(
      (await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), { body: '', headers: { 'Content-Type': 'application/x-ndjson' } }))
        .status,
    ).toBe(400)
    expect(
      (await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), { body: 'a,b', headers: { 'Content-Type': 'text/plain' } })).status,
    ).toBe(415)
    const big = await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), {
      body: 'x',
      headers: { 'Content-Type': 'text/csv', 'Content-Length': String(2 * 1024 ** 3) },
    })
    expect(big.status).toBe(413)
    expect(
      (
        await call(
          'POST',
          `/api/v1/datasets/${d.id}/imports`,
          { cookie: orgs.orgA.TEAM_MANAGER.cookie },
          { body: '{"row_data":"x"}', headers: { 'Content-Type': 'application/x-ndjson' } },
        )
      ).status,
    ).toBe(403)
    expect(
      (
        await call(
          'POST',
          `/api/v1/datasets/${d.id}/imports`,
          { cookie: orgs.orgB.ADMIN.cookie },
          { body: '{"row_data":"x"}', headers: { 'Content-Type': 'application/x-ndjson' } },
        )
      ).status,
    ).toBe(404)
    expect((await db().select().from(tasks)).length).toBe(before)
  })

  it('a slice processed twice (redelivered message after a crash) neither loses nor duplicates rows', async () => {
    const d = await newDataset()
    const p = unique('big')
    const n = 12_000 // three slices
    const body = Array.from({ length: n }, (_, i) =>
      JSON.stringify(i % 3 === 0 ? { row_data: `https://x.test/${i}.png`, global_key: `${p}-${i}` } : { row_data: `row ${i}` }),
    ).join('\n')
    const task = await startImport(d.id, body)
    const done = await waitDone(task.id)
    expect(done.metadata.rows_created).toBe(n)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(n)

    // Rewind: the consumer "crashed" after slice 1's inserts but before saving its cursor.
    const status = env.TASK_STATUS.getByName(task.id)
    const cursor = (await status.cursor()) as { offset: number }
    expect(cursor.offset).toBe(new TextEncoder().encode(body).length)
    await status.saveCursor({ offset: 0, state: { format: 'ndjson', line: 0 }, slice: 0, created: 0, failed: 0, rows: 0 })
    await db().update(tasks).set({ status: 'IN_PROGRESS' }).where(eq(tasks.id, task.id))
    const batch = createMessageBatch<QueueMessage>('labeldesk-tasks', [
      { id: 'redelivered', timestamp: new Date(), attempts: 2, body: { kind: 'import-data-rows', taskId: task.id } },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['redelivered'])
    const again = await waitDone(task.id)
    expect(again.metadata.rows_created).toBe(n)
    expect(again.metadata.rows_failed).toBe(0)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(n)
  })

  it('one message runs several slices; a crash in its second slice keeps the first, and the retry neither loses nor duplicates rows', async () => {
    const d = await newDataset()
    const p = unique('multi')
    // ~300-byte lines: 2.5 windows of SLICE_BYTES, so three slices, all within one message (the
    // time budget is lifted for this test, so a slow machine cannot split the message).
    expect(importBudget.slices).toBeGreaterThanOrEqual(3)
    const pad = 'p'.repeat(240)
    const n = Math.ceil((2.5 * SLICE_BYTES) / 300)
    const body = `${Array.from({ length: n }, (_, i) =>
      JSON.stringify({ row_data: `https://x.test/${pad}/${i}.png`, global_key: `${p}-${i}` }),
    ).join('\n')}\n`
    const size = new TextEncoder().encode(body).length
    expect(size).toBeGreaterThan(2 * SLICE_BYTES)

    // The test plays the queue: the task and its manifest are made as startImport makes them, and
    // messages the job sends are collected instead of delivered.
    const key = `imports/${orgs.a.id}/${d.id}/${unique('m')}.ndjson`
    await env.ASSETS_BUCKET.put(key, body)
    const { id } = await insertTask(
      {
        orgId: orgs.a.id,
        createdBy: orgs.orgA.ADMIN.id,
        type: 'import-data-rows',
        name: 'multi',
        subjectId: d.id,
        params: { dataset_id: d.id, key, size, format: 'ndjson' },
        metadata: { bytes_total: size, bytes_done: 0, rows_created: 0, rows_failed: 0 },
      },
      'imp',
    )
    const sent: QueueMessage[] = []
    // A D1 that fails the `failAt`-th INSERT into data_rows, as a consumer dying mid-slice would.
    let inserts = 0
    let idChecks = 0
    let failAt = Infinity
    const flakyDb = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'prepare') {
          return (query: string) => {
            if (/^\s*INSERT INTO data_rows/i.test(query) && ++inserts === failAt)
              throw new Error('simulated crash in the middle of a slice')
            if (/^select "id" from "data_rows" where "data_rows"."id" IN/i.test(query)) idChecks++
            return target.prepare(query)
          }
        }
        const v = Reflect.get(target, prop)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const testEnv = {
      ...env,
      DB: flakyDb,
      TASK_QUEUE: { send: async (m: QueueMessage) => void sent.push(m), sendBatch: async () => undefined },
    } as unknown as typeof env
    const deliver = async (attempts: number) => {
      const b = createMessageBatch<QueueMessage>('labeldesk-tasks', [
        { id: `m-${attempts}`, timestamp: new Date(), attempts, body: { kind: 'import-data-rows', taskId: id } },
      ])
      const ctx = createExecutionContext()
      const budget = { ...importBudget }
      importBudget.ms = 600_000
      try {
        await worker.queue(b, testEnv, ctx)
      } finally {
        Object.assign(importBudget, budget)
      }
      return getQueueResult(b, ctx)
    }

    // A slice inserts its records 2,000 at a time, each chunk's INSERTs prepared once and sent as
    // one batch. The first slice holds ~6,700 lines (every line is ≥ 300 bytes): 4 chunks. Fail
    // the second chunk of the second slice, after its first chunk went in.
    const firstSliceRows = Math.floor(SLICE_BYTES / 300)
    failAt = Math.ceil(firstSliceRows / 2000) + 2
    const r1 = await deliver(1)
    expect(r1.retryMessages).toHaveLength(1)
    expect(r1.explicitAcks).toHaveLength(0)
    const status = env.TASK_STATUS.getByName(id)
    const saved = (await status.cursor()) as { slice: number; offset: number; created: number }
    expect(saved.slice).toBe(1) // the first slice's cursor was saved, the second's was not
    expect(saved.offset).toBeGreaterThan(0)
    expect(saved.offset).toBeLessThan(size)
    const partial = (await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count
    expect(partial).toBeGreaterThan(saved.created) // the second slice had written some rows
    expect(sent).toHaveLength(0)

    // The retry starts at the saved cursor, re-sends the rows the crashed slice had written, and
    // finishes the rest of the manifest in the same message.
    failAt = Infinity
    idChecks = 0
    const r2 = await deliver(2)
    // Only the chunk that had gone in before the crash is checked row by row; every other chunk's
    // change count said all of its rows went in.
    expect(idChecks).toBe(1)
    expect(r2.explicitAcks).toEqual(['m-2'])
    expect(sent).toHaveLength(0)
    const t = await db().select().from(tasks).where(eq(tasks.id, id)).get()
    expect(t!.status).toBe('COMPLETE')
    expect(t!.metadata).toMatchObject({ rows_created: n, rows_failed: 0, error_parts: 3 })
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(n)
    const keys = await db().select({ gk: dataRows.globalKey }).from(dataRows).where(eq(dataRows.datasetId, d.id))
    expect(new Set(keys.map((k) => k.gk)).size).toBe(n)
  })
})
