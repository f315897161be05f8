/** @module Cron: housekeeping every run (expired sessions, old rate-limit windows, tasks that
 * stopped making progress), the webhook safety net and log retention, and the usage rollup; the
 * every-minute trigger revives stuck tasks only. */
import type { Env } from '../env'
import { makeDb } from '../db/client'
import { meteredEnv } from '../db/cost-meter'
import { purgeExpiredSessions } from '../modules/auth/service'
import { purgeExpired } from '../lib/rate-limit'
import { reviveStuckTasks } from '../modules/tasks/service'
import { dispatchEvents, pruneDeliveryLog, pruneEvents } from '../modules/webhooks/delivery'
import { rollupUsage } from '../modules/usage/rollup'
import { foldProjectNames } from '../modules/projects/name-fold'

/** The every-minute trigger in wrangler.toml: only the cheap, urgent step (one indexed query). */
export const REVIVAL_CRON = '* * * * *'

export async function handleScheduled(controller: ScheduledController, cronEnv: Env): Promise<void> {
  // The whole run is metered as one when the cost meter is on (src/db/cost-meter.ts).
  const metered = meteredEnv(cronEnv)
  const env = metered.env
  const db = makeDb(env.DB)
  const now = controller.scheduledTime
  const all: [string, () => Promise<unknown>][] = [
    ['purge expired sessions', () => purgeExpiredSessions(db, now)],
    ['purge rate-limit windows', () => purgeExpired(db, now)],
    ['revive stuck tasks', () => reviveStuckTasks(env, now)],
    ['dispatch webhook events', () => dispatchEvents(env, now)],
    ['prune webhook delivery log', () => pruneDeliveryLog(env, now)],
    ['prune webhook events', () => pruneEvents(env, now)],
    ['roll up usage', () => rollupUsage(db, now)],
    ['fold project names for search', () => foldProjectNames(db)],
  ]
  const steps = controller.cron === REVIVAL_CRON ? all.filter(([name]) => name === 'revive stuck tasks') : all
  // The steps are independent: one failing (say, a webhook dispatch) must not stop the others (the
  // usage rollup). Every step is safe to re-run, so the next run retries what failed; the run still
  // ends in an error so the failure shows in the cron's logs.
  const failed: string[] = []
  for (const [name, step] of steps) {
    try {
      await step()
    } catch (err) {
      failed.push(name)
      console.error(`cron: ${name} failed`, err)
    }
  }
  metered.done(`cron ${controller.cron}`)
  if (failed.length) throw new Error(`cron steps failed: ${failed.join(', ')}`)
}
