/**
 * @module `taskJob()`: wraps one kind of task as a queue job. Each message runs one bounded slice
 * (well under D1's 1,000 queries per invocation); a slice that says "more" enqueues the next
 * message, so no invocation ever runs long. Errors retry the message with backoff; a message that
 * exhausts its retries reaches the dead-letter queue and the task is marked FAILED with the reason.
 */
import type { Env } from '../../env'
import { makeDb } from '../../db/client'
import type { TaskType } from '../../db/schema'
import type { Job } from '../../lib/jobs'
import { eq } from 'drizzle-orm'
import { tasks } from '../../db/schema'
import { failTask, isFinished, loadTask, type TaskRow } from './service'

async function noteError(env: Env, taskId: string, err: unknown) {
  const message = err instanceof Error ? err.message : String(err)
  await makeDb(env.DB).update(tasks).set({ failureReason: message.slice(0, 500) }).where(eq(tasks.id, taskId))
}

export type SliceResult = 'more' | 'done'
export type Slice = (env: Env, task: TaskRow) => Promise<SliceResult>

/** The queue job of task type `kind`, listed in src/handlers/jobs.ts. */
export function taskJob<K extends TaskType>(kind: K, slice: Slice): Job<K> {
  return {
    async run(msg, env) {
      if (!msg.taskId) return
      const task = await loadTask(makeDb(env.DB), msg.taskId)
      // Redelivered or revived messages of a finished or vanished task have nothing left to do.
      if (!task || isFinished(task)) return
      try {
        const result = await slice(env, task)
        if (result === 'more') await env.TASK_QUEUE.send({ kind, taskId: task.id })
      } catch (err) {
        // Remember why, so the dead-letter handler can say it; the message is retried.
        await noteError(env, task.id, err)
        throw err
      }
    },
    async dead(msg, env) {
      if (!msg.taskId) return
      const task = await loadTask(makeDb(env.DB), msg.taskId)
      const why = task?.failureReason ? ` Last error: ${task.failureReason}` : ''
      await failTask(env, msg.taskId, `The task failed on every retry and was stopped; work already done was kept.${why}`)
    },
  }
}
