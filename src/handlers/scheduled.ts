/** @module Cron: housekeeping every run (expired sessions, old rate-limit windows). Usage rollups
 * and stuck-task checks hook in here as they land. */
import type { Env } from '../env'
import { makeDb } from '../db/client'
import { purgeExpiredSessions } from '../modules/auth/service'
import { purgeExpired } from '../lib/rate-limit'

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const db = makeDb(env.DB)
  const now = controller.scheduledTime
  await purgeExpiredSessions(db, now)
  await purgeExpired(db, now)
}
