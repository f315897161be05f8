/**
 * @module The events outbox seen from the services that record changes: task-ending events, and
 * the "announce" that starts webhook deliveries of just-committed events right away instead of
 * waiting for the cron (which stays as the safety net for anything an announce misses).
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { webhooks } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { sendAll, type WebhookDispatchMessage } from '../../lib/jobs'
import { newId } from '../../lib/ids'

/** Queue message kind: "fan these events out to their webhooks now" (see ./delivery.ts). */
export const DISPATCH_KIND = 'webhook-dispatch' as const
/** Event ids per dispatch message: small enough to read back in one query. */
export const DISPATCH_IDS_PER_MESSAGE = 90

/**
 * Sends the `webhook-dispatch` message(s) for events that have just committed. Call it after the
 * batch that wrote them, never before (the consumer must find the rows). Skips the queue when the
 * organization has no active webhook, which is the common case: most label writes then cost one
 * indexed read here and no queue message. Never throws: whatever this misses (a queue outage, an
 * isolate that dies first), the cron's `dispatchEvents` picks up.
 */
export async function announceEvents(env: Env, db: Db, orgId: string, eventIds: string[]): Promise<void> {
  if (!eventIds.length) return
  try {
    const hook = await db
      .select({ id: webhooks.id })
      .from(webhooks)
      .where(and(eq(webhooks.orgId, orgId), eq(webhooks.status, 'ACTIVE')))
      .limit(1)
      .get()
    if (!hook) return
    const msgs: WebhookDispatchMessage[] = []
    for (let i = 0; i < eventIds.length; i += DISPATCH_IDS_PER_MESSAGE)
      msgs.push({ kind: DISPATCH_KIND, event_ids: eventIds.slice(i, i + DISPATCH_IDS_PER_MESSAGE) })
    await sendAll(env.TASK_QUEUE, msgs)
  } catch (err) {
    console.warn(`webhooks: could not announce ${eventIds.length} event(s) of ${orgId}; the cron will dispatch them`, err)
  }
}

/** `announceEvents` from a request: after the response, so the request never waits for it. */
export function announceAfterResponse(ctx: Ctx, orgId: string, eventIds: string[]): void {
  if (eventIds.length) ctx.waitUntil(announceEvents(ctx.env, ctx.db, orgId, eventIds))
}

/**
 * Adds the outbox event of a task that just ended, then announces it. One INSERT … SELECT: it
 * only writes when the task row is in `status` with exactly this `finishedAt`, i.e. when this very
 * call finished it (a second completion of an already finished task adds nothing).
 */
export async function recordTaskEvent(
  env: Env,
  db: Db,
  taskId: string,
  topic: 'TASK_COMPLETED' | 'TASK_FAILED',
  finishedAt: Date,
): Promise<void> {
  const status = topic === 'TASK_COMPLETED' ? 'COMPLETE' : 'FAILED'
  const id = newId('evt')
  const written = await db.all<{ org_id: string }>(sql`
    INSERT INTO events (id, org_id, project_id, topic, payload, created_at)
    SELECT ${id}, org_id, CASE WHEN substr(subject_id, 1, 4) = 'prj_' THEN subject_id END, ${topic},
      json_object('task_id', id, 'type', type, 'name', name, 'status', status, 'subject_id', subject_id, 'failure_reason', failure_reason, 'finished_at', finished_at),
      ${finishedAt.getTime()}
    FROM tasks WHERE id = ${taskId} AND status = ${status} AND finished_at = ${finishedAt.getTime()}
    RETURNING org_id`)
  // Task endings happen in queue jobs and the cron, never in a request: awaiting is fine here.
  if (written[0]) await announceEvents(env, db, written[0].org_id, [id])
}
