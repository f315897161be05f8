/** @module First middleware: request id (X-Request-Id on every response) and the per-request db. */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { makeDb } from '../db/client'
import { newId } from '../lib/ids'

const SAFE_ID = /^[A-Za-z0-9._:-]{8,100}$/

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  // A caller's own id is kept when it is sane, so logs can be joined across systems.
  const incoming = c.req.header('X-Request-Id')
  const requestId = incoming && SAFE_ID.test(incoming) ? incoming : newId('req')
  c.set('requestId', requestId)
  // One handle per request: organizations may later live in different databases.
  c.set('db', makeDb(c.env.DB))
  c.set('actor', undefined)
  await next()
  c.res.headers.set('X-Request-Id', requestId)
})
