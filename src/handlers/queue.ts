/** @module Queue consumer: dispatches each message to the job that handles its `kind`. Delivery is
 * at least once, so every job is idempotent. Messages that exhaust their retries arrive on the
 * dead-letter queue, where the job's `dead` hook records the failure. The messages of a batch run
 * side by side, each on its own and within a time bound, so one slow or failing message neither
 * holds nor fails the others. */
import type { Env, QueueMessage } from '../env'

export type { QueueMessage }

export type Job = {
  /** Does one bounded slice of work. Throwing retries the message (with backoff). */
  run(msg: QueueMessage, env: Env, attempts: number): Promise<void>
  /** Called for a message that landed in the dead-letter queue. */
  dead?(msg: QueueMessage, env: Env): Promise<void>
  /** Called when `run` outlived `queueLimits.messageMs` and was abandoned (the message is retried). */
  timedOut?(msg: QueueMessage, env: Env, err: MessageTimeout): Promise<void>
}

/**
 * How long one message may take before the consumer gives up on it and retries it. The broker
 * hands out a queue's next batch only when this one has returned (locally, one batch at a time),
 * so a message that never finishes stopped every task behind it until a restart. Task slices
 * stop themselves after ~2 s and webhook deliveries after 10 s; past this bound something is
 * wrong with the message. Work abandoned here is cancelled by the runtime at its next I/O once
 * the invocation returns. Mutable so tests can shorten it.
 */
export const queueLimits = { messageMs: 30_000 }

export class MessageTimeout extends Error {
  constructor(kind: string, ms: number) {
    super(`${kind}: one step took longer than ${Math.round(ms / 1000)} s and was stopped`)
  }
}

/** `work`, or a MessageTimeout after `ms`. */
function within<T>(work: Promise<T>, ms: number, kind: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MessageTimeout(kind, ms)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
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
  await Promise.all(batch.messages.map((message) => handleMessage(message, env, deadLetters)))
}

/** One message, acked or retried on its own: nothing it throws or awaits reaches its neighbours. */
async function handleMessage(message: Message<QueueMessage>, env: Env, deadLetters: boolean): Promise<void> {
  const kind = String(message.body?.kind)
  const job = jobs.get(message.body?.kind)
  try {
    if (!job) {
      console.warn(`queue: no job for kind ${JSON.stringify(message.body?.kind)}; dropping message ${message.id}`)
      message.ack()
      return
    }
    const work = deadLetters ? job.dead?.(message.body, env) : job.run(message.body, env, message.attempts)
    await within(Promise.resolve(work), queueLimits.messageMs, kind)
    message.ack()
  } catch (err) {
    console.error(`queue: ${kind} failed (attempt ${message.attempts})`, err)
    if (err instanceof MessageTimeout && job?.timedOut && !deadLetters) {
      await within(job.timedOut(message.body, env, err), queueLimits.messageMs, kind).catch((e) => console.error(`queue: ${kind} timeout hook failed`, e))
    }
    message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  }
}
