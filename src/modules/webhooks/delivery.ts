/**
 * @module Webhook delivery, always off the request path.
 *
 * 1. Dispatch fans an event out to one `webhook-delivery` message per matching ACTIVE webhook
 *    (topic subscribed; org-wide or the event's project; created before the event) and stamps the
 *    event `dispatched_at`. It runs right after the event is recorded: the recording service sends
 *    a `webhook-dispatch` message naming the event (./events.ts `announceEvents`). The cron's
 *    `dispatchEvents` is the safety net: it walks the `events` outbox past a watermark (event ids
 *    sort by time) and fans out every event nobody has dispatched yet.
 * 2. The `webhook-delivery` job builds the body from the event row (so every retry sends the same
 *    bytes and the same `webhook-id`), checks the target (SSRF guard, DNS included), signs it,
 *    POSTs it with a 10 s timeout and no redirects, and logs the attempt. Network errors, timeouts,
 *    408, 429 and 5xx are retried with exponential backoff (Retry-After honoured) for about a day by
 *    queueing the next attempt with `delaySeconds`; anything else is final. After
 *    MAX_CONSECUTIVE_FAILURES events in a row end in failure the webhook is deactivated with a
 *    reason the admins see.
 * 3. The cron prunes delivery-log rows older than DELIVERY_LOG_RETENTION_DAYS, in bounded batches.
 */
import { and, asc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { makeDb, type Db } from '../../db/client'
import { events, webhookDeliveries, webhookDispatch, webhooks } from '../../db/schema'
import type { Env } from '../../env'
import { sendAll, type DeliveryMessage, type Job, type WebhookDeliveryMessage } from '../../lib/jobs'
import { idFloor, idTime, newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { checkResolvedTarget } from './ssrf'
import { signatureHeaders } from './signing'
import { DISPATCH_IDS_PER_MESSAGE, type DISPATCH_KIND } from './events'

export const DELIVERY_KIND = 'webhook-delivery' as const
export const TIMEOUT_MS = 10_000
export const EXCERPT_BYTES = 4096
/** Delay before retry n (1-based): 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h ≈ 22.7 h in all. */
export const RETRY_DELAYS = [30, 120, 600, 1800, 3600, 10_800, 21_600, 43_200]
/** Queues accept delays of at most 12 h. */
const MAX_DELAY_S = 43_200
export const MAX_CONSECUTIVE_FAILURES = 5
/** Events younger than this are left for the next cron run, so an event committed late with a
 * slightly older id is never skipped by the watermark, and the immediate dispatch has had its
 * chance first (the cron then skips what it stamped). */
export const DISPATCH_GRACE_MS = 30_000
/** The delivery log keeps this many days; older attempts are deleted by the cron. */
export const DELIVERY_LOG_RETENTION_DAYS = 30
/** Rows per DELETE and DELETEs per cron run: each statement stays short however big the log has
 * grown (a backlog beyond one run's share is finished by the next runs). */
export const PRUNE_BATCH_ROWS = 1000
export const PRUNE_MAX_BATCHES = 20

export type { DeliveryMessage }

export async function enqueueDelivery(env: Env, m: DeliveryMessage, delaySeconds?: number): Promise<void> {
  await env.TASK_QUEUE.send({ kind: DELIVERY_KIND, ...m }, delaySeconds ? { delaySeconds } : undefined)
}

// ---------------------------------------------------------------------------------------------
// Dispatch

type EventRow = typeof events.$inferSelect
type WebhookRow = typeof webhooks.$inferSelect
const WATERMARK = 'events'

export function matches(w: WebhookRow, e: EventRow): boolean {
  return (
    w.status === 'ACTIVE' &&
    w.orgId === e.orgId &&
    e.topic !== 'PING' &&
    w.topics.includes(e.topic) &&
    (!w.projectId || w.projectId === e.projectId) &&
    w.createdAt.getTime() <= e.createdAt.getTime()
  )
}

/** `id IN (…)` for a list of ids with a single bound parameter (D1 allows 100 per query). */
const idIn = (ids: string[]) => sql`${events.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`

/**
 * Queues one delivery per (event, matching webhook), then stamps the events that had any. At least
 * once: the stamp comes after the messages are queued, so a crash in between sends twice (receivers
 * deduplicate on `webhook-id`) but never zero times.
 */
async function fanOut(env: Env, db: Db, evts: EventRow[], now: number): Promise<number> {
  if (!evts.length) return 0
  const hooks = await activeWebhooks(db, [...new Set(evts.map((e) => e.orgId))])
  const msgs: WebhookDeliveryMessage[] = []
  const fanned: string[] = []
  for (const e of evts) {
    const before = msgs.length
    for (const w of hooks) if (matches(w, e)) msgs.push({ kind: DELIVERY_KIND, webhook_id: w.id, event_id: e.id, attempt: 1 })
    if (msgs.length > before) fanned.push(e.id)
  }
  await sendAll(env.TASK_QUEUE, msgs)
  if (fanned.length)
    await db
      .update(events)
      .set({ dispatchedAt: new Date(now) })
      .where(and(idIn(fanned), isNull(events.dispatchedAt)))
  return msgs.length
}

/**
 * The `webhook-dispatch` job: fans out the named events right after they were recorded. Events
 * already stamped (by an earlier copy of this message, or by the cron) are skipped.
 */
export async function dispatchEventIds(env: Env, eventIds: string[], now = Date.now()): Promise<{ events: number; deliveries: number }> {
  const ids = eventIds.filter((x) => typeof x === 'string').slice(0, DISPATCH_IDS_PER_MESSAGE)
  if (!ids.length) return { events: 0, deliveries: 0 }
  const db = makeDb(env.DB)
  const rows = await db
    .select()
    .from(events)
    .where(and(idIn(ids), isNull(events.dispatchedAt)))
    .orderBy(asc(events.id))
  return { events: rows.length, deliveries: await fanOut(env, db, rows, now) }
}

/** The cron's safety net: fans out outbox events past the watermark that no immediate dispatch
 * stamped, then moves the watermark. */
export async function dispatchEvents(
  env: Env,
  now = Date.now(),
  o: { limit?: number; rounds?: number } = {},
): Promise<{ events: number; deliveries: number }> {
  const db = makeDb(env.DB)
  const limit = o.limit ?? 500
  let total = { events: 0, deliveries: 0 }
  for (let round = 0; round < (o.rounds ?? 10); round++) {
    const wm = await db.select().from(webhookDispatch).where(eq(webhookDispatch.id, WATERMARK)).get()
    const from = wm?.lastEventId ?? ''
    const rows = await db.select().from(events).where(gt(events.id, from)).orderBy(asc(events.id)).limit(limit)
    const ready: EventRow[] = []
    for (const e of rows) {
      if (idTime(e.id) > now - DISPATCH_GRACE_MS) break
      ready.push(e)
    }
    if (!ready.length) break
    const pending = ready.filter((e) => !e.dispatchedAt)
    const deliveries = await fanOut(env, db, pending, now)
    const last = ready[ready.length - 1]!.id
    await db
      .insert(webhookDispatch)
      .values({ id: WATERMARK, lastEventId: last, updatedAt: new Date(now) })
      .onConflictDoUpdate({
        target: webhookDispatch.id,
        set: { lastEventId: last, updatedAt: new Date(now) },
        setWhere: sql`${webhookDispatch.lastEventId} < ${last}`,
      })
    total = { events: total.events + pending.length, deliveries: total.deliveries + deliveries }
    if (ready.length < rows.length || rows.length < limit) break
  }
  return total
}

async function activeWebhooks(db: Db, orgIds: string[]): Promise<WebhookRow[]> {
  const out: WebhookRow[] = []
  for (let i = 0; i < orgIds.length; i += 90) {
    out.push(
      ...(await db
        .select()
        .from(webhooks)
        .where(and(inArray(webhooks.orgId, orgIds.slice(i, i + 90)), eq(webhooks.status, 'ACTIVE')))),
    )
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Delivery

/** The exact bytes sent (and signed) for an event. */
export function deliveryBody(e: EventRow): string {
  return JSON.stringify({
    id: e.id,
    topic: e.topic,
    created_at: iso(e.createdAt),
    organization_id: e.orgId,
    ...(e.projectId ? { project_id: e.projectId } : {}),
    data: e.payload,
  })
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(h: string | null, now = Date.now()): number | undefined {
  if (!h) return undefined
  if (/^\s*\d+\s*$/.test(h)) return Number(h)
  const t = Date.parse(h)
  return Number.isNaN(t) ? undefined : Math.max(0, Math.ceil((t - now) / 1000))
}

async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  const all = new Uint8Array(size)
  let off = 0
  for (const c of chunks) {
    all.set(c, off)
    off += c.byteLength
  }
  // Cut at 4 KB, then drop a character split by the cut.
  return new TextDecoder().decode(all.subarray(0, EXCERPT_BYTES)).replace(/\uFFFD$/, '')
}

export type Outcome = {
  result: 'success' | 'retry' | 'failed' | 'skipped'
  statusCode?: number | null
  error?: string | null
  delaySeconds?: number
}

/** One delivery attempt. `fetcher` is the network (the real `fetch` unless a test swaps it). */
export async function deliver(env: Env, m: DeliveryMessage, fetcher: typeof fetch = fetch, now = Date.now()): Promise<Outcome> {
  const db = makeDb(env.DB)
  const w = await db.select().from(webhooks).where(eq(webhooks.id, m.webhook_id)).get()
  if (!w || (w.status !== 'ACTIVE' && !m.manual)) return { result: 'skipped' }
  const e = await db
    .select()
    .from(events)
    .where(and(eq(events.id, m.event_id), eq(events.orgId, w.orgId)))
    .get()
  if (!e) return { result: 'skipped' }

  const body = deliveryBody(e)
  let started = Date.now()
  let statusCode: number | null = null
  let excerpt: string | null = null
  let error: string | null = null
  let retryable = false
  let retryAfter: number | undefined
  // Checked again on every attempt: the URL rules may have tightened and DNS may have changed.
  const target = await checkResolvedTarget(w.url, env, fetcher)
  if (!target.ok) {
    // DNS that could not answer is retried like any network error; a bad target is final.
    error = target.retryable ? `Network error: ${target.reason}` : `Refused target: ${target.reason}`
    retryable = target.retryable
  } else {
    started = Date.now()
    const rotating = w.previousSecret && w.previousSecretExpiresAt && w.previousSecretExpiresAt.getTime() > now
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'LabelDesk-Webhooks/1',
      'X-Labelbox-Event': e.topic,
      'X-Labelbox-Id': e.id,
      'X-LabelDesk-Webhook-Id': w.id,
      ...(await signatureHeaders({
        id: e.id,
        timestamp: Math.floor(now / 1000),
        body,
        secret: w.secret,
        previousSecret: rotating ? w.previousSecret : null,
      })),
    }
    try {
      const res = await fetcher(target.url.toString(), {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
      statusCode = res.status
      excerpt = await readExcerpt(res).catch(() => null)
      if (res.status >= 300 && res.status < 400) error = 'Redirects are not followed; point the webhook at the final URL'
      else if (res.status === 408 || res.status === 429 || res.status >= 500) {
        retryable = true
        retryAfter = retryAfterSeconds(res.headers.get('Retry-After'), now)
      }
    } catch (err) {
      const name = (err as Error)?.name
      error =
        name === 'TimeoutError' || name === 'AbortError'
          ? `Timed out after ${TIMEOUT_MS / 1000} s`
          : `Network error: ${(err as Error)?.message ?? String(err)}`.slice(0, 500)
      retryable = true
    }
  }
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300
  const retries = m.retries ?? 0
  const willRetry = !ok && retryable && retries < RETRY_DELAYS.length
  const delaySeconds = willRetry ? Math.min(MAX_DELAY_S, Math.max(RETRY_DELAYS[retries]!, retryAfter ?? 0)) : undefined
  await db.insert(webhookDeliveries).values({
    id: newId('dlv'),
    webhookId: w.id,
    eventId: e.id,
    topic: e.topic,
    attempt: m.attempt,
    statusCode,
    durationMs: Date.now() - started,
    responseExcerpt: excerpt,
    error: error ?? (ok || statusCode === null ? null : `HTTP ${statusCode}`),
    nextAttemptAt: delaySeconds !== undefined ? new Date(now + delaySeconds * 1000) : null,
    createdAt: new Date(now),
  })
  if (ok) {
    if (!m.manual && w.consecutiveFailures) await db.update(webhooks).set({ consecutiveFailures: 0 }).where(eq(webhooks.id, w.id))
    return { result: 'success', statusCode }
  }
  if (willRetry) {
    await enqueueDelivery(env, { ...m, attempt: m.attempt + 1, retries: retries + 1 }, delaySeconds)
    return { result: 'retry', statusCode, error, delaySeconds }
  }
  if (!m.manual) await recordFailure(db, w.id, `${error ?? `HTTP ${statusCode}`} (event ${e.id})`)
  return { result: 'failed', statusCode, error }
}

/** One more event that could not be delivered; the Nth in a row deactivates the webhook. */
async function recordFailure(db: Db, webhookId: string, last: string) {
  const reason = `Deactivated after ${MAX_CONSECUTIVE_FAILURES} consecutive failed deliveries; last: ${last}`.slice(0, 1000)
  await db.run(sql`
    UPDATE webhooks SET
      consecutive_failures = consecutive_failures + 1,
      status = CASE WHEN consecutive_failures + 1 >= ${MAX_CONSECUTIVE_FAILURES} THEN 'INACTIVE' ELSE status END,
      disabled_reason = CASE WHEN consecutive_failures + 1 >= ${MAX_CONSECUTIVE_FAILURES} AND status = 'ACTIVE' THEN ${reason} ELSE disabled_reason END,
      updated_at = ${Date.now()}
    WHERE id = ${webhookId}`)
}

/** Defaults filled in, and each field coerced: a message may have been queued by an older deployment. */
const asDelivery = (msg: WebhookDeliveryMessage): DeliveryMessage => ({
  webhook_id: String(msg.webhook_id),
  event_id: String(msg.event_id),
  attempt: Number(msg.attempt ?? 1),
  retries: Number(msg.retries ?? 0),
  manual: msg.manual === true,
})

export const deliveryJob: Job<typeof DELIVERY_KIND> = {
  async run(msg, env) {
    await deliver(env, asDelivery(msg))
  },
  /** The job itself kept failing (not the receiver: those outcomes are handled above). */
  async dead(msg, env) {
    const m = asDelivery(msg)
    const db = makeDb(env.DB)
    const e = await db.select({ topic: events.topic }).from(events).where(eq(events.id, m.event_id)).get()
    const w = await db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, m.webhook_id)).get()
    if (!e || !w) return
    await db.insert(webhookDeliveries).values({
      id: newId('dlv'),
      webhookId: w.id,
      eventId: m.event_id,
      topic: e.topic,
      attempt: m.attempt,
      statusCode: null,
      durationMs: null,
      responseExcerpt: null,
      error: 'Delivery failed repeatedly inside LabelDesk; gave up',
      nextAttemptAt: null,
      createdAt: new Date(),
    })
  },
}

export const dispatchJob: Job<typeof DISPATCH_KIND> = {
  async run(msg, env) {
    await dispatchEventIds(env, Array.isArray(msg.event_ids) ? (msg.event_ids as string[]) : [])
  },
  // Nothing to record when dispatch itself keeps failing: the cron fans out unstamped events.
}

// ---------------------------------------------------------------------------------------------
// Retention

/**
 * Deletes delivery-log rows older than DELIVERY_LOG_RETENTION_DAYS, at most `batch` rows per
 * statement and `maxBatches` statements per call, oldest first (ids sort by creation time, so the
 * range is read from the primary key and an up-to-date log costs one empty index probe). `done` is
 * false when rows were left for the next run.
 */
export async function pruneDeliveryLog(env: Env, now = Date.now(), o: PruneOptions = {}): Promise<{ deleted: number; done: boolean }> {
  const floor = idFloor('dlv', now - DELIVERY_LOG_RETENTION_DAYS * 86_400_000)
  return deleteInBatches(
    makeDb(env.DB),
    o,
    (limit) =>
      sql`DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE id < ${floor} ORDER BY id LIMIT ${limit})`,
  )
}

type PruneOptions = { batch?: number; maxBatches?: number }

/** Runs a DELETE of at most `limit` rows until one deletes fewer, or `maxBatches` ran. */
async function deleteInBatches(db: Db, o: PruneOptions, statement: (limit: number) => SQL): Promise<{ deleted: number; done: boolean }> {
  const batch = o.batch ?? PRUNE_BATCH_ROWS
  let deleted = 0
  for (let i = 0; i < (o.maxBatches ?? PRUNE_MAX_BATCHES); i++) {
    const n = (await db.run(statement(batch))).meta.changes ?? 0
    deleted += n
    if (n < batch) return { deleted, done: true }
  }
  return { deleted, done: false }
}

/** Outbox events are kept a day longer than the delivery log (resending an attempt from the log
 * reads its event again), and only once the cron's safety net has passed them (its watermark). */
export const EVENT_RETENTION_DAYS = DELIVERY_LOG_RETENTION_DAYS + 1

/** Deletes outbox events older than EVENT_RETENTION_DAYS, in bounded batches like the log. */
export async function pruneEvents(env: Env, now = Date.now(), o: PruneOptions = {}): Promise<{ deleted: number; done: boolean }> {
  const db = makeDb(env.DB)
  const floor = idFloor('evt', now - EVENT_RETENTION_DAYS * 86_400_000)
  const wm = (await db.select().from(webhookDispatch).where(eq(webhookDispatch.id, WATERMARK)).get())?.lastEventId ?? ''
  return deleteInBatches(
    db,
    o,
    (limit) => sql`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ${floor} AND id <= ${wm} ORDER BY id LIMIT ${limit})`,
  )
}
