/** @module Queue consumer: dispatches each message to the job of its `kind` (the table in
 * ./jobs.ts). Delivery is at least once, so every job is idempotent. Messages that exhaust their
 * retries arrive on the dead-letter queue, where the job's `dead` hook records the failure. The
 * messages of a batch run side by side, each on its own and within a time bound
 * (`queueLimits.messageMs`), so one slow or failing message neither holds nor fails the others. */
import type { Env } from '../env'
import { MessageTimeout, queueLimits, type QueueMessage } from '../lib/jobs'
import { jobs } from './jobs'
import { meteredEnv } from '../db/cost-meter'

export type { QueueMessage }
export { queueLimits }

/** A job of any kind, as the dispatcher holds it: the table's type already paired each kind with
 * the job for that message, so the dispatcher only looks the kind up. */
type AnyJob = {
  run: (msg: never, env: Env, attempts: number) => Promise<void>
  dead?: (msg: never, env: Env) => Promise<void>
  timedOut?: (msg: never, env: Env, err: MessageTimeout) => Promise<void>
}

/** Retry delays grow 2 s, 4 s, 8 s … capped at 5 min. */
export const backoffSeconds = (attempts: number) => Math.min(300, 2 ** Math.max(1, attempts))

/** `work`, or a MessageTimeout after `ms`. */
function within<T>(work: Promise<T>, ms: number, kind: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MessageTimeout(kind, ms)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Runs a batch against a table of jobs. A kind the table lacks (a message queued by an older
 * deployment, say) is logged and acked: retrying could never find it a job. */
export async function runBatch(batch: MessageBatch<unknown>, env: Env, table: Readonly<Record<string, AnyJob>>): Promise<void> {
  const deadLetters = batch.queue.endsWith('-dlq')
  await Promise.all(batch.messages.map((message) => handleMessage(message, env, table, deadLetters)))
}

/** One message, acked or retried on its own: nothing it throws or awaits reaches its neighbours. */
async function handleMessage(
  message: Message<unknown>,
  env: Env,
  table: Readonly<Record<string, AnyJob>>,
  deadLetters: boolean,
): Promise<void> {
  const body = message.body as { kind?: unknown; taskId?: unknown } | null
  const kind = typeof body?.kind === 'string' ? body.kind : undefined
  const job = kind !== undefined && Object.hasOwn(table, kind) ? table[kind] : undefined
  if (!job || kind === undefined) {
    console.warn(`queue: no job for kind ${JSON.stringify(kind)}; dropping message ${message.id}`)
    message.ack()
    return
  }
  // Each message is metered on its own when the cost meter is on (src/db/cost-meter.ts).
  const metered = meteredEnv(env)
  try {
    const work = deadLetters ? job.dead?.(body as never, metered.env) : job.run(body as never, metered.env, message.attempts)
    await within(Promise.resolve(work), queueLimits.messageMs, kind)
    message.ack()
  } catch (err) {
    console.error(`queue: ${kind} failed (attempt ${message.attempts})`, err)
    if (err instanceof MessageTimeout && job.timedOut && !deadLetters) {
      await within(job.timedOut(body as never, env, err), queueLimits.messageMs, kind).catch((e) =>
        console.error(`queue: ${kind} timeout hook failed`, e),
      )
    }
    message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  }
  metered.done(`queue ${kind}${typeof body?.taskId === 'string' ? ` ${body.taskId}` : ''}`)
}

export const handleQueue = (batch: MessageBatch<QueueMessage>, env: Env): Promise<void> => runBatch(batch, env, jobs)
