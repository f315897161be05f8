/**
 * @module The task framework every background job uses: a D1 record (the durable truth for lists
 * and history), a TaskStatus Durable Object per task (live progress, pushed to browsers), the
 * Queue that runs the work in bounded slices, and R2 for result and error files.
 */
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { makeDb } from '../../db/client'
import { RUNNING, tasks, type TaskStatusValue, type TaskType } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { authorize } from '../../auth/permissions'
import { notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { recordTaskEvent } from '../webhooks/events'
import type { TaskView } from './schemas'

export type TaskRow = typeof tasks.$inferSelect

export type { TaskView }

const FINISHED: TaskStatusValue[] = ['COMPLETE', 'FAILED', 'CANCELED']

export function taskView(t: TaskRow): TaskView {
  return {
    id: t.id,
    name: t.name,
    type: t.type,
    status: t.status,
    completion_percentage: t.completionPercentage,
    created_by: t.createdBy,
    created_at: iso(t.createdAt)!,
    updated_at: iso(t.updatedAt)!,
    finished_at: iso(t.finishedAt),
    result_url: t.status === 'COMPLETE' && t.resultKey ? `/api/v1/tasks/${t.id}/result` : null,
    errors_url: t.errorsKey ? `/api/v1/tasks/${t.id}/errors` : null,
    failure_reason: t.failureReason,
    metadata: t.metadata,
  }
}

export type NewTask = { type: TaskType; name: string; subjectId?: string; params?: Record<string, unknown>; metadata?: Record<string, unknown>; dedupeKey?: string }

/**
 * Records a task and enqueues its first slice. With a `dedupeKey`, the same work asked for while
 * an identical task is still running returns that task instead of starting another.
 */
export async function startTask(ctx: Ctx, t: NewTask): Promise<{ task: TaskView; existing: boolean }> {
  if (t.dedupeKey) {
    const running = await ctx.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.orgId, ctx.actor.orgId), eq(tasks.dedupeKey, t.dedupeKey), inArray(tasks.status, RUNNING)))
      .get()
    if (running) return { task: taskView(running), existing: true }
  }
  const now = new Date()
  const row: TaskRow = {
    id: newId('tsk'),
    orgId: ctx.actor.orgId,
    createdBy: ctx.actor.userId,
    type: t.type,
    name: t.name,
    status: 'QUEUED',
    completionPercentage: 0,
    subjectId: t.subjectId ?? null,
    params: t.params ?? {},
    metadata: t.metadata ?? {},
    dedupeKey: t.dedupeKey ?? null,
    resultKey: null,
    errorsKey: null,
    failureReason: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  }
  await ctx.db.insert(tasks).values(row)
  await ctx.env.TASK_STATUS.getByName(row.id).update({ task_id: row.id, status: 'QUEUED', phase: 'Queued' })
  await ctx.env.TASK_QUEUE.send({ kind: t.type, taskId: row.id })
  return { task: taskView(row), existing: false }
}

/** The caller's tasks, newest first. */
export async function listMyTasks(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Promise<Page<TaskView>> {
  const after = decodeCursor(q.cursor)
  const rows = await ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.orgId, ctx.actor.orgId), eq(tasks.createdBy, ctx.actor.userId), after ? lt(tasks.id, String(after[0])) : undefined))
    .orderBy(desc(tasks.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.id], taskView)
}

/** A task of the caller's organization that the caller may see (its creator, or an admin). */
export async function getTaskRow(ctx: Ctx, id: string): Promise<TaskRow> {
  const row = await ctx.db.select().from(tasks).where(and(eq(tasks.id, id), eq(tasks.orgId, ctx.actor.orgId))).get()
  if (!row) throw notFound('Task')
  authorize(ctx.actor, 'task.view', { ownerId: row.createdBy }, 'Task')
  return row
}

export async function getTask(ctx: Ctx, id: string): Promise<TaskView> {
  return taskView(await getTaskRow(ctx, id))
}

// The worker side -------------------------------------------------------------------------------

export type Progress = { percent: number; done?: number; total?: number | null; phase?: string; metadata?: Record<string, unknown> }

export async function loadTask(db: Db, id: string): Promise<TaskRow | undefined> {
  return db.select().from(tasks).where(eq(tasks.id, id)).get()
}

/** Stores progress in D1 and pushes it to listeners through the task's Durable Object. */
export async function reportProgress(env: Env, task: TaskRow, p: Progress): Promise<void> {
  const db = makeDb(env.DB)
  const percent = Math.max(0, Math.min(99, Math.floor(p.percent)))
  const metadata = { ...task.metadata, ...p.metadata }
  await db
    .update(tasks)
    .set({ status: 'IN_PROGRESS', completionPercentage: percent, metadata, updatedAt: new Date() })
    .where(and(eq(tasks.id, task.id), inArray(tasks.status, RUNNING)))
  task.metadata = metadata
  await env.TASK_STATUS.getByName(task.id).update({
    task_id: task.id,
    status: 'IN_PROGRESS',
    completion_percentage: percent,
    done: p.done ?? 0,
    total: p.total ?? null,
    phase: p.phase ?? null,
  })
}

export async function completeTask(env: Env, task: TaskRow, r: { metadata?: Record<string, unknown>; resultKey?: string; errorsKey?: string; message?: string } = {}) {
  const db = makeDb(env.DB)
  const now = new Date()
  const metadata = { ...task.metadata, ...r.metadata }
  await db
    .update(tasks)
    .set({ status: 'COMPLETE', completionPercentage: 100, metadata, resultKey: r.resultKey ?? task.resultKey, errorsKey: r.errorsKey ?? task.errorsKey, updatedAt: now, finishedAt: now })
    .where(and(eq(tasks.id, task.id), inArray(tasks.status, RUNNING)))
  await recordTaskEvent(env, db, task.id, 'TASK_COMPLETED', now)
  await env.TASK_STATUS.getByName(task.id).update({ task_id: task.id, status: 'COMPLETE', completion_percentage: 100, phase: 'Done', message: r.message ?? null })
}

export async function failTask(env: Env, taskId: string, reason: string) {
  const db = makeDb(env.DB)
  const now = new Date()
  await db
    .update(tasks)
    .set({ status: 'FAILED', failureReason: reason.slice(0, 1000), updatedAt: now, finishedAt: now })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, RUNNING)))
  await recordTaskEvent(env, db, taskId, 'TASK_FAILED', now)
  await env.TASK_STATUS.getByName(taskId).update({ task_id: taskId, status: 'FAILED', phase: 'Failed', message: reason.slice(0, 1000) })
}

export const isFinished = (t: TaskRow) => FINISHED.includes(t.status)

/** Tasks that made no progress for this long are noticed by the cron. */
export const STUCK_AFTER_MS = 10 * 60_000
const MAX_REVIVALS = 3

/**
 * Cron: a running task that has not moved for STUCK_AFTER_MS (its message lost, its consumer
 * crashed past the retries) is enqueued again — slices are idempotent — and after MAX_REVIVALS
 * it is failed with a readable reason, so nothing stays "in progress" forever.
 */
export async function reviveStuckTasks(env: Env, now = Date.now()): Promise<{ revived: number; failed: number }> {
  const db = makeDb(env.DB)
  const stuck = await db
    .select()
    .from(tasks)
    .where(and(inArray(tasks.status, RUNNING), lt(tasks.updatedAt, new Date(now - STUCK_AFTER_MS))))
    .limit(100)
  let revived = 0
  let failed = 0
  for (const t of stuck) {
    if (t.attempts >= MAX_REVIVALS) {
      await failTask(env, t.id, `The task stopped making progress and was retried ${MAX_REVIVALS} times. Start it again; if it keeps failing, contact support with task id ${t.id}.`)
      failed++
      continue
    }
    await db.update(tasks).set({ attempts: sql`${tasks.attempts} + 1`, updatedAt: new Date(now) }).where(eq(tasks.id, t.id))
    await env.TASK_QUEUE.send({ kind: t.type, taskId: t.id })
    revived++
  }
  return { revived, failed }
}
