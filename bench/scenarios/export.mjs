// Export at scale (issue 7 item 6): two projects generated like the `projects` scenario's big one
// (bench/data.mjs), 50k and 200k data rows with one 5-annotation label each (250k / 1M
// annotations), exported with POST /api/v1/projects/{id}/exports {} and polled until COMPLETE —
// then again in each other format of issue 18 ({"format": "coco" | "yolo" | "voc" | "csv"}), timed
// beside the NDJSON export (every generated row is a 640×480 image, so none is left out).
// The server is restarted before each export so that workerd's resident memory starts from the
// same point; it is sampled every 250 ms. The result is downloaded, its lines counted and hashed.
//
// The raw time to compare with: sqlite3 on the same D1 file (server stopped, warm page cache)
// writes the same NDJSON lines — the same join, rows in the same order, the same JSON for
// params {} (data_row id/global_key/external_id/row_data, the project's labels with their
// annotations) — straight to a file. When the bytes are identical the hashes say so.
//
// A second raw time, the other one issue 7 names ("a bare query loop in the same Worker"):
// bench/raw-export-worker.ts, served by `wrangler dev` from the same state, has SQLite build the
// same lines a keyset page at a time and writes them to R2 with one multipart upload — the same
// work on the same local D1 and R2, without the task framework. Its size and line count must match
// the dump's.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, download, q, sampleRss, sampleWorkerHeap, seedWorkspace, sqlite, waitForTask } from '../data.mjs'
import { withForeignCpu } from '../lib.mjs'
import { explainExportQueries, plansMarkdown, scans } from '../explain.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const WORK = join(here, '../results/export-data') // gitignored with bench/results/
const SIZES = (process.env.BENCH_EXPORT_SIZES ?? '50000,200000').split(',').map(Number)
// Issue 18: every format beside NDJSON, each on a fresh workerd; NDJSON first (the others' yardstick).
const FORMATS = (process.env.BENCH_EXPORT_FORMATS ?? 'ndjson,coco,yolo,voc,csv').split(',')
const tag = (n) => `${n / 1000}k`

/** One NDJSON line per data row of the project, as buildLines() writes it for params {}. */
const rawDumpSql = (projectId) => `
SELECT json_object(
  'data_row', json_object('id', d.id, 'global_key', d.global_key, 'external_id', d.external_id, 'row_data', d.row_data),
  'projects', json_object(${q(projectId)}, json_object('name', (SELECT name FROM projects WHERE id = ${q(projectId)}), 'labels',
    (SELECT json_group_array(json_object('id', l.id, 'label_kind', 'Default', 'version', '1.0.0', 'annotations', json(l.annotations)))
       FROM (SELECT id, annotations FROM labels INDEXED BY labels_import_uq WHERE project_id = ${q(projectId)} AND data_row_id = pdr.data_row_id ORDER BY id) l))))
FROM project_data_rows pdr
CROSS JOIN data_rows d ON d.id = pdr.data_row_id AND d.org_id = (SELECT org_id FROM projects WHERE id = ${q(projectId)})
CROSS JOIN datasets ds ON ds.id = d.dataset_id
WHERE pdr.project_id = ${q(projectId)}
ORDER BY pdr.data_row_id;
`

function rawDump(db, projectId, file) {
  const out = openSync(file, 'w')
  try {
    const t = process.hrtime.bigint()
    const r = spawnSync('sqlite3', ['-bail', '-noheader', '-list', db], {
      input: rawDumpSql(projectId),
      stdio: ['pipe', out, 'pipe'],
      encoding: 'utf8',
    })
    const seconds = Number(process.hrtime.bigint() - t) / 1e9
    if (r.status !== 0) throw new Error(`sqlite3 dump failed: ${r.stderr?.slice(0, 1000)}`)
    return seconds
  } finally {
    closeSync(out)
  }
}

function fileFacts(file) {
  const buf = readFileSync(file) // ≤ a few hundred MB, once, in the runner (not the worker)
  let lines = 0
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) lines++
  return { bytes: buf.length, lines, sha256: createHash('sha256').update(buf).digest('hex') }
}

/** One export of `p` in `format`, on a fresh workerd: time to COMPLETE, memory, the file's facts. */
async function exportOnce(ctx, p, format) {
  const auth = { key: s.key }
  const name = `${format} ${tag(p.rows)}`
  // Other processes' CPU while this ran (% of all cores), as for the routes: > 10 % = disturbed.
  // And the server's own CPU time (wrangler, workerd), which a busy box stretches far less than the wall time.
  const [out, foreignCpuPct, serverCpuSeconds] = await withForeignCpu(ctx.pgid, async () => {
    const rss = sampleRss(ctx)
    const heap = await sampleWorkerHeap(ctx)
    const t0 = performance.now()
    const task = await api(ctx.base, auth, 'POST', `/projects/${p.id}/exports`, format === 'ndjson' ? {} : { format })
    let last = -1
    const done = await waitForTask(ctx.base, auth, task.id, {
      startedAt: t0,
      timeoutMs: 12 * 60_000,
      stuckAfterMs: 30_000,
      onPoll: (t) => {
        const pct = Math.floor(t.completion_percentage / 10) * 10
        if (pct !== last) {
          last = pct
          process.stdout.write(
            `bench: export ${name}: ${t.status} ${t.completion_percentage}% after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
          )
        }
      },
    })
    const mem = rss.stop()
    const js = heap ? await heap.stop() : null
    return { task, done, mem, js }
  })
  const { task, done, mem, js } = out
  const raw = s.raw[p.rows]
  const r = {
    format,
    rows: p.rows,
    annotations: p.rows * 5,
    status: done.stuck ? 'STUCK' : done.task.status,
    failureReason: done.task.failure_reason,
    rawSeconds: raw.seconds,
    rawBytes: raw.bytes,
    workerdMiB: mem,
    workerHeapMiB: js,
    taskMetadata: done.task.metadata,
    hasErrors: Boolean(done.task.errors_url),
    foreignCpuPct,
    serverCpuSeconds,
  }
  if (done.task.status === 'COMPLETE') {
    r.metadata = await api(ctx.base, auth, 'GET', `/tasks/${task.id}/result/metadata`)
    const t1 = performance.now()
    const file = await download(ctx.base, auth, `/tasks/${task.id}/result`)
    Object.assign(r, {
      exportSeconds: done.seconds,
      ratio: done.seconds / raw.seconds,
      lines: file.lines,
      bytes: file.bytes,
      identicalToRaw: format === 'ndjson' ? file.sha256 === raw.sha256 : undefined,
      downloadSeconds: (performance.now() - t1) / 1000,
    })
    if (format === 'ndjson' && file.lines !== p.rows) r.status = `COMPLETE with ${file.lines} lines`
    // Every generated row is a 640×480 image: no format may leave one out.
    if (r.hasErrors) r.status = 'COMPLETE with an error report'
    console.log(
      `bench: export ${name}: ${done.seconds.toFixed(1)} s vs raw ${raw.seconds.toFixed(1)} s (${r.ratio.toFixed(1)}×); server CPU ${serverCpuSeconds?.toFixed(1)} s, other processes ${foreignCpuPct}% of the cores; ${file.lines} lines, ${(file.bytes / 1024 / 1024).toFixed(1)} MiB${format === 'ndjson' ? (r.identicalToRaw ? ', byte-identical to the raw dump' : ', DIFFERENT from the raw dump') : ''}${r.hasErrors ? ', WITH AN ERROR REPORT' : ''}`,
    )
  } else {
    // Every slice ran (the failure comes from the last one), so the time the failure first showed
    // is the time to write every part; the file itself never becomes downloadable.
    r.exportSeconds = done.failureSeenAt ?? done.seconds
    r.ratio = r.exportSeconds / raw.seconds
    console.log(
      `bench: export ${name}: FAILED — task ${r.status} at ${done.task.completion_percentage}% (${done.task.metadata.lines_written ?? '?'} lines reported) with "${done.task.failure_reason}" first seen after ${r.exportSeconds.toFixed(1)} s (raw dump ${raw.seconds.toFixed(1)} s); no file to download`,
    )
    process.exitCode = 1
  }
  console.log(
    `bench:   workerd RSS ${mem.startMiB} → peak ${mem.peakMiB} MiB (RssAnon ${mem.anonStartMiB} → ${mem.anonPeakMiB} MiB); RSS/RssAnon MiB at 0, 10 … 100 % of the time: ${mem.timeline}`,
  )
  console.log(
    `bench:   the worker's JS heap (used MiB) at 0, 10 … 100 %: ${js ? js.timeline : 'inspector not found'}; peak ${js?.usedPeakMiB} MiB used of ${js?.totalPeakMiB} MiB`,
  )
  return r
}

let s

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'export',
  description: `Exports in ${FORMATS.join(', ')} (POST /api/v1/projects/{id}/exports {"format"}) of projects with ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} data rows × 5 annotations vs a raw sqlite3 → NDJSON dump`,
  async setup(ctx) {
    mkdirSync(WORK, { recursive: true })
    const seeded = await seedWorkspace(ctx, {
      email: 'bench-export@bench.labeldesk.test',
      labeled: SIZES.map((n) => ({ name: `Export ${tag(n)} (bench)`, rows: n })),
      inspect: async (db, ids) => {
        const big = ids.projects[ids.projects.length - 1]
        const page = sqlite(
          db,
          `SELECT data_row_id FROM project_data_rows WHERE project_id = ${q(big.id)} ORDER BY data_row_id LIMIT 1000;`,
        )
          .trim()
          .split('\n')
        const plans = await explainExportQueries(db, { userId: ids.userId, orgId: ids.orgId, projectId: big.id, dataRowIds: page })
        const raw = { plans }
        for (const p of ids.projects) {
          const file = join(WORK, `raw-${tag(p.rows)}.ndjson`)
          rawDump(db, p.id, file) // once to warm the page cache, as the export will find it
          const seconds = rawDump(db, p.id, file)
          raw[p.rows] = { seconds, ...fileFacts(file) }
          rmSync(file, { force: true })
          console.log(
            `bench: raw sqlite3 dump of ${tag(p.rows)} rows: ${seconds.toFixed(1)} s, ${raw[p.rows].lines} lines, ${(raw[p.rows].bytes / 1024 / 1024).toFixed(1)} MiB`,
          )
        }
        return raw
      },
    })
    console.log(`bench: generated in ${JSON.stringify(seeded.timings)} s; database ${seeded.dbMiB} MiB`)
    for (const [name, c] of Object.entries(seeded.checks)) console.log(`bench: ${name}: ${JSON.stringify(c)}`)
    console.log(`\n${plansMarkdown(seeded.inspected.plans)}\n`)
    const scanning = scans(seeded.inspected.plans)
    console.log(`bench: export statements whose plan has SCAN: ${scanning.length ? scanning.map((p) => p.name).join(', ') : 'none'}`)
    s = {
      key: seeded.key,
      projects: seeded.ids.projects,
      raw: seeded.inspected,
      checks: seeded.checks,
      timings: seeded.timings,
      dbMiB: seeded.dbMiB,
    }
  },
  async run(ctx) {
    const results = []
    for (const p of s.projects)
      for (const format of FORMATS) {
        await ctx.offline(() => {}) // a fresh workerd for each export
        results.push(await exportOnce(ctx, p, format))
      }
    // The bare loop, twice per project (the first warms the page cache, as the dump's first run does).
    const loops = {}
    await ctx.withEntry('bench/raw-export-worker.ts', async (other) => {
      for (const p of s.projects) {
        let out
        for (let i = 0; i < 2; i++) {
          let res = await fetch(`${other.base}/__bench/raw-export?project=${encodeURIComponent(p.id)}`, { method: 'POST' })
          // wrangler dev answers a POST in flight with this 503 when it reloads the Worker (see
          // "Your worker restarted mid-request" in BENCHMARKS.md); the loop only writes a scratch
          // object, so running it again is safe.
          for (let retry = 0; retry < 2 && res.status === 503 && /restarted mid-request/.test(await res.clone().text()); retry++) {
            console.log(`bench: bare-loop export of ${tag(p.rows)}: wrangler dev's 503 "restarted mid-request"; once more`)
            res = await fetch(`${other.base}/__bench/raw-export?project=${encodeURIComponent(p.id)}`, { method: 'POST' })
          }
          if (!res.ok) throw new Error(`bare-loop export of ${tag(p.rows)}: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`)
          out = await res.json()
        }
        const raw = s.raw[p.rows]
        if (out.bytes !== raw.bytes || out.lines !== p.rows)
          throw new Error(
            `bare-loop export of ${tag(p.rows)} wrote ${out.lines} lines / ${out.bytes} bytes; the dump has ${p.rows} / ${raw.bytes}`,
          )
        loops[p.rows] = out
        console.log(`bench: bare query loop in the Worker, ${tag(p.rows)} rows: ${out.seconds.toFixed(1)} s (${out.parts} parts)`)
      }
    })
    for (const r of results) {
      const out = loops[r.rows]
      const nd = results.find((x) => x.rows === r.rows && x.format === 'ndjson' && x.status === 'COMPLETE')
      Object.assign(r, {
        loopSeconds: out.seconds,
        loopParts: out.parts,
        loopRatio: r.exportSeconds / out.seconds,
        ndjsonRatio: nd ? r.exportSeconds / nd.exportSeconds : undefined,
      })
      console.log(
        `bench: ${r.format} ${tag(r.rows)}: export ÷ loop ${r.loopRatio.toFixed(1)}×${r.ndjsonRatio !== undefined ? `, ÷ NDJSON export ${r.ndjsonRatio.toFixed(2)}×` : ''}`,
      )
    }
    const lines = [
      "| format | data rows | annotations | export task | **÷ NDJSON export** | raw sqlite3 dump (NDJSON) | export ÷ raw | bare query loop in the Worker (NDJSON, D1 → R2) | export ÷ loop | file (lines, size) | same bytes as raw | worker JS heap, peak used (heap size) | workerd RSS start → peak | of which RssAnon start → peak | other processes' CPU |",
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...results.map(
        (r) =>
          `| ${r.format} | ${r.rows.toLocaleString('en-US')} | ${r.annotations.toLocaleString('en-US')} | ${r.status === 'COMPLETE' ? `${r.exportSeconds.toFixed(1)} s` : `**${r.status}**: ${r.failureReason ?? ''} (after ${r.exportSeconds.toFixed(1)} s)`} | ${r.ndjsonRatio !== undefined ? `**${r.ndjsonRatio.toFixed(2)}×**` : '–'} | ${r.rawSeconds.toFixed(1)} s | ${r.ratio.toFixed(1)}× | ${r.loopSeconds !== undefined ? `${r.loopSeconds.toFixed(1)} s` : '–'} | ${r.loopRatio !== undefined ? `${r.loopRatio.toFixed(1)}×` : '–'} | ${r.lines !== undefined ? `${r.lines.toLocaleString('en-US')}, ${(r.bytes / 1024 / 1024).toFixed(0)} MiB` : `– (raw: ${(r.rawBytes / 1024 / 1024).toFixed(0)} MiB)`} | ${r.identicalToRaw === undefined ? '–' : r.identicalToRaw ? 'yes' : 'no'} | ${r.workerHeapMiB ? `${r.workerHeapMiB.usedPeakMiB} MiB (${r.workerHeapMiB.totalPeakMiB} MiB)` : '–'} | ${r.workerdMiB.startMiB} → ${r.workerdMiB.peakMiB} MiB | ${r.workerdMiB.anonStartMiB} → ${r.workerdMiB.anonPeakMiB} MiB | ${r.foreignCpuPct ?? '–'}% |`,
      ),
    ]
    console.log(`\n${lines.join('\n')}`)
    if (results.some((r) => r.foreignCpuPct > 10))
      console.warn('bench: warning: the box was busy with other work during a run; rerun when it is idle before quoting these numbers')
    rmSync(WORK, { recursive: true, force: true })
    if (results.some((r) => r.status !== 'COMPLETE'))
      console.error(
        'bench: FAILED: not every export completed (see above); the numbers of the ones that did not are the time to their failure',
      )
    return [
      {
        exports: results,
        generated: { checks: s.checks, timings: s.timings, dbMiB: s.dbMiB },
        plans: s.raw.plans,
        table: lines.join('\n'),
      },
    ]
  },
}
