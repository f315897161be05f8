// Tasks run by hand in tests. `insertTask` queues a task row as the API would, inserted directly
// (no queue message), so a test can run it under a counting or failing D1. `drainTask` runs a task's queue
// messages (and every message they send) through the Worker's queue handler with the given D1
// binding, one delivery at a time, until none is left: what a queue consumer does, without the
// local Queue, so a counting D1 (counting-d1.ts) sees every statement of the task.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import worker from '../../src/index'
import type { QueueMessage } from '../../src/env'
import { tasks } from '../../src/db/schema'
import type { TaskRow } from '../../src/modules/tasks/service'
import { db, unique } from './factories'

/** Inserts a QUEUED task with a fresh id (`tsk_` + 26 characters made from `label`); the row. */
export async function insertTask(
  t: Pick<TaskRow, 'orgId' | 'createdBy' | 'type' | 'name' | 'subjectId' | 'params'> & Partial<TaskRow>,
  label = 'task',
): Promise<TaskRow> {
  const now = new Date()
  const row: TaskRow = {
    id: `tsk_${unique(label)
      .replace(/[^A-Za-z0-9]/g, '')
      .toUpperCase()
      .slice(0, 26)}`,
    status: 'QUEUED',
    completionPercentage: 0,
    metadata: {},
    dedupeKey: null,
    resultKey: null,
    errorsKey: null,
    failureReason: null,
    attempts: 0,
    sliceToken: null,
    leaseUntil: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    ...t,
  }
  await db().insert(tasks).values(row)
  return row
}

export async function drainTask(first: QueueMessage, DB: D1Database, maxDeliveries = 20): Promise<number> {
  const sent: QueueMessage[] = [first]
  const testEnv = {
    ...env,
    DB,
    TASK_QUEUE: { send: async (m: QueueMessage) => void sent.push(m), sendBatch: async () => undefined },
  } as unknown as typeof env
  let deliveries = 0
  while (sent.length) {
    const b = createMessageBatch<QueueMessage>('labeldesk-tasks', [
      { id: `m-${++deliveries}`, timestamp: new Date(), attempts: 1, body: sent.shift()! },
    ])
    const ctx = createExecutionContext()
    await worker.queue(b, testEnv, ctx)
    await waitOnExecutionContext(ctx)
    expect((await getQueueResult(b, ctx)).retryMessages).toHaveLength(0)
    expect(deliveries).toBeLessThan(maxDeliveries)
  }
  return deliveries
}
