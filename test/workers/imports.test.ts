// Data-row imports through the real queue and Durable Object: partial success with exact per-line
// errors, idempotent re-runs, and a slice processed twice (a redelivered message) changing nothing.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import worker from '../../src/index'
import { dataRows, tasks } from '../../src/db/schema'
import type { QueueMessage } from '../../src/handlers/queue'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

async function newDataset() {
  return json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('import') } }))
}

async function waitDone(taskId: string) {
  let t: any
  await vi.waitFor(
    async () => {
      t = await json(await call('GET', `/api/v1/tasks/${taskId}`, admin()))
      expect(['COMPLETE', 'FAILED']).toContain(t.status)
    },
    { timeout: 60_000, interval: 250 },
  )
  return t
}

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
    const task = await startImport(d.id, lines.join('\n') + '\n')
    expect(task).toMatchObject({ type: 'import-data-rows', status: 'QUEUED', created_by: orgs.orgA.ADMIN.id })
    const done = await waitDone(task.id)
    expect(done.status).toBe('COMPLETE')
    expect(done.completion_percentage).toBe(100)
    expect(done.metadata).toMatchObject({ rows_created: 3, rows_failed: 3 })
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(3)
    const errs = (await (await call('GET', `/api/v1/tasks/${task.id}/errors`, admin())).text()).trim().split('\n').map((l) => JSON.parse(l))
    expect(errs.map((e) => [e.line, e.field ?? null])).toEqual([[2, 'row_data'], [4, null], [5, 'global_key']])
    expect(errs[0].global_key).toBe(`${p}-2`)
    expect(errs[1].message).toMatch(/invalid JSON/)
    expect(errs[2].message).toMatch(/duplicate global key/)
    const csv = await (await call('GET', `/api/v1/tasks/${task.id}/errors?format=csv`, admin())).text()
    expect(csv.split('\n')[0]).toBe('line,global_key,field,message')
    expect(csv).toContain(`2,${p}-2,row_data,`)
    const result = await json(await call('GET', `/api/v1/tasks/${task.id}/result`, admin()))
    expect(result).toMatchObject({ created: 3, failed: 3, lines: 7 })

    // Running the same import again creates nothing new: every keyed row is a duplicate.
    const again = await waitDone((await startImport(d.id, lines.join('\n') + '\n')).id)
    expect(again.metadata.rows_created).toBe(2) // the two rows without a global key
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(5)
    const keyed = await db().select().from(dataRows).where(eq(dataRows.globalKeyLower, `${p}-1`.toLowerCase()))
    expect(keyed).toHaveLength(1)
  })

  it('reads CSV (header counted in line numbers) and JSON arrays', async () => {
    const d = await newDataset()
    const p = unique('csv')
    const csv = `row_data,global_key,external_id\nhttps://x.test/a.png,${p}-a,"a, one"\nhttps://x.test/b.png,${p}-b\n"text, with comma",,t\n`
    const t1 = await waitDone((await startImport(d.id, csv, 'text/csv')).id)
    expect(t1.metadata).toMatchObject({ rows_created: 2, rows_failed: 1 })
    const e1 = await (await call('GET', `/api/v1/tasks/${t1.id}/errors`, admin())).text()
    expect(JSON.parse(e1.trim())).toMatchObject({ line: 3, message: expect.stringMatching(/expected 3 columns/) })

    const arr = JSON.stringify([{ row_data: 'https://x.test/j1.png' }, { row_data: 'https://x.test/j2.png', media_type: 'VIDEO' }, { row_data: 42 }], null, 2)
    const t2 = await waitDone((await startImport(d.id, arr, 'application/json')).id)
    expect(t2.metadata).toMatchObject({ rows_created: 2, rows_failed: 1 })
  })

  it('refuses bad requests before any task exists', async () => {
    const d = await newDataset()
    const before = (await db().select().from(tasks)).length
    expect((await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), { body: '', headers: { 'Content-Type': 'application/x-ndjson' } })).status).toBe(400)
    expect((await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), { body: 'a,b', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415)
    const big = await call('POST', `/api/v1/datasets/${d.id}/imports`, admin(), { body: 'x', headers: { 'Content-Type': 'text/csv', 'Content-Length': String(2 * 1024 ** 3) } })
    expect(big.status).toBe(413)
    expect((await call('POST', `/api/v1/datasets/${d.id}/imports`, { cookie: orgs.orgA.TEAM_MANAGER.cookie }, { body: '{"row_data":"x"}', headers: { 'Content-Type': 'application/x-ndjson' } })).status).toBe(403)
    expect((await call('POST', `/api/v1/datasets/${d.id}/imports`, { cookie: orgs.orgB.ADMIN.cookie }, { body: '{"row_data":"x"}', headers: { 'Content-Type': 'application/x-ndjson' } })).status).toBe(404)
    expect((await db().select().from(tasks)).length).toBe(before)
  })

  it('a slice processed twice (redelivered message after a crash) neither loses nor duplicates rows', async () => {
    const d = await newDataset()
    const p = unique('big')
    const n = 12_000 // three slices
    const body = Array.from({ length: n }, (_, i) => JSON.stringify(i % 3 === 0 ? { row_data: `https://x.test/${i}.png`, global_key: `${p}-${i}` } : { row_data: `row ${i}` })).join('\n')
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
    const batch = createMessageBatch<QueueMessage>('labeldesk-tasks', [{ id: 'redelivered', timestamp: new Date(), attempts: 2, body: { kind: 'import-data-rows', taskId: task.id } }])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['redelivered'])
    const again = await waitDone(task.id)
    expect(again.metadata.rows_created).toBe(n)
    expect(again.metadata.rows_failed).toBe(0)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(n)
  })
})
