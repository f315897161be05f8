/** @module Queue consumer: dispatches each message to the job of its `kind` (the table in
 * ./jobs.ts). Delivery is at least once, so every job is idempotent. Messages that exhaust their
 * retries arrive on the dead-letter queue, where the job's `dead` hook records the failure. */
import type { Env } from '../env'
import type { QueueMessage } from '../lib/jobs'
import { jobs } from './jobs'
import { meteredEnv } from '../db/cost-meter'

export type { QueueMessage }

/** A job of any kind, as the dispatcher holds it: the table's type already paired each kind with
 * the job for that message, so the dispatcher only looks the kind up. */
type AnyJob = { run: (msg: never, env: Env, attempts: number) => Promise<void>; dead?: (msg: never, env: Env) => Promise<void> }

/** Retry delays grow 2 s, 4 s, 8 s … capped at 5 min. */
export const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.max(1, attempts))

/** Runs a batch against a table of jobs. A kind the table lacks (a message queued by an older
 * deployment, say) is logged and acked: retrying could never find it a job. */
export async function runBatch(batch: MessageBatch<unknown>, env: Env, table: Readonly<Record<string, AnyJob>>): Promise<void> {
  const deadLetters = batch.queue.endsWith('-dlq')
  for (const message of batch.messages) {
    const body = message.body as { kind?: unknown } | null
    const kind = typeof body?.kind === 'string' ? body.kind : undefined
    const job = kind !== undefined && Object.hasOwn(table, kind) ? table[kind] : undefined
    if (!job) {
      console.warn(`queue: no job for kind ${JSON.stringify(kind)}; dropping message ${message.id}`)
      message.ack()
      continue
    }
    // Each message is metered on its own when the cost meter is on (src/db/cost-meter.ts).
    const metered = meteredEnv(env)
    try {
      if (deadLetters) await job.dead?.(body as never, metered.env)
      else await job.run(body as never, metered.env, message.attempts)
      message.ack()
    } catch (err) {
      console.error(`queue: ${kind} failed (attempt ${message.attempts})`, err)
      message.retry({ delaySeconds: backoffSeconds(message.attempts) })
    }
    const taskId = (body as { taskId?: unknown }).taskId
    metered.done(`queue ${kind}${typeof taskId === 'string' ? ` ${taskId}` : ''}`)
  }
}

export const handleQueue = (batch: MessageBatch<QueueMessage>, env: Env): Promise<void> => runBatch(batch, env, jobs)
