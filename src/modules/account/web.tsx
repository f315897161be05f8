/** @module /account (Details). The other tabs have their own modules. */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { readForm } from '../../lib/forms'
import { renderPage } from '../../lib/render'
import { AccountDetails, NameForm } from '../../../views/account/details'
import { UpdateMeInput } from './schemas'
import { getMe, updateMe } from './service'
import { issuesToErrors } from '../../lib/validate'

export const accountWeb = new Hono<AppEnv>()
accountWeb.use('*', requireSession)

accountWeb.get('/', (c) => {
  const me = getMe(ctxOf(c))
  return renderPage(c, { title: 'Account', section: 'account', body: <AccountDetails me={me} /> })
})

accountWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  const form = await readForm(c)
  const parsed = v.safeParse(UpdateMeInput, { full_name: form.full_name ?? '' })
  if (!parsed.success) {
    const state = { values: { full_name: form.full_name ?? '' }, errors: issuesToErrors(parsed.issues) }
    return renderPage(c, {
      title: 'Account',
      section: 'account',
      status: 422,
      body: <AccountDetails me={getMe(ctx)} state={state} />,
      fragment: <NameForm me={getMe(ctx)} state={state} />,
    })
  }
  const me = await updateMe(ctx, parsed.output)
  c.set('actor', ctx.actor)
  return renderPage(c, { title: 'Account', section: 'account', body: <AccountDetails me={me} />, fragment: <NameForm me={me} saved /> })
})

// GET /account/usage (and usage.csv) live in modules/usage/web.tsx, mounted before this router.
// /account/integrations lives in modules/integrations/web.tsx.
