// The task queue under a bad task, and crash-resume by heartbeat, through the real consumer, the
// real local queue (Miniflare's broker hands a queue its next batch only when the last one has
// returned), D1, R2 and the tasks' Durable Objects.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { eq, inArray } from 'drizzle-orm'
import worker from '../../src/index'
import { tasks, type TaskType } from '../../src/db/schema'
import { jobs } from '../../src/handlers/jobs'
import { queueLimits, type QueueMessage } from '../../src/handlers/queue'
import { REVIVAL_CRON } from '../../src/handlers/scheduled'
import { taskJob } from '../../src/modules/tasks/job'
import { exportBudget } from '../../src/modules/exports/service'
import { failTask, QUIET_AFTER_MS, reviveStuckTasks, STUCK_AFTER_MS, type TaskRow } from '../../src/modules/tasks/service'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { insertTask } from '../helpers/drain-task'
import { call, json, waitForTask } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let small: { id: string }
let big: { id: string }
const BIG_ROWS = 2_500
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

/**
 * A slice that never ends: it stands for an await that does not settle (an R2 read or a D1 call
 * under load, a stuck connection). A pending timer keeps it alive the way real I/O would, so the
 * runtime does not cut it short on its own. `released` lets later deliveries end.
 */
const hang = { released: false, runs: 0 }
const hangJob = taskJob('test-hang' as TaskType, async () => {
  hang.runs++
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (hang.released) clearInterval(t), resolve()
    }, 50)
  })
  return 'done'
})
// The consumer's table lists the real kinds only (its type says so); this test-only kind joins it
// here, in the same module instance the worker's queue handler reads.
;(jobs as Record<string, unknown>)['test-hang'] = hangJob

const insertQueued = (type: string, subjectId: string, params: Record<string, unknown>): Promise<TaskRow> =>
  insertTask(
    {
      orgId: orgs.a.id,
      createdBy: orgs.orgA.ADMIN.id,
      type: type as TaskRow['type'],
      name: `test ${type}`,
      subjectId,
      params,
      sliceToken: crypto.randomUUID(),
    },
    'q',
  )
const msgOf = (t: TaskRow): QueueMessage & { token?: string | null } => ({ kind: t.type, taskId: t.id, token: t.sliceToken })
const load = async (id: string) => (await db().select().from(tasks).where(eq(tasks.id, id)).get())!

/** An env whose queue keeps what is sent instead of delivering it (a server killed right after). */
function capturing() {
  const sent: (QueueMessage & { token?: string | null })[] = []
  const e = {
    ...env,
    TASK_QUEUE: { send: async (m: QueueMessage & { token?: string | null }) => void sent.push(m), sendBatch: async () => undefined },
  } as unknown as typeof env
  return { env: e, sent }
}

async function deliver(queue: string, bodies: QueueMessage[], e: typeof env = env, attempts = 1) {
  const batch = createMessageBatch<QueueMessage>(
    queue,
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID().slice(0, 8)}`, timestamp: new Date(), attempts, body })),
  )
  const ctx = createExecutionContext()
  const started = Date.now()
  await worker.queue(batch, e, ctx)
  const r = await getQueueResult(batch, ctx)
  return {
    ms: Date.now() - started,
    acked: r.explicitAcks,
    retried: r.retryMessages.map((m: { msgId: string }) => m.msgId),
    ids: batch.messages.map((m) => m.id),
  }
}

async function withLimits<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const saved = queueLimits.messageMs
  queueLimits.messageMs = ms
  try {
    return await fn()
  } finally {
    queueLimits.messageMs = saved
  }
}

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('rows') } }))
  for (let k = 0; k < BIG_ROWS / 500; k++) {
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: Array.from({ length: 500 }, (_, i) => ({ row_data: `https://x.test/${k}-${i}.jpg`, global_key: unique(`g${k}-${i}`) })),
    })
    expect(res.status).toBe(201)
  }
  big = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Big'), media_type: 'IMAGE' } }))
  await call('POST', `/api/v1/projects/${big.id}/batches`, admin(), { json: { name: 'all', dataset_id: d.id } })
  const s = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('few') } }))
  const rows = (
    await json(
      await call('POST', `/api/v1/datasets/${s.id}/data-rows`, admin(), {
        json: [{ row_data: 'https://x.test/a.jpg' }, { row_data: 'https://x.test/b.jpg' }],
      }),
    )
  ).created
  small = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Small'), media_type: 'IMAGE' } }))
  await call('POST', `/api/v1/projects/${small.id}/batches`, admin(), {
    json: { name: 'b', data_row_ids: rows.map((r: { id: string }) => r.id) },
  })
})

describe('one bad task cannot stop the others', () => {
  it('a message that never finishes neither holds nor fails the other messages of its batch; it is retried, then dead-lettered and its task FAILED with the reason', async () => {
    const bad = await insertQueued('test-hang', small.id, {})
    const a = await insertQueued('export-data-rows', small.id, { params: {}, filters: {} })
    const b = await insertQueued('export-data-rows', small.id, { params: { label_details: true }, filters: {} })
    const q = capturing()
    // The bad message first: a consumer that works through its batch in order never reaches the others.
    // A bound the two small exports meet easily even on a busy machine.
    const r = await withLimits(4_000, () => deliver('labeldesk-tasks', [msgOf(bad), msgOf(a), msgOf(b)], q.env))
    expect(r.ms).toBeLessThan(8_000)
    expect(r.retried).toEqual([r.ids[0]])
    expect(r.acked.sort()).toEqual([r.ids[1], r.ids[2]].sort())
    expect((await load(a.id)).status).toBe('COMPLETE')
    expect((await load(b.id)).status).toBe('COMPLETE')
    const stuck = await load(bad.id)
    expect(stuck.status).toBe('QUEUED')
    expect(stuck.failureReason).toMatch(/took longer than 4 s/)
    // Its lease was given back, so the retry can run the slice at once.
    expect(stuck.leaseUntil).toBeNull()

    // A retry that times out again is retried again; past the retries the message is dead-lettered.
    const again = await withLimits(500, () => deliver('labeldesk-tasks', [msgOf(bad)], q.env, 2))
    expect(again.retried).toHaveLength(1)
    expect(hang.runs).toBe(2)
    await deliver('labeldesk-tasks-dlq', [msgOf(bad)], q.env)
    const failed = await load(bad.id)
    expect(failed.status).toBe('FAILED')
    expect(failed.failureReason).toMatch(/failed on every retry.*took longer than/)
  })

  it('a task whose slice hangs does not stop the local queue: tasks started after it complete', { timeout: 90_000 }, async () => {
    hang.released = false
    const bad = await insertQueued('test-hang', small.id, {})
    await withLimits(3_000, async () => {
      await env.TASK_QUEUE.send(msgOf(bad))
      await new Promise((r) => setTimeout(r, 300))
      // Started after the hanging one: the broker delivers them only once the consumer returns.
      const e = await json(await call('POST', `/api/v1/projects/${small.id}/exports`, admin(), { json: { params: { attachments: true } } }))
      const i = await json(await call('POST', `/api/v1/projects/${big.id}/exports`, admin(), { json: { params: { attachments: true } } }))
      expect((await waitForTask(e.id, admin(), 40_000)).status).toBe('COMPLETE')
      expect((await waitForTask(i.id, admin(), 40_000)).status).toBe('COMPLETE')
    })
    expect(hang.runs).toBeGreaterThanOrEqual(1)
    // Let its remaining retries end, and stop the task so later cron runs leave it alone.
    hang.released = true
    await failTask(env, bad.id, 'test over')
  })

  it('a message of a chain that moved on is dropped, and its dead letter does not fail the task', async () => {
    const t = await insertQueued('export-data-rows', small.id, { params: {}, filters: {} })
    const stale = { ...msgOf(t), token: 'not-the-current-token' }
    const r = await deliver('labeldesk-tasks', [stale])
    expect(r.acked).toHaveLength(1)
    expect((await load(t.id)).status).toBe('QUEUED')
    expect(await env.TASK_STATUS.getByName(t.id).cursor()).toBeNull()
    await deliver('labeldesk-tasks-dlq', [stale])
    expect((await load(t.id)).status).toBe('QUEUED')
    // The current message still runs it.
    await deliver('labeldesk-tasks', [msgOf(t)])
    expect((await load(t.id)).status).toBe('COMPLETE')
  })

  it('a copy delivered while a slice holds the lease is retried, not run twice', async () => {
    const t = await insertQueued('export-data-rows', small.id, { params: {}, filters: {} })
    await db()
      .update(tasks)
      .set({ leaseUntil: new Date(Date.now() + 30_000) })
      .where(eq(tasks.id, t.id))
    const r = await deliver('labeldesk-tasks', [msgOf(t)])
    expect(r.retried).toHaveLength(1)
    expect(await env.TASK_STATUS.getByName(t.id).cursor()).toBeNull()
    await failTask(env, t.id, 'test over')
  })
})

describe('crash-resume by heartbeat', () => {
  it('a task with no heartbeat for 90 s is revived by the every-minute cron, shows "resuming", and completes with the same file as an uninterrupted run', {
    timeout: 120_000,
  }, async () => {
    const params = { params: { performance_details: true }, filters: {} }
    // Uninterrupted, through the real queue.
    const clean = await json(await call('POST', `/api/v1/projects/${big.id}/exports`, admin(), { json: { params: params.params } }))
    expect((await waitForTask(clean.id, admin(), 60_000)).status).toBe('COMPLETE')
    const cleanText = await (await call('GET', `/api/v1/tasks/${clean.id}/result`, admin())).text()
    expect(cleanText.split('\n').filter(Boolean)).toHaveLength(BIG_ROWS)

    // Interrupted: one slice runs, then the server "dies" — the message for the next slice is lost.
    const t = await insertQueued('export-data-rows', big.id, params)
    const q = capturing()
    const budget = { ...exportBudget }
    exportBudget.pages = 1
    try {
      await deliver('labeldesk-tasks', [msgOf(t)], q.env)
    } finally {
      Object.assign(exportBudget, budget)
    }
    expect(q.sent).toHaveLength(1)
    const lost = q.sent[0]!
    const row = await load(t.id)
    expect(row.status).toBe('IN_PROGRESS')
    expect(row.completionPercentage).toBe(40)
    expect(row.leaseUntil).toBeNull()
    expect(row.sliceToken).toBe(lost.token)
    const heartbeat = row.updatedAt.getTime()
    const resumingNow = async () => (await json(await call('GET', `/api/v1/tasks/${t.id}`, admin()))).resuming
    expect(await resumingNow()).toBe(false)
    // Silent for longer than a running task ever is: shown as resuming before the cron comes.
    await db()
      .update(tasks)
      .set({ updatedAt: new Date(Date.now() - QUIET_AFTER_MS - 1_000) })
      .where(eq(tasks.id, t.id))
    expect(await resumingNow()).toBe(true)
    await db()
      .update(tasks)
      .set({ updatedAt: new Date(heartbeat) })
      .where(eq(tasks.id, t.id))

    // Not yet two minutes without progress: left alone.
    expect(await reviveStuckTasks(q.env, heartbeat + STUCK_AFTER_MS - 1_000)).toEqual({ revived: 0, failed: 0 })
    // Past it, but a slice holds the lease (slow, not dead): left alone, never run twice.
    await db()
      .update(tasks)
      .set({ leaseUntil: new Date(heartbeat + STUCK_AFTER_MS + 30_000) })
      .where(eq(tasks.id, t.id))
    expect(await reviveStuckTasks(q.env, heartbeat + STUCK_AFTER_MS + 1_000)).toEqual({ revived: 0, failed: 0 })
    await db().update(tasks).set({ leaseUntil: null }).where(eq(tasks.id, t.id))

    // The every-minute cron, two minutes and a bit after the last heartbeat.
    const now = heartbeat + STUCK_AFTER_MS + 5_000
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(now), cron: REVIVAL_CRON }), q.env, ctx)
    await waitOnExecutionContext(ctx)
    expect(q.sent).toHaveLength(2)
    const revived = q.sent[1]!
    expect(revived).toMatchObject({ kind: 'export-data-rows', taskId: t.id })
    // The same slice token: whichever of the two copies comes first runs the next slice.
    expect(revived.token).toBe(lost.token)
    // A second cron run at the same moment (or overlapping) sends nothing more.
    expect(await reviveStuckTasks(q.env, now)).toEqual({ revived: 0, failed: 0 })
    expect(q.sent).toHaveLength(2)

    // Meanwhile the task says it is resuming: API, live snapshot and the Tasks menu.
    expect(await resumingNow()).toBe(true)
    expect(await env.TASK_STATUS.getByName(t.id).snapshot()).toMatchObject({ status: 'IN_PROGRESS', resuming: true })
    const menu = await (await call('GET', '/tasks/menu', admin(), { htmx: true })).text()
    const item = menu.slice(menu.indexOf(`data-task-id="${t.id}"`))
    expect(item).toMatch(/^[^<]*><div class="task-head">.*?<\/div><div class="small muted" data-task-resuming(="[^"]*")?>Resuming/)

    // The revived message goes through the real queue — and the "lost" one turns up after all (it
    // was only late): one of them runs the slice, the other finds the token moved on. The export
    // finishes from its cursor.
    await env.TASK_QUEUE.send(revived)
    await env.TASK_QUEUE.send(lost)
    const done = await waitForTask(t.id, admin(), 60_000)
    expect(done.status).toBe('COMPLETE')
    expect(done.resuming).toBe(false)
    const text = await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text()
    expect(text).toBe(cleanText)
  })

  it('revivals without progress in between end in FAILED with a reason', async () => {
    // Only this test's task is running (the cron looks at every task).
    await db()
      .update(tasks)
      .set({ status: 'CANCELED' })
      .where(inArray(tasks.status, ['QUEUED', 'IN_PROGRESS']))
    const t = await insertQueued('export-data-rows', small.id, { params: {}, filters: {} })
    const q = capturing()
    let now = Date.now()
    for (let i = 0; i < 5; i++) {
      now += STUCK_AFTER_MS + 1_000
      expect(await reviveStuckTasks(q.env, now)).toMatchObject({ revived: 1 })
    }
    now += STUCK_AFTER_MS + 1_000
    expect(await reviveStuckTasks(q.env, now)).toMatchObject({ failed: 1 })
    const row = await load(t.id)
    expect(row.status).toBe('FAILED')
    expect(row.failureReason).toMatch(/stopped making progress/)
  })
})
