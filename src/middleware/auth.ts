/** @module Who is calling: an API key (`Authorization: Bearer`) or the session cookie → `actor`.
 * Guards: `requireSession` (HTML: redirect to /login) and `requireApi` (JSON: 401). */
import { createMiddleware } from 'hono/factory'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../env'
import { unauthorized } from '../lib/errors'
import { actorFromSession, SESSION_COOKIE } from '../modules/auth/service'
import { actorFromApiKey } from '../modules/api-keys/service'

/** Resolves the actor without refusing anyone; the guards below refuse. */
export const loadActor = createMiddleware<AppEnv>(async (c, next) => {
  const authz = c.req.header('Authorization')
  if (authz !== undefined && c.req.path.startsWith('/api/')) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz)
    // A wrong, revoked or expired key is a 401 even if a cookie is present: the caller chose the key.
    const actor = m ? await actorFromApiKey(c.var.db, m[1]!, c.executionCtx) : undefined
    if (!actor) throw unauthorized('Invalid, revoked or expired API key')
    c.set('actor', actor)
    return next()
  }
  const token = getCookie(c, SESSION_COOKIE)
  if (token) c.set('actor', await actorFromSession(c.var.db, token))
  return next()
})

export const requireApi = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.actor) throw unauthorized()
  return next()
})

export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.actor) {
    const next_ = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/projects'
    const to = `/login?next=${encodeURIComponent(next_)}`
    if (c.req.header('HX-Request') === 'true') {
      c.header('HX-Redirect', to)
      return c.body(null, 204)
    }
    return c.redirect(to, 303)
  }
  return next()
})
