/** @module /account/webhooks — webhooks in the browser (admins). Plain forms (boosted by htmx);
 * every change answers with the page, so a generated secret is shown exactly once. The delivery
 * log refreshes itself by polling a cheap "anything new?" fragment. */
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { readFormAll } from '../../lib/forms'
import { renderPage, wantsFragment } from '../../lib/render'
import { parse } from '../../lib/validate'
import { authorize } from '../../auth/permissions'
import { runReads, type Read } from '../../db/reads'
import { projectsPageRead } from '../projects/service'
import { DeliveriesSection, WebhookDetailPage, WebhooksPage } from '../../../views/webhooks/webhooks'
import { CreateWebhookInput, UpdateWebhookInput, WEBHOOK_TOPICS, fromForm } from './schemas'
import { MAX_CONSECUTIVE_FAILURES, RETRY_DELAYS, TIMEOUT_MS } from './delivery'
import { allowPrivateTargets } from './ssrf'
import {
  createWebhook,
  deleteWebhook,
  deliveriesRead,
  listDeliveries,
  pingWebhook,
  redeliver,
  updateWebhook,
  webhookRead,
  webhooksPageRead,
} from './service'

export const webhooksWeb = new Hono<AppEnv>()
webhooksWeb.use('*', requireSession)

const TITLE = 'Webhooks'

/** The project picker's choices, as a read that goes in the page's one batch. */
function projectsRead(c: Context<AppEnv>): Read<{ id: string; name: string }[]> {
  const r = projectsPageRead(ctxOf(c), { limit: 200 }, 'summary')
  return { stmts: r.stmts, done: (rows) => r.done(rows).items.map((p) => ({ id: p.id, name: p.name })) }
}

async function listPage(
  c: Context<AppEnv>,
  extra: {
    state?: { values: Record<string, unknown>; errors: AppError['errors'] }
    created?: Awaited<ReturnType<typeof createWebhook>>
  } = {},
  status: 200 | 201 | 422 = 200,
) {
  const ctx = ctxOf(c)
  const [hooks, projects] = await runReads(ctx, webhooksPageRead(ctx, { limit: 200 }), projectsRead(c))
  const facts = {
    retryDelaysSeconds: RETRY_DELAYS,
    timeoutMs: TIMEOUT_MS,
    maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
    allowPrivate: allowPrivateTargets(ctx.env),
  }
  return renderPage(c, {
    title: TITLE,
    section: 'account',
    status,
    body: <WebhooksPage webhooks={hooks.items} projects={projects} topics={WEBHOOK_TOPICS} facts={facts} {...extra} />,
  })
}

async function detailPage(
  c: Context<AppEnv>,
  id: string,
  extra: { state?: { values: Record<string, unknown>; errors: AppError['errors'] }; secret?: string; notice?: string } = {},
  status: 200 | 422 = 200,
) {
  const ctx = ctxOf(c)
  const [w, deliveries, projects] = await runReads(ctx, webhookRead(ctx, id), deliveriesRead(ctx, id, { limit: 100 }), projectsRead(c))
  return renderPage(c, {
    title: TITLE,
    section: 'account',
    status,
    body: <WebhookDetailPage w={w} projects={projects} topics={WEBHOOK_TOPICS} deliveries={deliveries.items} {...extra} />,
  })
}

const isValidation = (e: unknown): e is AppError => e instanceof AppError && e.code === 'VALIDATION'

webhooksWeb.get('/', async (c) => {
  authorize(ctxOf(c).actor, 'webhook.view')
  return listPage(c)
})

webhooksWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'webhook.manage')
  const values = fromForm(await readFormAll(c))
  try {
    const created = await createWebhook(ctx, parse(CreateWebhookInput, values))
    return listPage(c, { created }, 201)
  } catch (e) {
    if (!isValidation(e)) throw e
    return listPage(c, { state: { values, errors: e.errors } }, 422)
  }
})

/** After a Ping the page is a plain GET (`?pinged=`), so a reload shows the webhook, not a 404. */
webhooksWeb.get('/:id', async (c) => {
  const pinged = c.req.query('pinged') ?? ''
  const notice = /^evt_[A-Za-z0-9]{1,64}$/.test(pinged) ? `Ping ${pinged} queued; its delivery shows below within seconds.` : undefined
  return detailPage(c, c.req.param('id'), { notice })
})

/** The delivery log's self-refresh (htmx polling): 204 while the newest attempt is still the one
 * the page shows, else the fresh section. A plain GET gets the whole page. */
webhooksWeb.get('/:id/deliveries', async (c) => {
  const id = c.req.param('id')
  if (!wantsFragment(c)) return detailPage(c, id)
  const ctx = ctxOf(c)
  const newest = (await listDeliveries(ctx, id, { limit: 1 })).items[0]?.id ?? ''
  c.header('Vary', 'HX-Request')
  if (newest === (c.req.query('newest') ?? '')) return c.body(null, 204)
  const deliveries = await listDeliveries(ctx, id, { limit: 100 })
  return c.html(<DeliveriesSection base={`/account/webhooks/${id}`} deliveries={deliveries.items} />)
})

webhooksWeb.post('/:id', async (c) => {
  const ctx = ctxOf(c)
  const id = c.req.param('id')
  const f = fromForm(await readFormAll(c))
  const values = { url: f.url, topics: f.topics, project_id: f.project_id }
  try {
    await updateWebhook(ctx, id, parse(UpdateWebhookInput, values))
    return detailPage(c, id, { notice: 'Saved.' })
  } catch (e) {
    if (!isValidation(e)) throw e
    return detailPage(c, id, { state: { values, errors: e.errors } }, 422)
  }
})

webhooksWeb.post('/:id/status', async (c) => {
  const id = c.req.param('id')
  const f = await readFormAll(c)
  const status = f.status?.[0] === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE'
  await updateWebhook(ctxOf(c), id, { status })
  return detailPage(c, id, { notice: status === 'ACTIVE' ? 'Activated.' : 'Deactivated.' })
})

webhooksWeb.post('/:id/rotate', async (c) => {
  const id = c.req.param('id')
  const r = await updateWebhook(ctxOf(c), id, { rotate_secret: true })
  return detailPage(c, id, { secret: r.secret })
})

webhooksWeb.post('/:id/ping', async (c) => {
  const id = c.req.param('id')
  const r = await pingWebhook(ctxOf(c), id)
  return c.redirect(`/account/webhooks/${id}?pinged=${encodeURIComponent(r.event_id)}`, 303)
})

webhooksWeb.post('/:id/deliveries/:deliveryId/redeliver', async (c) => {
  const id = c.req.param('id')
  const r = await redeliver(ctxOf(c), id, c.req.param('deliveryId'))
  return detailPage(c, id, { notice: `Event ${r.event_id} queued again.` })
})

webhooksWeb.post('/:id/delete', async (c) => {
  await deleteWebhook(ctxOf(c), c.req.param('id'))
  return c.redirect('/account/webhooks', 303)
})
