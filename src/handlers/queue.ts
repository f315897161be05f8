/** @module Queue consumer: dispatches each message to the job that handles its `kind`. Delivery is
 * at least once, so every job is idempotent. Messages that exhaust their retries arrive on the
 * dead-letter queue, where the job's `dead` hook records the failure. */
import type { Env, QueueMessage } from '../env'
import { meteredEnv } from '../db/cost-meter'

export type { QueueMessage }

export type Job = {
  /** Does one bounded slice of work. Throwing retries the message (with backoff). */
  run(msg: QueueMessage, env: Env, attempts: number): Promise<void>
  /** Called for a message that landed in the dead-letter queue. */
  dead?(msg: QueueMessage, env: Env): Promise<void>
}

const jobs = new Map<string, Job>()

/** Jobs register themselves by kind (modules/<domain>/consumer.ts). */
export function registerJob(kind: string, job: Job) {
  jobs.set(kind, job)
}

/** Retry delays grow 2 s, 4 s, 8 s … capped at 5 min. */
export const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.max(1, attempts))

export async function handleQueue(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  const deadLetters = batch.queue.endsWith('-dlq')
  for (const message of batch.messages) {
    const job = jobs.get(message.body?.kind)
    if (!job) {
      console.warn(`queue: no job for kind ${JSON.stringify(message.body?.kind)}; dropping message ${message.id}`)
      message.ack()
      continue
    }
    // Each message is metered on its own when the cost meter is on (src/db/cost-meter.ts).
    const metered = meteredEnv(env)
    try {
      if (deadLetters) await job.dead?.(message.body, metered.env)
      else await job.run(message.body, metered.env, message.attempts)
      message.ack()
    } catch (err) {
      console.error(`queue: ${message.body.kind} failed (attempt ${message.attempts})`, err)
      message.retry({ delaySeconds: backoffSeconds(message.attempts) })
    }
    metered.done(`queue ${message.body.kind}${message.body.taskId ? ` ${message.body.taskId}` : ''}`)
  }
}
