/** @module The drizzle handle. Always obtained per request/job (never module-level) so that
 * organizations can later be spread over several D1 databases. */
import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = ReturnType<typeof makeDb>

export function makeDb(d1: D1Database) {
  return drizzle(d1, { schema, casing: 'snake_case' })
}
