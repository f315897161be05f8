/**
 * @module The cost meter: what a request (queue message, cron run) costs on D1, which is most of
 * what Cloudflare bills and most of what a user waits on. `meterD1` wraps a D1 binding and records
 * every round trip (a statement run alone, or a batch: once however many statements it holds), its
 * statements with their parameters, and the rows D1 reports it read and wrote (`meta.rows_read` /
 * `meta.rows_written`, the counters D1 bills on; local workerd D1 reports them too). It adds no
 * round trip: everything comes from answers D1 gives anyway.
 *
 * Requests are metered when the `COST_METER` setting says so (off in production by default,
 * wrangler.toml): src/middleware/request-context.ts answers with a `Server-Timing` header and logs
 * requests over the `COST_METER_LOG` thresholds; queue messages and cron runs are logged the same
 * way. Tests use `meterD1` directly (test/helpers/counting-d1.ts) to hold routes to their budgets.
 */

export type Trip = {
  kind: 'batch' | 'query'
  sql: string[]
  /** Bound parameters of each statement, to replay it (`EXPLAIN QUERY PLAN` in the budget tests). */
  params: unknown[][]
  /** Rows each statement returned, once the trip has answered. */
  rows?: number[]
  /** Rows D1 read / wrote for each statement (undefined when D1's answer did not say). */
  read?: (number | undefined)[]
  written?: (number | undefined)[]
  /** Wall time of the trip, ms. */
  ms?: number
}

export type CostSummary = { trips: number; stmts: number; read: number; written: number; d1Ms: number; totalMs: number; cpuMs: number }

export class CostMeter {
  readonly trips: Trip[] = []
  private started = performance.now()
  private busy = 0
  private busySince = 0
  private waited = 0

  /** Time spent waiting on D1: overlapping trips (Promise.all) count once. */
  enter(): number {
    const now = performance.now()
    if (this.busy++ === 0) this.busySince = now
    return now
  }

  leave(trip: Trip, since: number): void {
    const now = performance.now()
    trip.ms = now - since
    if (--this.busy === 0) this.waited += now - this.busySince
  }

  /** Forget what was recorded so far (a test measures the second of two requests). */
  reset(): void {
    this.trips.length = 0
    this.started = performance.now()
    this.waited = 0
  }

  summary(): CostSummary {
    let stmts = 0
    let read = 0
    let written = 0
    for (const t of this.trips) {
      stmts += t.sql.length
      for (const n of t.read ?? []) read += n ?? 0
      for (const n of t.written ?? []) written += n ?? 0
    }
    const totalMs = performance.now() - this.started
    // Workers stop the clock while JavaScript runs and move it on at I/O, so in production this is
    // only the time between D1 answers; wrangler dev and the tests run with a live clock.
    const cpuMs = Math.max(0, totalMs - this.waited)
    return { trips: this.trips.length, stmts, read, written, d1Ms: this.waited, totalMs, cpuMs }
  }

  /** `d1;desc="2 trips, 5 stmts, 41 read, 0 written";dur=3.1, cpu;dur=1.2, total;dur=4.3` */
  serverTiming(): string {
    const s = this.summary()
    const ms = (n: number) => n.toFixed(1)
    return `d1;desc="${describe(s)}";dur=${ms(s.d1Ms)}, cpu;dur=${ms(s.cpuMs)}, total;dur=${ms(s.totalMs)}`
  }

  /** The statement that read the most rows, for the log line of a costly request. */
  costliest(): { sql: string; read: number } | undefined {
    let best: { sql: string; read: number } | undefined
    for (const t of this.trips)
      t.sql.forEach((sql, i) => {
        const read = t.read?.[i] ?? 0
        if (!best || read > best.read) best = { sql, read }
      })
    return best
  }
}

export const describe = (s: Pick<CostSummary, 'trips' | 'stmts' | 'read' | 'written'>) =>
  `${s.trips} trip${s.trips === 1 ? '' : 's'}, ${s.stmts} stmt${s.stmts === 1 ? '' : 's'}, ${s.read} read, ${s.written} written`

type Meta = { rows_read?: number; rows_written?: number } | undefined
type Session = { _sendOrThrow?: (...a: unknown[]) => Promise<unknown> }

/**
 * A D1 binding that passes every call through to `real` and records it in `meter`. Statements are
 * the real ones, patched in place, so the real `batch` accepts them. `first()` and `raw()` do not
 * hand back D1's `meta`; its rows counts are read where the statement's session receives the answer
 * (workerd's D1 binding code), and stay unknown if a runtime does it differently.
 */
export function meterD1(real: D1Database, meter = new CostMeter()): { DB: D1Database; meter: CostMeter } {
  const known = new WeakMap<object, { sql: string; params: unknown[] }>()
  const firstOf = (r: unknown) => (Array.isArray(r) ? r[0] : r) as { meta?: Meta } | undefined

  const patch = (st: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const s = st as unknown as Record<string, unknown> & { dbSession?: Session }
    // The trip the statement's answer belongs to, for the session tap below.
    let current: Trip | undefined
    const session = s.dbSession
    let tapped: Session | undefined
    if (session && typeof session._sendOrThrow === 'function') {
      s.dbSession = tapped = new Proxy(session, {
        get(target, key) {
          const v = Reflect.get(target, key) as unknown
          if (key === '_sendOrThrow') {
            return async (...a: unknown[]) => {
              const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, a)
              const meta = firstOf(r)?.meta
              if (current) (current.read = [meta?.rows_read]), (current.written = [meta?.rows_written])
              return r
            }
          }
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
        },
      }) as Session
    }
    const bind = st.bind.bind(st)
    st.bind = (...p: unknown[]) => {
      const bound = bind(...p) as unknown as { dbSession?: Session }
      // D1's bind copies this statement's session, which is our tap of it: the bound statement gets
      // its own tap of the same session. (A meter wrapping another meter finds the inner one's tap
      // of the bound statement there instead, and wraps that.)
      if (tapped && bound.dbSession === tapped) bound.dbSession = session
      return patch(bound as unknown as D1PreparedStatement, sql, p)
    }
    for (const m of ['all', 'raw', 'first', 'run'] as const) {
      const f = (s[m] as (...a: unknown[]) => Promise<unknown>).bind(st)
      s[m] = async (...a: unknown[]) => {
        const trip: Trip = { kind: 'query', sql: [sql], params: [params] }
        meter.trips.push(trip)
        current = trip
        const since = meter.enter()
        try {
          const r = await f(...a)
          const meta = (r as { meta?: Meta } | null)?.meta
          if (meta && trip.read === undefined) (trip.read = [meta.rows_read]), (trip.written = [meta.rows_written])
          const results = m === 'first' ? (r == null ? [] : [r]) : m === 'raw' ? (r as unknown[]) : (r as { results?: unknown[] }).results
          trip.rows = [results?.length ?? 0]
          return r
        } finally {
          meter.leave(trip, since)
        }
      }
    }
    known.set(st, { sql, params })
    return st
  }

  const DB = {
    prepare: (sql: string) => patch(real.prepare(sql), sql, []),
    batch: async (stmts: D1PreparedStatement[]) => {
      const trip: Trip = {
        kind: 'batch',
        sql: stmts.map((s) => known.get(s)?.sql ?? ''),
        params: stmts.map((s) => known.get(s)?.params ?? []),
      }
      meter.trips.push(trip)
      const since = meter.enter()
      try {
        const results = await real.batch(stmts)
        trip.rows = results.map((r) => r.results?.length ?? 0)
        trip.read = results.map((r) => (r.meta as Meta)?.rows_read)
        trip.written = results.map((r) => (r.meta as Meta)?.rows_written)
        return results
      } finally {
        meter.leave(trip, since)
      }
    },
    exec: async (sql: string) => {
      const trip: Trip = { kind: 'query', sql: [sql], params: [[]] }
      meter.trips.push(trip)
      const since = meter.enter()
      try {
        return await real.exec(sql)
      } finally {
        meter.leave(trip, since)
      }
    },
    dump: () => real.dump(),
    withSession: (c?: string) => real.withSession(c as never),
  } as unknown as D1Database
  return { DB, meter }
}

/** What `COST_METER` / `COST_METER_LOG` (wrangler.toml) ask for. */
export type CostSettings = { header: boolean; log: boolean; limits: { ms: number; trips: number; read: number; written: number } }

const DEFAULT_LIMITS = { ms: 1000, trips: 3, read: 10_000, written: 1_000 }

/** `COST_METER`: "off" (default), "log" (log costly work), "header" (`Server-Timing` on responses,
 * no log: the tests) or "on" (both). `COST_METER_LOG`: the thresholds over which a request is logged, e.g.
 * "ms=1000 trips=3 read=10000 written=1000" (any subset; the rest keep these defaults). */
export function costSettings(env: { COST_METER?: string; COST_METER_LOG?: string }): CostSettings | undefined {
  const mode = (env.COST_METER ?? 'off').trim().toLowerCase()
  if (mode !== 'on' && mode !== 'log' && mode !== 'header') return undefined
  const limits = { ...DEFAULT_LIMITS }
  for (const m of (env.COST_METER_LOG ?? '').matchAll(/(ms|trips|read|written)\s*=\s*(\d+(?:\.\d+)?)/g))
    limits[m[1] as keyof typeof limits] = Number(m[2])
  return { header: mode !== 'log', log: mode !== 'header', limits }
}

/** Logs `what` when its cost is over any threshold. */
export function logIfCostly(what: string, meter: CostMeter, settings: CostSettings): void {
  if (!settings.log) return
  const s = meter.summary()
  const l = settings.limits
  const over = s.totalMs > l.ms || s.trips > l.trips || s.read > l.read || s.written > l.written
  if (!over) return
  const top = meter.costliest()
  const worst = top && top.read > 0 ? `; most read: ${top.read} by ${top.sql.replace(/\s+/g, ' ').slice(0, 160)}` : ''
  console.warn(`cost: ${what}: ${describe(s)}, ${s.totalMs.toFixed(0)} ms (D1 ${s.d1Ms.toFixed(0)} ms)${worst}`)
}

/** `env` with its D1 metered, when the settings ask for it (queue messages, cron runs). */
export function meteredEnv<E extends { DB: D1Database; COST_METER?: string; COST_METER_LOG?: string }>(
  env: E,
): { env: E; done: (what: string) => void } {
  const settings = costSettings(env)
  if (!settings) return { env, done: () => undefined }
  const { DB, meter } = meterD1(env.DB)
  return { env: { ...env, DB }, done: (what) => logIfCostly(what, meter, settings) }
}
