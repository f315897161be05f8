/** @module Builds the service context from a request. */
import type { Context } from 'hono'
import type { AppEnv, Ctx } from '../env'
import { unauthorized } from './errors'

export function ctxOf(c: Context<AppEnv>): Ctx {
  const actor = c.var.actor
  if (!actor) throw unauthorized()
  return {
    db: c.var.db,
    env: c.env,
    actor,
    requestId: c.var.requestId,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    gate: c.var.gate,
    along: c.var.along,
  }
}
