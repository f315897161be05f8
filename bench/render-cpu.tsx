/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** @module CPU per render of the heaviest pages (the Projects list, a project's dashboard) and of
 * what every request pays in the app's middleware, measured in Node with the app's own components
 * and realistic data: `npx tsx bench/render-cpu.tsx [iterations]`. Not a test (nothing here asserts):
 * it prints the median µs per render so a change to a view can be compared before / after. */
import { Hono } from 'hono'
import type { Actor, AppEnv } from '../src/env'
import { AppShell } from '../views/layouts/shell'
import { BarChart } from '../views/components/chart'
import { ProjectsPage } from '../views/projects/list'
import { ProjectOverviewPage } from '../views/projects/overview'
import type { DashboardData } from '../views/projects/dashboard/shared'
import { normalizeOntology } from '../src/modules/projects/ontology'
import type { ProjectSummary } from '../src/modules/projects/schemas'
import { requestContext } from '../src/middleware/request-context'
import { appSecureHeaders, privateNoStore } from '../src/middleware/security'
import { loadActor } from '../src/middleware/auth'
import { csrf } from '../src/middleware/csrf'

const N = Number(process.argv[2] ?? 2000)
/** Only the measurements whose name contains this (e.g. `dashboard`), to profile one page. */
const only = process.argv[3]?.toLowerCase()
const DAY = 86_400_000
const now = Date.UTC(2026, 11, 5, 12)

const actor = {
  via: 'session',
  userId: 'usr_bench0000000000000001',
  orgId: 'org_bench0000000000000001',
  orgName: 'Acme Vision Research',
  email: 'ada.lovelace@example.com',
  fullName: 'Ada Lovelace',
  role: 'ADMIN',
} as unknown as Actor

const ontology = normalizeOntology({
  tools: [
    { name: 'Car', tool: 'bounding_box' },
    { name: 'Person', tool: 'bounding_box' },
    { name: 'Road', tool: 'polygon' },
  ],
  classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
} as never)
// Fixed ids, so two runs draw the same markup (BENCH_RENDER_OUT below).
let fsId = 0
const fix = (f: { feature_schema_id: string; options?: unknown[]; classifications?: unknown[] }): void => {
  f.feature_schema_id = `fs_${String(++fsId).padStart(24, '0')}`
  for (const c of [...(f.options ?? []), ...(f.classifications ?? [])]) fix(c as never)
}
for (const f of [...ontology.tools, ...ontology.classifications]) fix(f as never)

const projects: ProjectSummary[] = Array.from({ length: 50 }, (_, i) => {
  const rows = 1000 + i * 137
  const labeled = Math.floor(rows * ((i % 10) / 10))
  return {
    id: `prj_${String(i).padStart(20, '0')}`,
    name: `Retail shelf detection ${i} <batch & co>`,
    description: i % 3 ? `Bounding boxes for products on shelves, store ${i}` : null,
    media_type: i % 4 ? 'IMAGE' : 'TEXT',
    created_at: new Date(now - i * DAY).toISOString(),
    updated_at: new Date(now - i * DAY).toISOString(),
    created_by: actor.userId,
    pinned: i < 3,
    data_row_count: rows,
    label_count: labeled + 12,
    labeled_count: labeled,
    skipped_count: 7,
    percent_complete: Math.round(((labeled + 7) / rows) * 1000) / 10,
  } as ProjectSummary
})

const series = Array.from({ length: 90 }, (_, i) => ({
  start: new Date(now - (89 - i) * DAY).toISOString().slice(0, 10),
  count: (i * 7919) % 5000,
}))
const people = Array.from({ length: 12 }, (_, i) => ({
  user_id: `usr_${String(i).padStart(20, '0')}`,
  email: `labeler${i}@example.com`,
  full_name: `Labeler Number ${i}`,
  labels: 90_000 - i * 5000,
  skips: 300 + i,
  seconds_total: 400_000 + i * 999,
  seconds_per_label: 4.4 + i / 10,
  last_label_at: new Date(now - i * 3600_000).toISOString(),
}))
const dashboard: DashboardData = {
  p: { ...projects[0]!, name: 'Big project', data_row_count: 200_000, ontology } as DashboardData['p'],
  overview: {
    scope: 'all',
    data_rows: 200_000,
    labeled: 180_000,
    remaining: 15_000,
    skipped: 5_000,
    percent_complete: 92.5,
    reviews: { unreviewed: 100_000, accepted: 60_000, declined: 15_000, ambiguous: 5_000, coverage: 44.4 },
    objects: ontology.tools.map((t, i) => ({ name: t.name, feature_schema_id: t.feature_schema_id, count: 300_000 + i * 11 })),
    classifications: [
      { name: 'Weather', answer: 'Sunny', count: 100_000 },
      { name: 'Weather', answer: 'Rainy', count: 80_000 },
    ],
    collaborators: people,
  },
  series,
  activity: Array.from({ length: 10 }, (_, i) => ({
    id: `lbl_${String(i).padStart(20, '0')}`,
    dataRowId: `drw_${String(i).padStart(20, '0')}`,
    datasetId: 'dst_00000000000000000001',
    externalId: `image-${i}.jpg`,
    globalKey: null,
    createdAt: new Date(now - i * 60_000),
    seconds: 4.2 + i,
    skipped: i === 3,
    reviewState: 'ACCEPTED',
    email: `labeler${i}@example.com`,
    fullName: `Labeler Number ${i}`,
  })) as unknown as DashboardData['activity'],
  scope: 'all',
  bucket: 'day',
  perms: { canLabel: true, canReview: true, canExport: true, canEdit: true, canManageData: true, seeAll: true, canViewDatasets: true },
  selfId: actor.userId,
}
const batches = Array.from({ length: 5 }, (_, i) => ({
  id: `bat_${i}`,
  name: `Batch ${i}`,
  priority: 5,
  size: 40_000,
  created_at: new Date(now - i * DAY).toISOString(),
}))

const shell = (title: string, body: unknown) => (
  <AppShell actor={actor} title={title} section="projects" runningTasks={[]} recentTasks={[]}>
    {body as never}
  </AppShell>
)

// The way c.html renders an element: its toString(), awaited.
const html = async (el: unknown) => String(await (el as { toString(): string | Promise<string> }).toString())

const list = () =>
  html(shell('Projects', <ProjectsPage page={{ items: projects, next_cursor: 'abc' }} search="" canCreate canDelete notice={undefined} />))
const dash = () => html(shell('Big project', <ProjectOverviewPage d={dashboard} batches={batches} />))

// Middleware: the app's global chain in front of a handler that answers a fixed page, against the
// same handler alone (no cookie: loadActor's credential lookup needs D1 and is measured by the
// budgets test, not here).
const PAGE = 'ok'
const handler = (c: { html: (s: string) => Response }) => c.html(PAGE)
const bare = new Hono<AppEnv>().get('/projects', handler as never)
const chained = new Hono<AppEnv>()
chained.use(requestContext, appSecureHeaders, privateNoStore, loadActor, csrf)
chained.get('/projects', handler as never)
const env = { DB: {}, COST_METER: 'off' } as never
const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as never
const request = () => new Request('http://localhost/projects', { headers: { 'user-agent': 'bench', accept: 'text/html' } })
const viaBare = async () => (await bare.fetch(request(), env, exec)).text()
const viaChain = async () => (await chained.fetch(request(), env, exec)).text()

/** Wall time per call in batches of 10 calls: the median batch, and the fastest (the machine may
 * be shared: the fastest batch is the one least disturbed by other processes). */
const encoder = new TextEncoder()
async function measure(name: string, f: () => Promise<string>) {
  if (only && !name.toLowerCase().includes(only)) return
  for (let i = 0; i < Math.min(200, N); i++) await f()
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < N / 10; i++) {
    const t = performance.now()
    // Encoded as the Response does: a page built from many pieces is flattened there, wherever
    // the pieces were joined.
    for (let k = 0; k < 10; k++) bytes = encoder.encode(await f()).length
    times.push(((performance.now() - t) * 1000) / 10)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(0)
  console.log(`${name.padEnd(38)} median ${at(0.5).padStart(6)} µs   fastest ${at(0).padStart(6)} µs   ${bytes} bytes`)
}

// BENCH_RENDER_OUT=dir writes each page once, to compare a change's markup with what was there before.
if (process.env.BENCH_RENDER_OUT) {
  // "3 h ago" is measured from the clock: stopped here, so two runs agree.
  const realNow = Date.now
  Date.now = () => now + 2 * 3600_000
  const { writeFileSync } = await import('node:fs')
  writeFileSync(`${process.env.BENCH_RENDER_OUT}/projects.html`, await list())
  writeFileSync(`${process.env.BENCH_RENDER_OUT}/dashboard.html`, await dash())
  // What must be escaped, in every place a row shows it; a caller who may not delete.
  const odd = projects.map((p, i) => ({ ...p, name: `${p.name} "q" 'a'`, description: i % 2 ? `<b>"${i}"</b> & 'x'` : null }))
  const page = <ProjectsPage page={{ items: odd, next_cursor: null }} search={`"a' <b>&`} canCreate={false} canDelete={false} />
  writeFileSync(`${process.env.BENCH_RENDER_OUT}/projects-odd.html`, await html(shell('Projects', page)))
  // A stacked chart (the usage page's kind), with words that need escaping.
  const stackedChart = (
    <BarChart
      id="c&<"
      title={`Usage "per" <day>`}
      data={series.slice(0, 30).map((d, i) => ({ start: d.start, values: { a: d.count, b: i % 3 ? i : 0 } }))}
      keys={[
        { key: 'a', label: 'Images & <video>', color: 'var(--c-image)' },
        { key: 'b', label: "Text 'n' more", color: 'var(--c-text)' },
      ]}
      unit={['row', 'rows']}
    />
  )
  writeFileSync(`${process.env.BENCH_RENDER_OUT}/chart-stacked.html`, await html(stackedChart))
  Date.now = realNow
}

await measure('Projects page (50 rows, shell)', list)
await measure('Dashboard page (90 days, shell)', dash)
await measure('request: handler alone', viaBare)
await measure('request: global middleware + handler', viaChain)
