// Projects tab and dashboard at scale (issue 4 item 8): one organization with 100k projects, and one
// project of 200k data rows with 200k labels of 5 annotations each (1M annotations), reviews and
// all dashboard aggregates. The person, their session, the dataset and the big project are made
// over HTTP; the bulk is written with SQL into the local D1 file (bench/data.mjs). The setup also
// prints EXPLAIN QUERY PLAN for the SQL the list, the search and the dashboard really send
// (bench/explain.mjs), with what each statement costs sqlite3 alone on the same database.
import { q, seedWorkspace, sqlite } from '../data.mjs'
import { explainAppQueries, plansMarkdown, scans } from '../explain.mjs'
import { withForeignCpu } from '../lib.mjs'

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 100_000)
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000)
/** Matches 4 of the 100k names ("Needle inspection …"): the search has to look at every project. */
const RARE = 'needle'
/** Matches a tenth of the names: the first page fills after ~500 projects. */
const COMMON = 'retail'

let seeded

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'projects',
  description: `GET /projects, searches and the dashboard with ${PROJECTS.toLocaleString('en-US')} projects and a project of ${ROWS.toLocaleString('en-US')} data rows / ${(ROWS * 5).toLocaleString('en-US')} annotations`,
  async setup(ctx) {
    seeded = await seedWorkspace(ctx, {
      email: 'bench-projects@bench.labeldesk.test',
      labeled: [{ name: 'Big project (bench)', rows: ROWS }],
      many: PROJECTS,
      pins: 3,
      inspect: (db, ids) => {
        const pins = sqlite(db, `SELECT project_id FROM project_pins WHERE user_id = ${q(ids.userId)};`)
          .trim()
          .split('\n')
          .filter(Boolean)
        return explainAppQueries(db, {
          userId: ids.userId,
          orgId: ids.orgId,
          projectId: ids.projects[0].id,
          search: RARE,
          common: COMMON,
          pins,
        })
      },
    })
    const big = seeded.ids.projects[0]
    console.log(`bench: generated in ${JSON.stringify(seeded.timings)} s; database ${seeded.dbMiB} MiB`)
    console.log(`bench: big project ${big.id}: ${JSON.stringify(seeded.checks[big.name])}`)
    console.log(`\n${plansMarkdown(seeded.inspected)}\n`)
    const scanning = scans(seeded.inspected)
    console.log(`bench: statements whose plan has SCAN: ${scanning.length ? scanning.map((p) => p.name).join(', ') : 'none'}`)
  },
  routes: () => [],
  /** Each route against the floor with as many round trips, measured back to back (target ≥ 0.7×). */
  report(rows) {
    const f = (n, d = 0) => (n == null || Number.isNaN(n) ? '–' : n.toFixed(d))
    const lines = [
      '| route | D1 trips | bytes | req/s | p50 ms | p99 ms | floor req/s (same trips, just before) | floor p50 / p99 ms | vs floor | floor with the same bytes, req/s | vs that floor |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows
        .filter((r) => r.trips && r.floor)
        .map((r) => {
          const ratio = r.rps / r.floor.rps
          const withBytes = r.floorBytes ? r.rps / r.floorBytes.rps : Number.NaN
          return `| ${r.route} | ${r.trips} | ${r.bytes ?? '–'} | ${f(r.rps)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.floor.rps)} | ${f(r.floor.p50)} / ${f(r.floor.p99)} | ${f(ratio, 2)}×${ratio >= 0.7 ? '' : ' (under 0.7)'} | ${f(r.floorBytes?.rps)} | ${f(withBytes, 2)}× |`
        }),
    ]
    console.log(`\nAgainst the bare-D1 floor with the same number of round trips (bench/floor-worker.ts):\n${lines.join('\n')}`)
    return lines.join('\n')
  },
  async run(ctx) {
    const big = seeded.ids.projects[0].id
    const headers = { Cookie: seeded.cookie }
    // `trips`: D1 round trips of each route with the remembered session autocannon sends (held by
    // test/workers/budgets.test.ts, counted by `npm run bench -- cost`).
    const routes = [
      // The floor of any signed-in route: the session lookup is its only D1 query.
      { title: 'GET /api/v1/me (session lookup only)', path: '/api/v1/me', trips: 1 },
      { title: 'GET /projects (first page, HTML)', path: '/projects', trips: 1 },
      { title: `GET /projects?search=${RARE} (4 matches)`, path: `/projects?search=${RARE}`, trips: 1 },
      { title: `GET /projects?search=${COMMON} (10k matches)`, path: `/projects?search=${COMMON}`, trips: 1 },
      { title: 'GET /api/v1/projects (first page, JSON)', path: '/api/v1/projects', trips: 1 },
      { title: 'GET /projects/{big} (dashboard page, HTML)', path: `/projects/${big}`, trips: 1 },
      { title: 'GET /api/v1/projects/{big}/overview', path: `/api/v1/projects/${big}/overview`, trips: 1 },
      { title: 'GET /api/v1/projects/{big}/overview?scope=mine', path: `/api/v1/projects/${big}/overview?scope=mine`, trips: 1 },
      { title: 'GET /api/v1/projects/{big}/label-series?bucket=week', path: `/api/v1/projects/${big}/label-series?bucket=week`, trips: 1 },
    ]
    // One server from bench/floor-worker.ts, which serves the app unchanged besides the floor route:
    // each route is measured right after the floor with as many bare D1 queries (`SELECT 1`, no
    // middleware, ORM or rendering), so the two share the box's state as closely as a shared
    // machine allows. No route that makes N round trips can beat the N-query floor here.
    const floor = await ctx.withEntry('bench/floor-worker.ts', async (s) => {
      const rows = []
      const one = async (title, path, extra = {}) => {
        process.stdout.write(`bench: ${title} … `)
        const [m, foreignCpuPct] = await withForeignCpu(s.pgid, () => ctx.measure(s.base + path, { title, headers }))
        if (m.non2xx || m.errors) throw new Error(`${title}: ${m.non2xx} non-2xx, ${m.errors} errors`)
        console.log(`${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms`)
        return { ...m, foreignCpuPct, ...extra }
      }
      rows.push(await one('floor entry: GET /healthz (the same baseline, other server)', '/healthz'))
      for (const r of routes) {
        const name = r.path.replaceAll(big, '{big}')
        const fl = await one(
          `floor entry: ${r.trips} bare D1 quer${r.trips === 1 ? 'y' : 'ies'} (before ${name})`,
          `/__bench/d1?calls=${r.trips}`,
        )
        // The same floor answering as many bytes as the route's page: locally those bytes also cross
        // wrangler dev's proxy, which a deployed Worker does not pay (bench/floor-worker.ts).
        const bytes = (await (await fetch(s.base + r.path, { headers })).arrayBuffer()).byteLength
        const fb = await one(
          `floor entry: ${r.trips} bare D1 + ${bytes} bytes (before ${name})`,
          `/__bench/d1?calls=${r.trips}&bytes=${bytes}`,
        )
        rows.push(
          fl,
          fb,
          await one(r.title, r.path, {
            trips: r.trips,
            bytes,
            floor: { rps: fl.rps, p50: fl.p50, p99: fl.p99 },
            floorBytes: { rps: fb.rps, p50: fb.p50, p99: fb.p99 },
          }),
        )
      }
      return rows
    })
    // Kept in the JSON record next to the table: what was generated and the plans.
    return [
      ...floor,
      {
        generated: {
          projects: PROJECTS,
          rows: ROWS,
          annotations: ROWS * 5,
          timings: seeded.timings,
          dbMiB: seeded.dbMiB,
          checks: seeded.checks,
          ids: seeded.ids,
        },
        plans: seeded.inspected,
      },
    ]
  },
}
