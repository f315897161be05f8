/**
 * @module Cases for the webhook routes with an id, for the probes (test/integration/cross-org.test.ts,
 * test/integration/fuzz.api.test.ts): a fresh webhook in the given organization. They are not in
 * ALL_ROUTES, so the generated permission suites do not run them (their `action` is the rule the
 * routes use, not checked here).
 */
import { newId } from '../../src/lib/ids'
import type { TestUser } from './factories'
import { call } from './harness'
import type { RouteCase, Target } from './routes'

async function freshWebhook(admin: TestUser): Promise<string> {
  const res = await call(
    'POST',
    '/api/v1/webhooks',
    { cookie: admin.cookie },
    { json: { url: 'https://hooks.example.com/x', topics: ['LABEL_CREATED'] } },
  )
  if (res.status !== 201) throw new Error(`webhook setup failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}
const webhookCase = (
  name: string,
  surface: RouteCase['surface'],
  target: (id: string) => Omit<Target, 'path'> & { path: string },
): RouteCase => ({
  name,
  surface,
  method: name.split(' ')[0] as RouteCase['method'],
  action: () => 'webhook.manage',
  hasTarget: true,
  prepare: async ({ admin }) => target(await freshWebhook(admin)),
})
const noDelivery = () => newId('dlv')
export const WEBHOOK_CASES: RouteCase[] = [
  webhookCase('GET /api/v1/webhooks/{id}', 'api', (id) => ({ path: `/api/v1/webhooks/${id}` })),
  webhookCase('PATCH /api/v1/webhooks/{id}', 'api', (id) => ({ path: `/api/v1/webhooks/${id}`, json: { topics: ['LABEL_UPDATED'] } })),
  webhookCase('DELETE /api/v1/webhooks/{id}', 'api', (id) => ({ path: `/api/v1/webhooks/${id}` })),
  webhookCase('GET /api/v1/webhooks/{id}/deliveries', 'api', (id) => ({ path: `/api/v1/webhooks/${id}/deliveries` })),
  webhookCase('POST /api/v1/webhooks/{id}/ping', 'api', (id) => ({ path: `/api/v1/webhooks/${id}/ping` })),
  webhookCase('POST /api/v1/webhooks/{id}/deliveries/{d}/redeliver', 'api', (id) => ({
    path: `/api/v1/webhooks/${id}/deliveries/${noDelivery()}/redeliver`,
  })),
  webhookCase('GET /account/webhooks/{id}', 'html', (id) => ({ path: `/account/webhooks/${id}` })),
  webhookCase('GET /account/webhooks/{id}/deliveries', 'html', (id) => ({ path: `/account/webhooks/${id}/deliveries` })),
  webhookCase('POST /account/webhooks/{id}', 'html', (id) => ({
    path: `/account/webhooks/${id}`,
    form: { url: 'https://hooks.example.com/y', topics: 'LABEL_CREATED' },
  })),
  webhookCase('POST /account/webhooks/{id}/delete', 'html', (id) => ({ path: `/account/webhooks/${id}/delete`, form: {} })),
  webhookCase('POST /account/webhooks/{id}/ping', 'html', (id) => ({ path: `/account/webhooks/${id}/ping`, form: {} })),
  webhookCase('POST /account/webhooks/{id}/rotate', 'html', (id) => ({ path: `/account/webhooks/${id}/rotate`, form: {} })),
  webhookCase('POST /account/webhooks/{id}/status', 'html', (id) => ({
    path: `/account/webhooks/${id}/status`,
    form: { status: 'DISABLED' },
  })),
  webhookCase('POST /account/webhooks/{id}/deliveries/{d}/redeliver', 'html', (id) => ({
    path: `/account/webhooks/${id}/deliveries/${noDelivery()}/redeliver`,
    form: {},
  })),
  {
    name: 'POST /account/webhooks',
    surface: 'html',
    method: 'POST',
    action: () => 'webhook.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/account/webhooks', form: { url: 'https://hooks.example.com/z', topics: 'LABEL_CREATED' } }),
  },
]
