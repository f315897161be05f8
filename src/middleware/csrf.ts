/** @module CSRF: an unsafe request that a browser could forge (anything not authenticated by an
 * API key in the Authorization header) must come from our own origin. The decision follows the
 * credential the request is actually served with (the actor loadActor resolved), never the mere
 * presence of a header: an HTML route authenticates with the cookie even when a decoy Bearer
 * header rides along. Browsers send `Origin` on
 * every POST/PUT/PATCH/DELETE; `Sec-Fetch-Site` is the fallback. Covers HTML form posts (login
 * included) and the JSON API used with the session cookie. */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { AppError } from '../lib/errors'

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export const csrf = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE.has(c.req.method)) return next()
  if (c.var.actor?.via === 'api_key') return next()
  // /graphql resolves its Bearer key itself (src/modules/usage/graphql.ts) and then never uses the
  // cookie: a key there is the credential.
  if (c.req.path === '/graphql' && /^Bearer\s/i.test(c.req.header('Authorization') ?? '')) return next()
  const origin = c.req.header('Origin')
  const own = new URL(c.req.url).origin
  const sameOrigin = origin ? origin === own : c.req.header('Sec-Fetch-Site') === 'same-origin'
  if (!sameOrigin) {
    // An API call with no credentials at all is a 401, not a CSRF refusal.
    if (c.req.path.startsWith('/api/') && !c.req.header('Cookie')?.includes('ld_session=')) return next()
    throw new AppError('FORBIDDEN', 'Cross-site request refused (CSRF check failed). Reload the page and try again.')
  }
  return next()
})
