/** @module /api/v1/webhooks (admins). */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { CreateWebhookInput, DeliveryView, QueuedView, UpdateWebhookInput, WebhookView, WebhookWithSecret } from './schemas'
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, pingWebhook, redeliver, updateWebhook } from './service'

export const webhooksApi = new Hono<AppEnv>()
  .get(
    '/webhooks',
    doc('Webhooks', 'List webhooks (secrets are never returned)', { schema: listOf(WebhookView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listWebhooks(ctxOf(c), c.req.valid('query'))),
  )
  .post(
    '/webhooks',
    doc('Webhooks', 'Create a webhook; a generated `secret` is in this answer only', { status: 201, schema: WebhookWithSecret }),
    validate('json', CreateWebhookInput),
    async (c) => c.json(await createWebhook(ctxOf(c), c.req.valid('json')), 201),
  )
  .get('/webhooks/:id', doc('Webhooks', 'Get a webhook', { schema: WebhookView }), async (c) =>
    c.json(await getWebhook(ctxOf(c), c.req.param('id'))),
  )
  .patch(
    '/webhooks/:id',
    doc('Webhooks', 'Edit, activate/deactivate, or rotate the secret (`rotate_secret: true`; the old secret signs alongside for 24 h)', {
      schema: WebhookWithSecret,
    }),
    validate('json', UpdateWebhookInput),
    async (c) => c.json(await updateWebhook(ctxOf(c), c.req.param('id'), c.req.valid('json'))),
  )
  .delete('/webhooks/:id', doc('Webhooks', 'Delete a webhook and its delivery log', { status: 204, description: 'Deleted' }), async (c) => {
    await deleteWebhook(ctxOf(c), c.req.param('id'))
    return c.body(null, 204)
  })
  .post('/webhooks/:id/ping', doc('Webhooks', 'Queue a PING delivery', { status: 202, schema: QueuedView }), async (c) =>
    c.json(await pingWebhook(ctxOf(c), c.req.param('id')), 202),
  )
  .get(
    '/webhooks/:id/deliveries',
    doc('Webhooks', 'Delivery attempts, newest first', { schema: listOf(DeliveryView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listDeliveries(ctxOf(c), c.req.param('id'), c.req.valid('query'))),
  )
  .post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    doc('Webhooks', 'Queue the delivery again (same event id)', { status: 202, schema: QueuedView }),
    async (c) => c.json(await redeliver(ctxOf(c), c.req.param('id'), c.req.param('deliveryId')), 202),
  )
