/**
 * @module `taskJob()`: wraps one kind of task as a queue job. Each message runs one bounded slice
 * (well under D1's 1,000 queries per invocation); a slice that says "more" enqueues the next
 * message, so no invocation ever runs long. Errors retry the message with backoff; a message that
 * exhausts its retries reaches the dead-letter queue and the task is marked FAILED with the reason.
 *
 * At most one slice of a task runs at a time, and only the message the task expects runs it: the
 * task row holds a slice token (the one message allowed to run the next slice) and a lease (a
 * slice is running until then). A message takes the lease before its slice and, when the slice
 * ends, draws the next token, stamps the heartbeat and releases the lease in one statement, then
 * enqueues the next message. A redelivered message, or the late original of one the cron sent
 * again (src/modules/tasks/service.ts), finds the token moved on and stops; a copy arriving while
 * the slice runs finds the lease taken and is retried later.
 */
import type { Env } from '../../env'
import { makeDb } from '../../db/client'
import { RUNNING, type TaskType } from '../../db/schema'
import { queueLimits, type Job, type TaskMessage } from '../../lib/jobs'
import { and, eq, inArray, isNull, lte, or } from 'drizzle-orm'
import { tasks } from '../../db/schema'
import { failTask, isFinished, loadTask, newSliceToken, type TaskRow } from './service'

async function noteError(env: Env, taskId: string, err: unknown) {
  const message = err instanceof Error ? err.message : String(err)
  await makeDb(env.DB)
    .update(tasks)
    .set({ failureReason: message.slice(0, 500) })
    .where(eq(tasks.id, taskId))
}

export type SliceResult = 'more' | 'done'
export type Slice = (env: Env, task: TaskRow) => Promise<SliceResult>

/** How long a slice's lease lasts: past the consumer's bound on one message, so a lease runs out
 * only when its slice is gone (abandoned, or its server killed). */
const leaseMs = () => queueLimits.messageMs + 15_000

/** Thrown when another delivery holds the task's lease: the message is retried after it. */
class LeaseTaken extends Error {}

const tokenOf = (msg: TaskMessage) => (typeof msg.token === 'string' ? msg.token : null)

/**
 * Takes the task's lease for the message: the task row as of now, or why not. Messages without a
 * token (sent before tokens existed) run whichever slice is next.
 */
async function takeLease(env: Env, msg: TaskMessage, taskId: string): Promise<{ task: TaskRow } | 'stale' | 'taken'> {
  const db = makeDb(env.DB)
  const now = Date.now()
  const token = tokenOf(msg)
  const [task] = await db
    .update(tasks)
    .set({ leaseUntil: new Date(now + leaseMs()) })
    .where(
      and(
        eq(tasks.id, taskId),
        inArray(tasks.status, RUNNING),
        or(isNull(tasks.leaseUntil), lte(tasks.leaseUntil, new Date(now))),
        token ? eq(tasks.sliceToken, token) : undefined,
      ),
    )
    .returning()
  if (task) return { task }
  const current = await loadTask(db, taskId)
  // Finished, vanished, or a message of a chain that has moved on: nothing left for it to do.
  if (!current || isFinished(current) || (token && current.sliceToken !== token)) return 'stale'
  return 'taken'
}

/** Ends the slice's lease; with `next`, also hands the next slice to a new token and stamps the
 * heartbeat. False when the lease is no longer this slice's (abandoned after the time bound, or the
 * cron gave the task to a new chain): then this delivery must not enqueue anything. */
async function endLease(env: Env, task: TaskRow, next: string | null): Promise<boolean> {
  const db = makeDb(env.DB)
  const set = next ? { leaseUntil: null, sliceToken: next, updatedAt: new Date() } : { leaseUntil: null }
  const ended = await db
    .update(tasks)
    .set(set)
    .where(
      and(
        eq(tasks.id, task.id),
        task.sliceToken ? eq(tasks.sliceToken, task.sliceToken) : isNull(tasks.sliceToken),
        task.leaseUntil ? eq(tasks.leaseUntil, task.leaseUntil) : undefined,
      ),
    )
    .returning({ id: tasks.id })
  return ended.length > 0
}

/** The queue job of task type `kind`, listed in src/handlers/jobs.ts. */
export function taskJob<K extends TaskType>(kind: K, slice: Slice): Job<K> {
  return {
    async run(msg, env) {
      if (!msg.taskId) return
      const lease = await takeLease(env, msg, msg.taskId)
      if (lease === 'stale') return
      if (lease === 'taken') throw new LeaseTaken(`task ${msg.taskId}: another delivery is running its slice`)
      const { task } = lease
      let result: SliceResult
      try {
        result = await slice(env, task)
      } catch (err) {
        // Remember why, so the dead-letter handler can say it; the message is retried.
        await noteError(env, task.id, err)
        await endLease(env, task, null)
        throw err
      }
      if (result === 'done') {
        await endLease(env, task, null)
        return
      }
      const next = newSliceToken()
      if (await endLease(env, task, next)) await env.TASK_QUEUE.send({ kind, taskId: task.id, token: next })
    },
    async timedOut(msg, env, err) {
      if (!msg.taskId) return
      // The abandoned slice stops at its next I/O once the invocation returns; the retry may take
      // the lease at once.
      await noteError(env, msg.taskId, err)
      const token = tokenOf(msg)
      await makeDb(env.DB)
        .update(tasks)
        .set({ leaseUntil: null })
        .where(and(eq(tasks.id, msg.taskId), token ? eq(tasks.sliceToken, token) : undefined))
    },
    async dead(msg, env) {
      if (!msg.taskId) return
      const task = await loadTask(makeDb(env.DB), msg.taskId)
      // A dead message of a chain that moved on (the cron revived the task) says nothing about it.
      const token = tokenOf(msg)
      if (!task || (token && task.sliceToken !== token)) return
      const why = task.failureReason ? ` Last error: ${task.failureReason}` : ''
      await failTask(env, msg.taskId, `The task failed on every retry and was stopped; work already done was kept.${why}`)
    },
  }
}
