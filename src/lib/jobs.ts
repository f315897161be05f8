/**
 * @module What a background job is: the queue's messages (one `kind` per job) and the `Job` type.
 * It sits below every module, so domain code defines and exports its jobs without importing the
 * consumer that runs them (src/handlers/queue.ts); src/handlers/jobs.ts lists them all in one
 * table whose type makes a kind without a job a compile error.
 */
import type { Env } from '../env'
import type { TaskType } from '../db/schema'

/** One slice of a task: the message names only the task (and, with `token`, which slice of it:
 * src/modules/tasks/job.ts); the work's parameters live on its row. */
export type TaskMessage = { [K in TaskType]: { kind: K; taskId: string; token?: string | null } }[TaskType]

export type DeliveryMessage = {
  webhook_id: string
  event_id: string
  /** Number shown in the log (1 = first try; retries and redeliveries count on). */
  attempt: number
  /** Retries already made in this chain (a redelivery starts a new chain). */
  retries?: number
  /** Ping / redeliver: sent even to an inactive webhook, and never counted toward auto-disable. */
  manual?: boolean
}

/** One POST of one event to one webhook (src/modules/webhooks/delivery.ts). */
export type WebhookDeliveryMessage = { kind: 'webhook-delivery' } & DeliveryMessage

/** "Fan these just-recorded events out to their webhooks now" (src/modules/webhooks/events.ts). */
export type WebhookDispatchMessage = { kind: 'webhook-dispatch'; event_ids: string[] }

/** A message on TASK_QUEUE: its `kind` names the job that handles it. */
export type QueueMessage = TaskMessage | WebhookDeliveryMessage | WebhookDispatchMessage
export type QueueKind = QueueMessage['kind']
type ByKind = { [M in QueueMessage as M['kind']]: M }
export type MessageOf<K extends QueueKind> = ByKind[K]

/** Queues messages, however many: `sendBatch` takes at most 100 at a time. */
export async function sendAll(queue: Queue<QueueMessage>, msgs: QueueMessage[]): Promise<void> {
  for (let i = 0; i < msgs.length; i += 100) await queue.sendBatch(msgs.slice(i, i + 100).map((body) => ({ body })))
}

/** The handler of one message kind. Delivery is at least once, so every job is idempotent. */
export type Job<K extends QueueKind> = {
  /** Does one bounded slice of work. Throwing retries the message (with backoff). */
  run: (msg: MessageOf<K>, env: Env, attempts: number) => Promise<void>
  /** Called for a message that landed in the dead-letter queue. */
  dead?: (msg: MessageOf<K>, env: Env) => Promise<void>
  /** Called when `run` outlived `queueLimits.messageMs` and was abandoned (the message is retried). */
  timedOut?: (msg: MessageOf<K>, env: Env, err: MessageTimeout) => Promise<void>
}

/**
 * How long one message may take before the consumer gives up on it and retries it. The broker
 * hands out a queue's next batch only when this one has returned (locally, one batch at a time),
 * so a message that never finishes stopped every task behind it until a restart. Task slices
 * stop themselves after ~2 s and webhook deliveries after 10 s; past this bound something is
 * wrong with the message. Work abandoned here is cancelled by the runtime at its next I/O once
 * the invocation returns. Mutable so tests can shorten it; task leases are derived from it.
 */
export const queueLimits = { messageMs: 30_000 }

export class MessageTimeout extends Error {
  constructor(kind: string, ms: number) {
    super(`${kind}: one step took longer than ${Math.round(ms / 1000)} s and was stopped`)
  }
}
