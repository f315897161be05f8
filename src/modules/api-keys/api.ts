/** @module /api/v1/api-keys */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { ApiKeyView, CreateApiKeyInput, CreatedApiKey } from './schemas'
import { createApiKey, listApiKeys, revokeApiKey } from './service'

export const apiKeysApi = new Hono<AppEnv>()
  .get(
    '/api-keys',
    doc('API keys', "List your API keys (admins: everyone's)", { schema: listOf(ApiKeyView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listApiKeys(ctxOf(c), c.req.valid('query'))),
  )
  .post(
    '/api-keys',
    doc('API keys', 'Create an API key; `key` is the secret, shown only in this answer', { status: 201, schema: CreatedApiKey }),
    validate('json', CreateApiKeyInput),
    async (c) => c.json(await createApiKey(ctxOf(c), c.req.valid('json')), 201),
  )
  .delete(
    '/api-keys/:id',
    doc('API keys', 'Revoke an API key (takes effect at once)', { status: 204, description: 'Revoked' }),
    async (c) => {
      await revokeApiKey(ctxOf(c), c.req.param('id'))
      return c.body(null, 204)
    },
  )
