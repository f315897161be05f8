// Load (issue 22): `BENCH_LOAD_CONNECTIONS` (200) requests in flight for `BENCH_LOAD_SECONDS` (60)
// against the local server, a mix of reads and writes through the API — project list and search,
// pin / unpin, label writes, batch creation, exports — then a check that nothing was lost (every
// label and batch the server answered 201 for is in D1) and that every counter the database
// triggers keep equals a recount (migrations/0001_counters.sql, 0003_label_counters.sql):
// datasets.row_count, projects.data_row_count and label_count, batches.size,
// project_data_rows.label_count, project_member_stats.labels. Prints req/s, p50/p99 per route and
// the answers by status; a lost write or a counter off by one fails the run.
//
// Each of the connections is a loop in this process (undici's fetch with a pool as large), so
// every request's route, status and latency are known; the server is `wrangler dev` like the other
// scenarios, on the same 2-core box as this client.
import { Agent, fetch as ufetch } from 'undici' // a dependency of wrangler/miniflare, like bench/data.mjs's 'ws'
import { api, bootstrap, d1File, q, sqlite } from '../data.mjs'
import { withForeignCpu } from '../lib.mjs'

const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 200)
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60)
const PROJECTS = 20
const ROWS_PER_PROJECT = 200
const SPARE_ROWS = 20_000 // rows not yet in any project: batch creation takes 5 at a time

let s

/** Weighted routes: each request picks one; `make` returns [method, path, body]. */
function routes() {
  let spare = 0
  const pick = (a) => a[Math.floor(Math.random() * a.length)]
  return [
    { name: 'GET /api/v1/projects', weight: 30, make: () => ['GET', '/projects?limit=50'] },
    {
      name: 'GET /api/v1/projects?search=',
      weight: 15,
      make: () => ['GET', `/projects?search=${pick(['Load', 'Load 1', 'oad 7', 'zzz'])}`],
    },
    { name: 'GET /api/v1/projects/{id}/overview', weight: 10, make: () => ['GET', `/projects/${pick(s.projects).id}/overview`] },
    { name: 'PUT /api/v1/projects/{id}/pin', weight: 8, make: () => ['PUT', `/projects/${pick(s.projects).id}/pin`] },
    { name: 'DELETE /api/v1/projects/{id}/pin', weight: 7, make: () => ['DELETE', `/projects/${pick(s.projects).id}/pin`] },
    {
      name: 'POST /api/v1/projects/{id}/labels',
      weight: 25,
      make: () => {
        const p = pick(s.projects)
        const row = pick(p.rows)
        return [
          'POST',
          `/projects/${p.id}/labels`,
          { data_row_id: row, annotations: { classifications: [{ name: 'Q', text_answer: { content: 'load' } }] } },
        ]
      },
    },
    {
      name: 'POST /api/v1/projects/{id}/batches',
      weight: 4,
      make: () => {
        const ids = s.spare.slice(spare, spare + 5)
        spare += 5
        return ['POST', `/projects/${pick(s.projects).id}/batches`, { name: `load ${spare}`, data_row_ids: ids }]
      },
    },
    { name: 'POST /api/v1/projects/{id}/exports', weight: 1, make: () => ['POST', `/projects/${pick(s.projects).id}/exports`, {}] },
  ]
}

function percentile(sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'load',
  description: `${CONNECTIONS} connections for ${SECONDS} s, reads and writes mixed; then nothing lost and counters equal a recount`,
  async setup(ctx) {
    const { key } = await bootstrap(ctx.base, 'load@bench.test')
    const auth = { key }
    const d = await api(ctx.base, auth, 'POST', '/datasets', { name: 'Load rows' })
    const all = []
    const total = PROJECTS * ROWS_PER_PROJECT + SPARE_ROWS
    for (let i = 0; i < total; i += 1000) {
      const chunk = Array.from({ length: Math.min(1000, total - i) }, (_, k) => ({
        row_data: `https://x.test/${i + k}.jpg`,
        global_key: `load-${i + k}`,
      }))
      const r = await api(ctx.base, auth, 'POST', `/datasets/${d.id}/data-rows`, chunk)
      all.push(...r.created.map((x) => x.id))
    }
    const projects = []
    for (let i = 0; i < PROJECTS; i++) {
      const p = await api(ctx.base, auth, 'POST', '/projects', {
        name: `Load ${i}`,
        media_type: 'IMAGE',
        ontology: { classifications: [{ name: 'Q', type: 'text' }] },
      })
      const rows = all.slice(i * ROWS_PER_PROJECT, (i + 1) * ROWS_PER_PROJECT)
      await api(ctx.base, auth, 'POST', `/projects/${p.id}/batches`, { name: 'first', data_row_ids: rows })
      projects.push({ id: p.id, rows })
    }
    s = { auth, datasetId: d.id, projects, spare: all.slice(PROJECTS * ROWS_PER_PROJECT) }
  },
  async run(ctx) {
    const table = routes()
    const weights = table.reduce((n, r) => n + r.weight, 0)
    const choose = () => {
      let x = Math.random() * weights
      for (const r of table) if ((x -= r.weight) < 0) return r
      return table[0]
    }
    const dispatcher = new Agent({ connections: CONNECTIONS, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 })
    const stats = new Map(table.map((r) => [r.name, { latencies: [], statuses: {} }]))
    const created = { labels: [], batches: [] }
    const errors = {}
    const end = Date.now() + SECONDS * 1000
    const started = Date.now()
    const one = async () => {
      while (Date.now() < end) {
        const r = choose()
        const [method, path, body] = r.make()
        const t = performance.now()
        let status
        try {
          const res = await ufetch(`${ctx.base}/api/v1${path}`, {
            method,
            dispatcher,
            headers: { Authorization: `Bearer ${s.auth.key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          })
          status = res.status
          const text = await res.text()
          if (status === 201 && r.name.endsWith('/labels')) created.labels.push(JSON.parse(text).id)
          if (status === 201 && r.name.endsWith('/batches'))
            created.batches.push({ id: JSON.parse(text).id, rows: body.data_row_ids.length })
          if (status >= 500) errors[`${status} ${r.name}`] = text.slice(0, 300)
        } catch (e) {
          status = `error ${e.cause?.code ?? e.name}`
        }
        const st = stats.get(r.name)
        st.latencies.push(performance.now() - t)
        st.statuses[status] = (st.statuses[status] ?? 0) + 1
      }
    }
    const [, foreignCpuPct, serverCpuSeconds] = await withForeignCpu(ctx.pgid, () => Promise.all(Array.from({ length: CONNECTIONS }, one)))
    const seconds = (Date.now() - started) / 1000
    await dispatcher.close()
    let requests = 0
    const rows = []
    for (const [name, st] of stats) {
      const sorted = st.latencies.sort((a, b) => a - b)
      requests += sorted.length
      rows.push({
        name,
        n: sorted.length,
        rps: sorted.length / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        statuses: st.statuses,
      })
    }
    console.log(
      `bench: load ${CONNECTIONS} connections × ${seconds.toFixed(0)} s: ${requests} requests, ${(requests / seconds).toFixed(0)} req/s; server CPU ${serverCpuSeconds?.toFixed(0)} s; other processes ${foreignCpuPct}% of the cores`,
    )
    console.log('| route | requests | req/s | p50 | p99 | answers by status |')
    console.log('| ----- | -------: | ----: | --: | --: | ----------------- |')
    for (const r of rows)
      console.log(
        `| ${r.name} | ${r.n} | ${r.rps.toFixed(1)} | ${r.p50?.toFixed(0)} ms | ${r.p99?.toFixed(0)} ms | ${Object.entries(r.statuses)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')} |`,
      )
    for (const [k, v] of Object.entries(errors)) console.log(`bench: 5xx ${k}: ${v}`)

    // Let queued work (exports) end, then check D1 with the server stopped.
    await new Promise((r) => setTimeout(r, 5000))
    const problems = await ctx.offline(() => {
      const db = d1File(ctx.persistTo)
      const out = []
      const count = (sql) => Number(sqlite(db, sql).trim())
      const ids = (list) => list.map(q).join(',')
      for (let i = 0; i < created.labels.length; i += 500) {
        const part = created.labels.slice(i, i + 500)
        const found = count(`SELECT count(*) FROM labels WHERE id IN (${ids(part)});`)
        if (found !== part.length) out.push(`labels answered 201 but missing: ${part.length - found}`)
      }
      for (const b of created.batches) {
        const size = count(`SELECT count(*) FROM project_data_rows WHERE batch_id = ${q(b.id)};`)
        if (size !== b.rows) out.push(`batch ${b.id}: ${size} rows in D1, ${b.rows} sent`)
      }
      const checks = {
        'datasets.row_count': `SELECT count(*) FROM datasets d WHERE row_count != (SELECT count(*) FROM data_rows WHERE dataset_id = d.id);`,
        'projects.data_row_count': `SELECT count(*) FROM projects p WHERE data_row_count != (SELECT count(*) FROM project_data_rows WHERE project_id = p.id);`,
        'projects.label_count': `SELECT count(*) FROM projects p WHERE label_count != (SELECT count(*) FROM labels WHERE project_id = p.id AND NOT skipped);`,
        'batches.size': `SELECT count(*) FROM batches b WHERE size != (SELECT count(*) FROM project_data_rows WHERE batch_id = b.id);`,
        'project_data_rows.label_count': `SELECT count(*) FROM project_data_rows r WHERE label_count != (SELECT count(*) FROM labels WHERE project_id = r.project_id AND data_row_id = r.data_row_id AND NOT skipped);`,
        'project_member_stats.labels': `SELECT count(*) FROM project_member_stats m WHERE labels != (SELECT count(*) FROM labels WHERE project_id = m.project_id AND created_by = m.user_id AND NOT skipped);`,
      }
      for (const [name, sql] of Object.entries(checks)) {
        const off = count(sql)
        if (off) out.push(`${name}: ${off} rows differ from a recount`)
        else console.log(`bench: ${name} equals a recount`)
      }
      const labels = count(`SELECT count(*) FROM labels WHERE project_id IN (${ids(s.projects.map((p) => p.id))});`)
      console.log(
        `bench: ${created.labels.length} labels and ${created.batches.length} batches answered 201; ${labels} labels in D1 for the load projects`,
      )
      return out
    })
    for (const p of problems) console.log(`bench: LOST OR WRONG: ${p}`)
    if (problems.length) process.exitCode = 1
    // Not in the shape of measure()'s rows (run.mjs tables those): kept under `extra` in the JSON.
    return rows.map((r) => ({ route: r.name, requests: r.n, reqPerSec: r.rps, p50Ms: r.p50, p99Ms: r.p99, statuses: r.statuses }))
  },
}
