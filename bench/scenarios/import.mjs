// Data-row import at scale (issue 5 item 6): NDJSON manifests of 100k and 1M rows (https URLs,
// global keys, external ids) are POSTed to /api/v1/datasets/{id}/imports with an API key and the
// import-data-rows task is polled until it ends. The server is restarted before each import so
// that workerd's resident memory starts from the same point; it is sampled every 250 ms.
//
// The raw rate to compare with is measured in the same run, on a copy of the same local D1 file
// (same schema, indexes and triggers, same data), with sqlite3: exactly the INSERT … SELECT …
// FROM json_each(?) … ON CONFLICT DO NOTHING statements that insertRows()
// (src/modules/datasets/data-rows.ts) sends, 500 rows each, each statement its own transaction as
// each D1 query is. That is the fair baseline: the same SQL work, without the Worker (parsing,
// validation, R2 reads, queue hops, D1's per-query round trip). The same statements in a single
// transaction are also timed, as the ceiling of the engine on this disk.
import { copyFileSync, createWriteStream, mkdirSync, openSync, closeSync, rmSync, statSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { finished } from 'node:stream/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, bootstrap, d1File, idJs, importFile, q, sqlite } from '../data.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const WORK = join(here, '../results/import-data') // gitignored with bench/results/
const SIZES = (process.env.BENCH_IMPORT_SIZES ?? '100000,1000000').split(',').map(Number)
/** Same as INSERT_CHUNK in src/modules/datasets/data-rows.ts. */
const CHUNK = 500
const tag = (n) => (n >= 1e6 ? `${n / 1e6}m` : `${n / 1e3}k`)

const row = (n, i) => ({
  row_data: `https://storage.example.com/bench/import-${tag(n)}/${String(i).padStart(7, '0')}.jpg`,
  global_key: `import-${tag(n)}-${String(i).padStart(7, '0')}`,
  external_id: `ext-${tag(n)}-${i}`,
})

/** Writes the NDJSON manifest of `n` rows (streamed; ~120 bytes a row). */
async function writeManifest(file, n) {
  const out = createWriteStream(file)
  let buf = ''
  for (let i = 1; i <= n; i++) {
    buf += `${JSON.stringify(row(n, i))}\n`
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r))
      buf = ''
    }
  }
  out.end(buf)
  await finished(out)
}

/** The SQL insertRows() would send for the same rows (its JSON payload shape, its statement). */
async function writeRawSql(file, n, { orgId, datasetId, userId, now, transaction }) {
  const out = createWriteStream(file)
  out.write('.output /dev/null\n')
  if (transaction) out.write('BEGIN;\n')
  for (let start = 1; start <= n; start += CHUNK) {
    const part = []
    for (let i = start; i < start + CHUNK && i <= n; i++) {
      const r = row(n, i)
      part.push({
        id: idJs('dr', now, i),
        rd: r.row_data,
        gk: r.global_key,
        gkl: r.global_key.toLowerCase(),
        ext: r.external_id,
        mt: 'IMAGE',
        meta: '[]',
        att: '[]',
        ma: null,
      })
    }
    const stmt = `INSERT INTO data_rows (id, org_id, dataset_id, row_data, global_key, global_key_lower, external_id, media_type, metadata_fields, attachments, media_attributes, created_by, created_at, updated_at)
SELECT json_extract(j.value, '$.id'), ${q(orgId)}, ${q(datasetId)}, json_extract(j.value, '$.rd'), json_extract(j.value, '$.gk'), json_extract(j.value, '$.gkl'),
       json_extract(j.value, '$.ext'), json_extract(j.value, '$.mt'), json_extract(j.value, '$.meta'), json_extract(j.value, '$.att'), json_extract(j.value, '$.ma'),
       ${q(userId)}, ${now}, ${now}
FROM json_each(${q(JSON.stringify(part))}) AS j WHERE true
ON CONFLICT DO NOTHING;\n`
    if (!out.write(stmt)) await new Promise((r) => out.once('drain', r))
  }
  if (transaction) out.write('COMMIT;\n')
  out.end()
  await finished(out)
}

/** Runs a SQL file with sqlite3 and returns the wall time in seconds. */
function timeSqlFile(db, file) {
  const fd = openSync(file, 'r')
  try {
    const t = process.hrtime.bigint()
    const r = spawnSync('sqlite3', ['-bail', db], { stdio: [fd, 'ignore', 'pipe'], encoding: 'utf8' })
    const seconds = Number(process.hrtime.bigint() - t) / 1e9
    if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr?.slice(0, 1000)}`)
    return seconds
  } finally {
    closeSync(fd)
  }
}

let s // state shared by setup and run

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'import',
  description: `NDJSON manifest imports of ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} data rows (POST /api/v1/datasets/{id}/imports) vs raw batched INSERTs into the same local D1`,
  async setup(ctx) {
    mkdirSync(WORK, { recursive: true })
    const { cookie, key } = await bootstrap(ctx.base, 'bench-import@bench.labeldesk.test')
    const datasets = {}
    for (const n of SIZES) datasets[n] = (await api(ctx.base, { cookie }, 'POST', '/datasets', { name: `Import ${tag(n)}` })).id
    const manifests = {}
    for (const n of SIZES) {
      const file = join(WORK, `manifest-${tag(n)}.ndjson`)
      const t = Date.now()
      await writeManifest(file, n)
      manifests[n] = { file, bytes: statSync(file).size }
      console.log(
        `bench: wrote ${relative(process.cwd(), file)} (${(manifests[n].bytes / 1024 / 1024).toFixed(1)} MiB) in ${((Date.now() - t) / 1000).toFixed(1)} s`,
      )
    }

    // The raw baseline, on a copy of the database (server stopped while copying, so the copy is whole).
    const raw = {}
    await ctx.offline(async () => {
      const db = d1File(ctx.persistTo)
      const [userId, orgId] = sqlite(
        db,
        `SELECT u.id, m.org_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = 'bench-import@bench.labeldesk.test';`,
        ['-separator', '\t'],
      )
        .trim()
        .split('\t')
      // sqlite3 checkpointed the WAL when it closed, so the main file alone is the whole database.
      const copy = join(WORK, 'raw-baseline.sqlite')
      for (const n of SIZES) {
        raw[n] = {}
        for (const transaction of [false, true]) {
          for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
          copyFileSync(db, copy)
          const sqlFile = join(WORK, `raw-${tag(n)}.sql`)
          await writeRawSql(sqlFile, n, { orgId, datasetId: datasets[n], userId, now: Date.now(), transaction })
          const seconds = timeSqlFile(copy, sqlFile)
          const count = Number(sqlite(copy, `SELECT row_count FROM datasets WHERE id = ${q(datasets[n])};`).trim())
          if (count !== n) throw new Error(`raw baseline inserted ${count} rows, expected ${n}`)
          raw[n][transaction ? 'oneTransaction' : 'perStatement'] = { seconds, rowsPerSec: n / seconds }
          console.log(
            `bench: raw sqlite3, ${tag(n)} rows, ${transaction ? 'one transaction' : `one transaction per ${CHUNK}-row INSERT`}: ${seconds.toFixed(1)} s = ${Math.round(n / seconds).toLocaleString('en-US')} rows/s`,
          )
          rmSync(sqlFile, { force: true })
        }
      }
      for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
    })
    s = { key, datasets, manifests, raw }
  },
  async run(ctx) {
    const results = []
    for (const n of SIZES) {
      // A fresh workerd for each import, so the memory figures start from the same point.
      await ctx.offline(() => {})
      const auth = { key: s.key }
      // Other processes' CPU while this ran (% of all cores), as for the routes: > 10 % = disturbed.
      const [{ done, mem, js, uploaded }, foreignCpuPct] = await importFile(
        ctx,
        auth,
        `/datasets/${s.datasets[n]}/imports?filename=manifest-${tag(n)}.ndjson`,
        s.manifests[n].file,
        s.manifests[n].bytes,
        `import ${tag(n)}`,
      )
      const m = done.task.metadata
      if (done.task.status !== 'COMPLETE') throw new Error(`import of ${n} rows ended ${done.task.status}: ${done.task.failure_reason}`)
      if (m.rows_created !== n || m.rows_failed !== 0)
        throw new Error(`import of ${n} rows: created ${m.rows_created}, failed ${m.rows_failed}`)
      const ds = await api(ctx.base, auth, 'GET', `/datasets/${s.datasets[n]}`)
      if (ds.row_count !== n) throw new Error(`dataset has ${ds.row_count} rows after importing ${n}`)
      const r = {
        rows: n,
        manifestMiB: s.manifests[n].bytes / 1024 / 1024,
        uploadSeconds: uploaded,
        totalSeconds: done.seconds,
        rowsPerSec: n / done.seconds,
        slices: m.error_parts ?? null,
        raw: s.raw[n],
        ratio: n / done.seconds / s.raw[n].perStatement.rowsPerSec,
        workerdMiB: mem,
        workerHeapMiB: js,
        foreignCpuPct,
      }
      console.log(
        `bench: import ${tag(n)}: ${done.seconds.toFixed(1)} s (upload ${uploaded.toFixed(1)} s) = ${Math.round(r.rowsPerSec).toLocaleString('en-US')} rows/s; workerd RSS ${mem.startMiB} → peak ${mem.peakMiB} MiB (RssAnon ${mem.anonStartMiB} → ${mem.anonPeakMiB} MiB)`,
      )
      console.log(`bench:   workerd RSS/RssAnon MiB at 0, 10 … 100 % of the time: ${mem.timeline}`)
      console.log(
        `bench:   the worker's JS heap (used MiB) at 0, 10 … 100 %: ${js ? js.timeline : 'inspector not found'}; peak ${js?.usedPeakMiB} MiB used of ${js?.totalPeakMiB} MiB`,
      )
      results.push(r)
    }
    const lines = [
      "| rows | manifest | import (upload + task) | rows/s | raw sqlite3, txn per 500-row INSERT | raw, one transaction | import vs raw | worker JS heap, peak used (heap size) | workerd RSS start → peak | of which RssAnon start → peak | other processes' CPU |",
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...results.map(
        (r) =>
          `| ${r.rows.toLocaleString('en-US')} | ${r.manifestMiB.toFixed(0)} MiB | ${r.totalSeconds.toFixed(1)} s (${r.uploadSeconds.toFixed(1)} s) | ${Math.round(r.rowsPerSec).toLocaleString('en-US')} | ${Math.round(r.raw.perStatement.rowsPerSec).toLocaleString('en-US')} rows/s (${r.raw.perStatement.seconds.toFixed(1)} s) | ${Math.round(r.raw.oneTransaction.rowsPerSec).toLocaleString('en-US')} rows/s (${r.raw.oneTransaction.seconds.toFixed(1)} s) | ${(r.ratio * 100).toFixed(0)}% | ${r.workerHeapMiB ? `${r.workerHeapMiB.usedPeakMiB} MiB (${r.workerHeapMiB.totalPeakMiB} MiB)` : '–'} | ${r.workerdMiB.startMiB} → ${r.workerdMiB.peakMiB} MiB | ${r.workerdMiB.anonStartMiB} → ${r.workerdMiB.anonPeakMiB} MiB | ${r.foreignCpuPct ?? '–'}% |`,
      ),
    ]
    console.log(`\n${lines.join('\n')}`)
    if (results.some((r) => r.foreignCpuPct > 10))
      console.warn('bench: warning: the box was busy with other work during a run; rerun when it is idle before quoting these numbers')
    rmSync(WORK, { recursive: true, force: true }) // the manifests: ~120 MB per million rows
    return [{ imports: results, table: lines.join('\n') }]
  },
}
