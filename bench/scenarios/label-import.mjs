// Label import at scale: Labelbox export v2 files of N lines (one new data row and one label of two
// boxes and a radio answer each) are POSTed to /api/v1/projects/{id}/label-imports?dataset_id=…,
// which creates the data rows, puts them in the project and writes the labels with every counter,
// usage fact and webhook event they feed. The task is polled until it ends; the server is restarted
// before each import so that memory figures start from the same point.
//
// The baseline, measured in the same run on the same server: a data-row import (the import-data-rows
// task) of manifests holding the same rows. A label import does that work too (create the rows),
// then attaches the rows and writes the labels; the ratio says what the labels add.
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs'
import { finished } from 'node:stream/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { api, bootstrap, importFile } from '../data.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const WORK = join(here, '../results/label-import-data') // gitignored with bench/results/
const SIZES = (process.env.BENCH_LABEL_IMPORT_SIZES ?? '50000,200000').split(',').map(Number)
// BENCH_LABEL_IMPORT_KIND=annotations: annotation-import lines instead (staged, then grouped by data
// row: src/modules/labels/import/staging.ts), two boxes per data row of the baseline's data-row
// import, all first boxes then all second boxes, so each data row's lines are far apart.
const ANNOTATIONS = process.env.BENCH_LABEL_IMPORT_KIND === 'annotations'
const tag = (n) => (n >= 1e6 ? `${n / 1e6}m` : `${n / 1e3}k`)
const ONTOLOGY = {
  tools: [{ name: 'Car', tool: 'bounding_box' }],
  classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rain' }, { name: 'Fog' }] }],
}

const dataRow = (kind, n, i) => ({
  row_data: `https://storage.example.com/bench/${kind}-${tag(n)}/${String(i).padStart(7, '0')}.jpg`,
  global_key: `${kind}-${tag(n)}-${String(i).padStart(7, '0')}`,
  external_id: `${kind}-${tag(n)}-${i}.jpg`,
})

function labelLine(project, n, i) {
  const at = new Date(Date.UTC(2026, 9, 1) + (i % 60) * 86_400_000 + i * 1000).toISOString()
  return JSON.stringify({
    data_row: dataRow('labels', n, i),
    media_attributes: { mime_type: 'image/jpeg', width: 1920, height: 1080 },
    projects: {
      [project.id]: {
        name: project.name,
        labels: [
          {
            label_kind: 'Default',
            version: '1.0.0',
            label_details: { created_at: at, updated_at: at, created_by: 'labeler@example.com' },
            performance_details: { seconds_to_create: 20 + (i % 40), seconds_to_review: 0, skipped: false },
            annotations: {
              objects: [
                {
                  name: 'Car',
                  annotation_kind: 'ImageBoundingBox',
                  bounding_box: { top: 100 + (i % 500), left: 200, height: 80, width: 120 },
                },
                {
                  name: 'Car',
                  annotation_kind: 'ImageBoundingBox',
                  bounding_box: { top: 300, left: 600 + (i % 700), height: 90, width: 140 },
                },
              ],
              classifications: [{ name: 'Weather', radio_answer: { name: ['Sunny', 'Rain', 'Fog'][i % 3] } }],
              relationships: [],
            },
          },
        ],
      },
    },
  })
}

/** Annotation-import line `i` of 2n: box 1 of data row i, then (i > n) box 2 of data row i - n. */
function annotationLine(n, i) {
  const r = i > n ? i - n : i
  return JSON.stringify({
    dataRow: { globalKey: dataRow('rows', n, r).global_key },
    name: 'Car',
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    bbox: i > n ? { top: 300, left: 600 + (r % 700), height: 90, width: 140 } : { top: 100 + (r % 500), left: 200, height: 80, width: 120 },
  })
}

/** Streams `n` lines made by `line(i)` (1-based) into `file`. */
async function writeLines(file, n, line) {
  const out = createWriteStream(file)
  let buf = ''
  for (let i = 1; i <= n; i++) {
    buf += `${line(i)}\n`
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r))
      buf = ''
    }
  }
  out.end(buf)
  await finished(out)
  return statSync(file).size
}

let s

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'label-import',
  description: `${ANNOTATIONS ? 'Annotation-import (2 lines per label, far apart)' : 'Labelbox export v2'} label imports of ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} lines (new data rows, one label each) vs data-row imports of the same rows`,
  async setup(ctx) {
    mkdirSync(WORK, { recursive: true })
    const { cookie, key } = await bootstrap(ctx.base, 'bench-label-import@bench.labeldesk.test')
    s = { key, runs: {} }
    for (const n of SIZES) {
      const project = await api(ctx.base, { cookie }, 'POST', '/projects', {
        name: `Label import ${tag(n)}`,
        media_type: 'IMAGE',
        ontology: ONTOLOGY,
      })
      const labelsDataset = (await api(ctx.base, { cookie }, 'POST', '/datasets', { name: `Label import rows ${tag(n)}` })).id
      const rowsDataset = (await api(ctx.base, { cookie }, 'POST', '/datasets', { name: `Data-row import ${tag(n)}` })).id
      const labels = join(WORK, `labels-${tag(n)}.ndjson`)
      const rows = join(WORK, `rows-${tag(n)}.ndjson`)
      s.runs[n] = {
        project,
        labelsDataset,
        rowsDataset,
        labels,
        rows,
        labelsBytes: ANNOTATIONS
          ? await writeLines(labels, 2 * n, (i) => annotationLine(n, i))
          : await writeLines(labels, n, (i) => labelLine(project, n, i)),
        rowsBytes: await writeLines(rows, n, (i) => JSON.stringify(dataRow('rows', n, i))),
      }
      console.log(
        `bench: wrote ${(ANNOTATIONS ? 2 * n : n).toLocaleString('en-US')} label lines (${(s.runs[n].labelsBytes / 1048576).toFixed(1)} MiB) and the same rows as a manifest (${(s.runs[n].rowsBytes / 1048576).toFixed(1)} MiB)`,
      )
    }
  },
  async run(ctx) {
    const auth = { key: s.key }
    const results = []
    for (const n of SIZES) {
      const r = s.runs[n]
      // The baseline first, then the label import, each on a freshly started server.
      await ctx.offline(() => {})
      const [base, baseCpu] = await importFile(
        ctx,
        auth,
        `/datasets/${r.rowsDataset}/imports?filename=rows-${tag(n)}.ndjson`,
        r.rows,
        r.rowsBytes,
        `data-row import ${tag(n)}`,
        25,
      )
      if (base.done.task.status !== 'COMPLETE' || base.done.task.metadata.rows_created !== n)
        throw new Error(`data-row import of ${n}: ${base.done.task.status} ${JSON.stringify(base.done.task.metadata)}`)
      await ctx.offline(() => {})
      const [lab, labCpu] = await importFile(
        ctx,
        auth,
        `/projects/${r.project.id}/label-imports?dataset_id=${r.labelsDataset}&filename=labels-${tag(n)}.ndjson`,
        r.labels,
        r.labelsBytes,
        `label import ${tag(n)}`,
        25,
      )
      const m = lab.done.task.metadata
      if (lab.done.task.status !== 'COMPLETE' || m.labels_created !== n || m.lines_failed !== 0)
        throw new Error(`label import of ${n}: ${lab.done.task.status} ${JSON.stringify(m)} ${lab.done.task.failure_reason ?? ''}`)
      // The labels are all there, with their counters.
      const p = await api(ctx.base, auth, 'GET', `/projects/${r.project.id}`)
      const overview = await api(ctx.base, auth, 'GET', `/projects/${r.project.id}/overview`)
      if (p.data_row_count !== n || p.label_count !== n || overview.objects.reduce((a, o) => a + o.count, 0) !== 2 * n)
        throw new Error(
          `after importing ${n} labels: ${JSON.stringify({ rows: p.data_row_count, labels: p.label_count, objects: overview.objects })}`,
        )
      const row = {
        lines: n,
        fileMiB: r.labelsBytes / 1048576,
        seconds: lab.done.seconds,
        uploadSeconds: lab.uploaded,
        labelsPerSec: n / lab.done.seconds,
        rowsImportSeconds: base.done.seconds,
        rowsPerSec: n / base.done.seconds,
        ratio: lab.done.seconds / base.done.seconds,
        workerHeapMiB: lab.js,
        workerdMiB: lab.mem,
        foreignCpuPct: Math.max(baseCpu ?? 0, labCpu ?? 0),
      }
      console.log(
        `bench: label import ${tag(n)}: ${row.seconds.toFixed(1)} s = ${Math.round(row.labelsPerSec).toLocaleString('en-US')} labels/s; data-row import of the same rows ${row.rowsImportSeconds.toFixed(1)} s; heap peak ${lab.js?.usedPeakMiB ?? '?'} MiB`,
      )
      results.push(row)
    }
    const lines = [
      "| lines (rows + labels) | file | label import (upload) | labels/s | data-row import of the same rows | label import ÷ row import | worker JS heap, peak used (heap size) | workerd RSS start → peak | other processes' CPU |",
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...results.map(
        (r) =>
          `| ${r.lines.toLocaleString('en-US')} | ${r.fileMiB.toFixed(0)} MiB | ${r.seconds.toFixed(1)} s (${r.uploadSeconds.toFixed(1)} s) | ${Math.round(r.labelsPerSec).toLocaleString('en-US')} | ${r.rowsImportSeconds.toFixed(1)} s | ${r.ratio.toFixed(1)}× | ${r.workerHeapMiB ? `${r.workerHeapMiB.usedPeakMiB} MiB (${r.workerHeapMiB.totalPeakMiB} MiB)` : '–'} | ${r.workerdMiB.startMiB} → ${r.workerdMiB.peakMiB} MiB | ${r.foreignCpuPct}% |`,
      ),
    ]
    console.log(`\n${lines.join('\n')}`)
    if (results.some((r) => r.foreignCpuPct > 10))
      console.warn('bench: warning: the box was busy with other work during a run; rerun when it is idle before quoting these numbers')
    rmSync(WORK, { recursive: true, force: true })
    return [{ imports: results, table: lines.join('\n') }]
  },
}
