/**
 * @module Manifest imports (`import-data-rows` tasks). The manifest is streamed into R2, then the
 * queue processes it in bounded slices: each slice reads a window of bytes from its saved offset,
 * validates the complete records in it, inserts the good rows and writes the bad ones to an error
 * part. The slice cursor lives in the task's Durable Object and is saved after the slice's writes;
 * row ids are derived from (task, line), so a slice that runs twice inserts nothing twice and
 * recomputes its counts from the cursor it started from.
 *
 * One queue message runs several slices in a row (each saving its cursor as before), so the
 * import is not a chain of one message per slice: every hop through the queue costs a delivery,
 * and a delivery can wait for the consumer's batch window (wrangler.toml). A crash or a retry
 * redoes at most the slice that was running.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { makeDb, type Db } from '../../db/client'
import { datasets } from '../../db/schema'
import type { RunningTask } from '../../lib/task-badge'
import type { Ctx, Env } from '../../env'
import { AppError } from '../../lib/errors'
import { streamToR2 } from '../../lib/r2'
import { importRowId } from '../../lib/ids'
import { completeTask, failTask, reportProgress, startTask, type TaskRow, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { errorsPrefix, resultKey, saveErrorPart, type LineError } from '../tasks/files'
import { insertRows, rowContext, type Candidate } from './data-rows'
import { formatFromContentType, nextRecords, readWindow, type Format, type ParseState } from './manifest'
import { checkRow } from './row-input'
import { loadDataset, type DatasetRow } from './service'
import { formatNumber } from '../../../views/format'

export const MAX_MANIFEST_BYTES = 1024 * 1024 * 1024
export const MAX_IMPORT_ROWS = 1_000_000
/** Bytes read per slice: bounds the slice's memory (the window, its text and its records). */
export const SLICE_BYTES = 2 * 1024 * 1024
/** The biggest record a manifest may hold: the window widens (fourfold) up to this. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024
/** Records per slice: at most 40 INSERTs of 500 rows plus as many id checks (`insertRows`). With
 * typical rows (~130 bytes) the byte window ends a slice first, at ~16,000 records. */
export const SLICE_RECORDS = 20_000
/** Records parsed, checked and inserted at a time within a slice, so that only the window and
 * this many records are alive at once, not the whole slice's. */
const CHUNK_RECORDS = 2_000
/**
 * What one queue message may do: at most `slices` slices (~80 D1 queries each, so ~500, half of
 * D1's 1,000 per invocation), and no new slice after `ms`: two seconds of work make the hop to the
 * next message small beside it, and keep each delivery well under the 5 s after which local
 * development's queue broker can lose its connection and stop delivering (`exportBudget` in
 * src/modules/exports/service.ts says more). Mutable so tests can make deliveries deterministic.
 */
export const importBudget = { slices: 6, ms: 2_000 }

export type ImportError = LineError

type ImportCursor = { offset: number; state: ParseState; slice: number; created: number; failed: number; rows: number }

/** Stores the manifest in R2 and starts the import task. Bad requests fail before a task exists. */
export async function startImport(
  ctx: Ctx,
  datasetId: string,
  req: { body: ReadableStream<Uint8Array> | null; contentType: string | undefined; contentLength: string | undefined; filename?: string },
): Promise<TaskView> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  const format = formatFromContentType(req.contentType)
  if (!format)
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the manifest as application/x-ndjson (NDJSON), application/json (a JSON array) or text/csv',
    )
  const declared = req.contentLength ? Number(req.contentLength) : undefined
  if (declared !== undefined && declared > MAX_MANIFEST_BYTES)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The manifest is ${Math.round(declared / 1024 / 1024)} MB; the limit is ${MAX_MANIFEST_BYTES / 1024 / 1024} MB per import`,
    )
  if (!req.body || declared === 0)
    throw new AppError('VALIDATION', 'The manifest is empty', [{ path: 'body', message: 'The file is empty' }])
  const key = `imports/${ctx.actor.orgId}/${d.id}/${crypto.randomUUID()}.${format === 'json' ? 'json' : format}`
  const size = await streamToR2(ctx.env.ASSETS_BUCKET, key, req.body, MAX_MANIFEST_BYTES)
  if (size === 0) throw new AppError('VALIDATION', 'The manifest is empty', [{ path: 'body', message: 'The file is empty' }])
  const { task } = await startTask(ctx, {
    type: 'import-data-rows',
    name: `Import ${req.filename ? `“${req.filename.slice(0, 120)}” ` : ''}into “${d.name}”`,
    subjectId: d.id,
    params: { dataset_id: d.id, key, size, format },
    metadata: { bytes_total: size, bytes_done: 0, rows_created: 0, rows_failed: 0 },
  })
  return task
}

/** Runs slices until the import is done or the message's budget is spent. */
async function runMessage(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const { format, dataset_id } = task.params as { format: Format; dataset_id: string }
  const status = env.TASK_STATUS.getByName(task.id)
  let cur: ImportCursor = ((await status.cursor()) as ImportCursor | null) ?? {
    offset: 0,
    state: { format, line: 0 },
    slice: 0,
    created: 0,
    failed: 0,
    rows: 0,
  }
  const d = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, dataset_id), isNull(datasets.deletedAt)))
    .get()
  if (!d) {
    await failTask(env, task.id, 'The dataset was deleted while importing.')
    return 'done'
  }
  const started = Date.now()
  for (let n = 1; ; n++) {
    const r = await runSlice(env, db, task, d, cur)
    if (r === 'failed') return 'done'
    // The slice's writes are in; once its cursor is saved a retry starts after it.
    await status.saveCursor(r.next)
    cur = r.next
    if (r.done) {
      await finishImport(env, task, d, cur)
      return 'done'
    }
    if (n >= importBudget.slices || Date.now() - started > importBudget.ms) break
  }
  const { size } = task.params as { size: number }
  await reportProgress(env, task, {
    percent: (cur.offset / size) * 100,
    // The rows so far (the dataset page and the Tasks menu show them); how many rows a manifest
    // holds is not known before its end, so the bar follows the bytes read.
    done: cur.created,
    total: null,
    phase: `${formatNumber(cur.created)} rows imported`,
    metadata: importMetadata(size, cur),
  })
  return 'more'
}

const importMetadata = (size: number, c: ImportCursor) => ({
  bytes_total: size,
  bytes_done: c.offset,
  rows_created: c.created,
  rows_failed: c.failed,
  lines: c.state.line,
  error_parts: c.slice,
})

async function finishImport(env: Env, task: TaskRow, d: DatasetRow, c: ImportCursor) {
  const { size } = task.params as { size: number }
  await env.EXPORTS.put(
    resultKey(task.id, 'json'),
    JSON.stringify({ dataset_id: d.id, created: c.created, failed: c.failed, lines: c.state.line }),
    { httpMetadata: { contentType: 'application/json' } },
  )
  await completeTask(env, task, {
    metadata: importMetadata(size, c),
    resultKey: resultKey(task.id, 'json'),
    errorsKey: c.failed ? errorsPrefix(task.id) : undefined,
    message: `${formatNumber(c.created)} rows created, ${formatNumber(c.failed)} with errors`,
  })
}

/** One slice from `cur`: the cursor after it, and whether the manifest is finished ('failed': the
 * task was failed and has nothing left to do). */
async function runSlice(
  env: Env,
  db: Db,
  task: TaskRow,
  d: DatasetRow,
  cur: ImportCursor,
): Promise<{ next: ImportCursor; done: boolean } | 'failed'> {
  const { key, size, format } = task.params as { key: string; size: number; format: Format }
  const read = await readWindow(env.ASSETS_BUCKET, { key, size, missing: 'the uploaded manifest is missing from storage' }, cur, {
    window: SLICE_BYTES,
    maxWindow: MAX_RECORD_BYTES,
    maxRecords: CHUNK_RECORDS,
  })
  if (read === 'too-long') {
    await failTask(
      env,
      task.id,
      `Line ${cur.state.line + 1} is a single record larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB; split it or shorten it.`,
    )
    return 'failed'
  }
  const { buf, final, state } = read
  let { parsed } = read

  const errors: ImportError[] = []
  const rc = rowContext(d)
  const seenKeys = new Map<string, number>()
  let rows = cur.rows
  let consumed = 0
  let records = 0
  let created = 0
  let overLimit = false
  // The window chunk by chunk, each chunk continuing where the last one stopped (as the next slice
  // would): parse, check and insert CHUNK_RECORDS records, then the next ones.
  for (;;) {
    consumed += parsed.consumed
    records += parsed.records.length
    const candidates: Candidate[] = []
    for (const rec of parsed.records) {
      if ('error' in rec) {
        errors.push({ line: rec.line, ...(rec.field ? { field: rec.field } : {}), message: rec.error })
        continue
      }
      if (++rows > MAX_IMPORT_ROWS) {
        errors.push({
          line: rec.line,
          message: `an import holds at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows; this row and the rest were not imported`,
        })
        overLimit = true
        break
      }
      const r = checkRow(rec.value, rc)
      const gk =
        typeof (rec.value as { global_key?: unknown })?.global_key === 'string'
          ? (rec.value as { global_key: string }).global_key
          : undefined
      if ('errors' in r)
        for (const e of r.errors)
          errors.push({ line: rec.line, ...(gk !== undefined ? { global_key: gk } : {}), field: e.field, message: e.message })
      else candidates.push({ index: rec.line, id: importRowId(task.id, rec.line), row: r.row })
    }
    // Global keys seen earlier in this slice are reported as duplicates within the file.
    const res = await insertRows(db, d, task.createdBy, candidates, Date.now(), seenKeys, (line) => `line ${line} of this file`)
    for (const e of res.errors) errors.push({ line: e.index, global_key: e.global_key, field: e.field, message: e.message })
    created += candidates.filter((c) => res.inserted.has(c.id)).length
    // Fewer records than asked for: the window holds no more complete ones.
    if (overLimit || parsed.records.length < CHUNK_RECORDS || records >= SLICE_RECORDS) break
    parsed = nextRecords(buf.subarray(consumed), state, final, CHUNK_RECORDS)
  }
  errors.sort((a, b) => a.line - b.line)

  await saveErrorPart(env.EXPORTS, task.id, cur.slice, errors)
  const failedLines = new Set(errors.map((e) => e.line)).size
  const next: ImportCursor = {
    offset: cur.offset + consumed,
    state,
    slice: cur.slice + 1,
    created: cur.created + created,
    failed: cur.failed + failedLines,
    rows,
  }
  // `parsed` is the last chunk: a JSON array is finished when closed, or when nothing more came.
  const done = overLimit || (final && consumed >= buf.length && (format !== 'json' || state.closed === true || parsed.records.length === 0))
  return { next, done }
}

export const importDataRowsJob = taskJob('import-data-rows', runMessage)

/** The caller's imports into a dataset that are running now, picked from the running tasks the
 * shell reads for its Tasks badge (src/lib/task-badge.ts): no read of its own. The page shows
 * them as live counts that public/js/tasks.js fills in from each task's Durable Object. An
 * import another admin started shows on their pages and in the Tasks page, not here. */
export function runningImports(running: RunningTask[], datasetId: string): RunningTask[] {
  return running.filter((t) => t.type === 'import-data-rows' && t.subjectId === datasetId)
}
