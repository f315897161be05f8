/**
 * @module Manifest imports (`import-data-rows` tasks). The manifest is streamed into R2, then the
 * queue processes it in bounded slices: each slice reads a window of bytes from its saved offset,
 * validates the complete records in it, inserts the good rows and writes the bad ones to an error
 * part. The slice cursor lives in the task's Durable Object and is saved after the slice's writes;
 * row ids are derived from (task, line), so a slice that runs twice inserts nothing twice and
 * recomputes its counts from the cursor it started from.
 */
import { and, eq, isNull } from 'drizzle-orm'
import { makeDb } from '../../db/client'
import { datasets } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { AppError } from '../../lib/errors'
import { streamToR2 } from '../../lib/r2'
import { completeTask, failTask, reportProgress, startTask, type TaskRow, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { errorPartKey, resultKey } from '../tasks/files'
import { insertRows, rowContext, type Candidate } from './data-rows'
import { formatFromContentType, nextRecords, type Format, type ParseState } from './manifest'
import { checkRow } from './row-input'
import { loadDataset } from './service'

export const MAX_MANIFEST_BYTES = 1024 * 1024 * 1024
export const MAX_IMPORT_ROWS = 1_000_000
const SLICE_BYTES = 2 * 1024 * 1024
const SLICE_RECORDS = 5_000

export type ImportError = { line: number; global_key?: string | null; field?: string; message: string }

type ImportCursor = { offset: number; state: ParseState; slice: number; created: number; failed: number; rows: number }

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const b32 = (n: number, len: number) => {
  let s = ''
  for (let i = 0; i < len; i++) {
    s = ALPHABET[n % 32] + s
    n = Math.floor(n / 32)
  }
  return s
}
/** Deterministic, time-sortable id of the row imported from `line` by `taskId`. */
export function importRowId(taskId: string, line: number): string {
  let h = 0x811c9dc5
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193) >>> 0
  return `dr_${taskId.slice(4, 14)}${b32(h >>> 2, 6)}${b32(line, 10)}`
}

/** Stores the manifest in R2 and starts the import task. Bad requests fail before a task exists. */
export async function startImport(ctx: Ctx, datasetId: string, req: { body: ReadableStream<Uint8Array> | null; contentType: string | undefined; contentLength: string | undefined; filename?: string }): Promise<TaskView> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  const format = formatFromContentType(req.contentType)
  if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the manifest as application/x-ndjson (NDJSON), application/json (a JSON array) or text/csv')
  const declared = req.contentLength ? Number(req.contentLength) : undefined
  if (declared !== undefined && declared > MAX_MANIFEST_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `The manifest is ${Math.round(declared / 1024 / 1024)} MB; the limit is ${MAX_MANIFEST_BYTES / 1024 / 1024} MB per import`)
  if (!req.body || declared === 0) throw new AppError('VALIDATION', 'The manifest is empty', [{ path: 'body', message: 'The file is empty' }])
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

async function runSlice(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const { key, size, format, dataset_id } = task.params as { key: string; size: number; format: Format; dataset_id: string }
  const status = env.TASK_STATUS.getByName(task.id)
  const cur: ImportCursor = ((await status.cursor()) as ImportCursor | null) ?? { offset: 0, state: { format, line: 0 }, slice: 0, created: 0, failed: 0, rows: 0 }
  const d = await db.select().from(datasets).where(and(eq(datasets.id, dataset_id), isNull(datasets.deletedAt))).get()
  if (!d) {
    await failTask(env, task.id, 'The dataset was deleted while importing.')
    return 'done'
  }

  // Read a window; widen it when one record is bigger than the window.
  let window = SLICE_BYTES
  let parsed: ReturnType<typeof nextRecords>
  let state: ParseState
  let final: boolean
  let bufLen: number
  for (;;) {
    const obj = await env.ASSETS_BUCKET.get(key, { range: { offset: cur.offset, length: window } })
    if (!obj) throw new Error('the uploaded manifest is missing from storage')
    const buf = new Uint8Array(await obj.arrayBuffer())
    bufLen = buf.length
    final = cur.offset + buf.length >= size
    state = structuredClone(cur.state)
    parsed = nextRecords(buf, state, final, SLICE_RECORDS)
    if (parsed.consumed > 0 || parsed.records.length || final) break
    if (window >= 32 * 1024 * 1024) {
      await failTask(env, task.id, `Line ${cur.state.line + 1} is a single record larger than 32 MB; split it or shorten it.`)
      return 'done'
    }
    window *= 4
  }

  const errors: ImportError[] = []
  const candidates: Candidate[] = []
  const rc = rowContext(d)
  let rows = cur.rows
  for (const rec of parsed.records) {
    if ('error' in rec) {
      errors.push({ line: rec.line, ...(rec.field ? { field: rec.field } : {}), message: rec.error })
      continue
    }
    if (++rows > MAX_IMPORT_ROWS) {
      errors.push({ line: rec.line, message: `an import holds at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows; this row and the rest were not imported` })
      break
    }
    const r = checkRow(rec.value, rc)
    const gk = typeof (rec.value as { global_key?: unknown })?.global_key === 'string' ? ((rec.value as { global_key: string }).global_key) : undefined
    if ('errors' in r) for (const e of r.errors) errors.push({ line: rec.line, ...(gk !== undefined ? { global_key: gk } : {}), field: e.field, message: e.message })
    else candidates.push({ index: rec.line, id: importRowId(task.id, rec.line), row: r.row })
  }
  const res = await insertRows(db, d, task.createdBy, candidates)
  for (const e of res.errors) errors.push({ line: e.index, global_key: e.global_key, field: e.field, message: e.message })
  errors.sort((a, b) => a.line - b.line)
  const overLimit = rows > MAX_IMPORT_ROWS

  // Error parts are named by slice, so a slice that runs again overwrites its own part.
  if (errors.length) await env.EXPORTS.put(errorPartKey(task.id, cur.slice), errors.map((e) => JSON.stringify(e)).join('\n') + '\n', { httpMetadata: { contentType: 'application/x-ndjson' } })
  const failedLines = new Set(errors.map((e) => e.line)).size
  const next: ImportCursor = {
    offset: cur.offset + parsed.consumed,
    state,
    slice: cur.slice + 1,
    created: cur.created + candidates.filter((c) => res.inserted.has(c.id)).length,
    failed: cur.failed + failedLines,
    rows,
  }
  await status.saveCursor(next)
  const done = overLimit || (final && parsed.consumed >= bufLen && (format !== 'json' || state.closed === true || parsed.records.length === 0))
  const metadata = { bytes_total: size, bytes_done: next.offset, rows_created: next.created, rows_failed: next.failed, lines: state.line, error_parts: next.slice }
  if (done) {
    await env.EXPORTS.put(resultKey(task.id, 'json'), JSON.stringify({ dataset_id: d.id, created: next.created, failed: next.failed, lines: state.line }), { httpMetadata: { contentType: 'application/json' } })
    await completeTask(env, task, {
      metadata,
      resultKey: resultKey(task.id, 'json'),
      errorsKey: next.failed ? `tasks/${task.id}/errors/` : undefined,
      message: `${next.created} rows created, ${next.failed} with errors`,
    })
    return 'done'
  }
  await reportProgress(env, task, { percent: (next.offset / size) * 100, done: next.offset, total: size, phase: `Imported ${next.created} rows`, metadata })
  return 'more'
}

taskJob('import-data-rows', runSlice)
