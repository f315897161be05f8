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
  routes: () => {
    const big = seeded.ids.projects[0].id
    const headers = { Cookie: seeded.cookie }
    return [
      // The floor of any signed-in route: the session lookup is its only D1 query.
      { title: 'GET /api/v1/me (session lookup only)', path: '/api/v1/me', headers },
      { title: 'GET /projects (first page, HTML)', path: '/projects', headers },
      { title: `GET /projects?search=${RARE} (4 matches)`, path: `/projects?search=${RARE}`, headers },
      { title: `GET /projects?search=${COMMON} (10k matches)`, path: `/projects?search=${COMMON}`, headers },
      { title: 'GET /api/v1/projects (first page, JSON)', path: '/api/v1/projects', headers },
      { title: 'GET /projects/{big} (dashboard page, HTML)', path: `/projects/${big}`, headers },
      { title: 'GET /api/v1/projects/{big}/overview', path: `/api/v1/projects/${big}/overview`, headers },
      { title: 'GET /api/v1/projects/{big}/overview?scope=mine', path: `/api/v1/projects/${big}/overview?scope=mine`, headers },
      { title: 'GET /api/v1/projects/{big}/label-series?bucket=week', path: `/api/v1/projects/${big}/label-series?bucket=week`, headers },
    ]
  },
  async run(ctx) {
    // The floor: the same /healthz and one or two bare D1 queries, from bench/floor-worker.ts on the
    // same state. No route that makes N D1 round trips can beat the N-query floor here.
    const floor = await ctx.withEntry('bench/floor-worker.ts', async (s) => {
      const rows = []
      for (const [title, path] of [
        ['floor entry: GET /healthz (the same baseline, other server)', '/healthz'],
        ['floor entry: 1 bare D1 query (SELECT 1), nothing else', '/__bench/d1?calls=1'],
        ['floor entry: 2 bare D1 queries, one after the other', '/__bench/d1?calls=2'],
      ]) {
        process.stdout.write(`bench: ${title} … `)
        const [m, foreignCpuPct] = await withForeignCpu(s.pgid, () => ctx.measure(s.base + path, { title }))
        console.log(`${m.rps.toFixed(0)} req/s`)
        rows.push({ ...m, foreignCpuPct })
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
