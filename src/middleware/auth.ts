/** @module Who is calling: an API key (`Authorization: Bearer`) or the session cookie → `actor`.
 * Guards: `requireSession` (HTML: redirect to /login) and `requireApi` (JSON: 401). */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../env'
import { unauthorized } from '../lib/errors'
import { preloadTaskBadge } from '../lib/render'
import { makeDb } from '../db/client'
import { ActorGate, ActorStale, guardD1, recall, remember, runLookup, type Lookup } from '../auth/optimistic-actor'
import { SESSION_COOKIE, sessionId, sessionLookup } from '../auth/session'
import { apiKeyHash, apiKeyLookup } from '../auth/api-key'

type Fetch = (req: Request, env: AppEnv['Bindings'], exec: Context<AppEnv>['executionCtx']) => Response | Promise<Response>
let again: Fetch | undefined
/** How a request is run again when its remembered actor turned out stale (set by app.ts). */
export const runAgainWith = (f: Fetch) => void (again = f)
/** Requests being run again: their actor is read fresh, never recalled. */
const fresh = new WeakSet<Request>()

/** Resolves the actor without refusing anyone; the guards below refuse. */
export const loadActor = createMiddleware<AppEnv>(async (c, next) => {
  let lookup: Lookup | undefined
  const authz = c.req.header('Authorization')
  const bearer = authz !== undefined && c.req.path.startsWith('/api/')
  if (bearer) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz)
    const hash = m ? await apiKeyHash(m[1]!) : undefined
    // A wrong, revoked or expired key is a 401 even if a cookie is present: the caller chose the key.
    if (!hash) throw unauthorized('Invalid, revoked or expired API key')
    lookup = apiKeyLookup(c.var.db, hash, c.executionCtx)
  } else {
    const token = getCookie(c, SESSION_COOKIE)
    const id = token ? await sessionId(token) : undefined
    if (id) lookup = sessionLookup(id)
  }
  if (!lookup) return next()

  // A GET whose credential this isolate has seen runs with the remembered actor, confirmed by the
  // lookup riding along with its first D1 read (src/auth/optimistic-actor.ts says why and how).
  const known = (c.req.method === 'GET' || c.req.method === 'HEAD') && again && !fresh.has(c.req.raw) ? recall(lookup.key) : undefined
  if (known) {
    let gate: ActorGate | undefined
    const db = makeDb(guardD1(c.env.DB, () => gate))
    gate = new ActorGate(c.env.DB, known, lookup, db)
    c.set('db', db)
    c.set('gate', gate)
    c.set('actor', known)
    await next()
    // A handler that read nothing from D1 is confirmed now, before its answer leaves.
    if (gate.state === 'pending')
      await gate.confirm().catch((e) => {
        if (!(e instanceof ActorStale)) throw e
      })
    if (gate.state === 'stale') {
      fresh.add(c.req.raw)
      await c.res.body?.cancel().catch(() => undefined)
      const res = await again!(c.req.raw, c.env, c.executionCtx)
      c.res = undefined // drop the stale answer whole: Hono would copy its headers onto the new one
      c.res = res
    }
    return
  }

  const { row, actor } = await runLookup(c.var.db, lookup)
  remember(lookup.key, actor)
  if (!actor) {
    if (bearer) throw unauthorized('Invalid, revoked or expired API key')
    return next()
  }
  lookup.confirmed?.(row!)
  c.set('actor', actor)
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
  if (c.req.method === 'GET') preloadTaskBadge(c)
  return next()
})
