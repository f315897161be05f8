/** @module /api/v1/api-keys */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/api'
import { ListQuery, validate } from '../../lib/validate'
import { CreateApiKeyInput } from './schemas'
import { createApiKey, listApiKeys, revokeApiKey } from './service'

const KeyView = v.object({
  id: v.string(),
  name: v.string(),
  prefix: v.string(),
  role: v.nullable(v.string()),
  read_only: v.boolean(),
  created_at: v.string(),
  last_used_at: v.nullable(v.string()),
  expires_at: v.string(),
  status: v.string(),
  owner: v.object({ id: v.string(), email: v.string() }),
})

export const apiKeysApi = new Hono<AppEnv>()
  .get('/api-keys', doc('API keys', "List your API keys (admins: everyone's)", { schema: listOf(KeyView) }), validate('query', ListQuery), async (c) =>
    c.json(await listApiKeys(ctxOf(c), c.req.valid('query'))),
  )
  .post('/api-keys', doc('API keys', 'Create an API key; `key` is the secret, shown only in this answer', { status: 201, schema: v.object({ ...KeyView.entries, key: v.string() }) }), validate('json', CreateApiKeyInput), async (c) =>
    c.json(await createApiKey(ctxOf(c), c.req.valid('json')), 201),
  )
  .delete('/api-keys/:id', doc('API keys', 'Revoke an API key (takes effect at once)', { status: 204, description: 'Revoked' }), async (c) => {
    await revokeApiKey(ctxOf(c), c.req.param('id'))
    return c.body(null, 204)
  })
