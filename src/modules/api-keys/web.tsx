/** @module /account/api — API keys in the browser. */
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { readForm } from '../../lib/forms'
import { renderPage } from '../../lib/render'
import { parse } from '../../lib/validate'
import { assignableKeyRoles, can } from '../../auth/permissions'
import { ApiKeysPage, CreateKeyForm, KeyRow } from '../../../views/api-keys/api-keys'
import { CreateApiKeyInput, fromForm } from './schemas'
import { createApiKey, listApiKeys, revokeApiKey } from './service'

export const apiKeysWeb = new Hono<AppEnv>()
apiKeysWeb.use('*', requireSession)

async function props(c: Context<AppEnv>) {
  const ctx = ctxOf(c)
  return {
    keys: await listApiKeys(ctx, { limit: 200 }),
    roles: assignableKeyRoles(ctx.actor.role),
    selfId: ctx.actor.userId,
    showOwner: can(ctx.actor, 'api_key.view_any'),
  }
}

apiKeysWeb.get('/', async (c) => renderPage(c, { title: 'API keys', section: 'account', body: <ApiKeysPage {...(await props(c))} /> }))

apiKeysWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  const form = await readForm(c)
  try {
    const created = await createApiKey(ctx, parse(CreateApiKeyInput, fromForm(form)))
    const p = await props(c)
    // The list is re-rendered whole (the new key at the top) for a no-JS post; htmx swaps the card
    // and prepends the row.
    return renderPage(c, {
      title: 'API keys',
      section: 'account',
      status: 201,
      body: <ApiKeysPage {...p} created={created} />,
      fragment: (
        <>
          <CreateKeyForm roles={p.roles} created={created} />
          <hx-partial hx-target="#key-rows" hx-swap="afterbegin">
            <KeyRow k={created} selfId={p.selfId} showOwner={p.showOwner} />
          </hx-partial>
        </>
      ),
    })
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
    const p = await props(c)
    const state = { values: form, errors: e.errors }
    return renderPage(c, {
      title: 'API keys',
      section: 'account',
      status: 422,
      body: <ApiKeysPage {...p} state={state} />,
      fragment: <CreateKeyForm roles={p.roles} state={state} />,
    })
  }
})

apiKeysWeb.post('/:id/revoke', async (c) => {
  const ctx = ctxOf(c)
  await revokeApiKey(ctx, c.req.param('id'))
  if (!c.req.header('HX-Request')) return c.redirect('/account/api', 303)
  const p = await props(c)
  const k = p.keys.items.find((x) => x.id === c.req.param('id'))
  return k ? c.html(<KeyRow k={k} selfId={p.selfId} showOwner={p.showOwner} />) : c.html('')
})
