/** @module /api/v1/integrations (admins) and attaching one to a dataset. */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { DatasetView } from '../datasets/schemas'
import {
  CreateIntegrationInput,
  DatasetIntegrationInput,
  IntegrationView,
  UpdateIntegrationInput,
  ValidateIntegrationInput,
  ValidationView,
} from './schemas'
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  setDatasetIntegration,
  updateIntegration,
  validateIntegration,
} from './service'

export const integrationsApi = new Hono<AppEnv>()
  .get(
    '/integrations',
    doc('Integrations', 'List cloud-storage integrations', { schema: listOf(IntegrationView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listIntegrations(ctxOf(c), c.req.valid('query'))),
  )
  .post(
    '/integrations',
    doc('Integrations', 'Create an AWS IAM delegated-access integration', { status: 201, schema: IntegrationView }),
    validate('json', CreateIntegrationInput),
    async (c) => c.json(await createIntegration(ctxOf(c), c.req.valid('json')), 201),
  )
  .get('/integrations/:id', doc('Integrations', 'Get an integration', { schema: IntegrationView }), async (c) =>
    c.json(await getIntegration(ctxOf(c), c.req.param('id'))),
  )
  .patch(
    '/integrations/:id',
    doc('Integrations', 'Rename, change the role (it must be validated again), or make it the organization default', {
      schema: IntegrationView,
    }),
    validate('json', UpdateIntegrationInput),
    async (c) => c.json(await updateIntegration(ctxOf(c), c.req.param('id'), c.req.valid('json'))),
  )
  .delete(
    '/integrations/:id',
    doc('Integrations', 'Delete an integration no dataset uses', { status: 204, description: 'Deleted' }),
    async (c) => {
      await deleteIntegration(ctxOf(c), c.req.param('id'))
      return c.body(null, 204)
    },
  )
  .post(
    '/integrations/:id/validate',
    doc('Integrations', 'Run the named checks (role ARN format, AssumeRole with the external id, read access to a test object)', {
      schema: ValidationView,
    }),
    validate('json', ValidateIntegrationInput),
    async (c) =>
      c.json(await validateIntegration(ctxOf(c), c.req.param('id'), c.req.valid('json')).then(({ valid, checks }) => ({ valid, checks }))),
  )
  .put(
    '/datasets/:id/integration',
    doc('Integrations', 'Attach a validated integration to a dataset, or detach with null', { schema: DatasetView }),
    validate('json', DatasetIntegrationInput),
    async (c) => c.json(await setDatasetIntegration(ctxOf(c), c.req.param('id'), c.req.valid('json').integration_id)),
  )
