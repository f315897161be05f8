/**
 * @module Label imports (`import-labels` tasks) from Labelbox NDJSON: export v2 lines (one data row
 * per line, matched by global key, created in a chosen dataset when missing) and annotation-import
 * lines (grouped by data row: every line of one data row in one file becomes one label). Phase
 * "read" walks the file in windows like data-row imports, importing export v2 lines at once and
 * staging annotation lines in D1; phase "group" turns each staged data row into one label; phase
 * "cleanup" clears the staging rows. An import key (a hash of the label's content) makes a second
 * import of the same file add nothing.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { makeDb, runBatch, type Db } from '../../db/client'
import { batches, datasets, labelImportLines, labels, projects, type DataMediaType } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { authorize } from '../../auth/permissions'
import { AppError } from '../../lib/errors'
import { sha256Hex } from '../../lib/crypto'
import { streamToR2 } from '../../lib/r2'
import { completeTask, failTask, reportProgress, startTask, type TaskRow, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { errorPartKey, resultKey } from '../tasks/files'
import { loadProject } from '../projects/service'
import { normalizeOntology, type Ontology } from '../projects/ontology'
import { nextRecords, type ParseState } from '../datasets/manifest'
import { checkRow } from '../datasets/row-input'
import { insertRows, rowContext, type Candidate } from '../datasets/data-rows'
import { importRowId } from '../datasets/imports'
import { normalizeAnnotations } from './annotations'
import { fromAnnotationImport, fromExportV2, growOntology } from './import-lines'
import { labelsInsertStmts, resolveDataRow, resolveDataRows, type DataRowRef } from './service'
import { announceEvents } from '../webhooks/events'

const MAX_BYTES = 1024 * 1024 * 1024
const WINDOW = 1024 * 1024
/**
 * Records (read phase) and data-row groups (group phase) per slice. A slice's queries no longer
 * grow with it: its data rows are read, created and attached, and its labels written, a few
 * statements per table (`labelsInsertStmts`). What bounds a read slice now is its time: 250
 * records take ~0.1 s locally; 50,000 export v2 lines took 25 s at 80 records a slice and 14 s at
 * 250. A group gathers all lines of one data row, however many, so groups stay at 60 a slice to
 * bound the memory of one.
 */
const SLICE_RECORDS = 250
/** The biggest label an import writes (its annotations as stored, escaped once more in transit). */
const MAX_LABEL_BYTES = 1_800_000
/** The longest line a label import reads. */
const MAX_LINE_BYTES = 16 * 1024 * 1024
const GROUPS_PER_SLICE = 60

type Obj = Record<string, unknown>
/** How a slice keys a data-row reference: the same strings staged annotation lines use. */
const refKey = (r: { id?: string; globalKey?: string }) => (r.globalKey !== undefined ? `key:${r.globalKey.toLowerCase()}` : `id:${r.id ?? ''}`)
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
type LineError = { line: number; global_key?: string | null; field?: string; message: string }
type Params = { project_id: string; key: string; size: number; dataset_id: string | null; create_ontology: boolean }
type Cursor = { phase: 'read' | 'group' | 'cleanup'; offset: number; state: ParseState; slice: number; created: number; duplicates: number; failed: number; lines: number; groupAfter: string }

export async function startLabelImport(
  ctx: Ctx,
  projectId: string,
  req: { body: ReadableStream<Uint8Array> | null; contentType?: string; contentLength?: string; datasetId?: string; createOntology: boolean; filename?: string },
): Promise<TaskView> {
  const { project } = await loadProject(ctx, projectId, 'label.import')
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (!['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/jsonlines'].includes(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the labels as NDJSON (Content-Type: application/x-ndjson): Labelbox export v2 lines or annotation-import lines')
  }
  if (req.datasetId) {
    const d = await ctx.db.select({ id: datasets.id }).from(datasets).where(and(eq(datasets.id, req.datasetId), eq(datasets.orgId, ctx.actor.orgId), sql`${datasets.deletedAt} IS NULL`)).get()
    if (!d) throw new AppError('VALIDATION', `Unknown dataset: ${req.datasetId}`, [{ path: 'dataset_id', message: 'Dataset not found' }])
    // Creating missing data rows adds to a dataset: that needs the dataset permission too.
    authorize(ctx.actor, 'dataset.manage')
  }
  const declared = req.contentLength ? Number(req.contentLength) : undefined
  if (declared !== undefined && declared > MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${MAX_BYTES / 1024 / 1024} MB`)
  if (!req.body || declared === 0) throw new AppError('VALIDATION', 'The file is empty', [{ path: 'body', message: 'The file is empty' }])
  const key = `label-imports/${ctx.actor.orgId}/${project.id}/${crypto.randomUUID()}.ndjson`
  const size = await streamToR2(ctx.env.ASSETS_BUCKET, key, req.body, MAX_BYTES)
  if (size === 0) throw new AppError('VALIDATION', 'The file is empty', [{ path: 'body', message: 'The file is empty' }])
  const params: Params = { project_id: project.id, key, size, dataset_id: req.datasetId ?? null, create_ontology: req.createOntology }
  const { task } = await startTask(ctx, {
    type: 'import-labels',
    name: `Import labels ${req.filename ? `“${req.filename.slice(0, 120)}” ` : ''}into “${project.name}”`,
    subjectId: project.id,
    params,
    metadata: { bytes_total: size, bytes_done: 0, labels_created: 0, labels_unchanged: 0, lines_failed: 0 },
  })
  return task
}

/** Everything one slice needs, loaded once. */
class Run {
  errors: LineError[] = []
  created = 0
  duplicates = 0
  ontologyChanged = false
  /** LABEL_CREATED events committed in this slice, announced to webhooks at its end. */
  eventIds: string[] = []
  constructor(public env: Env, public db: Db, public task: TaskRow, public project: typeof projects.$inferSelect, public p: Params) {}

  get ontology(): Ontology {
    return this.project.ontology
  }

  private importBatchId() {
    return `bat_${this.task.id.slice(4)}`
  }

  private importBatchInsert(now: Date) {
    return this.db.insert(batches).values({ id: this.importBatchId(), orgId: this.project.orgId, projectId: this.project.id, name: `Label import ${this.task.id.slice(-6)}`, priority: 5, size: 0, createdBy: this.task.createdBy, createdAt: now }).onConflictDoNothing()
  }

  private dataset: typeof datasets.$inferSelect | undefined

  /** Rows of this slice, read together (`prefetch`): `id:<id>` / `key:<lower-cased key>` → row, or
   * null when the prefetch found none. */
  private known = new Map<string, DataRowRef | null>()

  /** Reads the data rows the slice's lines name in one query, instead of one query per line, and
   * puts those not yet in the project into it in one batch. */
  async prefetch(refs: { id?: string; globalKey?: string }[]) {
    const found = await resolveDataRows(this.db, this.project.orgId, this.project.id, refs)
    for (const r of refs) {
      const k = refKey(r)
      this.known.set(k, found.get(k) ?? null)
    }
    const outside = [...new Set([...found.values()].filter((r) => !r.inProject))]
    await this.attachMany(outside.map((r) => r.id))
    for (const r of outside) r.inProject = true
  }

  /** Puts data rows into the project (the import's batch), in one statement however many. */
  private async attachMany(ids: string[]) {
    if (!ids.length) return
    const now = Date.now()
    await runBatch(this.db, [
      this.importBatchInsert(new Date(now)),
      this.db.run(sql`
        INSERT INTO project_data_rows (project_id, data_row_id, batch_id, priority, workflow_status, label_count, skip_count, created_at)
        SELECT ${this.project.id}, value, ${this.importBatchId()}, 5, 'TO_LABEL', 0, 0, ${now} FROM json_each(${JSON.stringify(ids)}) WHERE true
        ON CONFLICT DO NOTHING`),
    ])
  }

  /** Refs whose data row could not be created because its global key is taken, with the error
   * their first line got: later lines naming the same row get the same error. */
  private failed = new Map<string, LineError>()
  /** Lines whose own data row fields were invalid; their errors are reported already. */
  private invalidLines = new Set<number>()

  /**
   * Creates the data rows that the slice's export v2 lines name and the organization lacks (with
   * ?dataset_id=), all in one insert, and puts them in the project in one more statement. Without
   * this, each line would cost one insert and one attach. The first line with valid row fields
   * creates a row; later lines naming it find it. A line with invalid row fields gets its own
   * errors (a later valid line may still create the row), and every line naming a row whose
   * global key turned out to be taken gets that error.
   */
  async createMissing(entries: { line: number; ref: { id?: string; globalKey?: string }; create: Obj }[]) {
    if (!this.p.dataset_id) return
    const missing = entries.filter((e) => this.known.get(refKey(e.ref)) === null)
    if (!missing.length) return
    const d = await this.targetDataset()
    const rc = rowContext(d)
    const candidates: Candidate[] = []
    const refOf = new Map<number, string>()
    const creating = new Set<string>()
    for (const e of missing) {
      const k = refKey(e.ref)
      if (creating.has(k)) continue
      const checked = checkRow(e.create, rc)
      if ('errors' in checked) {
        const gk = typeof e.create.global_key === 'string' ? e.create.global_key : null
        for (const er of checked.errors) this.errors.push({ line: e.line, global_key: gk, field: `data_row.${er.field}`, message: er.message })
        this.invalidLines.add(e.line)
        continue
      }
      candidates.push({ index: e.line, id: importRowId(this.task.id, e.line), row: checked.row })
      refOf.set(e.line, k)
      creating.add(k)
    }
    const res = await insertRows(this.db, d, this.task.createdBy, candidates, Date.now(), new Map(), (line) => `line ${line}`)
    for (const er of res.errors) {
      const err = { line: er.index, global_key: er.global_key, field: 'data_row.global_key', message: er.message }
      this.errors.push(err)
      this.failed.set(refOf.get(er.index)!, err)
    }
    const made = candidates.filter((c) => res.inserted.has(c.id))
    await this.attachMany(made.map((c) => c.id))
    for (const c of made) {
      const row = { id: c.id, globalKey: c.row.globalKey, mediaType: c.row.mediaType, inProject: true }
      this.known.set(refOf.get(c.index)!, row)
      if (c.row.globalKey) this.known.set(`key:${c.row.globalKey.toLowerCase()}`, row)
    }
  }

  /** The dataset missing data rows go to, read once per slice. */
  private async targetDataset() {
    const d = (this.dataset ??= await this.db.select().from(datasets).where(eq(datasets.id, this.p.dataset_id!)).get())
    if (!d || d.deletedAt) throw new Error('the target dataset was deleted during the import')
    return d
  }

  /** The data row a line names (export v2 rows missing from the organization were created by `createMissing`). */
  async dataRow(line: number, ref: { id?: string; globalKey?: string }, create?: Obj): Promise<DataRowRef | null> {
    // Its row fields were refused (and reported) even if another line has created the row since.
    if (this.invalidLines.has(line)) return null
    const k = refKey(ref)
    const seen = this.known.get(k)
    const found = seen !== undefined ? seen : await resolveDataRow(this.db, this.project.orgId, this.project.id, ref)
    if (found) {
      if (!found.inProject) {
        await this.attachMany([found.id])
        found.inProject = true
      }
      this.known.set(k, found)
      return found
    }
    const gk = ref.globalKey ?? null
    const failed = this.failed.get(k)
    if (failed) {
      if (failed.line !== line) this.errors.push({ ...failed, line })
      return null
    }
    // With ?dataset_id=, createMissing has made every row the slice's lines lack, or reported why not.
    this.errors.push({ line, global_key: gk, field: ref.globalKey ? 'data_row.global_key' : 'data_row.id', message: `no data row ${ref.globalKey ? `with global key ${JSON.stringify(ref.globalKey)}` : ref.id} in this organization${create && !this.p.dataset_id ? ' (pass ?dataset_id= to create missing data rows)' : ''}` })
    return null
  }

  /** One label from annotation input. Errors name `lineFor(path)` so grouped lines report exactly. */
  async label(dr: DataRowRef, input: Obj, meta: { skipped: boolean; seconds: number; createdAt: Date | null }, lineFor: (path: string) => number) {
    if (this.p.create_ontology) {
      const grown = growOntology(this.ontology, input)
      if (grown.changed) {
        this.project.ontology = normalizeOntology(grown.input, this.ontology)
        this.ontologyChanged = true
      }
    }
    let n
    try {
      n = normalizeAnnotations(input, this.ontology)
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      for (const er of e.errors) this.errors.push({ line: lineFor(er.path), global_key: dr.globalKey, field: er.path, message: er.message })
      return
    }
    // Labels travel to D1 as JSON inside a JSON parameter (labelsInsertStmts), and D1 binds strings
    // up to 2 MB: a label that would not fit is this line's error, not the whole slice's.
    const text = JSON.stringify(n.annotations)
    if (text.length > 400_000 && new TextEncoder().encode(JSON.stringify(text)).length > MAX_LABEL_BYTES) {
      this.errors.push({ line: lineFor(''), global_key: dr.globalKey, field: 'annotations', message: `the label's annotations take more than ${MAX_LABEL_BYTES / 1_000_000} MB; split them over several labels` })
      return
    }
    const importKey = (await sha256Hex(JSON.stringify([stripIds(n.annotations), meta.skipped]))).slice(0, 40)
    this.pending.push({ dr, n, meta, importKey })
  }

  /** Labels of this slice, written by `flush()`. */
  private pending: { dr: DataRowRef; n: ReturnType<typeof normalizeAnnotations>; meta: { skipped: boolean; seconds: number; createdAt: Date | null }; importKey: string }[] = []

  /**
   * Writes the slice's labels: one query finds those imported before (same data row, same import
   * key), one batch writes the rest with everything that depends on them. One transaction: a slice
   * that fails writes no label, and its retry starts over. A label repeated within the slice counts
   * as unchanged, as it would on a second import.
   */
  async flush() {
    const todo = this.pending
    this.pending = []
    if (!todo.length) return
    const rowIds = [...new Set(todo.map((t) => t.dr.id))]
    const before = await this.db.all<{ d: string; k: string }>(sql`
      SELECT data_row_id AS d, import_key AS k FROM labels
      WHERE project_id = ${this.project.id} AND import_key IS NOT NULL AND data_row_id IN (SELECT value FROM json_each(${JSON.stringify(rowIds)}))`)
    const seen = new Set(before.map((r) => `${r.d} ${r.k}`))
    const fresh = todo.filter((t) => {
      const key = `${t.dr.id} ${t.importKey}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    this.duplicates += todo.length - fresh.length
    const made = labelsInsertStmts(
      this.db,
      this.project,
      this.task.createdBy,
      fresh.map((t) => ({
        dataRow: t.dr,
        annotations: t.n.annotations,
        count: t.n.count,
        deltas: t.n.deltas,
        secondsToCreate: t.meta.seconds,
        skipped: t.meta.skipped,
        imported: true,
        importKey: t.importKey,
        at: t.meta.createdAt ?? undefined,
      })),
    )
    const { stmts, eventIds: events } = made
    // A grown ontology is saved with the labels that use it, never apart from them.
    if (this.ontologyChanged) stmts.push(this.db.update(projects).set({ ontology: this.project.ontology, updatedAt: new Date() }).where(eq(projects.id, this.project.id)))
    this.ontologyChanged = false
    await runBatch(this.db, stmts)
    this.eventIds.push(...events)
    this.created += events.length
  }

  async saveOntology() {
    if (this.ontologyChanged) await this.db.update(projects).set({ ontology: this.project.ontology, updatedAt: new Date() }).where(eq(projects.id, this.project.id))
  }
}

function stripIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripIds)
  if (!isObj(x)) return x
  return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'feature_id').map(([k, v]) => [k, stripIds(v)]))
}

const dateOr = (s: unknown): Date | null => {
  if (typeof s !== 'string') return null
  const t = Date.parse(s)
  return Number.isNaN(t) || t > Date.now() + 86_400_000 ? null : new Date(t)
}

/** A line too long to read at all: the import stops and says which (the task fails). */
class LineTooLong extends Error {}

async function readPhase(run: Run, cur: Cursor): Promise<boolean> {
  const { env, p } = run
  // Read a window; widen it when one line is bigger than the window (a label with a big mask or
  // polygon). A label that does not fit D1 is then that line's error (see `label`).
  let window = WINDOW
  let buf: Uint8Array
  let final: boolean
  let state: ParseState
  let parsed: ReturnType<typeof nextRecords>
  for (;;) {
    const obj = await env.ASSETS_BUCKET.get(p.key, { range: { offset: cur.offset, length: window } })
    if (!obj) throw new Error('the uploaded file is missing from storage')
    buf = new Uint8Array(await obj.arrayBuffer())
    final = cur.offset + buf.length >= p.size
    state = structuredClone(cur.state)
    parsed = nextRecords(buf, state, final, SLICE_RECORDS)
    if (parsed.consumed > 0 || parsed.records.length || final) break
    if (window >= MAX_LINE_BYTES) throw new LineTooLong(`Line ${cur.state.line + 1} is larger than ${MAX_LINE_BYTES / 1024 / 1024} MB, more than one label can hold; split it or shorten it.`)
    window *= 4
  }
  const { records, consumed } = parsed
  const staged: { line: number; ref: string; payload: Obj }[] = []
  // The data rows of the slice's export v2 lines, in one query.
  const v2 = records.flatMap((rec) => {
    if ('error' in rec || !isObj(rec.value) || !isObj(rec.value.data_row)) return []
    const v = rec.value
    const d = v.data_row as Obj
    const gk = typeof d.global_key === 'string' ? d.global_key : undefined
    const id = typeof d.id === 'string' || typeof d.id === 'number' ? String(d.id) : ''
    // A row named by neither is this line's error (below), not a row shared with other such lines.
    if (!gk && !id) return []
    const ref = gk ? { globalKey: gk } : { id }
    return [{ line: rec.line, ref, create: { row_data: d.row_data, global_key: gk, external_id: d.external_id, media_type: mediaTypeOf(v) } }]
  })
  await run.prefetch(v2.map((e) => e.ref))
  // Rows missing from the organization, created together (with ?dataset_id=).
  await run.createMissing(v2)
  const v2ByLine = new Map(v2.map((e) => [e.line, e]))
  for (const rec of records) {
    if ('error' in rec) {
      run.errors.push({ line: rec.line, message: rec.error })
      continue
    }
    const v = rec.value
    if (!isObj(v)) {
      run.errors.push({ line: rec.line, message: 'each line must be a JSON object' })
      continue
    }
    if (isObj(v.data_row)) {
      // Export v2: one data row and its labels per line.
      const e = v2ByLine.get(rec.line)
      if (!e) {
        run.errors.push({ line: rec.line, field: 'data_row', message: 'data_row needs a global_key or an id' })
        continue
      }
      const dr = await run.dataRow(rec.line, e.ref, e.create)
      if (!dr) continue
      const projectsOf = isObj(v.projects) ? Object.values(v.projects) : []
      const ls = projectsOf.flatMap((x) => (isObj(x) && Array.isArray(x.labels) ? x.labels : []))
      for (const l of ls) {
        if (!isObj(l)) continue
        const perf = isObj(l.performance_details) ? l.performance_details : {}
        const det = isObj(l.label_details) ? l.label_details : {}
        await run.label(dr, fromExportV2(l.annotations), { skipped: perf.skipped === true, seconds: typeof perf.seconds_to_create === 'number' ? perf.seconds_to_create : 0, createdAt: dateOr(det.created_at) }, () => rec.line)
      }
    } else if (isObj(v.dataRow)) {
      const ref = typeof v.dataRow.globalKey === 'string' ? `key:${v.dataRow.globalKey.toLowerCase()}` : typeof v.dataRow.id === 'string' ? `id:${v.dataRow.id}` : null
      if (!ref) run.errors.push({ line: rec.line, field: 'dataRow', message: 'dataRow needs an id or a globalKey' })
      else staged.push({ line: rec.line, ref, payload: v })
    } else {
      run.errors.push({ line: rec.line, message: 'not a Labelbox line: expected "data_row" (export v2) or "dataRow" (annotation import)' })
    }
  }
  // All staged lines in one statement, as one JSON parameter: D1 binds at most 100 values per
  // statement (4 columns × 40 rows did not fit).
  if (staged.length) {
    await run.db.run(sql`
      INSERT INTO label_import_lines (task_id, line, data_row_ref, payload)
      SELECT ${run.task.id}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
      FROM json_each(${JSON.stringify(staged.map((s) => [s.line, s.ref, s.payload]))}) WHERE true
      ON CONFLICT DO NOTHING`)
  }
  await run.flush()
  cur.offset += consumed
  cur.state = state
  cur.lines = state.line
  return final && cur.offset >= p.size
}

function mediaTypeOf(v: Obj): DataMediaType | undefined {
  const mime = isObj(v.media_attributes) && typeof v.media_attributes.mime_type === 'string' ? v.media_attributes.mime_type : ''
  if (mime.startsWith('image/')) return 'IMAGE'
  if (mime.startsWith('video/')) return 'VIDEO'
  if (mime.startsWith('audio/')) return 'AUDIO'
  if (mime.startsWith('text/')) return 'TEXT'
  return undefined
}

async function groupPhase(run: Run, cur: Cursor): Promise<boolean> {
  const refs = await run.db
    .selectDistinct({ ref: labelImportLines.dataRowRef })
    .from(labelImportLines)
    .where(and(eq(labelImportLines.taskId, run.task.id), gt(labelImportLines.dataRowRef, cur.groupAfter)))
    .orderBy(asc(labelImportLines.dataRowRef))
    .limit(GROUPS_PER_SLICE)
  // The staged lines and the data rows of all the slice's groups, in two queries.
  const staged = refs.length
    ? await run.db
        .select()
        .from(labelImportLines)
        .where(and(eq(labelImportLines.taskId, run.task.id), sql`${labelImportLines.dataRowRef} IN (SELECT value FROM json_each(${JSON.stringify(refs.map((r) => r.ref))}))`))
        .orderBy(asc(labelImportLines.dataRowRef), asc(labelImportLines.line))
    : []
  const linesOf = new Map<string, typeof staged>()
  for (const l of staged) {
    const group = linesOf.get(l.dataRowRef)
    if (group) group.push(l)
    else linesOf.set(l.dataRowRef, [l])
  }
  const byRef = (ref: string) => (ref.startsWith('key:') ? { globalKey: ref.slice(4) } : { id: ref.slice(3) })
  await run.prefetch(refs.map((r) => byRef(r.ref)))
  for (const { ref } of refs) {
    const lines = linesOf.get(ref) ?? []
    if (!lines.length) continue
    const byKey = byRef(ref)
    const dr = await run.dataRow(lines[0]!.line, byKey)
    cur.groupAfter = ref
    if (!dr) {
      // Every line of a missing data row is reported.
      for (const l of lines.slice(1)) run.errors.push({ line: l.line, field: byKey.globalKey ? 'dataRow.globalKey' : 'dataRow.id', message: run.errors[run.errors.length - 1]!.message })
      continue
    }
    const objects: Obj[] = []
    const classifications: Obj[] = []
    const objLines: number[] = []
    const clsLines: number[] = []
    for (const l of lines) {
      const a = fromAnnotationImport(l.payload)
      if (a.kind === 'error') run.errors.push({ line: l.line, global_key: dr.globalKey, ...(a.field ? { field: a.field } : {}), message: a.message })
      else if (a.kind === 'object') (objects.push(a.value), objLines.push(l.line))
      else (classifications.push(a.value), clsLines.push(l.line))
    }
    if (!objects.length && !classifications.length) continue
    const lineFor = (path: string) => {
      const m = /^annotations\.(objects|classifications)\.(\d+)/.exec(path)
      if (!m) return lines[0]!.line
      return (m[1] === 'objects' ? objLines : clsLines)[Number(m[2])] ?? lines[0]!.line
    }
    await run.label(dr, { objects, classifications }, { skipped: false, seconds: 0, createdAt: null }, lineFor)
  }
  await run.flush()
  return refs.length < GROUPS_PER_SLICE
}

async function slice(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const p = task.params as Params
  const project = await db.select().from(projects).where(eq(projects.id, p.project_id)).get()
  if (!project || project.deletedAt) {
    await failTask(env, task.id, 'The project was deleted while importing.')
    return 'done'
  }
  const status = env.TASK_STATUS.getByName(task.id)
  const cur: Cursor = ((await status.cursor()) as Cursor | null) ?? { phase: 'read', offset: 0, state: { format: 'ndjson', line: 0 }, slice: 0, created: 0, duplicates: 0, failed: 0, lines: 0, groupAfter: '' }
  const run = new Run(env, db, task, project, p)

  if (cur.phase === 'cleanup') {
    await db.run(sql`DELETE FROM label_import_lines WHERE rowid IN (SELECT rowid FROM label_import_lines WHERE task_id = ${task.id} LIMIT 5000)`)
    const left = await db.select({ n: sql<number>`count(*)` }).from(labelImportLines).where(eq(labelImportLines.taskId, task.id))
    if (Number(left[0]?.n ?? 0) > 0) return 'more'
    await env.EXPORTS.put(resultKey(task.id, 'json'), JSON.stringify({ project_id: project.id, labels_created: cur.created, labels_unchanged: cur.duplicates, lines_failed: cur.failed, lines: cur.lines }), { httpMetadata: { contentType: 'application/json' } })
    await completeTask(env, task, {
      metadata: { labels_created: cur.created, labels_unchanged: cur.duplicates, lines_failed: cur.failed, bytes_done: p.size },
      resultKey: resultKey(task.id, 'json'),
      errorsKey: cur.failed ? `tasks/${task.id}/errors/` : undefined,
      message: `${cur.created} labels imported, ${cur.failed} lines with errors`,
    })
    return 'done'
  }

  let phaseDone: boolean
  try {
    phaseDone = cur.phase === 'read' ? await readPhase(run, cur) : await groupPhase(run, cur)
  } catch (e) {
    if (!(e instanceof LineTooLong)) throw e
    await failTask(env, task.id, `${e.message} Labels of earlier lines were kept.`)
    return 'done'
  }
  await announceEvents(env, db, project.orgId, run.eventIds)
  await run.saveOntology()
  if (run.errors.length) await env.EXPORTS.put(errorPartKey(task.id, cur.slice), run.errors.sort((a, b) => a.line - b.line).map((e) => JSON.stringify(e)).join('\n') + '\n', { httpMetadata: { contentType: 'application/x-ndjson' } })
  cur.slice++
  cur.created += run.created
  cur.duplicates += run.duplicates
  cur.failed += new Set(run.errors.map((e) => e.line)).size
  if (phaseDone) cur.phase = cur.phase === 'read' ? 'group' : 'cleanup'
  await status.saveCursor(cur)
  await reportProgress(env, task, {
    percent: cur.phase === 'read' ? (cur.offset / p.size) * 90 : 95,
    done: cur.created,
    phase: `${cur.created} labels imported`,
    metadata: { labels_created: cur.created, labels_unchanged: cur.duplicates, lines_failed: cur.failed, bytes_done: cur.offset },
  })
  return 'more'
}

taskJob('import-labels', slice)

