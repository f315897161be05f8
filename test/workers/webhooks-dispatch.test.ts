// Webhook events are dispatched the moment they are recorded (a queue message from the service that
// recorded them), with the cron only as the safety net; and the delivery log is pruned after
// DELIVERY_LOG_RETENTION_DAYS in bounded batches. Deliveries go to the REAL receiver of
// test/setup/webhook-receiver.ts. No test here runs the scheduled handler before the last one.
import { describe, expect, it, vi } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { eq, inArray } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import worker from '../../src/index'
import { events, tasks, webhookDeliveries, webhookDispatch } from '../../src/db/schema'
import type { Ctx } from '../../src/env'
import { idFloor, idTime, newId } from '../../src/lib/ids'
import { parse } from '../../src/lib/validate'
import { createLabel, reviewLabel, updateLabel } from '../../src/modules/labels/service'
import { CreateLabelInput } from '../../src/modules/labels/schemas'
import { startLabelImport } from '../../src/modules/labels/import/start'
import { completeTask } from '../../src/modules/tasks/service'
import {
  DELIVERY_LOG_RETENTION_DAYS,
  EVENT_RETENTION_DAYS,
  dispatchEventIds,
  dispatchEvents,
  pruneDeliveryLog,
  pruneEvents,
} from '../../src/modules/webhooks/delivery'
import { DISPATCH_KIND } from '../../src/modules/webhooks/events'
import { updateWebhook } from '../../src/modules/webhooks/service'
import { ctxFor, db, unique, type TestUser } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { adminOf, consume, deliveriesOf, event, hmacHex, hook, later, received, receiver, testEnv, type TestEnv } from '../helpers/webhooks'

const DAY = 86_400_000

/** A project with one data row in its queue, made through the API. */
async function projectWithRow(admin: TestUser) {
  const c = { cookie: admin.cookie }
  const d = await json(await call('POST', '/api/v1/datasets', c, { json: { name: unique('ds') } }))
  const rows = (await json(await call('POST', `/api/v1/datasets/${d.id}/data-rows`, c, { json: [{ row_data: 'https://x.test/a.jpg' }] })))
    .created
  const p = await json(
    await call('POST', '/api/v1/projects', c, {
      json: { name: unique('P'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } },
    }),
  )
  expect((await call('POST', `/api/v1/projects/${p.id}/batches`, c, { json: { name: 'b', data_row_ids: [rows[0].id] } })).status).toBe(201)
  return { projectId: p.id as string, dataRowId: rows[0].id as string }
}

/** A service context whose queue is captured and whose after-response work is collected. */
function serviceCtx(admin: TestUser, t: TestEnv) {
  const after: Promise<unknown>[] = []
  const ctx: Ctx = { ...ctxFor(admin.actor), env: t.env, waitUntil: (p) => void after.push(p) }
  return { ctx, settle: () => Promise.all(after.splice(0)) }
}

const answer = (text: string) => ({ classifications: [{ name: 'Q', text_answer: { content: text } }] })

describe('immediate dispatch', () => {
  it('a label change reaches the real receiver through the queue consumer right away, signed, with no cron run', async () => {
    const admin = await adminOf()
    const { projectId, dataRowId } = await projectWithRow(admin)
    const w = await hook(admin, await receiver('/now'), { topics: ['LABEL_CREATED', 'LABEL_UPDATED', 'REVIEW_CREATED'], projectId })
    const t = testEnv()
    const { ctx, settle } = serviceCtx(admin, t)

    const label = await createLabel(ctx, projectId, parse(CreateLabelInput, { data_row_id: dataRowId, annotations: answer('y') }))
    // The request only hands a send to waitUntil: nothing is delivered, nor even queued, before the
    // response; then exactly one dispatch message naming the event.
    expect(t.sent).toEqual([])
    expect(await received('/now')).toEqual([])
    await settle()
    const [created] = await db().select().from(events).where(eq(events.orgId, admin.actor.orgId))
    expect(t.sent).toEqual([{ body: { kind: DISPATCH_KIND, event_ids: [created!.id] }, delaySeconds: undefined }])

    // The Worker's queue consumer routes it: dispatch → one delivery message → the receiver.
    expect(await consume(t)).toEqual([DISPATCH_KIND, 'webhook-delivery'])
    const [req] = await received('/now')
    expect(req).toBeDefined()
    const body = JSON.parse(req!.body)
    expect(body).toMatchObject({
      id: created!.id,
      topic: 'LABEL_CREATED',
      project_id: projectId,
      organization_id: admin.actor.orgId,
      data: { label_id: label.id, data_row_id: dataRowId, project_id: projectId },
    })
    expect(new Webhook(w.secret!).verify(req!.body, req!.headers)).toEqual(body)
    expect(req!.headers['x-hub-signature-256']).toBe(`sha256=${await hmacHex('SHA-256', w.secret!, req!.body)}`)
    expect(req!.headers['webhook-id']).toBe(created!.id)
    expect((await deliveriesOf(w.id)).map((d) => [d.eventId, d.attempt, d.statusCode])).toEqual([[created!.id, 1, 200]])

    // Edits and reviews take the same path.
    await updateLabel(ctx, label.id, { annotations: answer('z') })
    await reviewLabel(ctx, label.id, { score: 1 })
    await settle()
    expect(t.sent.map((m) => m.body.kind)).toEqual([DISPATCH_KIND, DISPATCH_KIND])
    await consume(t)
    expect((await received('/now')).map((r) => JSON.parse(r.body).topic)).toEqual(['LABEL_CREATED', 'LABEL_UPDATED', 'REVIEW_CREATED'])

    // Stamped as dispatched: the cron's safety net (and a second copy of a message) add nothing.
    const evts = await db().select().from(events).where(eq(events.orgId, admin.actor.orgId))
    expect(evts).toHaveLength(3)
    expect(evts.every((e) => e.dispatchedAt instanceof Date)).toBe(true)
    const cron = testEnv()
    await dispatchEvents(cron.env, later())
    expect(cron.sent.filter((m) => m.body.webhook_id === w.id)).toEqual([])
    expect(
      await dispatchEventIds(
        cron.env,
        evts.map((e) => e.id),
      ),
    ).toEqual({ events: 0, deliveries: 0 })
    expect(await received('/now')).toHaveLength(3)
  })

  it('through the Worker itself: a label created with the API is dispatched by the real queue within seconds', async () => {
    // The Worker runs with the production SSRF setting, so its consumer refuses the 127.0.0.1
    // receiver; the logged attempt proves that the event went request → queue → dispatch → delivery
    // without any cron run.
    const admin = await adminOf()
    const { projectId, dataRowId } = await projectWithRow(admin)
    const w = await hook(admin, await receiver('/real-queue'), { topics: ['LABEL_CREATED'] })
    const res = await call(
      'POST',
      `/api/v1/projects/${projectId}/labels`,
      { cookie: admin.cookie },
      { json: { data_row_id: dataRowId, annotations: answer('y') } },
    )
    expect(res.status).toBe(201)
    const [evt] = await db().select().from(events).where(eq(events.orgId, admin.actor.orgId))
    await vi.waitFor(async () => expect(await deliveriesOf(w.id)).toHaveLength(1), { timeout: 20_000, interval: 100 })
    const [d] = await deliveriesOf(w.id)
    expect(d).toMatchObject({ eventId: evt!.id, topic: 'LABEL_CREATED', attempt: 1, statusCode: null })
    expect(d!.error).toMatch(/^Refused target: /)
    expect((await db().select().from(events).where(eq(events.id, evt!.id)).get())!.dispatchedAt).toBeInstanceOf(Date)
    expect(await received('/real-queue')).toEqual([])
  })

  it('a task ending is announced right away too', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/task-now'), { topics: ['TASK_COMPLETED'] })
    const now = new Date()
    const task = {
      id: newId('tsk'),
      orgId: admin.actor.orgId,
      createdBy: admin.id,
      type: 'export-data-rows' as const,
      name: 'Export',
      status: 'IN_PROGRESS' as const,
      completionPercentage: 0,
      subjectId: null,
      params: {},
      metadata: {},
      dedupeKey: null,
      resultKey: null,
      errorsKey: null,
      failureReason: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    }
    await db().insert(tasks).values(task)
    const t = testEnv()
    await completeTask(t.env, task)
    expect(t.sent.map((m) => m.body.kind)).toEqual([DISPATCH_KIND])
    await consume(t)
    const [req] = await received('/task-now')
    expect(JSON.parse(req!.body)).toMatchObject({ topic: 'TASK_COMPLETED', data: { task_id: task.id, status: 'COMPLETE' } })
    expect((await deliveriesOf(w.id)).map((d) => d.statusCode)).toEqual([200])
  })

  it('labels made by an import are announced at the end of the slice that made them, then reach the receiver', async () => {
    const admin = await adminOf()
    const { projectId, dataRowId } = await projectWithRow(admin)
    const w = await hook(admin, await receiver('/imported'), { topics: ['LABEL_CREATED', 'TASK_COMPLETED'] })
    const t = testEnv()
    const { ctx } = serviceCtx(admin, t)
    const file = `${JSON.stringify({ name: 'Q', answer: 'from a file', dataRow: { id: dataRowId } })}\n`
    const task = await startLabelImport(ctx, projectId, {
      body: new Response(file).body,
      contentType: 'application/x-ndjson',
      createOntology: false,
    })
    // The import's slices, its dispatch messages and the deliveries all run through the consumer.
    const kinds = await consume(t)
    expect(kinds).toContain(DISPATCH_KIND)
    const reqs = (await received('/imported')).map((r) => JSON.parse(r.body))
    expect(reqs.map((b) => b.topic).sort()).toEqual(['LABEL_CREATED', 'TASK_COMPLETED'])
    expect(reqs.find((b) => b.topic === 'LABEL_CREATED').data).toMatchObject({ data_row_id: dataRowId, project_id: projectId })
    expect(reqs.find((b) => b.topic === 'TASK_COMPLETED').data).toMatchObject({ task_id: task.id, status: 'COMPLETE' })
    expect((await deliveriesOf(w.id)).map((d) => d.statusCode)).toEqual([200, 200])
  })

  it('an organization without an active webhook sends no queue message for its events', async () => {
    const admin = await adminOf()
    const { projectId, dataRowId } = await projectWithRow(admin)
    const w = await hook(admin, await receiver('/off'), { topics: ['LABEL_CREATED'] })
    const ctxAdmin = { ...ctxFor(admin.actor), env: testEnv().env }
    await updateWebhook(ctxAdmin, w.id, { status: 'INACTIVE' })
    const t = testEnv()
    const { ctx, settle } = serviceCtx(admin, t)
    await createLabel(ctx, projectId, parse(CreateLabelInput, { data_row_id: dataRowId, annotations: answer('y') }))
    await settle()
    expect(t.sent).toEqual([])
  })

  it('the cron still dispatches an event whose announce was lost, once; a late dispatch message then adds nothing', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/lost'))
    const evt = await event(admin) // written without an announce
    const t = testEnv()
    expect((await dispatchEventIds(t.env, [])).deliveries).toBe(0)
    await dispatchEvents(t.env, later())
    expect(t.sent.filter((m) => m.body.webhook_id === w.id).map((m) => m.body)).toEqual([
      { kind: 'webhook-delivery', webhook_id: w.id, event_id: evt, attempt: 1 },
    ])
    expect((await db().select().from(events).where(eq(events.id, evt)).get())!.dispatchedAt).toBeInstanceOf(Date)
    const late = testEnv()
    expect(await dispatchEventIds(late.env, [evt])).toEqual({ events: 0, deliveries: 0 })
    expect(late.sent).toEqual([])
    await consume(t)
    expect(await received('/lost')).toHaveLength(1)
  })
})

describe('delivery-log retention', () => {
  /** Delivery rows for `webhookId` made `ageMs` ago (ids and times as the delivery job makes them). */
  async function logRows(webhookId: string, ages: number[]) {
    const now = Date.now()
    const rows = ages.map((age) => ({
      id: newId('dlv', now - age),
      webhookId,
      eventId: 'evt_x',
      topic: 'LABEL_CREATED',
      attempt: 1,
      statusCode: 200,
      durationMs: 5,
      responseExcerpt: 'ok',
      error: null,
      nextAttemptAt: null,
      createdAt: new Date(now - age),
    }))
    for (let i = 0; i < rows.length; i += 5)
      await db()
        .insert(webhookDeliveries)
        .values(rows.slice(i, i + 5))
    return rows.map((r) => r.id)
  }

  it('id floors sort exactly at the cutoff', () => {
    const t = Date.UTC(2026, 10, 1, 12)
    expect(idTime(`${idFloor('dlv', t)}0000000000000000`)).toBe(t)
    expect(idFloor('dlv', t) < newId('dlv', t)).toBe(true)
    expect(newId('dlv', t - 1) < idFloor('dlv', t)).toBe(true)
  })

  it(`deletes attempts older than ${DELIVERY_LOG_RETENTION_DAYS} days, oldest first, a bounded batch per statement`, async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/retention'))
    const old = await logRows(w.id, [400 * DAY, 90 * DAY, 45 * DAY, 31 * DAY, DELIVERY_LOG_RETENTION_DAYS * DAY + 60_000])
    const kept = await logRows(w.id, [DELIVERY_LOG_RETENTION_DAYS * DAY - 60_000, 29 * DAY, DAY, 0])
    const left = async () =>
      (await db().select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, w.id)))
        .map((r) => r.id)
        .sort()

    // Two statements of two rows: four rows go, the youngest old one waits for the next run.
    expect(await pruneDeliveryLog(env, Date.now(), { batch: 2, maxBatches: 2 })).toEqual({ deleted: 4, done: false })
    expect(await left()).toEqual([old[4]!, ...kept].sort())
    expect(await pruneDeliveryLog(env, Date.now(), { batch: 2, maxBatches: 2 })).toEqual({ deleted: 1, done: true })
    expect(await left()).toEqual([...kept].sort())
    expect(await pruneDeliveryLog(env)).toEqual({ deleted: 0, done: true })
  })

  it('runs from the cron', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/retention-cron'))
    const [gone, stays] = [await logRows(w.id, [60 * DAY]), await logRows(w.id, [DAY])]
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/15 * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    const ids = (
      await db()
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(inArray(webhookDeliveries.id, [...gone!, ...stays!]))
    ).map((r) => r.id)
    expect(ids).toEqual(stays)
  })
})

describe('outbox retention', () => {
  it(`deletes events older than ${EVENT_RETENTION_DAYS} days that the safety net has passed, in bounded batches`, async () => {
    const admin = await adminOf()
    const now = Date.now()
    const ids = [400, 60, 40, 33, EVENT_RETENTION_DAYS - 1, 1].map((days) => newId('evt', now - days * DAY))
    await db()
      .insert(events)
      .values(
        ids.map((id) => ({
          id,
          orgId: admin.org.id,
          projectId: null,
          topic: 'LABEL_CREATED',
          payload: { test: true },
          createdAt: new Date(idTime(id)),
          dispatchedAt: new Date(idTime(id)),
        })),
      )
    const left = async () => (await db().select({ id: events.id }).from(events).where(inArray(events.id, ids))).map((r) => r.id).sort()
    const saved = await db().select().from(webhookDispatch).where(eq(webhookDispatch.id, 'events')).get()
    const watermark = async (id: string) =>
      db()
        .insert(webhookDispatch)
        .values({ id: 'events', lastEventId: id, updatedAt: new Date() })
        .onConflictDoUpdate({ target: webhookDispatch.id, set: { lastEventId: id } })
    try {
      // The safety net has only passed the 60-day-old event: nothing newer goes, however old.
      await watermark(ids[1]!)
      expect(await pruneEvents(env, now)).toEqual({ deleted: 2, done: true })
      expect(await left()).toEqual(ids.slice(2).sort())
      // Past all of them: the two older than the retention go (one statement of one row at a time).
      await watermark(ids[5]!)
      expect(await pruneEvents(env, now, { batch: 1, maxBatches: 1 })).toEqual({ deleted: 1, done: false })
      expect(await pruneEvents(env, now, { batch: 1, maxBatches: 5 })).toEqual({ deleted: 1, done: true })
      expect(await left()).toEqual(ids.slice(4).sort())
    } finally {
      if (saved) await watermark(saved.lastEventId)
      else await db().delete(webhookDispatch).where(eq(webhookDispatch.id, 'events'))
    }
  })
})
