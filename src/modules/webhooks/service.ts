/**
 * @module Webhooks (admins): CRUD, secret rotation, ping, the delivery log and redelivery. Nothing
 * here calls a receiver: every delivery goes through the Queue (see ./delivery.ts).
 */
import { and, desc, eq, inArray, isNull, lt } from 'drizzle-orm'
import { runReads, type Read } from '../../db/reads'
import { events, projects, webhookDeliveries, webhooks } from '../../db/schema'
import type { Ctx } from '../../env'
import { authorize } from '../../auth/permissions'
import { invalid, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { allowPrivateTargets, checkResolvedTarget, checkTarget } from './ssrf'
import { generateSecret, isValidWhsec } from './signing'
import type { CreateWebhookInput, DeliveryView, UpdateWebhookInput, WebhookView, WebhookWithSecret } from './schemas'
import { enqueueDelivery } from './delivery'

/** The old secret keeps signing alongside the new one this long after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000

export type WebhookRow = typeof webhooks.$inferSelect
export type { DeliveryView, WebhookView }

export function webhookView(w: WebhookRow, now = Date.now()): WebhookView {
  const rotating = w.previousSecret && w.previousSecretExpiresAt && w.previousSecretExpiresAt.getTime() > now
  return {
    id: w.id,
    url: w.url,
    topics: w.topics,
    project_id: w.projectId,
    status: w.status,
    disabled_reason: w.disabledReason,
    consecutive_failures: w.consecutiveFailures,
    secret_rotation_ends_at: rotating ? iso(w.previousSecretExpiresAt) : null,
    created_at: iso(w.createdAt)!,
    updated_at: iso(w.updatedAt)!,
  }
}

export function deliveryView(d: typeof webhookDeliveries.$inferSelect): DeliveryView {
  return {
    id: d.id,
    event_id: d.eventId,
    topic: d.topic,
    attempt: d.attempt,
    status_code: d.statusCode,
    duration_ms: d.durationMs,
    response_excerpt: d.responseExcerpt,
    error: d.error,
    next_attempt_at: iso(d.nextAttemptAt),
    created_at: iso(d.createdAt)!,
  }
}

/**
 * The URL rules, then where a host name points: a name that resolves to a private address is
 * refused here, so the admin hears it now rather than from a failed delivery. When DNS gives no
 * usable answer (resolver down, name not published yet) the webhook is accepted: every delivery
 * checks again and sends nothing unchecked.
 */
async function checkUrl(ctx: Ctx, url: string) {
  const r = checkTarget(url, allowPrivateTargets(ctx.env))
  if (!r.ok) throw invalid('url', r.reason)
  const resolved = await checkResolvedTarget(url, ctx.env)
  if (!resolved.ok && !resolved.retryable) throw invalid('url', resolved.reason)
  return r.url.toString()
}

async function checkProject(ctx: Ctx, projectId: string | null | undefined) {
  if (!projectId) return null
  const p = await ctx.db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, ctx.actor.orgId), isNull(projects.deletedAt)))
    .get()
  if (!p) throw invalid('project_id', `Unknown project: ${projectId}`)
  return p.id
}

async function load(ctx: Ctx, id: string, action: 'webhook.view' | 'webhook.manage' = 'webhook.view'): Promise<WebhookRow> {
  authorize(ctx.actor, action)
  const w = await ctx.db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.orgId, ctx.actor.orgId)))
    .get()
  if (!w) throw notFound('Webhook')
  return w
}

/** Creates a webhook. `secret` is in the answer only when it was generated here. */
export async function createWebhook(ctx: Ctx, input: CreateWebhookInput): Promise<WebhookWithSecret> {
  authorize(ctx.actor, 'webhook.manage')
  const url = await checkUrl(ctx, input.url)
  if (input.secret && !isValidWhsec(input.secret)) throw invalid('secret', 'A whsec_ secret must be base64 of at least 16 bytes')
  const projectId = await checkProject(ctx, input.project_id)
  const generated = input.secret ? undefined : generateSecret()
  const now = new Date()
  const row: WebhookRow = {
    id: newId('whk'),
    orgId: ctx.actor.orgId,
    url,
    secret: input.secret || generated!,
    previousSecret: null,
    previousSecretExpiresAt: null,
    topics: input.topics,
    projectId,
    status: 'ACTIVE',
    disabledReason: null,
    consecutiveFailures: 0,
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
  }
  await ctx.db.insert(webhooks).values(row)
  return { ...webhookView(row), ...(generated ? { secret: generated } : {}) }
}

/** A page of the organization's webhooks, as a read that can share a round trip (src/db/reads.ts). */
export function webhooksPageRead(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Read<Page<WebhookView>> {
  authorize(ctx.actor, 'webhook.view')
  const after = decodeCursor(q.cursor)
  const query = ctx.db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.orgId, ctx.actor.orgId), after ? lt(webhooks.id, String(after[0])) : undefined))
    .orderBy(desc(webhooks.id))
    .limit(q.limit + 1)
  return {
    stmts: [query],
    done: ([rows]) =>
      toPage(
        rows as WebhookRow[],
        q.limit,
        (r) => [r.id],
        (r) => webhookView(r),
      ),
  }
}

export async function listWebhooks(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Promise<Page<WebhookView>> {
  return (await runReads(ctx, webhooksPageRead(ctx, q)))[0]
}

/** One webhook of the organization (a 404 otherwise), as a read. */
export function webhookRead(ctx: Ctx, id: string): Read<WebhookView> {
  authorize(ctx.actor, 'webhook.view')
  const query = ctx.db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.id, id), eq(webhooks.orgId, ctx.actor.orgId)))
    .limit(1)
  return {
    stmts: [query],
    done: ([rows]) => {
      const w = (rows as WebhookRow[])[0]
      if (!w) throw notFound('Webhook')
      return webhookView(w)
    },
  }
}

export async function getWebhook(ctx: Ctx, id: string): Promise<WebhookView> {
  return (await runReads(ctx, webhookRead(ctx, id)))[0]
}

/** A page of a webhook's delivery log, as a read: the webhook must be the organization's (checked in
 * the statement, so it can go in the same batch as the webhook's own read). */
export function deliveriesRead(ctx: Ctx, id: string, q: { limit: number; cursor?: string | undefined }): Read<Page<DeliveryView>> {
  authorize(ctx.actor, 'webhook.view')
  const after = decodeCursor(q.cursor)
  const query = ctx.db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, id),
        inArray(
          webhookDeliveries.webhookId,
          ctx.db
            .select({ id: webhooks.id })
            .from(webhooks)
            .where(and(eq(webhooks.id, id), eq(webhooks.orgId, ctx.actor.orgId))),
        ),
        after ? lt(webhookDeliveries.id, String(after[0])) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1)
  return {
    stmts: [query],
    done: ([rows]) => toPage(rows as (typeof webhookDeliveries.$inferSelect)[], q.limit, (r) => [r.id], deliveryView),
  }
}

/**
 * Edits, activates/deactivates (activating clears the failure streak and the reason), and rotates
 * the secret: the old one keeps signing alongside the new one for 24 h. A generated secret is in
 * the answer once.
 */
export async function updateWebhook(ctx: Ctx, id: string, input: UpdateWebhookInput): Promise<WebhookWithSecret> {
  const w = await load(ctx, id, 'webhook.manage')
  const now = new Date()
  const set: Partial<WebhookRow> = { updatedAt: now }
  if (input.url !== undefined) set.url = await checkUrl(ctx, input.url)
  if (input.topics !== undefined) set.topics = input.topics
  if (input.project_id !== undefined) set.projectId = await checkProject(ctx, input.project_id)
  if (input.status !== undefined && input.status !== w.status) {
    set.status = input.status
    if (input.status === 'ACTIVE') Object.assign(set, { disabledReason: null, consecutiveFailures: 0 })
    else set.disabledReason = null
  }
  let generated: string | undefined
  if (input.rotate_secret || input.secret) {
    if (input.secret && !isValidWhsec(input.secret)) throw invalid('secret', 'A whsec_ secret must be base64 of at least 16 bytes')
    generated = input.secret ? undefined : generateSecret()
    Object.assign(set, {
      secret: input.secret ?? generated,
      previousSecret: w.secret,
      previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS),
    })
  }
  await ctx.db.update(webhooks).set(set).where(eq(webhooks.id, w.id))
  return { ...webhookView({ ...w, ...set }), ...(generated ? { secret: generated } : {}) }
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  const w = await load(ctx, id, 'webhook.manage')
  await ctx.db.delete(webhookDeliveries).where(eq(webhookDeliveries.webhookId, w.id))
  await ctx.db.delete(webhooks).where(eq(webhooks.id, w.id))
}

/** Records a PING event for this webhook only and queues its delivery (also for an inactive one).
 * The event is born dispatched: its one delivery is queued here, never by fan-out. */
export async function pingWebhook(ctx: Ctx, id: string): Promise<{ event_id: string }> {
  const w = await load(ctx, id, 'webhook.manage')
  const now = new Date()
  const evt = {
    id: newId('evt'),
    orgId: w.orgId,
    projectId: w.projectId,
    topic: 'PING',
    payload: { webhook_id: w.id, message: 'Ping from LabelDesk' },
    createdAt: now,
    dispatchedAt: now,
  }
  await ctx.db.insert(events).values(evt)
  await enqueueDelivery(ctx.env, { webhook_id: w.id, event_id: evt.id, attempt: 1, manual: true })
  return { event_id: evt.id }
}

export async function listDeliveries(ctx: Ctx, id: string, q: { limit: number; cursor?: string | undefined }): Promise<Page<DeliveryView>> {
  // The webhook's read first: a foreign or unknown id is a 404, not an empty log.
  return (await runReads(ctx, webhookRead(ctx, id), deliveriesRead(ctx, id, q)))[1]
}

/** Sends the delivery's event again (same event id, so receivers can deduplicate). */
export async function redeliver(ctx: Ctx, id: string, deliveryId: string): Promise<{ event_id: string }> {
  const w = await load(ctx, id, 'webhook.manage')
  const d = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, w.id)))
    .get()
  if (!d) throw notFound('Delivery')
  const last = await ctx.db
    .select({ attempt: webhookDeliveries.attempt })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, w.id), eq(webhookDeliveries.eventId, d.eventId)))
    .orderBy(desc(webhookDeliveries.attempt))
    .get()
  await enqueueDelivery(ctx.env, { webhook_id: w.id, event_id: d.eventId, attempt: (last?.attempt ?? d.attempt) + 1, manual: true })
  return { event_id: d.eventId }
}
