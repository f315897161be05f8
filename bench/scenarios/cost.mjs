// What each route and each unit of work costs on D1 (issue 21): round trips, rows read, rows written
// and CPU ms, read from the app's own cost meter (src/db/cost-meter.ts) — the `Server-Timing` header
// of every response and the log line of every queue message and cron run (COST_METER=on with every
// threshold at 0, so each one is logged). Counts are D1's own (`meta.rows_read` / `rows_written`,
// what D1 bills); they do not depend on the machine. CPU ms is wall time minus the wait on D1 in
// wrangler dev (the clock runs live there), the median of BENCH_COST_REPEAT requests.
//
// Two scales: BENCH_COST_SCALE=small (a few hundred of everything) and big (default: 100k projects,
// a project of 1M data rows of which 200k are labeled with 5 annotations each = 1M annotations),
// generated with SQL straight into the local D1 file (bench/data.mjs). The units of work (labels
// through the API, the labeling page and an import; a data-row import; reviews; an export; a usage
// rollup) run on a project of their own made over HTTP, so they cost what they cost a team, on top
// of the big organization.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, d1File, dataRowsSql, q, seedWorkspace, sqlite, waitForTask } from '../data.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const WORK = join(here, '../results/cost-data') // gitignored with bench/results/
const SCALE = process.env.BENCH_COST_SCALE ?? 'big'
const SIZES = {
  small: { projects: 200, labeledRows: 1_000, dataRows: 2_000 },
  big: { projects: 100_000, labeledRows: 200_000, dataRows: 1_000_000 },
}[SCALE]
if (!SIZES) throw new Error(`BENCH_COST_SCALE must be small or big (got ${SCALE})`)
const REPEAT = Number(process.env.BENCH_COST_REPEAT ?? 7)
/** The units of work: how many of each. */
const UNITS = { apiLabels: 20, pageLabels: 10, reviews: 10, importRows: 1_000, importLabels: 500 }
const CRON = /^\s*crons\s*=\s*\[\s*"([^"]+)"/m.exec(readFileSync(join(here, '../../wrangler.toml'), 'utf8'))?.[1]

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)] : NaN
}

/** `d1;desc="2 trips, 5 stmts, 41 read, 0 written";dur=3.1, cpu;dur=1.2, total;dur=4.3` */
function parseTiming(h) {
  const m = /d1;desc="(\d+) trips?, (\d+) stmts?, (\d+) read, (\d+) written";dur=([\d.]+), cpu;dur=([\d.]+), total;dur=([\d.]+)/.exec(
    h ?? '',
  )
  if (!m) throw new Error(`no cost in Server-Timing: ${h}`)
  const [trips, stmts, read, written, d1, cpu, total] = m.slice(1).map(Number)
  return { trips, stmts, read, written, d1, cpu, total }
}

/** The cost lines the meter logged (queue messages, cron runs) since `from` characters of the log. */
function costLines(log, from = 0) {
  const out = []
  for (const m of log.slice(from).matchAll(/cost: (.+?): (\d+) trips?, (\d+) stmts?, (\d+) read, (\d+) written, (\d+) ms/g))
    out.push({ what: m[1], trips: +m[2], stmts: +m[3], read: +m[4], written: +m[5], ms: +m[6] })
  return out
}
const total = (lines, f) => lines.reduce((n, l) => n + l[f], 0)

async function once(base, cookie, { method = 'GET', path, body, form }) {
  const headers = { Cookie: cookie, Origin: base }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded'
  const res = await fetch(base + path, {
    method,
    headers,
    body: form ? new URLSearchParams(form) : body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  })
  const text = await res.text()
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`)
  return { status: res.status, text, cost: parseTiming(res.headers.get('server-timing')) }
}

/** One route: a warm-up request, then REPEAT measured; counts of the last, CPU the median. */
async function costOf(base, cookie, route) {
  await once(base, cookie, route)
  const runs = []
  for (let i = 0; i < REPEAT; i++) runs.push((await once(base, cookie, route)).cost)
  const last = runs[runs.length - 1]
  return { route: route.title ?? `${route.method ?? 'GET'} ${route.path}`, ...last, cpu: median(runs.map((r) => r.cpu)) }
}

let seeded
const ids = {}

function labelLine(project, i) {
  const at = new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString()
  return JSON.stringify({
    data_row: { row_data: `https://storage.example.com/cost/l-${i}.jpg`, global_key: `cost-label-${i}` },
    projects: {
      [project.id]: {
        name: project.name,
        labels: [
          {
            label_kind: 'Default',
            version: '1.0.0',
            label_details: { created_at: at, updated_at: at, created_by: 'labeler@example.com' },
            performance_details: { seconds_to_create: 20, seconds_to_review: 0, skipped: false },
            annotations: {
              objects: [
                { name: 'Car', annotation_kind: 'ImageBoundingBox', bounding_box: { top: 10, left: 20, height: 80, width: 120 } },
                { name: 'Person', annotation_kind: 'ImageBoundingBox', bounding_box: { top: 30, left: 60, height: 90, width: 40 } },
              ],
              classifications: [{ name: 'Weather', radio_answer: { name: i % 2 ? 'Sunny' : 'Rainy' } }],
              relationships: [],
            },
          },
        ],
      },
    },
  })
}

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'cost',
  description: `D1 round trips, rows read/written and CPU ms of every GET route and unit of work (${SCALE}: ${SIZES.projects.toLocaleString('en-US')} projects, ${SIZES.dataRows.toLocaleString('en-US')} data rows, ${(SIZES.labeledRows * 5).toLocaleString('en-US')} annotations)`,
  vars: { COST_METER: 'on', COST_METER_LOG: 'ms=0 trips=0 read=0 written=0' },
  async setup(ctx) {
    seeded = await seedWorkspace(ctx, {
      email: 'bench-cost@bench.labeldesk.test',
      labeled: [{ name: 'Big project (bench)', rows: SIZES.labeledRows }],
      many: SIZES.projects,
      pins: 3,
    })
    const big = seeded.ids.projects[0].id
    // The rest of the data rows, unlabeled, in the same dataset and the big project (a second batch).
    const more = SIZES.dataRows - SIZES.labeledRows
    if (more > 0)
      await ctx.offline(() => {
        const db = d1File(ctx.persistTo)
        const { orgId, userId, datasetId } = seeded.ids
        const at = Date.now() - 50 * 86_400_000
        const batchId = `bat_cost${String(Date.now()).padStart(18, '0')}`
        sqlite(
          db,
          `BEGIN;
${dataRowsSql({ orgId, datasetId, userId, count: more, at, tag: 'more' })}
INSERT INTO batches (id, org_id, project_id, name, priority, size, created_by, created_at) VALUES (${q(batchId)}, ${q(orgId)}, ${q(big)}, 'Unlabeled rows', 3, 0, ${q(userId)}, ${at});
INSERT INTO project_data_rows (project_id, data_row_id, batch_id, priority, workflow_status, label_count, skip_count, reserved_by, reserved_until, created_at)
  SELECT ${q(big)}, id, ${q(batchId)}, 3, 'TO_LABEL', 0, 0, NULL, NULL, ${at} FROM data_rows WHERE dataset_id = ${q(datasetId)} AND global_key LIKE 'bench-more-%';
COMMIT;`,
        )
      })
    console.log(`bench: generated in ${JSON.stringify(seeded.timings)} s`)
    const auth = { cookie: seeded.cookie }
    const b = ctx.base
    // Things for the routes to show, made over HTTP.
    ids.big = big
    ids.dataset = seeded.ids.datasetId
    ids.row = (await api(b, auth, 'GET', `/datasets/${ids.dataset}/data-rows?limit=1`)).items[0].id
    ids.label = (await api(b, auth, 'GET', `/projects/${big}/labels?limit=1`)).items[0].id
    ids.webhook = (await api(b, auth, 'POST', '/webhooks', { url: 'https://hooks.example.com/cost', topics: ['LABEL_CREATED'] })).id
    ids.integration = (await api(b, auth, 'POST', '/integrations', { provider: 'AWS', name: 'S3 images' })).id
    await api(b, auth, 'POST', '/invitations', { email: 'invitee@bench.labeldesk.test', role: 'LABELER' })
  },
  routes: () => [],
  async run(ctx) {
    const cookie = seeded.cookie
    const auth = { cookie }
    const b = () => ctx.base
    const { big, dataset, row, label, webhook, integration } = ids
    // Units of work on a project of their own.
    const work = await api(b(), auth, 'POST', '/projects', {
      name: 'Cost of work',
      media_type: 'IMAGE',
      ontology: {
        tools: [
          { name: 'Car', tool: 'bounding_box' },
          { name: 'Person', tool: 'bounding_box' },
        ],
        classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
      },
    })
    const rowsDataset = (await api(b(), auth, 'POST', '/datasets', { name: 'Cost of work rows' })).id
    mkdirSync(WORK, { recursive: true })
    const units = []
    const unit = (name, per, { trips, read, written }, n, note = '') =>
      units.push({ unit: name, per, n, trips: trips / n, read: read / n, written: written / n, note }) &&
      console.log(
        `bench: ${name}: per ${per}: ${(trips / n).toFixed(2)} trips, ${(read / n).toFixed(1)} read, ${(written / n).toFixed(2)} written (${note})`,
      )

    // 1. A data-row import (the request, then its queue messages).
    const manifest = Array.from({ length: UNITS.importRows }, (_, i) =>
      JSON.stringify({ row_data: `https://storage.example.com/cost/r-${i}.jpg`, global_key: `cost-row-${i}` }),
    ).join('\n')
    let mark = ctx.log().length
    const imp = await fetch(`${b()}/api/v1/datasets/${rowsDataset}/imports?filename=rows.ndjson`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: b(), 'Content-Type': 'application/x-ndjson' },
      body: manifest,
    })
    const impTask = await imp.json()
    const impReq = parseTiming(imp.headers.get('server-timing'))
    await waitForTask(b(), auth, impTask.id)
    await new Promise((r) => setTimeout(r, 1000))
    const impQ = costLines(ctx.log(), mark).filter((l) => l.what.includes(impTask.id))
    const sumOf = (req, lines) => ({
      trips: req.trips + total(lines, 'trips'),
      read: req.read + total(lines, 'read'),
      written: req.written + total(lines, 'written'),
    })
    unit('data-row import (NDJSON manifest)', 'data row imported', sumOf(impReq, impQ), UNITS.importRows, `${impQ.length} queue messages`)

    // 2. Labels through the API, on rows of that import attached to the work project.
    const rows = []
    for (let cursor; rows.length < UNITS.importRows; ) {
      const page = await api(b(), auth, 'GET', `/datasets/${rowsDataset}/data-rows?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
      rows.push(...page.items.map((r) => r.id))
      if (!(cursor = page.next_cursor)) break
    }
    await api(b(), auth, 'POST', `/projects/${work.id}/batches`, { name: 'all', data_row_ids: rows.slice(0, 200) })
    const api1 = { trips: 0, read: 0, written: 0 }
    const labelIds = []
    for (let i = 0; i < UNITS.apiLabels; i++) {
      const r = await once(b(), cookie, {
        method: 'POST',
        path: `/api/v1/projects/${work.id}/labels`,
        body: {
          data_row_id: rows[i],
          annotations: {
            objects: [{ name: 'Car', bounding_box: { top: 1, left: 2, height: 30, width: 40 } }],
            classifications: [{ name: 'Weather', radio_answer: { name: 'Sunny' } }],
          },
        },
      })
      labelIds.push(JSON.parse(r.text).id)
      for (const k of ['trips', 'read', 'written']) api1[k] += r.cost[k]
    }
    unit('label through the API (1 box + 1 answer)', 'label', api1, UNITS.apiLabels)

    // 3. Labels through the labeling page: GET the page (it reserves a row), POST the form.
    const page1 = { trips: 0, read: 0, written: 0 }
    for (let i = 0; i < UNITS.pageLabels; i++) {
      const got = await once(b(), cookie, { path: `/projects/${work.id}/label` })
      const field = (n) =>
        new RegExp(`name="${n}"[^>]*value="([^"]*)"`).exec(got.text)?.[1] ??
        new RegExp(`value="([^"]*)"[^>]*name="${n}"`).exec(got.text)?.[1]
      const form = { data_row_id: field('data_row_id'), started_at: String(Date.now() - 20_000) }
      form.objects = JSON.stringify([{ name: 'Car', bounding_box: { top: 5, left: 5, height: 20, width: 20 } }])
      for (const m of got.text.matchAll(/name="(cls\.[^"]+)"[^>]*value="([^"]*)"/g)) form[m[1]] ??= m[2]
      const r = await once(b(), cookie, { method: 'POST', path: `/projects/${work.id}/label`, form })
      if (r.status !== 303) throw new Error(`labeling page answered ${r.status}: ${r.text.slice(0, 300)}`)
      for (const k of ['trips', 'read', 'written']) page1[k] += r.cost[k]
    }
    unit('label through the labeling page (1 box + 1 answer; the POST)', 'label', page1, UNITS.pageLabels)

    // 4. Reviews through the API.
    const rev = { trips: 0, read: 0, written: 0 }
    for (const id of labelIds.slice(0, UNITS.reviews)) {
      const r = await once(b(), cookie, { method: 'POST', path: `/api/v1/labels/${id}/reviews`, body: { score: 1 } })
      for (const k of ['trips', 'read', 'written']) rev[k] += r.cost[k]
    }
    unit('review through the API', 'review', rev, UNITS.reviews)

    // 5. A label import (Labelbox export v2 lines, new data rows, 2 boxes + 1 answer each).
    const labelFile = Array.from({ length: UNITS.importLabels }, (_, i) => labelLine(work, i)).join('\n')
    writeFileSync(join(WORK, 'labels.ndjson'), labelFile)
    const labelsDataset = (await api(b(), auth, 'POST', '/datasets', { name: 'Cost of work label import' })).id
    mark = ctx.log().length
    const li = await fetch(`${b()}/api/v1/projects/${work.id}/label-imports?dataset_id=${labelsDataset}&filename=labels.ndjson`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: b(), 'Content-Type': 'application/x-ndjson' },
      body: labelFile,
    })
    const liTask = await li.json()
    if (!li.ok) throw new Error(`label import: ${li.status} ${JSON.stringify(liTask)}`)
    const liDone = await waitForTask(b(), auth, liTask.id)
    await new Promise((r) => setTimeout(r, 1000))
    const liQ = costLines(ctx.log(), mark).filter((l) => l.what.includes(liTask.id))
    const liSum = sumOf(parseTiming(li.headers.get('server-timing')), liQ)
    unit(
      'label import (export v2 line: new data row + label of 2 boxes + 1 answer)',
      'label',
      liSum,
      UNITS.importLabels,
      `${liDone.task.status}, ${liQ.length} queue messages`,
    )
    unit('label import, per annotation (3 per line)', 'annotation', liSum, UNITS.importLabels * 3)

    // 6. An export of the work project (NDJSON), per line.
    mark = ctx.log().length
    const ex = await fetch(`${b()}/api/v1/projects/${work.id}/exports`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: b(), 'Content-Type': 'application/json' },
      body: '{}',
    })
    const exTask = await ex.json()
    const exDone = await waitForTask(b(), auth, exTask.id)
    await new Promise((r) => setTimeout(r, 1000))
    const exQ = costLines(ctx.log(), mark).filter((l) => l.what.includes(exTask.id))
    const exLines = Number(exDone.task.result?.lines ?? exDone.task.metadata?.lines ?? 0) || 200 + UNITS.importLabels
    unit(
      'export (NDJSON, labels section)',
      'exported line',
      sumOf(parseTiming(ex.headers.get('server-timing')), exQ),
      exLines,
      `${exLines} lines, ${exQ.length} queue messages`,
    )

    // 7. One usage rollup run (the cron), after the labels above: per new annotation.
    const newAnnotations = UNITS.apiLabels * 2 + UNITS.pageLabels * 2 + UNITS.importLabels * 3
    mark = ctx.log().length
    const cr = await fetch(`${b()}/__scheduled?cron=${encodeURIComponent(CRON)}`)
    await cr.text()
    await new Promise((r) => setTimeout(r, 500))
    const crQ = costLines(ctx.log(), mark).filter((l) => l.what.startsWith('cron'))
    unit(
      'usage rollup (the cron run, all its steps)',
      'new annotation',
      sumOf({ trips: 0, read: 0, written: 0 }, crQ),
      newAnnotations,
      `${newAnnotations} new annotations since the last run`,
    )

    // Every GET route, after the work above (the Tasks menu then has tasks).
    const routes = [
      '/api/v1/me',
      '/account',
      '/api/v1/api-keys',
      '/account/api',
      '/api/v1/members',
      '/api/v1/invitations',
      '/members',
      '/members/rows?search=labeler',
      '/api/v1/webhooks',
      `/api/v1/webhooks/${webhook}`,
      '/account/webhooks',
      `/account/webhooks/${webhook}`,
      '/api/v1/usage?start_date=2026-11-01&end_date=2026-11-30',
      '/account/usage',
      '/api/v1/projects',
      `/api/v1/projects/${big}`,
      `/api/v1/projects/${big}/members`,
      `/api/v1/projects/${big}/batches`,
      '/projects',
      '/projects/rows?search=needle',
      '/projects?search=retail',
      '/projects/new',
      `/projects/${big}`,
      `/projects/${big}?scope=mine&bucket=week`,
      `/projects/${big}/labels-chart`,
      `/projects/${big}/settings`,
      `/projects/${big}/settings/members`,
      `/projects/${big}/settings/data`,
      `/projects/${big}/export`,
      `/api/v1/projects/${big}/labels`,
      `/api/v1/projects/${big}/overview`,
      `/api/v1/projects/${big}/label-series`,
      `/api/v1/labels/${label}`,
      `/projects/${big}/label`,
      `/projects/${big}/review`,
      '/api/v1/tasks',
      `/api/v1/tasks/${exTask.id}`,
      `/api/v1/tasks/${exTask.id}/errors`,
      '/tasks',
      '/tasks/rows',
      '/tasks/menu',
      '/datasets',
      '/datasets/new',
      `/datasets/${dataset}`,
      `/datasets/${dataset}/rows/${row}`,
      `/datasets/${dataset}/delete`,
      `/datasets/${rowsDataset}/imports/${impTask.id}`,
      '/api/v1/datasets',
      `/api/v1/datasets/${dataset}`,
      `/api/v1/datasets/${dataset}/data-rows`,
      `/api/v1/data-rows?global_key=bench-img-0000001`,
      `/api/v1/data-rows/${row}`,
      '/api/v1/integrations',
      `/api/v1/integrations/${integration}`,
      '/account/integrations',
      `/account/integrations/${integration}`,
    ]
    const costs = []
    for (const path of routes) {
      process.stdout.write(`bench: ${path} … `)
      try {
        const c = await costOf(b(), cookie, { path })
        console.log(`${c.trips} trips, ${c.read} read, ${c.written} written, ${c.cpu} ms`)
        costs.push(c)
      } catch (e) {
        console.log(`failed: ${e.message}`)
        costs.push({ route: `GET ${path}`, error: e.message })
      }
    }
    const named = (p) =>
      p
        .replaceAll(big, '{big}')
        .replaceAll(dataset, '{dataset}')
        .replaceAll(row, '{row}')
        .replaceAll(label, '{label}')
        .replaceAll(webhook, '{webhook}')
        .replaceAll(integration, '{integration}')
        .replaceAll(exTask.id, '{task}')
        .replaceAll(impTask.id, '{task}')
        .replaceAll(rowsDataset, '{dataset}')
    const f = (n, d = 0) => (n == null || Number.isNaN(n) ? '–' : Number(n).toFixed(d))
    const table = [
      `| route (${SCALE}) | trips | stmts | rows read | rows written | CPU ms (median of ${REPEAT}) |`,
      '|---|---:|---:|---:|---:|---:|',
      ...costs.map((c) =>
        c.error
          ? `| ${named(c.route)} | failed: ${c.error.slice(0, 80)} | | | | |`
          : `| ${named(c.route)} | ${c.trips} | ${c.stmts} | ${c.read} | ${c.written} | ${f(c.cpu, 1)} |`,
      ),
    ].join('\n')
    const unitTable = [
      `| unit of work (${SCALE}) | per | n | trips | rows read | rows written | |`,
      '|---|---|---:|---:|---:|---:|---|',
      ...units.map((u) => `| ${u.unit} | ${u.per} | ${u.n} | ${f(u.trips, 2)} | ${f(u.read, 1)} | ${f(u.written, 2)} | ${u.note} |`),
    ].join('\n')
    console.log(`\n${table}\n\n${unitTable}\n`)
    return [{ scale: SCALE, sizes: SIZES, costs, units, table, unitTable, generated: seeded.timings }]
  },
}
