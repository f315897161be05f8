// The platform parts every later feature stands on, exercised for real inside workerd: the task
// status Durable Object (SQLite storage, RPC, SSE and WebSocket push), the queue consumer's
// dispatch and retry, the cron handler, and R2.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import worker from '../../src/index'
import { backoffSeconds, runBatch, type QueueMessage } from '../../src/handlers/queue'
import { jobs } from '../../src/handlers/jobs'
import { TASK_TYPES, sessions } from '../../src/db/schema'
import { db, makeOrg, makeUser } from '../helpers/factories'
import type { TaskStatus } from '../../src/modules/tasks/status-object'

describe('TaskStatus Durable Object', () => {
  it('keeps a snapshot and a cursor in SQLite storage, and never un-finishes a task', async () => {
    const stub = env.TASK_STATUS.getByName('tsk_test_1')
    expect(await stub.snapshot()).toBeNull()
    const s1 = await stub.update({ task_id: 'tsk_test_1', status: 'IN_PROGRESS', completion_percentage: 12.4, done: 124, total: 1000 })
    expect(s1).toMatchObject({ status: 'IN_PROGRESS', completion_percentage: 12, done: 124, total: 1000 })
    await stub.saveCursor({ after: 'dr_9', parts: ['etag1'] })
    expect(await stub.cursor()).toEqual({ after: 'dr_9', parts: ['etag1'] })
    await stub.update({ task_id: 'tsk_test_1', status: 'COMPLETE', completion_percentage: 100 })
    const late = await stub.update({ task_id: 'tsk_test_1', status: 'IN_PROGRESS', completion_percentage: 50 })
    expect(late.status).toBe('COMPLETE')
    const rows = await runInDurableObject(
      stub,
      (_i: TaskStatus, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM kv').one().n,
    )
    expect(rows).toBe(2)
  })

  it('pushes updates over SSE, starting with the current snapshot', async () => {
    const stub = env.TASK_STATUS.getByName('tsk_test_sse')
    await stub.update({ task_id: 'tsk_test_sse', status: 'IN_PROGRESS', completion_percentage: 5 })
    const res = await stub.fetch('http://do/events')
    expect(res.headers.get('Content-Type')).toBe('text/event-stream')
    const reader = res.body!.getReader()
    const dec = new TextDecoder()
    const first = dec.decode((await reader.read()).value)
    expect(first).toContain('"completion_percentage":5')
    await stub.update({ task_id: 'tsk_test_sse', completion_percentage: 60 })
    const second = dec.decode((await reader.read()).value)
    expect(second).toContain('event: progress')
    expect(second).toContain('"completion_percentage":60')
    await reader.cancel()
  })

  it('pushes updates over a hibernatable WebSocket', async () => {
    const stub = env.TASK_STATUS.getByName('tsk_test_ws')
    const res = await stub.fetch('http://do/ws', { headers: { Upgrade: 'websocket' } })
    const ws = res.webSocket!
    const got: string[] = []
    ws.addEventListener('message', (e) => got.push(String(e.data)))
    ws.accept()
    await stub.update({ task_id: 'tsk_test_ws', status: 'IN_PROGRESS', completion_percentage: 42 })
    await expect.poll(() => got.length).toBeGreaterThan(0)
    expect(JSON.parse(got.at(-1)!)).toMatchObject({ completion_percentage: 42 })
    ws.close()
  })
})

describe('queue consumer', () => {
  it('dispatches by kind, acks successes, retries failures with backoff, drops unknown kinds', async () => {
    const seen: string[] = []
    const table = {
      'test-echo': {
        async run(msg: { fail?: boolean; value?: string }) {
          if (msg.fail) throw new Error('boom')
          seen.push(String(msg.value))
        },
      },
    }
    const batch = createMessageBatch<unknown>('labeldesk-tasks', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: { kind: 'test-echo', value: 'hello' } },
      { id: 'm2', timestamp: new Date(), attempts: 3, body: { kind: 'test-echo', fail: true } },
      { id: 'm3', timestamp: new Date(), attempts: 1, body: { kind: 'no-such-kind' } },
      { id: 'm4', timestamp: new Date(), attempts: 1, body: { kind: 'toString' } },
    ])
    const ctx = createExecutionContext()
    await runBatch(batch, env, table)
    const result = await getQueueResult(batch, ctx)
    expect(seen).toEqual(['hello'])
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm3', 'm4'])
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(['m2'])
  })

  it('hands dead letters to the job', async () => {
    const dead: unknown[] = []
    const table = { 'test-dead': { run: async () => undefined, dead: async (m: { taskId: string }) => void dead.push(m.taskId) } }
    const batch = createMessageBatch<unknown>('labeldesk-tasks-dlq', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: { kind: 'test-dead', taskId: 'tsk_x' } },
    ])
    const ctx = createExecutionContext()
    await runBatch(batch, env, table)
    await getQueueResult(batch, ctx)
    expect(dead).toEqual(['tsk_x'])
  })

  it('the worker acks a message whose kind has no job (queued by an older deployment)', async () => {
    const batch = createMessageBatch<QueueMessage>('labeldesk-tasks', [
      { id: 'old', timestamp: new Date(), attempts: 1, body: { kind: 'retired-kind' } as unknown as QueueMessage },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, env, ctx)
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toEqual(['old'])
    expect(result.retryMessages).toEqual([])
  })

  it('the jobs table has one job per task type and per webhook message kind', () => {
    expect(Object.keys(jobs).sort()).toEqual([...TASK_TYPES, 'webhook-delivery', 'webhook-dispatch'].sort())
  })
})

describe('cron', () => {
  it('purges expired sessions', async () => {
    const org = await makeOrg()
    const u = await makeUser(org, 'LABELER')
    await db()
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.userId, u.id))
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/15 * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    expect(await db().select().from(sessions).where(eq(sessions.userId, u.id))).toEqual([])
  })
})

describe('R2', () => {
  it('stores and serves ranges from both buckets', async () => {
    await env.EXPORTS.put('exports/test.ndjson', '{"a":1}\n{"a":2}\n')
    const part = await env.EXPORTS.get('exports/test.ndjson', { range: { offset: 8, length: 8 } })
    expect(await part!.text()).toBe('{"a":2}\n')
    await env.ASSETS_BUCKET.put('assets/x.txt', 'hello')
    expect(await (await env.ASSETS_BUCKET.get('assets/x.txt'))!.text()).toBe('hello')
  })
})

describe('retry backoff', () => {
  it('grows exponentially and is capped', () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([2, 4, 8, 16])
    expect(backoffSeconds(20)).toBe(300)
  })
})
