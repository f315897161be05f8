// Webhooks end to end against a REAL HTTP receiver on 127.0.0.1 (test/setup/webhook-receiver.ts,
// a Node server outside workerd, which also serves the DNS-over-HTTPS endpoint the SSRF guard asks).
// The Worker runs with the production setting WEBHOOK_ALLOW_PRIVATE_TARGETS=false (pinned in
// vitest.config.mts); delivery tests hand the job an env copy that allows private targets and
// captures the queue, then drain the captured messages (retries included) by calling the job, so a
// day of backoff runs in milliseconds. Immediate dispatch and retention: webhooks-dispatch.test.ts.
import { describe, expect, beforeAll, it, vi } from 'vitest'
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import { events, tasks, webhooks } from '../../src/db/schema'
import { completeTask, failTask } from '../../src/modules/tasks/service'
import { checkResolvedTarget, checkTarget } from '../../src/modules/webhooks/ssrf'
import { createWebhook, updateWebhook } from '../../src/modules/webhooks/service'
import { deliver, dispatchEvents, MAX_CONSECUTIVE_FAILURES, RETRY_DELAYS } from '../../src/modules/webhooks/delivery'
import { AppError } from '../../src/lib/errors'
import { newId } from '../../src/lib/ids'
import { ctxFor, db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { DeliveryView, QueuedView, WebhookView, WebhookWithSecret } from '../../src/modules/webhooks/schemas'
import {
  adminOf,
  deadNetwork,
  deliveriesOf,
  dohUrl,
  drain,
  event,
  hmacHex,
  hook,
  later,
  received,
  receiver,
  receiverBase,
  testEnv,
} from '../helpers/webhooks'

const base = receiverBase()
const enc = new TextEncoder()

describe('SSRF guard', () => {
  it('refuses loopback, private, link-local and metadata targets and plain http when the dev setting is off', () => {
    for (const u of ['http://127.0.0.1', 'http://10.0.0.1', 'http://[::1]', 'http://169.254.169.254'])
      expect(checkTarget(u, false).ok, u).toBe(false)
    for (const u of [
      'https://127.0.0.1/x',
      'https://10.0.0.1',
      'https://[::1]/',
      'https://169.254.169.254/latest/meta-data',
      'https://172.16.5.4',
      'https://192.168.1.1',
      'https://100.64.0.1',
      'https://0.0.0.0',
      'https://[fc00::1]',
      'https://[fd12:3456::1]',
      'https://[fe80::1]',
      'https://[::ffff:127.0.0.1]',
      'https://[::ffff:10.0.0.1]',
      'https://[64:ff9b::a9fe:a9fe]',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://localhost/',
      'https://api.localhost',
      'https://metadata.google.internal/',
      'https://printer.local',
      'https://intranet/',
      'http://example.com/hook',
      'ftp://example.com',
      'not a url',
      'https://user:pw@example.com',
    ])
      expect(checkTarget(u, false).ok, u).toBe(false)
    for (const u of [
      'https://example.com/hook',
      'https://8.8.8.8/x',
      'https://[2606:4700::1111]/',
      'https://hooks.example.co.uk:8443/a?b=c',
    ])
      expect(checkTarget(u, false).ok, u).toBe(true)
    expect(checkTarget('http://127.0.0.1:9/x', true).ok).toBe(true)
    expect(checkTarget('http://[::1]/', true).ok).toBe(true)
  })

  describe('DNS check (DNS-over-HTTPS, answered by the test receiver from a fixed table)', () => {
    const prod = () => ({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_DNS_RESOLVER: dohUrl() })
    const unreachable = 'http://127.0.0.1:1/dns-query'

    it('allows a host name whose A and AAAA answers are all public', async () => {
      const r = await checkResolvedTarget('https://public.example.test/hook', prod())
      expect(r).toMatchObject({ ok: true })
      expect(r.ok && r.addresses.sort()).toEqual(['2606:2800:21f:cb07:6820:80da:af6b:8b2c', '93.184.215.14'])
    })

    it('refuses a host name resolving to a private, loopback or metadata address, with a clear reason', async () => {
      const r = await checkResolvedTarget('https://private.example.test/hook', prod())
      expect(r).toEqual({
        ok: false,
        retryable: false,
        reason: 'The host private.example.test resolves to 10.0.0.1, a private (10.0.0.0/8) address, which webhooks may not reach',
      })
      for (const [host, why] of [
        ['loopback6.example.test', /::1, the IPv6 loopback address/],
        ['metadata.example.test', /169\.254\.169\.254, a link-local \/ cloud metadata/],
        ['mixed.example.test', /192\.168\.1\.20, a private \(192\.168\.0\.0\/16\)/],
        ['alias.example.test', /10\.0\.0\.1/], // through a CNAME
        ['PRIVATE.Example.Test.', /10\.0\.0\.1/], // case and a trailing dot change nothing
      ] as const) {
        const x = await checkResolvedTarget(`https://${host}/`, prod())
        expect(x.ok, host).toBe(false)
        expect(!x.ok && x.retryable, host).toBe(false)
        expect(!x.ok && x.reason, host).toMatch(why)
      }
    })

    it('without a usable answer nothing is allowed: the resolver down, SERVFAIL, no such name, no address (retryable)', async () => {
      const down = await checkResolvedTarget('https://public.example.test/', { ...prod(), WEBHOOK_DNS_RESOLVER: unreachable }, deadNetwork)
      expect(down).toMatchObject({ ok: false, retryable: true })
      expect(!down.ok && down.reason).toMatch(
        /^Could not check where public\.example\.test points: the DNS resolver http:\/\/127\.0\.0\.1:1\/dns-query unreachable/,
      )
      const notUrl = await checkResolvedTarget('https://public.example.test/', { ...prod(), WEBHOOK_DNS_RESOLVER: 'not a url' })
      expect(!notUrl.ok && notUrl.reason).toMatch(/WEBHOOK_DNS_RESOLVER is not a URL/)
      expect(await checkResolvedTarget('https://servfail.example.test/', prod())).toMatchObject({
        ok: false,
        retryable: true,
        reason: expect.stringMatching(/DNS status 2/),
      })
      expect(await checkResolvedTarget('https://nowhere.example.test/', prod())).toMatchObject({
        ok: false,
        retryable: true,
        reason: expect.stringMatching(/has no A or AAAA record/),
      })
      expect(await checkResolvedTarget('https://no-address.example.test/', prod())).toMatchObject({ ok: false, retryable: true })
      // A resolver that is not a DoH JSON endpoint is no answer either (the receiver answers "ok").
      expect(
        await checkResolvedTarget('https://public.example.test/', { ...prod(), WEBHOOK_DNS_RESOLVER: `${base}/not-doh` }),
      ).toMatchObject({ ok: false, retryable: true, reason: expect.stringMatching(/other than DNS JSON/) })
    })

    it('asks no resolver for IP literals, and none at all when private targets are allowed', async () => {
      const off = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_DNS_RESOLVER: unreachable }
      expect(await checkResolvedTarget('https://8.8.8.8/x', off)).toMatchObject({ ok: true })
      expect(await checkResolvedTarget('https://10.0.0.1/x', off)).toMatchObject({ ok: false, retryable: false })
      expect(
        await checkResolvedTarget('https://private.example.test/', {
          WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
          WEBHOOK_DNS_RESOLVER: unreachable,
        }),
      ).toMatchObject({ ok: true })
    })

    it('creating or editing a webhook refuses a host name that resolves privately, and accepts a public one', async () => {
      const admin = await adminOf()
      const ctx = { ...ctxFor(admin.actor), env: testEnv(false, dohUrl()).env }
      const err = await createWebhook(ctx, {
        url: 'https://private.example.test/hook',
        secret: null,
        topics: ['LABEL_CREATED'],
        project_id: null,
      }).catch((e) => e)
      expect(err).toBeInstanceOf(AppError)
      expect(err).toMatchObject({
        code: 'VALIDATION',
        errors: [{ path: 'url', message: expect.stringContaining('resolves to 10.0.0.1, a private (10.0.0.0/8) address') }],
      })
      const ok = await createWebhook(ctx, {
        url: 'https://public.example.test/hook',
        secret: null,
        topics: ['LABEL_CREATED'],
        project_id: null,
      })
      expect(ok.url).toBe('https://public.example.test/hook')
      await expect(updateWebhook(ctx, ok.id, { url: 'https://metadata.example.test/' })).rejects.toMatchObject({ code: 'VALIDATION' })
      // DNS that cannot answer does not block the admin: every delivery checks again.
      const down = { ...ctx, env: testEnv(false, await receiver('/dns-down', { status: 503 })).env }
      expect((await updateWebhook(down, ok.id, { url: 'https://later.example.test/hook' })).url).toBe('https://later.example.test/hook')
      expect((await db().select().from(webhooks).where(eq(webhooks.id, ok.id)).get())!.url).toBe('https://later.example.test/hook')
    })
  })
})

describe('webhooks API', () => {
  let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
  let foreignProject: string
  const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
  beforeAll(async () => {
    orgs = await seedTwoOrgs()
    const p = await call(
      'POST',
      '/api/v1/projects',
      { cookie: orgs.orgB.ADMIN.cookie },
      { json: { name: unique('B'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } } },
    )
    expect(p.status).toBe(201)
    foreignProject = (await json(p)).id
  })

  it('rejects bad input with a 400 naming the field and changes nothing', async () => {
    const count = async () => (await db().select().from(webhooks).where(eq(webhooks.orgId, orgs.a.id))).length
    const before = await count()
    const cases: [unknown, string][] = [
      [{ url: 'not a url', topics: ['LABEL_CREATED'] }, 'url'],
      [{ url: `${base}/x`, topics: ['LABEL_CREATED'] }, 'url'],
      [{ url: 'http://example.com/x', topics: ['LABEL_CREATED'] }, 'url'],
      [{ url: 'https://10.0.0.1/x', topics: ['LABEL_CREATED'] }, 'url'],
      [{ url: 'https://169.254.169.254/', topics: ['LABEL_CREATED'] }, 'url'],
      [{ url: 'https://example.com/x', topics: ['NOPE'] }, 'topics'],
      [{ url: 'https://example.com/x', topics: [] }, 'topics'],
      [{ url: 'https://example.com/x', topics: ['LABEL_CREATED'], project_id: foreignProject }, 'project_id'],
      [{ url: 'https://example.com/x', topics: ['LABEL_CREATED'], project_id: 'prj_nope' }, 'project_id'],
      [{ url: 'https://example.com/x', topics: ['LABEL_CREATED'], secret: 'short' }, 'secret'],
    ]
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/webhooks', admin(), { json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      const p = await json(res)
      expect(
        p.errors.map((e: { path: string }) => e.path.split('.')[0]),
        JSON.stringify(body),
      ).toContain(field)
    }
    expect(await count()).toBe(before)
  })

  it('is for admins only', async () => {
    for (const role of ['TEAM_MANAGER', 'REVIEWER', 'LABELER'] as const) {
      expect((await call('GET', '/api/v1/webhooks', { cookie: orgs.orgA[role].cookie })).status).toBe(403)
      expect(
        (
          await call(
            'POST',
            '/api/v1/webhooks',
            { cookie: orgs.orgA[role].cookie },
            { json: { url: 'https://example.com/x', topics: ['LABEL_CREATED'] } },
          )
        ).status,
      ).toBe(403)
    }
    expect((await call('GET', '/account/webhooks', { cookie: orgs.orgA.LABELER.cookie })).status).toBe(403)
  })

  it('creates (secret once), lists without secrets, edits, rotates, deactivates, deletes; other orgs get 404', async () => {
    const res = await call('POST', '/api/v1/webhooks', admin(), {
      json: { url: 'https://hooks.example.com/ld', topics: ['LABEL_CREATED', 'LABEL_CREATED', 'TASK_FAILED'] },
    })
    expect(res.status).toBe(201)
    const w = await json(res)
    expectShape(WebhookWithSecret, w)
    expect(w).toMatchObject({
      url: 'https://hooks.example.com/ld',
      topics: ['LABEL_CREATED', 'TASK_FAILED'],
      project_id: null,
      status: 'ACTIVE',
    })
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const given = await json(
      await call('POST', '/api/v1/webhooks', admin(), {
        json: { url: 'https://hooks.example.com/2', topics: ['LABEL_UPDATED'], secret: 'my-own-secret-1234567' },
      }),
    )
    expect(given.secret).toBeUndefined()
    const list = await call('GET', '/api/v1/webhooks', admin())
    const text = await list.text()
    expectPage(WebhookView, JSON.parse(text))
    expect(text).toContain(w.id)
    expect(text).not.toContain(w.secret)
    expect(text).not.toContain('my-own-secret')
    const page = await (await call('GET', '/account/webhooks', admin())).text()
    expect(page).toContain('https://hooks.example.com/ld')
    expect(page).not.toContain(w.secret)

    const patched = await json(
      await call('PATCH', `/api/v1/webhooks/${w.id}`, admin(), { json: { topics: ['REVIEW_CREATED'], status: 'INACTIVE' } }),
    )
    expectShape(WebhookWithSecret, patched)
    expect(patched).toMatchObject({ topics: ['REVIEW_CREATED'], status: 'INACTIVE' })
    expect(patched.secret).toBeUndefined()
    expect((await call('PATCH', `/api/v1/webhooks/${w.id}`, admin(), { json: { url: 'http://example.com' } })).status).toBe(400)
    const rotated = await json(await call('PATCH', `/api/v1/webhooks/${w.id}`, admin(), { json: { rotate_secret: true } }))
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(w.secret)
    expect(Date.parse(rotated.secret_rotation_ends_at) - Date.now()).toBeGreaterThan(23 * 3600_000)
    const row = await db().select().from(webhooks).where(eq(webhooks.id, w.id)).get()
    expect(row!.previousSecret).toBe(w.secret)

    const other = { cookie: orgs.orgB.ADMIN.cookie }
    expect((await call('PATCH', `/api/v1/webhooks/${w.id}`, other, { json: { status: 'ACTIVE' } })).status).toBe(404)
    expect((await call('DELETE', `/api/v1/webhooks/${w.id}`, other)).status).toBe(404)
    expect((await call('POST', `/api/v1/webhooks/${w.id}/ping`, other)).status).toBe(404)
    expect((await call('GET', `/api/v1/webhooks/${w.id}/deliveries`, other)).status).toBe(404)
    expect((await call('DELETE', `/api/v1/webhooks/${w.id}`, admin())).status).toBe(204)
    expect((await call('GET', `/api/v1/webhooks/${w.id}`, admin())).status).toBe(404)
  })

  it('the page creates a webhook from the form (secret shown once) and answers 422 with the field error', async () => {
    const bad = await call('POST', '/account/webhooks', admin(), {
      body: new URLSearchParams([
        ['url', 'http://10.0.0.1/x'],
        ['topics', 'LABEL_CREATED'],
      ]),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('The URL must use https://')
    const res = await call('POST', '/account/webhooks', admin(), {
      body: new URLSearchParams([
        ['url', 'https://form.example.com/h'],
        ['topics', 'LABEL_CREATED'],
        ['topics', 'TASK_COMPLETED'],
        ['project_id', ''],
      ]),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(res.status).toBe(201)
    const html = await res.text()
    expect(html).toMatch(/value="whsec_[^"]+"/)
    const row = (await db().select().from(webhooks).where(eq(webhooks.url, 'https://form.example.com/h')).get())!
    expect(row.topics).toEqual(['LABEL_CREATED', 'TASK_COMPLETED'])
    const detail = await (await call('GET', `/account/webhooks/${row.id}`, admin())).text()
    expect(detail).toContain('Ping')
    expect(detail).not.toContain(row.secret)
  })

  it('ping answers 202 and goes through the real queue; redeliver re-sends the same event id', async () => {
    // Created with the dev setting on, delivered by the Worker's own consumer with it off: the
    // delivery-time guard refuses it, and that attempt is logged.
    const w = await hook(orgs.orgA.ADMIN, await receiver('/ping-real'))
    const res = await call('POST', `/api/v1/webhooks/${w.id}/ping`, admin())
    expect(res.status).toBe(202)
    const { event_id } = expectShape(QueuedView, await json(res))
    let d: any
    await vi.waitFor(
      async () => {
        d = await json(await call('GET', `/api/v1/webhooks/${w.id}/deliveries`, admin()))
        expect(d.items.length).toBe(1)
      },
      { timeout: 20_000, interval: 100 },
    )
    expectPage(DeliveryView, d)
    expect(d.items[0]).toMatchObject({ event_id, topic: 'PING', attempt: 1, status_code: null })
    expect(d.items[0].error).toMatch(/Refused target/)
    expect(await received('/ping-real')).toEqual([])
    const rd = await call('POST', `/api/v1/webhooks/${w.id}/deliveries/${d.items[0].id}/redeliver`, admin())
    expect(rd.status).toBe(202)
    expect((await json(rd)).event_id).toBe(event_id)
    await vi.waitFor(
      async () => {
        d = await json(await call('GET', `/api/v1/webhooks/${w.id}/deliveries`, admin()))
        expect(d.items.length).toBe(2)
      },
      { timeout: 20_000, interval: 100 },
    )
    expect(d.items[0]).toMatchObject({ event_id, attempt: 2 })
  })

  it('the delivery log refreshes itself: 204 while nothing is new, the fresh section when an attempt was logged', async () => {
    const w = await hook(orgs.orgA.ADMIN, await receiver('/live-log'))
    const url = `/account/webhooks/${w.id}/deliveries`
    const page = await (await call('GET', `/account/webhooks/${w.id}`, admin())).text()
    expect(page).toContain(`hx-get="${url}?newest="`)
    expect(page).toContain('hx-trigger="every 3s"')
    expect((await call('GET', `${url}?newest=`, admin(), { htmx: true })).status).toBe(204)
    const evt = await event(orgs.orgA.ADMIN, 'PING')
    const t = testEnv()
    await deliver(t.env, { webhook_id: w.id, event_id: evt, attempt: 1, manual: true })
    const [d] = await deliveriesOf(w.id)
    const fresh = await call('GET', `${url}?newest=`, admin(), { htmx: true })
    expect(fresh.status).toBe(200)
    expect(fresh.headers.get('Vary')).toContain('HX-Request')
    const html = await fresh.text()
    expect(html).toMatch(/^<div class="section" id="deliveries-section"/)
    expect(html).toContain(`hx-get="${url}?newest=${d!.id}"`)
    expect(html).toContain(evt)
    expect((await call('GET', `${url}?newest=${d!.id}`, admin(), { htmx: true })).status).toBe(204)
    // Without htmx it is the whole page; another organization gets 404, a labeler 403.
    expect(await (await call('GET', url, admin())).text()).toContain('<h2>Deliveries</h2>')
    expect((await call('GET', `${url}?newest=`, { cookie: orgs.orgB.ADMIN.cookie }, { htmx: true })).status).toBe(404)
    expect((await call('GET', `${url}?newest=`, { cookie: orgs.orgA.LABELER.cookie }, { htmx: true })).status).toBe(403)
  })
})

describe('delivery to a real receiver', () => {
  it('signs three ways, verifiable with standardwebhooks and a plain HMAC (generated whsec_ and given secrets)', async () => {
    const admin = await adminOf()
    const gen = await hook(admin, await receiver('/sig-gen'))
    const own = 'a-user-given-secret-42'
    await hook(admin, await receiver('/sig-own'), { secret: own })
    const evt = await event(admin, 'LABEL_CREATED', { label_id: 'lbl_1', note: 'ünïcode ✓' })
    const t = testEnv()
    const r = await dispatchEvents(t.env, later())
    expect(r.deliveries).toBeGreaterThanOrEqual(2)
    await drain(t)
    for (const [path, secret, verifier] of [
      ['/sig-gen', gen.secret!, new Webhook(gen.secret!)],
      ['/sig-own', own, new Webhook(enc.encode(own), { format: 'raw' })],
    ] as const) {
      const reqs = await received(path)
      expect(reqs.length, path).toBe(1)
      const { headers, body } = reqs[0]!
      const parsed = JSON.parse(body)
      expect(parsed).toEqual({
        id: evt,
        topic: 'LABEL_CREATED',
        created_at: expect.any(String),
        organization_id: admin.actor.orgId,
        data: { label_id: 'lbl_1', note: 'ünïcode ✓' },
      })
      expect(headers['content-type']).toBe('application/json')
      expect(headers['x-labelbox-event']).toBe('LABEL_CREATED')
      expect(headers['x-labelbox-id']).toBe(evt)
      expect(headers['webhook-id']).toBe(evt)
      expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60)
      expect(verifier.verify(body, headers)).toEqual(parsed)
      expect(() => new Webhook(enc.encode('wrong-secret-wrong-secret'), { format: 'raw' }).verify(body, headers)).toThrow()
      expect(headers['x-hub-signature']).toBe(`sha1=${await hmacHex('SHA-1', secret, body)}`)
      expect(headers['x-hub-signature-256']).toBe(`sha256=${await hmacHex('SHA-256', secret, body)}`)
    }
    const d = await deliveriesOf(gen.id)
    expect(d).toHaveLength(1)
    expect(d[0]).toMatchObject({ eventId: evt, attempt: 1, statusCode: 200, responseExcerpt: 'ok', error: null })
    expect(d[0]!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('a receiver that fails twice then succeeds gets exactly three attempts, same id and bytes, all logged, with backoff', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/flaky', { fail: 2 }))
    const evt = await event(admin)
    const t = testEnv()
    await dispatchEvents(t.env, later())
    const delays = await drain(t)
    expect(delays).toEqual([RETRY_DELAYS[0], RETRY_DELAYS[1]])
    const reqs = await received('/flaky')
    expect(reqs).toHaveLength(3)
    expect(new Set(reqs.map((r) => r.headers['webhook-id']))).toEqual(new Set([evt]))
    expect(new Set(reqs.map((r) => r.body)).size).toBe(1)
    const d = await deliveriesOf(w.id)
    expect(d.map((x) => [x.attempt, x.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ])
    expect(d[0]!.nextAttemptAt).toBeInstanceOf(Date)
    expect(d[0]!.responseExcerpt).toBe('temporarily unavailable')
    expect((await db().select().from(webhooks).where(eq(webhooks.id, w.id)).get())!.consecutiveFailures).toBe(0)
  })

  it('honours Retry-After on 429', async () => {
    const admin = await adminOf()
    await hook(admin, await receiver('/slow-down', { fail: 1, failStatus: 429, retryAfter: '700' }))
    await event(admin)
    const t = testEnv()
    await dispatchEvents(t.env, later())
    expect(await drain(t)).toEqual([700])
    expect(await received('/slow-down')).toHaveLength(2)
  })

  it('does not retry a 400, and does not follow redirects', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/reject', { status: 400 }))
    const r = await hook(admin, await receiver('/moved', { status: 302 }))
    await event(admin)
    const t = testEnv()
    await dispatchEvents(t.env, later())
    expect(await drain(t)).toEqual([])
    expect(await received('/reject')).toHaveLength(1)
    const d = await deliveriesOf(w.id)
    expect(d).toHaveLength(1)
    expect(d[0]).toMatchObject({ statusCode: 400, nextAttemptAt: null, error: 'HTTP 400', responseExcerpt: 'rejected by receiver' })
    const dr = await deliveriesOf(r.id)
    expect(dr).toHaveLength(1)
    expect(dr[0]!.error).toMatch(/Redirects are not followed/)
    expect((await db().select().from(webhooks).where(eq(webhooks.id, w.id)).get())!.consecutiveFailures).toBe(1)
  })

  it('a dead receiver is retried for about a day, then after repeated failed events the webhook is deactivated with a reason', async () => {
    const admin = await adminOf()
    const w = await hook(admin, 'http://127.0.0.1:1/dead')
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES; i++) await event(admin)
    const t = testEnv()
    await dispatchEvents(t.env, later())
    const delays = await drain(t, undefined, deadNetwork)
    expect(delays.length).toBe(MAX_CONSECUTIVE_FAILURES * RETRY_DELAYS.length)
    expect(RETRY_DELAYS.reduce((a, b) => a + b, 0) / 3600).toBeGreaterThan(20)
    const d = await deliveriesOf(w.id)
    expect(d).toHaveLength(MAX_CONSECUTIVE_FAILURES * (RETRY_DELAYS.length + 1))
    expect(d.every((x) => x.statusCode === null && /Network error/.test(x.error ?? ''))).toBe(true)
    const row = (await db().select().from(webhooks).where(eq(webhooks.id, w.id)).get())!
    expect(row.status).toBe('INACTIVE')
    expect(row.disabledReason).toMatch(/Deactivated after 5 consecutive failed deliveries/)
    // Inactive: new events are not dispatched to it; the page shows why.
    await event(admin)
    const t2 = testEnv()
    await dispatchEvents(t2.env, later())
    expect(t2.sent.filter((m) => m.body.webhook_id === w.id)).toEqual([])
    const page = await (await call('GET', `/account/webhooks/${w.id}`, { cookie: admin.cookie })).text()
    expect(page).toContain('Deactivated after 5 consecutive failed deliveries')
  })

  it('during a rotation both secrets sign; the Hub signatures use the new one', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/rotating'))
    const r = await updateWebhook({ ...ctxFor(admin.actor), env: testEnv().env }, w.id, { rotate_secret: true })
    await event(admin)
    const t = testEnv()
    await dispatchEvents(t.env, later())
    await drain(t)
    const [req] = await received('/rotating')
    expect(req!.headers['webhook-signature']!.split(' ')).toHaveLength(2)
    expect(() => new Webhook(w.secret!).verify(req!.body, req!.headers)).not.toThrow()
    expect(() => new Webhook(r.secret!).verify(req!.body, req!.headers)).not.toThrow()
    expect(req!.headers['x-hub-signature-256']).toBe(`sha256=${await hmacHex('SHA-256', r.secret!, req!.body)}`)
  })

  it('re-checks the target at delivery time (dev setting off: refused, logged, never sent)', async () => {
    const admin = await adminOf()
    const w = await hook(admin, await receiver('/guarded'))
    await event(admin)
    const t = testEnv(false)
    await dispatchEvents(t.env, later())
    expect(await drain(t)).toEqual([])
    expect(await received('/guarded')).toEqual([])
    const d = await deliveriesOf(w.id)
    expect(d).toHaveLength(1)
    expect(d[0]!.error).toMatch(/Refused target/)
  })

  it('checks DNS before every delivery: a name resolving privately is refused and logged, never fetched', async () => {
    const admin = await adminOf()
    const w = await hook(admin, 'https://private.example.test/hook')
    const evt = await event(admin)
    const t = testEnv(false, dohUrl())
    const fetched: string[] = []
    const network: typeof fetch = (input, init) => (fetched.push(String(input instanceof Request ? input.url : input)), fetch(input, init))
    expect(await deliver(t.env, { webhook_id: w.id, event_id: evt, attempt: 1 }, network)).toMatchObject({ result: 'failed' })
    expect(fetched.every((u) => u.startsWith(dohUrl()))).toBe(true)
    expect(fetched).toHaveLength(2) // A and AAAA
    expect(t.sent).toEqual([]) // final: not retried
    const [d] = await deliveriesOf(w.id)
    expect(d).toMatchObject({
      eventId: evt,
      statusCode: null,
      nextAttemptAt: null,
      error:
        'Refused target: The host private.example.test resolves to 10.0.0.1, a private (10.0.0.0/8) address, which webhooks may not reach',
    })
  })

  it('a public name passes the DNS check and is sent; an unreachable resolver sends nothing and retries', async () => {
    const admin = await adminOf()
    const w = await hook(admin, 'https://public.example.test/hook')
    const evt = await event(admin)
    const fetched: string[] = []
    // The test receiver (and its resolver) are real; anything else is unreachable from here (a dead
    // network stands in for it, see deadNetwork).
    const network: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input)
      fetched.push(url)
      return url.startsWith(receiverBase()) ? fetch(input, init) : deadNetwork(input, init)
    }
    // Allowed: the POST goes out (and fails as a network error and is retried, which is the point:
    // it was not refused).
    const t = testEnv(false, dohUrl())
    const sent = await deliver(t.env, { webhook_id: w.id, event_id: evt, attempt: 1 }, network)
    expect(fetched).toContain('https://public.example.test/hook')
    expect(sent.error ?? '').not.toMatch(/Refused/)
    // The resolver down: refused as a retryable network error, the target never contacted.
    fetched.length = 0
    const t2 = testEnv(false, 'http://127.0.0.1:1/dns-query')
    const r = await deliver(t2.env, { webhook_id: w.id, event_id: evt, attempt: 2, retries: 1 }, network)
    expect(r).toMatchObject({ result: 'retry', delaySeconds: RETRY_DELAYS[1] })
    expect(fetched).not.toContain('https://public.example.test/hook')
    expect(t2.sent).toEqual([
      { body: { kind: 'webhook-delivery', webhook_id: w.id, event_id: evt, attempt: 3, retries: 2 }, delaySeconds: RETRY_DELAYS[1] },
    ])
    const d = await deliveriesOf(w.id)
    expect(d.at(-1)!.error).toMatch(
      /^Network error: Could not check where public\.example\.test points: the DNS resolver http:\/\/127\.0\.0\.1:1\/dns-query unreachable .*; not sent$/,
    )
    expect(d.at(-1)!.nextAttemptAt).toBeInstanceOf(Date)
  })

  it('only matching webhooks get an event: topic, project scope, organization', async () => {
    const admin = await adminOf()
    const other = await adminOf()
    const match = await hook(admin, await receiver('/m1'), { topics: ['REVIEW_CREATED'] })
    const wrongTopic = await hook(admin, await receiver('/m2'), { topics: ['LABEL_DELETED'] })
    const otherOrg = await hook(other, await receiver('/m3'), { topics: ['REVIEW_CREATED'] })
    await event(admin, 'REVIEW_CREATED')
    const t = testEnv()
    await dispatchEvents(t.env, later())
    const ids = t.sent.map((m) => m.body.webhook_id)
    expect(ids).toContain(match.id)
    expect(ids).not.toContain(wrongTopic.id)
    expect(ids).not.toContain(otherOrg.id)
    // The watermark moved: a second run sends nothing again.
    const t2 = testEnv()
    await dispatchEvents(t2.env, later())
    expect(t2.sent.filter((m) => m.body.webhook_id === match.id)).toEqual([])
  })

  it('task endings become TASK_COMPLETED / TASK_FAILED events (once per ending)', async () => {
    const admin = await adminOf()
    const mk = async (subjectId: string | null) => {
      const now = new Date()
      const row = {
        id: newId('tsk'),
        orgId: admin.actor.orgId,
        createdBy: admin.id,
        type: 'export-data-rows' as const,
        name: 'Export',
        status: 'IN_PROGRESS' as const,
        completionPercentage: 0,
        subjectId,
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
      await db().insert(tasks).values(row)
      return row
    }
    const ok = await mk('prj_abc')
    const bad = await mk(null)
    await completeTask(env, ok)
    await completeTask(env, ok)
    await failTask(env, bad.id, 'boom')
    const rows = await db().select().from(events).where(eq(events.orgId, admin.actor.orgId))
    expect(rows.map((e) => [e.topic, e.projectId, e.payload.task_id]).sort()).toEqual([
      ['TASK_COMPLETED', 'prj_abc', ok.id],
      ['TASK_FAILED', null, bad.id],
    ])
    expect(rows.find((e) => e.topic === 'TASK_FAILED')!.payload).toMatchObject({
      status: 'FAILED',
      failure_reason: 'boom',
      type: 'export-data-rows',
    })
  })
})
