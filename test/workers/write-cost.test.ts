// Rows written per label and per annotation (D1 bills a row written a thousand times a row read),
// through the labels API, the labeling page and a label import, counted by the cost meter
// (src/db/cost-meter.ts) from D1's own `meta.rows_written`: every table row and every index entry
// a statement (and the triggers it fires) writes. The numbers and what they are made of are in
// BENCHMARKS.md ("Rows written per label"); this file holds the code to them.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { db, seedTwoOrgs, unique, type TestUser } from '../helpers/factories'
import { call, json, ORIGIN } from '../helpers/harness'
import { drainTask, insertTask } from '../helpers/drain-task'
import { countingD1, type Trip } from '../helpers/counting-d1'

/** What one piece of work wrote: in all, and by statement (first words of its SQL). */
type Written = { total: number; byStatement: { sql: string; written: number }[] }
const written = (trips: Trip[]): Written => {
  const byStatement = trips
    .flatMap((t) => t.sql.map((sql, i) => ({ sql: sql.replace(/\s+/g, ' ').trim().slice(0, 60), written: t.written?.[i] ?? 0 })))
    .filter((s) => s.written > 0)
  return { total: byStatement.reduce((n, s) => n + s.written, 0), byStatement }
}

async function metered(
  method: string,
  path: string,
  who: TestUser,
  init: { json?: unknown; form?: Record<string, string> },
): Promise<{ status: number; w: Written }> {
  const { DB, trips } = countingD1()
  const headers: Record<string, string> = { Cookie: who.cookie, Origin: ORIGIN }
  let body: string | undefined
  if (init.json !== undefined) (headers['Content-Type'] = 'application/json'), (body = JSON.stringify(init.json))
  if (init.form) (headers['Content-Type'] = 'application/x-www-form-urlencoded'), (body = new URLSearchParams(init.form).toString())
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(ORIGIN + path, { method, headers, body, redirect: 'manual' }),
    { ...env, DB } as typeof env,
    ctx,
  )
  await res.text()
  await waitOnExecutionContext(ctx)
  return { status: res.status, w: written(trips) }
}

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let labeler: TestUser
let project: {
  id: string
  ontology: {
    tools: { name: string; feature_schema_id: string }[]
    classifications: { name: string; feature_schema_id: string; options: { name: string; feature_schema_id: string }[] }[]
  }
}
let rows: { id: string; global_key: string }[] = []
let next = 0
const row = () => rows[next++]!

const boxes = (n: number, name = 'Box') =>
  Array.from({ length: n }, (_, i) => ({ name, bounding_box: { top: i, left: i, height: 5, width: 5 } }))
const apiLabel = (n: number, extra: object = {}) => ({ data_row_id: row().id, annotations: { objects: boxes(n), ...extra } })

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  labeler = orgs.orgA.LABELER
  const admin = orgs.orgA.ADMIN
  const ontology = {
    tools: [
      { name: 'Box', tool: 'bounding_box' },
      { name: 'Pt', tool: 'point' },
    ],
    classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
  }
  project = await json(await call('POST', '/api/v1/projects', admin, { json: { name: unique('Writes'), media_type: 'IMAGE', ontology } }))
  const d = await json(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('ds') } }))
  const tag = unique('w')
  rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin, {
        json: Array.from({ length: 120 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: `${tag}-${i}` })),
      }),
    )
  ).created
  rows = rows.map((r, i) => ({ ...r, global_key: `${tag}-${i}` }))
  // 120 ids in one batch: their rows go in several statements within D1's 100 bound parameters.
  const batch = await call('POST', `/api/v1/projects/${project.id}/batches`, admin, {
    json: { name: 'all', data_row_ids: rows.map((r) => r.id) },
  })
  expect(batch.status, await batch.clone().text()).toBe(201)
  expect((await json(batch)).size).toBe(120)
  // The labeler's first label of the day creates their per-day and per-member counter rows:
  // measured below are the labels after it, as most labels are.
  expect((await call('POST', `/api/v1/projects/${project.id}/labels`, labeler, { json: apiLabel(1) })).status).toBe(201)
})

/** Runs a label import of `lines` (annotation-import NDJSON) playing the queue with a metered D1. */
async function meteredImport(lines: object[]): Promise<Written> {
  const body = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`
  const key = `label-imports/${orgs.a.id}/${project.id}/${unique('f')}.ndjson`
  await env.ASSETS_BUCKET.put(key, body)
  const { id } = await insertTask(
    {
      orgId: orgs.a.id,
      createdBy: labeler.id,
      type: 'import-labels',
      name: 'write cost',
      subjectId: project.id,
      params: { project_id: project.id, key, size: body.length, dataset_id: null, create_ontology: false },
    },
    'wc',
  )
  const { DB, trips } = countingD1()
  await drainTask({ kind: 'import-labels', taskId: id }, DB)
  const t = await json(await call('GET', `/api/v1/tasks/${id}`, orgs.orgA.ADMIN))
  expect(t.metadata).toMatchObject({ labels_created: new Set(lines.map((l: any) => l.dataRow.globalKey)).size, lines_failed: 0 })
  return written(trips)
}

/** Rows written by the staging of annotation-import lines (label_import_chunks, label_import_refs). */
const staging = (w: Written) => w.byStatement.filter((s) => /label_import_/.test(s.sql)).reduce((n, s) => n + s.written, 0)

const table: string[] = []
const note = (what: string, w: Written, labels: number, annotations: number) =>
  table.push(
    `${what}: ${w.total} rows written for ${labels} label(s), ${annotations} annotation(s)\n${w.byStatement.map((s) => `    ${s.written}\t${s.sql}`).join('\n')}`,
  )

describe('rows written per label and per annotation', () => {
  it('through the labels API: a constant per label, nothing per annotation', async () => {
    const one = await metered('POST', `/api/v1/projects/${project.id}/labels`, labeler, { json: apiLabel(1) })
    const ten = await metered('POST', `/api/v1/projects/${project.id}/labels`, labeler, { json: apiLabel(10) })
    const mixed = await metered('POST', `/api/v1/projects/${project.id}/labels`, labeler, {
      json: apiLabel(10, { classifications: [{ name: 'Weather', radio_answer: { name: 'Rainy' } }] }),
    })
    for (const r of [one, ten, mixed]) expect(r.status).toBe(201)
    note('API, 1 box', one.w, 1, 1)
    note('API, 10 boxes', ten.w, 1, 10)
    note('API, 10 boxes + 1 answer', mixed.w, 1, 11)
    PER_LABEL.api = one.w.total
    // Annotations live in the label's JSON: ten boxes write what one does.
    expect(ten.w.total).toBe(one.w.total)
    // Another feature adds its counter row (and that row's key entry), not a row per annotation.
    expect(mixed.w.total - ten.w.total).toBeLessThanOrEqual(2)
    expect(one.w.total).toBeLessThanOrEqual(BUDGET.api)
  })

  it('through the labeling page', async () => {
    const page = await (await call('GET', `/projects/${project.id}/label`, labeler)).text()
    const dataRow = /name="data_row_id" value="([^"]+)"/.exec(page)![1]!
    const started = /name="started_at" value="(\d+)"/.exec(page)![1]!
    const box = project.ontology.tools[0]!
    const weather = project.ontology.classifications[0]!
    const objects = JSON.stringify([{ feature_schema_id: box.feature_schema_id, bounding_box: { top: 5, left: 6, height: 20, width: 30 } }])
    const r = await metered('POST', `/projects/${project.id}/label`, labeler, {
      form: {
        data_row_id: dataRow,
        started_at: started,
        objects,
        [`cls.${weather.feature_schema_id}`]: weather.options[1]!.feature_schema_id,
      },
    })
    expect(r.status).toBe(303)
    note('Labeling page, 1 box + 1 answer', r.w, 1, 2)
    PER_LABEL.page = r.w.total
    expect(r.w.total).toBeLessThanOrEqual(BUDGET.page)
  })

  it('through a label import: per label about what the API writes, amortized slice costs on top', async () => {
    const n = 40
    const lines = Array.from({ length: n }, () => row()).flatMap((r) =>
      Array.from({ length: 5 }, (_, k) => ({
        dataRow: { globalKey: r.global_key },
        name: 'Box',
        uuid: crypto.randomUUID(),
        bbox: { top: k, left: k, height: 10, width: 10 },
      })),
    )
    const w = await meteredImport(lines)
    note(`Import, ${n} labels × 5 boxes`, w, n, 5 * n)
    PER_LABEL.import = w.total / n
    expect(w.total / n).toBeLessThanOrEqual(BUDGET.import)
    // Staging (src/modules/labels/import/staging.ts) costs per data row and per chunk of lines, not
    // per line: 4 per line (row, key, ref index, delete) before the chunks.
    PER_LABEL.importStaging = staging(w) / n
    expect(staging(w) / lines.length).toBeLessThanOrEqual(BUDGET.stagingPerLine)
  })

  it('through a label import whose data rows have lines far apart: still one label each, staged per data row and chunk', async () => {
    // 12 data rows × 25 boxes, one row after the other (line i names row i % 12): 300 lines, so
    // every row is named in both slices of lines the import reads (250 a slice).
    const rs = Array.from({ length: 12 }, () => row())
    const lines = Array.from({ length: 300 }, (_, i) => ({
      dataRow: { globalKey: rs[i % 12]!.global_key },
      name: 'Box',
      uuid: crypto.randomUUID(),
      bbox: { top: i, left: i, height: 10, width: 10 },
    }))
    const w = await meteredImport(lines)
    note('Import, 12 labels × 25 boxes, lines far apart', w, 12, 300)
    const counts = await db().all<{ n: number }>(
      sql`SELECT annotation_count AS n FROM labels WHERE project_id = ${project.id} AND data_row_id IN (SELECT value FROM json_each(${JSON.stringify(rs.map((r) => r.id))}))`,
    )
    expect(counts.map((c) => c.n)).toEqual(Array(12).fill(25))
    // 2 chunks (2 rows each), 12 refs (2 rows each) that the second chunk updates (1 each), then
    // the deletes (1 a row): 54 rows for 300 lines.
    expect(staging(w)).toBeLessThanOrEqual(54)
  })

  it('an edit keeps the replaced annotations as one version (2 rows: the row and its label index)', async () => {
    const made = await call('POST', `/api/v1/projects/${project.id}/labels`, labeler, { json: apiLabel(3) })
    expect(made.status).toBe(201)
    const id = (await json(made)).id
    const objects = boxes(3).map((b, i) => ({ ...b, bounding_box: { ...b.bounding_box, left: b.bounding_box.left + i + 1 } }))
    const r = await metered('PATCH', `/api/v1/labels/${id}`, labeler, { json: { annotations: { objects } } })
    expect(r.status).toBe(200)
    note('Edit (API PATCH), 3 boxes moved', r.w, 1, 3)
    const version = r.w.byStatement.find((s) => s.sql.startsWith('INSERT INTO label_versions'))
    expect(version?.written).toBe(2)
    PER_LABEL.edit = r.w.total
    expect(r.w.total).toBeLessThanOrEqual(BUDGET.edit)
  })

  it('adds the LABEL_CREATED event (3 rows) only for an organization with an active webhook', async () => {
    const hook = await call('POST', '/api/v1/webhooks', orgs.orgA.ADMIN, {
      json: { url: 'https://hooks.example.com/w', topics: ['LABEL_CREATED'] },
    })
    expect(hook.status).toBe(201)
    const r = await metered('POST', `/api/v1/projects/${project.id}/labels`, labeler, { json: apiLabel(1) })
    expect(r.status).toBe(201)
    note('API, 1 box, with a webhook', r.w, 1, 1)
    expect(r.w.byStatement.find((s) => s.sql.startsWith('INSERT INTO events'))?.written).toBe(3)
    expect(r.w.total).toBe(PER_LABEL.api! + 3)
  })

  it('reports', () => {
    console.log(`${table.join('\n')}\nper label: ${JSON.stringify(PER_LABEL)}`)
  })
})

const PER_LABEL: Record<string, number> = {}
/** Rows written by one edit of a label's annotations (PATCH /api/v1/labels/{id}), measured at 7:
 * the version the edit keeps (label_versions: its row and its label index, 2), the label row (1),
 * its feature counts moved (2) and usage for the annotations the edit added (2). 10 before its
 * LABEL_UPDATED event (3) was written, like LABEL_CREATED, only for an organization with an active
 * webhook (eventStmt in src/modules/labels/service.ts). */
const EDIT_BUDGET = 7
/** Rows written per label, for an organization without webhooks (BENCHMARKS.md, "Rows written per
 * label"): 20, 21 and 38.4 before migrations/0012_label_write_cost.sql and the outbox only for
 * organizations with a webhook. The import's number is for 5 annotation lines per label; each
 * slice also takes and ends its task's lease (src/modules/tasks/job.ts: 2 rows a slice, ~0.13 a
 * label here). One more each since migrations/0017_labels_review_queue.sql: the label's entry in
 * labels_review_idx, which lets the review queue read O(1) rows instead of walking the project's
 * labels. The import's staging was 4 rows per line (20 of 34.4 per label) before
 * migrations/0019_label_import_chunks.sql: now a slice's lines are a chunk row (2 rows, 1 to delete)
 * and each data row one row listing its chunks (2, 1 to delete): 123 rows for 200 lines, 0.62 a
 * line, 3.1 a label (17.7 per label in all). */
const BUDGET = { api: 16, page: 17, import: 17.7, stagingPerLine: 0.62, edit: EDIT_BUDGET }
