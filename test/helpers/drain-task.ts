// Runs a task's queue messages (and every message they send) through the Worker's queue handler
// with the given D1 binding, one delivery at a time, until none is left: what a queue consumer does,
// without the local Queue, so a counting D1 (counting-d1.ts) sees every statement of the task.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import worker from '../../src/index'
import type { QueueMessage } from '../../src/env'

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
