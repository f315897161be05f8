/** Webhook test helpers around the REAL receiver of test/setup/webhook-receiver.ts (a Node server
 * on 127.0.0.1, outside workerd) and its DNS-over-HTTPS endpoint. */
import { inject } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { events, webhookDeliveries } from '../../src/db/schema'
import type { Env } from '../../src/env'
import type { QueueMessage } from '../../src/handlers/queue'
import { newId } from '../../src/lib/ids'
import { deliver, type DeliveryMessage } from '../../src/modules/webhooks/delivery'
import { createWebhook } from '../../src/modules/webhooks/service'
import worker from '../../src/index'
import { ctxFor, db, makeOrg, makeUser, unique, type TestUser } from './factories'

export const receiverBase = () => `http://127.0.0.1:${inject('receiverPort')}`
/** The receiver's DoH endpoint, answering from its fixed table. */
export const dohUrl = () => `${receiverBase()}/dns-query`
const enc = new TextEncoder()

export type Captured = { body: DeliveryMessage & { kind: string } & Record<string, unknown>; delaySeconds?: number }
export type TestEnv = { env: Env; sent: Captured[] }

/** An env whose queue is captured (so a day of backoff runs in milliseconds) and which may reach
 * the local receiver unless `allowPrivate` is false; `resolver` sets WEBHOOK_DNS_RESOLVER. */
export function testEnv(allowPrivate = true, resolver?: string): TestEnv {
  const sent: Captured[] = []
  const queue = {
    async send(body: Captured['body'], o?: { delaySeconds?: number }) {
      sent.push({ body, delaySeconds: o?.delaySeconds })
    },
    async sendBatch(msgs: { body: Captured['body']; delaySeconds?: number }[]) {
      for (const m of msgs) sent.push({ body: m.body, delaySeconds: m.delaySeconds })
    },
  }
  const e = {
    ...env,
    TASK_QUEUE: queue,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: allowPrivate ? 'true' : 'false',
    ...(resolver ? { WEBHOOK_DNS_RESOLVER: resolver } : {}),
  } as unknown as Env
  return { env: e, sent }
}

/**
 * The network as seen from a target that is down: every request fails the way workerd's fetch
 * fails on a refused connection. Tests of unreachable targets and resolvers use it instead of a
 * closed port because workerd prints each refused connection as an uncaught exception (with a
 * stack), even when the Worker catches the error, which buried real failures in the test output.
 */
export const deadNetwork: typeof fetch = async () => {
  throw new Error('Network connection lost.')
}

/** Runs every queued delivery (and the retries they queue) to the end; returns the delays used. */
export async function drain(t: TestEnv, webhookId?: string, fetcher?: typeof fetch) {
  const delays: (number | undefined)[] = []
  for (let guard = 0; t.sent.length && guard < 500; guard++) {
    const m = t.sent.shift()!
    if (webhookId && m.body.webhook_id !== webhookId) continue
    if (m.body.attempt > 1) delays.push(m.delaySeconds)
    await deliver(t.env, m.body, fetcher)
  }
  return delays
}

/** Feeds the captured messages to the Worker's own queue consumer (`worker.queue`, which routes by
 * `kind`), batch after batch, until nothing new is queued. Every message must be acked. */
export async function consume(t: TestEnv) {
  const kinds: string[] = []
  for (let round = 0; t.sent.length && round < 20; round++) {
    const msgs = t.sent.splice(0)
    kinds.push(...msgs.map((m) => m.body.kind))
    const batch = createMessageBatch<QueueMessage>(
      'labeldesk-tasks',
      msgs.map((m, i) => ({ id: `m${round}-${i}`, timestamp: new Date(), attempts: 1, body: m.body })),
    )
    const ctx = createExecutionContext()
    await worker.queue(batch, t.env, ctx)
    const r = await getQueueResult(batch, ctx)
    if (r.retryMessages.length) throw new Error(`queue consumer asked to retry ${JSON.stringify(r.retryMessages)}`)
  }
  return kinds
}

/** A receiver path, optionally told how to behave. */
export async function receiver(path: string, behaviour?: Record<string, unknown>) {
  if (behaviour) await fetch(`${receiverBase()}/_control`, { method: 'POST', body: JSON.stringify({ path, ...behaviour }) })
  return `${receiverBase()}${path}`
}
export async function received(path: string): Promise<{ headers: Record<string, string>; body: string }[]> {
  return (await (await fetch(`${receiverBase()}/_requests?path=${encodeURIComponent(path)}`)).json()) as never
}

export async function adminOf(): Promise<TestUser> {
  const org = await makeOrg(unique('Hooks'))
  return makeUser(org, 'ADMIN')
}
/** A webhook made through the service with the dev setting on (so it may point at 127.0.0.1). */
export async function hook(admin: TestUser, url: string, o: { secret?: string; topics?: string[]; projectId?: string } = {}) {
  return createWebhook(
    { ...ctxFor(admin.actor), env: testEnv(true).env },
    { url, secret: o.secret ?? null, topics: (o.topics ?? ['LABEL_CREATED', 'LABEL_UPDATED']) as never, project_id: o.projectId ?? null },
  )
}
/** An outbox event written directly (as if its announce had been lost). */
export async function event(admin: TestUser, topic = 'LABEL_CREATED', payload: Record<string, unknown> = { label_id: 'lbl_x' }) {
  const id = newId('evt')
  await db().insert(events).values({ id, orgId: admin.actor.orgId, projectId: null, topic, payload, createdAt: new Date() })
  return id
}
/** A cron run late enough that the events just written are past the dispatch grace. */
export const later = () => Date.now() + 60_000
export async function hmacHex(hash: 'SHA-1' | 'SHA-256', key: string, body: string) {
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash }, false, ['sign'])
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(body)))].map((b) => b.toString(16).padStart(2, '0')).join('')
}
export const deliveriesOf = (id: string) =>
  db().select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id)).orderBy(webhookDeliveries.id)
