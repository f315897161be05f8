/**
 * @module Phase "read": walks the file in windows like data-row imports. Export v2 lines (one data
 * row and its labels per line) become labels at once; annotation-import lines are staged in D1
 * (./staging.ts), for phase "group" (./group.ts) to make one label of each data row's lines.
 */
import type { DataMediaType } from '../../../db/schema'
import { readWindow } from '../../datasets/manifest'
import { guessMediaType } from '../../datasets/row-input'
import { fromExportV2 } from './lines'
import { type StagedLine, stage } from './staging'
import { isObj, type Cursor, type Obj, type Run } from './types'

/** A window's first read; it widens (fourfold) for a longer line, up to MAX_LINE_BYTES. */
const WINDOW = 1024 * 1024
/** The longest line a label import reads. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024
/**
 * Records per slice. A slice's queries no longer grow with it: its data rows are read, created and
 * attached, and its labels written, a few statements per table (`labelsInsertStmts`). What bounds a
 * read slice now is its time: 250 records take ~0.1 s locally; 50,000 export v2 lines took 25 s at
 * 80 records a slice and 14 s at 250.
 */
const SLICE_RECORDS = 250

/** A line too long to read at all: the import stops and says which (the task fails). */
export class LineTooLong extends Error {}

/** Reads one window of the file from the cursor and moves the cursor past it; true at the end. */
export async function readPhase(run: Run, cur: Cursor): Promise<boolean> {
  const { env, p } = run
  // A label with a big mask or polygon widens the window; one that does not fit D1 is then that
  // line's error (./write.ts).
  const read = await readWindow(
    env.ASSETS_BUCKET,
    { key: p.key, size: p.size, missing: 'the uploaded file is missing from storage' },
    cur,
    { window: WINDOW, maxWindow: MAX_LINE_BYTES, maxRecords: SLICE_RECORDS },
  )
  if (read === 'too-long')
    throw new LineTooLong(
      `Line ${cur.state.line + 1} is larger than ${MAX_LINE_BYTES / 1024 / 1024} MB, more than one label can hold; split it or shorten it.`,
    )
  const { final, state } = read
  const { records, consumed } = read.parsed
  const staged: StagedLine[] = []
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
    return [
      {
        line: rec.line,
        ref,
        create: {
          row_data: d.row_data,
          global_key: gk,
          external_id: d.external_id,
          media_type: mediaTypeOf(v) ?? untoldAs(d.row_data, run.project.mediaType),
          media_attributes: v.media_attributes,
        },
      },
    ]
  })
  await run.rows.prefetch(v2.map((e) => e.ref))
  // Rows missing from the organization, created together (with ?dataset_id=).
  await run.rows.createMissing(v2)
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
      const dr = await run.rows.dataRow(rec.line, e.ref, e.create)
      if (!dr) continue
      const projectsOf = isObj(v.projects) ? Object.values(v.projects) : []
      const ls = projectsOf.flatMap((x) => (isObj(x) && Array.isArray(x.labels) ? x.labels : []))
      if (!ls.length) run.labels.okLines.add(rec.line)
      for (const l of ls) {
        if (!isObj(l)) continue
        const perf = isObj(l.performance_details) ? l.performance_details : {}
        const det = isObj(l.label_details) ? l.label_details : {}
        await run.labels.label(
          dr,
          fromExportV2(l.annotations),
          {
            skipped: perf.skipped === true,
            seconds: typeof perf.seconds_to_create === 'number' ? perf.seconds_to_create : 0,
            createdAt: dateOr(det.created_at),
          },
          () => rec.line,
        )
      }
    } else if (isObj(v.dataRow)) {
      const ref =
        typeof v.dataRow.globalKey === 'string'
          ? `key:${v.dataRow.globalKey.toLowerCase()}`
          : typeof v.dataRow.id === 'string'
            ? `id:${v.dataRow.id}`
            : null
      if (!ref) run.errors.push({ line: rec.line, field: 'dataRow', message: 'dataRow needs an id or a globalKey' })
      else staged.push({ line: rec.line, ref, payload: v })
    } else {
      run.errors.push({ line: rec.line, message: 'not a Labelbox line: expected "data_row" (export v2) or "dataRow" (annotation import)' })
    }
  }
  await stage(run.db, run.task.id, staged)
  await run.labels.flush()
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

/**
 * A row this import creates whose media type neither the line (mime type) nor its URL tells is of
 * the project's type: the file labels it as such, and the batch guard would refuse it otherwise
 * (export lines carry `media_attributes` only when asked for).
 */
function untoldAs(rowData: unknown, projectType: DataMediaType): DataMediaType | undefined {
  if (typeof rowData !== 'string') return undefined
  return guessMediaType(rowData, /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rowData)) === 'OTHER' ? projectType : undefined
}

/** A label's creation time from the file, unless unreadable or more than a day in the future. */
const dateOr = (s: unknown): Date | null => {
  if (typeof s !== 'string') return null
  const t = Date.parse(s)
  return Number.isNaN(t) || t > Date.now() + 86_400_000 ? null : new Date(t)
}
