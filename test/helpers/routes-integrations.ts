/** Route cases of Account → Integrations (see routes.ts for what a case is). Targets are made through
 * the org admin; without a role ARN, validation fails fast and never leaves the Worker. */
import { eq } from 'drizzle-orm'
import { datasets, integrations } from '../../src/db/schema'
import type { TestUser } from './factories'
import { db, unique } from './factories'
import { call } from './harness'
import type { RouteCase } from './routes'

async function freshIntegration(admin: TestUser): Promise<string> {
  const res = await call('POST', '/api/v1/integrations', { cookie: admin.cookie }, { json: { provider: 'AWS', name: unique('S3') } })
  if (res.status !== 201) throw new Error(`integration setup failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}
async function freshDataset(admin: TestUser): Promise<string> {
  const res = await call('POST', '/api/v1/datasets', { cookie: admin.cookie }, { json: { name: unique('ds') } })
  if (res.status !== 201) throw new Error(`dataset setup failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** An integration that passed validation: attaching needs one, and validating for real needs AWS
 * (test/integration/integrations*.test.ts do that against the emulator). */
async function validIntegration(admin: TestUser): Promise<string> {
  const id = await freshIntegration(admin)
  await db().update(integrations).set({ valid: true }).where(eq(integrations.id, id))
  return id
}

export const INTEGRATION_ROUTES: RouteCase[] = [
  {
    name: 'GET /api/v1/integrations',
    surface: 'api',
    method: 'GET',
    action: () => 'integration.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/integrations' }),
  },
  {
    name: 'POST /api/v1/integrations',
    surface: 'api',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/integrations', json: { provider: 'AWS', name: 'S3 images' } }),
  },
  {
    name: 'GET /api/v1/integrations/{id}',
    surface: 'api',
    method: 'GET',
    action: () => 'integration.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/integrations/${await freshIntegration(admin)}` }),
  },
  {
    name: 'PATCH /api/v1/integrations/{id}',
    surface: 'api',
    method: 'PATCH',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/integrations/${await freshIntegration(admin)}`, json: { name: 'Renamed' } }),
  },
  {
    name: 'DELETE /api/v1/integrations/{id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/integrations/${await freshIntegration(admin)}` }),
  },
  {
    // Without a role ARN the checks fail fast and never leave the Worker.
    name: 'POST /api/v1/integrations/{id}/validate',
    surface: 'api',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/integrations/${await freshIntegration(admin)}/validate`, json: {} }),
  },
  {
    name: 'PUT /api/v1/datasets/{id}/integration',
    surface: 'api',
    method: 'PUT',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/datasets/${await freshDataset(admin)}/integration`, json: { integration_id: null } }),
  },
  {
    name: 'GET /account/integrations',
    surface: 'html',
    method: 'GET',
    action: () => 'integration.view',
    hasTarget: false,
    prepare: async () => ({ path: '/account/integrations' }),
  },
  {
    name: 'POST /account/integrations',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/account/integrations', form: { name: 'S3 images', role_arn: '' } }),
  },
  {
    name: 'GET /account/integrations/{id}',
    surface: 'html',
    method: 'GET',
    action: () => 'integration.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/account/integrations/${await freshIntegration(admin)}` }),
  },
  {
    name: 'POST /account/integrations/{id}',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({
      path: `/account/integrations/${await freshIntegration(admin)}`,
      form: { name: 'Renamed', role_arn: '' },
    }),
  },
  {
    name: 'POST /account/integrations/{id}/validate',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/account/integrations/${await freshIntegration(admin)}/validate`, form: {} }),
  },
  {
    name: 'POST /account/integrations/{id}/delete',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/account/integrations/${await freshIntegration(admin)}/delete`, form: {} }),
  },
  {
    name: 'POST /account/integrations/{id}/datasets',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({
      path: `/account/integrations/${await validIntegration(admin)}/datasets`,
      form: { dataset_id: await freshDataset(admin) },
    }),
  },
  {
    name: 'POST /account/integrations/{id}/datasets/{dataset_id}/detach',
    surface: 'html',
    method: 'POST',
    action: () => 'integration.manage',
    hasTarget: true,
    prepare: async ({ admin }) => {
      const id = await validIntegration(admin)
      const dataset = await freshDataset(admin)
      await db().update(datasets).set({ integrationId: id }).where(eq(datasets.id, dataset))
      return { path: `/account/integrations/${id}/datasets/${dataset}/detach`, form: {} }
    },
  },
]
