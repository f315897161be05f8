/** @module First middleware: request id (X-Request-Id on every response), the per-request db and,
 * when the `COST_METER` setting asks, the request's cost meter (src/db/cost-meter.ts). */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { makeDb } from '../db/client'
import { costSettings, logIfCostly, meterD1 } from '../db/cost-meter'
import { newId } from '../lib/ids'

const SAFE_ID = /^[A-Za-z0-9._:-]{8,100}$/

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  // A caller's own id is kept when it is sane, so logs can be joined across systems.
  const incoming = c.req.header('X-Request-Id')
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : newId('req')
  c.set('requestId', requestId)
  // Metered from here on: every D1 call of the request (the actor's lookup too) goes through c.env.DB.
  const cost = costSettings(c.env)
  const meter = cost ? meterD1(c.env.DB) : undefined
  if (meter) c.env = { ...c.env, DB: meter.DB }
  // One handle per request: organizations may later live in different databases.
  c.set('db', makeDb(c.env.DB))
  c.set('actor', undefined)
  await next()
  c.res.headers.set('X-Request-Id', requestId)
  if (cost && meter) {
    if (cost.header) c.res.headers.set('Server-Timing', meter.meter.serverTiming())
    logIfCostly(`${c.req.method} ${c.req.path} ${c.res.status} [${requestId}]`, meter.meter, cost)
  }
})
