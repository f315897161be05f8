/** @module Fixed-window counters in D1 (not memory: every isolate and every Worker instance must
 * see the same count). One statement per hit: an UPSERT that resets an expired window. */
import { sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { rateLimits } from '../db/schema'
import { inArray } from 'drizzle-orm'

export type Limit = { key: string; max: number; windowMs: number }

/** Seconds until the first exhausted limit frees up, or 0 if none is exhausted. */
export async function retryAfter(db: Db, limits: Limit[], now = Date.now()): Promise<number> {
  const rows = await db
    .select()
    .from(rateLimits)
    .where(
      inArray(
        rateLimits.key,
        limits.map((l) => l.key),
      ),
    )
  let wait = 0
  for (const l of limits) {
    const row = rows.find((r) => r.key === l.key)
    if (row && row.windowStart + l.windowMs > now && row.count >= l.max) {
      wait = Math.max(wait, Math.ceil((row.windowStart + l.windowMs - now) / 1000))
    }
  }
  return wait
}

/** Counts one event against each limit (in one batch). */
export async function hit(db: Db, limits: Limit[], now = Date.now()): Promise<void> {
  const stmts = limits.map((l) =>
    db
      .insert(rateLimits)
      .values({ key: l.key, windowStart: now, count: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`CASE WHEN ${rateLimits.windowStart} + ${l.windowMs} <= ${now} THEN 1 ELSE ${rateLimits.count} + 1 END`,
          windowStart: sql`CASE WHEN ${rateLimits.windowStart} + ${l.windowMs} <= ${now} THEN ${now} ELSE ${rateLimits.windowStart} END`,
        },
      }),
  )
  if (stmts.length) await db.batch(stmts as [(typeof stmts)[0], ...typeof stmts])
}

export async function clear(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.delete(rateLimits).where(inArray(rateLimits.key, keys))
}

/** Housekeeping for the cron: windows longer than a day are never used. */
export async function purgeExpired(db: Db, now = Date.now()): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.windowStart} < ${now - 86_400_000}`)
}
