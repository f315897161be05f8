// `npm run bench [-- <scenario>]`: fresh local D1 → migrations → wrangler dev on 127.0.0.1:8797 →
// scenario setup (seeding) → bounded autocannon runs → Markdown table + bench/results/*.json.
// The server is always stopped, also on errors and Ctrl-C; any failure exits non-zero.
//
// A scenario is bench/scenarios/<name>.mjs with a default export:
/**
 * @typedef {{ title?: string, path: string, method?: string, headers?: Record<string,string>,
 *   body?: string, expectStatus?: number, allowNon2xx?: boolean }} Route
 * @typedef {{ base: string, persistTo: string, pgid: number, measure: Function, log: () => string,
 *   offline: <T>(fn: () => Promise<T> | T) => Promise<T>,
 *   withEntry: <T>(script: string, fn: (s: { base: string, pgid: number }) => Promise<T>) => Promise<T> }} Ctx
 * @typedef {{ name: string, description: string, vars?: Record<string,string>,
 *   setup?: (ctx: Ctx) => Promise<void>,
 *   routes?: Route[] | ((ctx: Ctx) => Route[]),
 *   run?: (ctx: Ctx) => Promise<object[]> }} Scenario
 * `routes` are loaded with measure(); `run` may return extra rows (same shape as measure()'s) or
 * anything else worth keeping under `extra` in the JSON (export time, memory, …).
 * `ctx.offline(fn)` stops the server, runs `fn` (e.g. bulk SQL straight into the local D1 file
 * with sqlite3, which must not happen while workerd has it open) and starts the server again on
 * the same state; `ctx.base`, `ctx.pgid` and `ctx.log` then describe the new server.
 * `ctx.withEntry(script, fn)` does the same with a server started from another Worker entry
 * (`wrangler dev <script>`, same bindings and state) running while `fn` runs.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrateLocal, startDev, stopDev } from '../scripts/lib.mjs'
import { defaults, groupRssMiB, groupSize, machine, measure, printTable, withForeignCpu, writeResults } from './lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root) // scripts/lib.mjs runs node_modules/.bin/wrangler relative to the repo root

const PORT = Number(process.env.BENCH_PORT ?? 8797) // not 8787, so a running `npm start` is neither measured nor disturbed
const STATE = '.wrangler/bench-state' // under .wrangler/, so gitignored; wiped every run
const name = process.argv[2] ?? 'baseline'

async function loadScenario(n) {
  const dir = join(root, 'bench/scenarios')
  const known = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => f.slice(0, -4))
  if (!/^[a-z0-9-]+$/.test(n) || !known.includes(n)) throw new Error(`unknown scenario "${n}"; known: ${known.join(', ')}`)
  return (await import(join(dir, `${n}.mjs`))).default
}

/** SIGTERM to the wrangler process group, then wait; SIGKILL the same group if it lingers. */
async function shutdown(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  stopDev(child)
  const timer = new Promise((r) => setTimeout(() => r('timeout'), 10_000))
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {}
  }
}

/**
 * Resolves once every process of the server's group has exited. workerd outlives wrangler by a
 * second or so and keeps the D1 file open meanwhile: touching the file before it is gone loses
 * writes (seen: rows written over HTTP just before the stop missing for sqlite3). SIGKILL after 15 s.
 */
async function groupGone(pgid) {
  for (const signal of [null, 'SIGKILL']) {
    if (signal)
      try {
        process.kill(-pgid, signal)
      } catch {}
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      if (groupSize(pgid) === 0) return
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`processes of group ${pgid} are still alive after SIGKILL`)
}

/** One plain request before loading a route: a wrong status under load would only show as non-2xx. */
async function checkRoute(base, route) {
  const res = await fetch(base + route.path, {
    method: route.method ?? 'GET',
    headers: route.headers,
    body: route.body,
    redirect: 'manual',
  })
  await res.arrayBuffer()
  const want = route.expectStatus ?? 200
  if (res.status !== want) throw new Error(`${route.method ?? 'GET'} ${route.path}: expected ${want}, got ${res.status}`)
}

let dev
let stopping = false // set on Ctrl-C/SIGTERM, so that ctx.offline() does not start the server again
// What every server of this run printed (the Worker's console included), for looking into a run
// after the fact: bench/results/<scenario>-<time>.server.log, appended at each stop.
const serverLog = join(
  root,
  'bench/results',
  `${name.replace(/[^a-z0-9-]/g, '')}-${new Date().toISOString().replace(/[:.]/g, '-')}.server.log`,
)
const keepLog = () => {
  if (!dev) return
  try {
    mkdirSync(dirname(serverLog), { recursive: true })
    appendFileSync(serverLog, `--- server ${dev.child.pid}, stopped ${new Date().toISOString()}\n${dev.log()}\n`)
  } catch {}
}
const onSignal = async () => {
  stopping = true
  keepLog()
  await shutdown(dev?.child)
  process.exit(130)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

try {
  const scenario = await loadScenario(name)
  console.log(`bench: scenario "${scenario.name}": ${scenario.description}`)
  console.log(
    `bench: ${defaults.connections} connections, ${defaults.duration} s per route (+${defaults.warmup} s warm-up), 127.0.0.1:${PORT}`,
  )

  // Refuse to start if something already answers on the port: startDev would happily "find" it.
  if (
    await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${PORT} is already in use`)

  rmSync(STATE, { recursive: true, force: true })
  migrateLocal(STATE)
  // --log-level warn: per-request logging roughly halves wrangler dev's throughput.
  const devOptions = { port: PORT, persistTo: STATE, logLevel: 'warn', vars: scenario.vars ?? {} }
  dev = await startDev(devOptions)
  const ctx = {
    base: dev.base,
    persistTo: STATE,
    pgid: dev.child.pid,
    measure,
    log: dev.log,
    /** Runs `fn` against a server started from another entry (`script`, same bindings and state),
     * then goes back to the app's. */
    async withEntry(script, fn) {
      return ctx.offline(async () => {
        const other = await startDev({ ...devOptions, script })
        const pgid = other.child.pid
        try {
          return await fn({ base: other.base, pgid })
        } finally {
          await shutdown(other.child)
          await groupGone(pgid)
        }
      })
    },
    async offline(fn) {
      const pgid = dev.child.pid
      keepLog()
      await shutdown(dev.child)
      await groupGone(pgid)
      dev = undefined
      try {
        return await fn()
      } finally {
        if (!stopping) {
          dev = await startDev(devOptions)
          Object.assign(ctx, { base: dev.base, pgid: dev.child.pid, log: dev.log })
          if (stopping) await shutdown(dev.child)
        }
      }
    },
  }

  if (scenario.setup) {
    const t = Date.now()
    await scenario.setup(ctx)
    console.log(`bench: setup took ${((Date.now() - t) / 1000).toFixed(1)} s`)
  }

  // The baseline is measured in every run, first, so ratios compare numbers from the same box state.
  const routes = [
    { title: 'GET /healthz (baseline)', path: '/healthz', expectStatus: 200 },
    ...(typeof scenario.routes === 'function' ? scenario.routes(ctx) : (scenario.routes ?? [])),
  ]
  for (const r of routes) await checkRoute(dev.base, r)

  const rows = []
  for (const r of routes) {
    process.stdout.write(`bench: ${r.title ?? r.path} … `)
    const [m, foreignCpuPct] = await withForeignCpu(dev.child.pid, () => measure(dev.base + r.path, r))
    const row = { ...m, foreignCpuPct, allowNon2xx: !!r.allowNon2xx }
    console.log(`${row.rps.toFixed(0)} req/s`)
    rows.push(row)
  }
  const extra = scenario.run ? await scenario.run(ctx) : []
  rows.push(...extra.filter((x) => typeof x?.rps === 'number'))
  const baselineRps = rows[0].rps

  console.log('')
  const table = printTable(rows, baselineRps)
  // Other processes' CPU during each route: if it is more than a few %, the run was disturbed.
  const busy = rows.filter((r) => r.foreignCpuPct != null)
  if (busy.length)
    console.log(
      `\nCPU used by other processes while measuring (% of all cores): ${busy.map((r) => `${r.route} ${r.foreignCpuPct}%`).join(', ')}`,
    )
  if (busy.some((r) => r.foreignCpuPct > 10))
    console.warn('bench: warning: the box was busy with other work; rerun when it is idle before quoting these ratios')
  const serverRssMiB = { workerd: groupRssMiB(dev.child.pid, 'workerd'), total: groupRssMiB(dev.child.pid) }
  console.log(
    `\nResident memory after the run: workerd ${serverRssMiB.workerd ?? '?'} MiB (with wrangler and esbuild: ${serverRssMiB.total ?? '?'} MiB)`,
  )

  const failed = rows.filter((r) => r.errors > 0 || (r.non2xx > 0 && !r.allowNon2xx))
  const file = writeResults(scenario.name, {
    scenario: scenario.name,
    description: scenario.description,
    date: new Date().toISOString(),
    machine: machine(),
    server: `wrangler dev --log-level warn (127.0.0.1:${PORT})`,
    load: { connections: defaults.connections, duration: defaults.duration, warmup: defaults.warmup },
    baselineRps,
    rows: rows.map((r) => ({ ...r, ratio: r.rps / baselineRps })),
    extra: extra.filter((x) => typeof x?.rps !== 'number'),
    serverRssMiB,
    table,
    ok: failed.length === 0,
  })
  console.log(`bench: results written to ${file.slice(root.length + 1)}`)
  if (failed.length) {
    console.error(`bench: FAILED: errors or unexpected non-2xx on ${failed.map((r) => r.route).join(', ')}`)
    process.exitCode = 1
  }
} catch (e) {
  console.error('bench: failed:', e?.message ?? e)
  process.exitCode = 1
} finally {
  keepLog()
  await shutdown(dev?.child)
  // A scenario that failed half-way can leave timers or sockets open (memory samplers): do not
  // let them keep the runner alive once the server is stopped.
  setTimeout(() => process.exit(), 2000).unref()
}
