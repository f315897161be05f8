/** @module Cron: housekeeping every run (expired sessions, old rate-limit windows, tasks that
 * stopped making progress). Usage rollups hook in here as they land. */
import type { Env } from '../env'
import { makeDb } from '../db/client'
import { purgeExpiredSessions } from '../modules/auth/service'
import { purgeExpired } from '../lib/rate-limit'
import { reviveStuckTasks } from '../modules/tasks/service'
import { dispatchEvents } from '../modules/webhooks/delivery'
import { rollupUsage } from '../modules/usage/rollup'

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const db = makeDb(env.DB)
  const now = controller.scheduledTime
  await purgeExpiredSessions(db, now)
  await purgeExpired(db, now)
  await reviveStuckTasks(env, now)
  await dispatchEvents(env, now)
  await rollupUsage(db, now)
}
