/**
 * @module The task framework every background job uses: a D1 record (the durable truth for lists
 * and history), a TaskStatus Durable Object per task (live progress, pushed to browsers), the
 * Queue that runs the work in bounded slices, and R2 for result and error files.
 */
import { readRows, runReads, type Read } from '../../db/reads'
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm'
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
    resuming: isResuming(t, Date.now()),
  }
}

export type NewTask = {
  type: TaskType
  name: string
  subjectId?: string
  params?: Record<string, unknown>
  metadata?: Record<string, unknown>
  dedupeKey?: string
}

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
    sliceToken: newSliceToken(),
    leaseUntil: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  }
  await ctx.db.insert(tasks).values(row)
  await ctx.env.TASK_STATUS.getByName(row.id).update({ task_id: row.id, status: 'QUEUED', phase: 'Queued' })
  await ctx.env.TASK_QUEUE.send({ kind: t.type, taskId: row.id, token: row.sliceToken })
  return { task: taskView(row), existing: false }
}

/** The caller's tasks, newest first. */
export async function listMyTasks(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Promise<Page<TaskView>> {
  const after = decodeCursor(q.cursor)
  // Through runReads: a remembered actor is confirmed in the same round trip (and a page's Tasks
  // badge rides along).
  const rows = await readRows(
    ctx,
    ctx.db
      .select()
      .from(tasks)
      .where(
        and(eq(tasks.orgId, ctx.actor.orgId), eq(tasks.createdBy, ctx.actor.userId), after ? lt(tasks.id, String(after[0])) : undefined),
      )
      .orderBy(desc(tasks.id))
      .limit(q.limit + 1),
  )
  return toPage(rows, q.limit, (r) => [r.id], taskView)
}

/** A task of the caller's organization that the caller may see (its creator, or an admin). */
export async function getTaskRow(ctx: Ctx, id: string): Promise<TaskRow> {
  return (await runReads(ctx, taskRowRead(ctx, id)))[0]
}

/** `getTaskRow` as a read, to share a round trip with a page's other reads (src/db/reads.ts). */
export function taskRowRead(ctx: Ctx, id: string): Read<TaskRow> {
  return {
    stmts: [
      ctx.db
        .select()
        .from(tasks)
        .where(and(eq(tasks.id, id), eq(tasks.orgId, ctx.actor.orgId)))
        .limit(1),
    ],
    done: ([rows]) => {
      const row = (rows as TaskRow[])[0]
      if (!row) throw notFound('Task')
      authorize(ctx.actor, 'task.view', { ownerId: row.createdBy }, 'Task')
      return row
    },
  }
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
    .set({ status: 'IN_PROGRESS', completionPercentage: percent, metadata, updatedAt: new Date(), attempts: 0 })
    .where(and(eq(tasks.id, task.id), inArray(tasks.status, RUNNING)))
  task.metadata = metadata
  await env.TASK_STATUS.getByName(task.id).update({
    task_id: task.id,
    status: 'IN_PROGRESS',
    completion_percentage: percent,
    done: p.done ?? 0,
    total: p.total ?? null,
    phase: p.phase ?? null,
    resuming: false,
  })
}

export async function completeTask(
  env: Env,
  task: Pick<TaskRow, 'id' | 'metadata' | 'resultKey' | 'errorsKey'>,
  r: { metadata?: Record<string, unknown>; resultKey?: string; errorsKey?: string; message?: string } = {},
) {
  const db = makeDb(env.DB)
  const now = new Date()
  const metadata = { ...task.metadata, ...r.metadata }
  await db
    .update(tasks)
    .set({
      status: 'COMPLETE',
      completionPercentage: 100,
      metadata,
      resultKey: r.resultKey ?? task.resultKey,
      errorsKey: r.errorsKey ?? task.errorsKey,
      updatedAt: now,
      finishedAt: now,
    })
    .where(and(eq(tasks.id, task.id), inArray(tasks.status, RUNNING)))
  await recordTaskEvent(env, db, task.id, 'TASK_COMPLETED', now)
  await env.TASK_STATUS.getByName(task.id).update({
    task_id: task.id,
    status: 'COMPLETE',
    completion_percentage: 100,
    phase: 'Done',
    message: r.message ?? null,
    resuming: false,
  })
}

export async function failTask(env: Env, taskId: string, reason: string) {
  const db = makeDb(env.DB)
  const now = new Date()
  await db
    .update(tasks)
    .set({ status: 'FAILED', failureReason: reason.slice(0, 1000), updatedAt: now, finishedAt: now })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, RUNNING)))
  await recordTaskEvent(env, db, taskId, 'TASK_FAILED', now)
  await env.TASK_STATUS.getByName(taskId).update({
    task_id: taskId,
    status: 'FAILED',
    phase: 'Failed',
    message: reason.slice(0, 1000),
    resuming: false,
  })
}

export const isFinished = (t: TaskRow) => FINISHED.includes(t.status)

/** A running task stamps its heartbeat every few seconds; this long without one, it was interrupted. */
export const QUIET_AFTER_MS = 30_000

/** Interrupted and on its way back: revived by the cron and not moved since, or silent for
 * QUIET_AFTER_MS while in progress (the cron revives it shortly). */
function isResuming(t: TaskRow, now: number): boolean {
  if (!RUNNING.includes(t.status)) return false
  return t.attempts > 0 || (t.status === 'IN_PROGRESS' && now - t.updatedAt.getTime() > QUIET_AFTER_MS)
}

/** A fresh token for the message allowed to run a task's next slice (src/modules/tasks/job.ts). */
export const newSliceToken = () => crypto.randomUUID()

/**
 * The heartbeat: every slice that ends stamps `updated_at` (`reportProgress`, and the lease's
 * release in src/modules/tasks/job.ts). A running task whose heartbeat is older than this, and
 * whose slice lease has run out, lost its message or its consumer (a crash, a killed server) and
 * is enqueued again by the cron, which runs every minute: revived 1.5 to 2.5 minutes after its
 * last progress. A slice ends within seconds (`queueLimits.messageMs` at most), so 90 s without
 * one is never a slice that is merely slow — and a slow one holds its lease, which the cron
 * respects. Not much shorter: a message waiting behind a backlog holds no lease, and a revival
 * puts its task at the back of the queue.
 */
export const STUCK_AFTER_MS = 90_000
/** Revivals in a row without progress in between before the task is failed (~8 to 10 minutes). */
const MAX_REVIVALS = 5

/**
 * Cron: a running task that has not moved for STUCK_AFTER_MS and holds no lease is enqueued again
 * with its current slice token — slices resume from the saved cursor, and if the message it
 * replaces was only late (a backlog), whichever copy comes first runs the slice and the other
 * finds the token moved on — and shows "resuming" until its next progress. After MAX_REVIVALS
 * revivals without progress it is failed with a readable reason, so nothing stays "in progress"
 * forever. Safe to run twice at once: a revival claims the task by its heartbeat, so only one of
 * two runs sends.
 */
export async function reviveStuckTasks(env: Env, now = Date.now()): Promise<{ revived: number; failed: number }> {
  const db = makeDb(env.DB)
  const stuck = await db
    .select()
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, RUNNING),
        lt(tasks.updatedAt, new Date(now - STUCK_AFTER_MS)),
        or(isNull(tasks.leaseUntil), lt(tasks.leaseUntil, new Date(now))),
      ),
    )
    .limit(100)
  let revived = 0
  let failed = 0
  for (const t of stuck) {
    if (t.attempts >= MAX_REVIVALS) {
      await failTask(
        env,
        t.id,
        `The task stopped making progress and was retried ${MAX_REVIVALS} times. Start it again; if it keeps failing, contact support with task id ${t.id}.`,
      )
      failed++
      continue
    }
    const token = t.sliceToken ?? newSliceToken()
    const claimed = await db
      .update(tasks)
      .set({ attempts: sql`${tasks.attempts} + 1`, updatedAt: new Date(now), sliceToken: token, leaseUntil: null })
      .where(and(eq(tasks.id, t.id), inArray(tasks.status, RUNNING), eq(tasks.updatedAt, t.updatedAt)))
      .returning({ id: tasks.id })
    if (!claimed.length) continue
    await env.TASK_STATUS.getByName(t.id).update({ task_id: t.id, resuming: true })
    await env.TASK_QUEUE.send({ kind: t.type, taskId: t.id, token })
    revived++
  }
  return { revived, failed }
}
