// Shared benchmark helpers: one bounded autocannon run per route, a Markdown table of the results,
// a JSON record per run and the server's memory. Scenarios import these instead of calling
// autocannon directly, so every number in BENCHMARKS.md is produced the same way.
import autocannon from 'autocannon'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Load shape shared by all scenarios, so their numbers compare: 16 connections, 10 s, 127.0.0.1 only. */
export const defaults = {
  connections: 16,
  duration: Number(process.env.BENCH_DURATION ?? 10),
  // A short untimed run first, so the first-request costs (module compile, SQLite page cache)
  // don't land in the measured window. Set BENCH_WARMUP=0 to skip it.
  warmup: Number(process.env.BENCH_WARMUP ?? 2),
}

/** Refuses any target that is not the local loopback address: benchmarks never leave the box. */
function assertLocal(url) {
  const { hostname } = new URL(url)
  if (hostname !== '127.0.0.1') throw new Error(`bench targets must be http://127.0.0.1 (got ${url})`)
}

/**
 * Loads `url` with autocannon and returns one row for the table/JSON.
 * opts: connections, duration (s), warmup (s), method, headers, body, title.
 * Latencies are autocannon's HDR percentiles of 2xx responses only (that is how autocannon
 * records them), so always read them together with the errors/non-2xx column.
 */
export async function measure(url, opts = {}) {
  assertLocal(url)
  const { connections, duration, warmup } = { ...defaults, ...opts }
  const req = { url, connections, method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, timeout: 10 }
  if (!(duration > 0 && duration <= 600)) throw new Error(`duration must be 1..600 s (got ${duration})`)
  if (warmup > 0) await autocannon({ ...req, duration: warmup })
  const r = await autocannon({ ...req, duration })
  return {
    route: opts.title ?? `${req.method} ${new URL(url).pathname}${new URL(url).search}`,
    rps: r.requests.mean,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors, // socket errors, includes timeouts
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
    connections,
    duration,
  }
}

const fmt = (n, digits = 0) => (n == null || Number.isNaN(n) ? '–' : n.toFixed(digits))

/** Prints rows as a Markdown table (pasteable into BENCHMARKS.md) with req/s relative to the baseline. */
export function printTable(rows, baselineRps) {
  const lines = [
    '| route | req/s (mean) | p50 ms | p99 ms | errors / non-2xx | vs baseline |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.route} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} / ${r.non2xx} | ${baselineRps ? `${fmt(r.rps / baselineRps, 2)}×` : '–'} |`,
    ),
  ]
  console.log(lines.join('\n'))
  return lines.join('\n')
}

/** Writes bench/results/<scenario>-<timestamp>.json (gitignored) and returns its path. */
export function writeResults(scenario, data) {
  const dir = join(here, 'results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = join(dir, `${scenario}-${stamp}.json`)
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`)
  return file
}

/** Machine facts recorded with every result, so numbers from different boxes aren't compared blindly. */
export const machine = () => ({ node: process.version, cpus: availableParallelism(), platform: process.platform })

/** /proc/<pid>/stat fields after the command name (names may hold spaces, so split after ")"):
 * [0] state, [2] process group, [11] utime, [12] stime (clock ticks). */
function groupStats(pgid) {
  const out = []
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(f[2]) === pgid) out.push({ pid, ticks: Number(f[11]) + Number(f[12]) })
    } catch {} // the process ended meanwhile
  }
  return out
}

/** How many processes of process group `pgid` are still alive (Linux /proc; 0 elsewhere). */
export function groupSize(pgid) {
  try {
    return groupStats(pgid).length
  } catch {
    return 0
  }
}

/**
 * Resident memory (MiB) of the processes in process group `pgid` (wrangler dev runs detached, so
 * its group = the wrangler node process, esbuild and two workerd processes). `comm` (e.g.
 * 'workerd') keeps only processes of that name: the app's memory is in workerd, the rest is
 * tooling. Linux /proc only; null elsewhere. Cheap enough to sample during a run (memory scenarios).
 */
export function groupRssMiB(pgid, comm) {
  try {
    let kb = 0
    for (const { pid } of groupStats(pgid)) {
      try {
        if (comm && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue
        kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
      } catch {}
    }
    return Math.round(kb / 1024)
  } catch {
    return null
  }
}

/**
 * Client and server share the box, so anything else running (another session's test suite, a
 * build) skews the numbers, even the ratios. This measures how much CPU *other* processes used
 * while `fn` ran: all busy CPU (/proc/stat) minus the server's process group minus this process
 * (autocannon runs in it), as a % of all cores. Returns [fn's result, % or null off Linux, and the
 * CPU seconds the server's process group used meanwhile]: on a busy box wall times stretch with
 * the load, the server's own CPU time much less, so comparisons within a run can use it.
 */
export async function withForeignCpu(pgid, fn) {
  const TICK = 100 // USER_HZ: /proc reports clock ticks of 1/100 s on Linux
  const snap = () => {
    const c = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const busy = c[0] + c[1] + c[2] + c[5] + c[6] + c[7] // user nice system irq softirq steal
    const server = new Map(groupStats(pgid).map((p) => [p.pid, p.ticks]))
    const u = process.cpuUsage()
    return { busy, server, self: ((u.user + u.system) / 1e6) * TICK, at: Date.now() }
  }
  let a
  try {
    a = snap()
  } catch {
    return [await fn(), null, null]
  }
  const result = await fn()
  const b = snap()
  // Per pid, so a server process that exits mid-window doesn't subtract its whole lifetime.
  let server = 0
  for (const [pid, t] of b.server) server += t - (a.server.get(pid) ?? 0)
  const foreign = b.busy - a.busy - server - (b.self - a.self)
  const capacity = ((b.at - a.at) / 1000) * TICK * availableParallelism()
  return [result, Math.min(100, Math.max(0, Math.round((foreign / capacity) * 100))), server / TICK]
}
