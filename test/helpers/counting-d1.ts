/** A D1 binding that records every round trip (a statement run alone, or a batch) while passing the
 * real statements through, so tests can hold code to "one round trip per page": the product's own
 * cost meter (src/db/cost-meter.ts), over the test file's D1. Each trip also records how many rows
 * each of its statements returned and read (`rows`, `read`), once it has answered. */
import { env } from 'cloudflare:workers'
import { meterD1, type CostMeter, type Trip } from '../../src/db/cost-meter'

export type { Trip }

export function countingD1(real: D1Database = env.DB): { DB: D1Database; trips: Trip[]; meter: CostMeter } {
  const { DB, meter } = meterD1(real)
  return { DB, trips: meter.trips, meter }
}
