/** A D1 binding that records every round trip (a statement run alone, or a batch) while passing the
 * real statements through, so tests can hold code to "one round trip per page". A batch's trip also
 * records how many rows each of its statements returned (`rows`), once it has answered. */
import { env } from 'cloudflare:workers'

export type Trip = { kind: 'batch' | 'query'; sql: string[]; rows?: number[] }

export function countingD1(real: D1Database = env.DB): { DB: D1Database; trips: Trip[] } {
  const trips: Trip[] = []
  const sqlOf = new WeakMap<object, string>()
  const patch = (st: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const bind = st.bind.bind(st)
    st.bind = (...p: unknown[]) => patch(bind(...p), sql)
    for (const m of ['all', 'raw', 'first', 'run'] as const) {
      const f = (st[m] as (...a: unknown[]) => Promise<unknown>).bind(st)
      ;(st as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => (trips.push({ kind: 'query', sql: [sql] }), f(...a))
    }
    sqlOf.set(st, sql)
    return st
  }
  const DB = {
    prepare: (sql: string) => patch(real.prepare(sql), sql),
    batch: async (stmts: D1PreparedStatement[]) => {
      const trip: Trip = { kind: 'batch', sql: stmts.map((s) => sqlOf.get(s) ?? '') }
      trips.push(trip)
      const results = await real.batch(stmts)
      trip.rows = results.map((r) => r.results?.length ?? 0)
      return results
    },
    exec: (sql: string) => (trips.push({ kind: 'query', sql: [sql] }), real.exec(sql)),
  } as unknown as D1Database
  return { DB, trips }
}
