/**
 * @module Exports (`export-data-rows` tasks): one NDJSON line per data row, written through an R2
 * multipart upload. Each queue message reads pages of rows by keyset (data-row id, never OFFSET)
 * and uploads a part whenever it has a part's worth of bytes, for up to `exportBudget` pages; at
 * the end it saves its cursor — last row id, upload id, part etags, counts, and the bytes short of
 * a part, kept in R2 as a carry object — in the task's Durable Object. A redelivered message or a
 * crashed consumer starts again from the saved cursor, re-uploading the same part numbers with the
 * same bytes, so no line is lost or doubled. Memory stays at about one part plus one page.
 */
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm'
import { makeDb } from '../../db/client'
import { batches, dataRows, datasets, projectDataRows, projects } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { AppError } from '../../lib/errors'
import { sha256Hex } from '../../lib/crypto'
import { completeTask, failTask, reportProgress, startTask, type TaskRow, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { carryKey, errorPartKey, errorsPrefix, resultKey, saveErrorPart, sideChunkKey, sidePrefix, sideSlicePrefix } from '../tasks/files'
import { loadProject } from '../projects/service'
import { buildLines, People, type PageRow } from './lines'
import { assetLinks, assetLinksNote, assetUrlSigner, type AssetLinks } from '../datasets/asset-urls'
import { FORMAT_INFO, WORKFLOW_FILTER, type ExportFilters, type ExportFormat, type ExportInput, type ExportParams } from './schemas'
import { WRITERS, type Emit, type FormatCtx } from './formats'
import { loadPageLabels } from './page-labels'
import type { Ontology } from '../projects/ontology'
import { formatNumber } from '../../../views/format'

const PAGE_ROWS = 1000
/** R2 needs ≥ 5 MiB for every part but the last, and all of those the same size: every part but
 * the last is exactly this long. */
export const PART_BYTES = 5 * 1024 * 1024 + 64 * 1024
/**
 * What one queue message (one slice) may do: at most `pages` pages of PAGE_ROWS rows (2–4 D1
 * queries each: ~300 of the 1,000 allowed per invocation), and no new page after `ms`. A slice
 * used to end at its first full part (~6 MiB), so every part cost a queue hop and the slice's own
 * bookkeeping; two seconds of work per message make those small beside the work.
 * Why not longer: in local development (wrangler dev, vitest) Miniflare's queue broker logs each
 * delivery over a keep-alive connection to its Node process, which Node closes after 5 s idle;
 * a delivery that takes longer can find it closed (EPIPE), and the broker then never delivers on
 * that queue again (seen: exports stuck at 99%). Mutable so tests can cross slice boundaries.
 */
export const exportBudget = { pages: 100, ms: 2_000, sideBytes: 4 * 1024 * 1024, sideChunks: 64 }

type ExportCursor = {
  after: string | null
  uploadId: string | null
  parts: { partNumber: number; etag: string }[]
  lines: number
  bytes: number
  done: boolean
  /** Slices run so far; names the carry object. */
  slice: number
  /** Lines read but fewer than a part's worth: kept in R2 (`carry/{slice}`) for the next slice. */
  carry: boolean
  /** Other formats than NDJSON: bytes of the file so far (uploaded, carried or pending), the
   * writer's state (formats.ts), and — once every row is written — which side stream is being
   * appended and its last chunk appended. */
  emitted?: number
  format?: unknown
  phase?: 'rows' | 'sides'
  sideAt?: { stream: number; after: string | null; started: boolean }
}

/** Starts an export; the same export (project, params, filters) while one runs returns that one.
 * `origin`: the requesting page's or API call's origin, the base of the export's asset links
 * unless the PUBLIC_URL setting names one (src/modules/datasets/asset-urls.ts). */
export async function startExport(
  ctx: Ctx,
  projectId: string,
  input: ExportInput,
  origin?: string,
): Promise<{ task: TaskView; existing: boolean }> {
  const { project } = await loadProject(ctx, projectId, 'export.create')
  const f = input.filters
  // Ids in the filters must exist in this project's organization (a foreign id is just unknown).
  if (f.batch_ids) {
    const found = await ctx.db
      .select({ id: batches.id })
      .from(batches)
      .where(and(eq(batches.projectId, project.id), sql`${batches.id} IN (SELECT value FROM json_each(${JSON.stringify(f.batch_ids)}))`))
    const unknown = f.batch_ids.filter((id) => !found.some((b) => b.id === id)).slice(0, 20)
    if (unknown.length)
      throw new AppError('VALIDATION', `Unknown batch ids: ${unknown.join(', ')}`, [
        { path: 'filters.batch_ids', message: `Unknown: ${unknown.join(', ')}` },
      ])
  }
  const format = input.format ?? 'ndjson'
  const info = FORMAT_INFO[format]
  if (info.imagesOnly && project.mediaType !== 'IMAGE') {
    const why = `${info.label} exports need an image project; this project’s media type is ${project.mediaType}. Export it as NDJSON or CSV.`
    throw new AppError('VALIDATION', why, [{ path: 'format', message: why }])
  }
  const links = assetLinks(ctx.env, origin)
  const canonical = JSON.stringify({
    ...(format === 'ndjson' ? {} : { format }),
    params: sortKeys(input.params),
    filters: sortKeys(input.filters),
  })
  // Per person: someone else's running export is not theirs to follow (only its owner or an admin may).
  const dedupeKey = `export:${project.id}:${ctx.actor.userId}:${(await sha256Hex(canonical)).slice(0, 32)}`
  return startTask(ctx, {
    type: 'export-data-rows',
    name: format === 'ndjson' ? `Export “${project.name}”` : `Export “${project.name}” (${info.label})`,
    subjectId: project.id,
    params: {
      format,
      params: input.params,
      filters: input.filters,
      ...(links ? { asset_links: links } : {}),
      ...(format === 'ndjson' ? {} : { ontology: project.ontology }),
    },
    metadata: { format, lines_written: 0, total_rows: project.dataRowCount, ...(links ? { asset_urls: assetLinksNote(links) } : {}) },
    dedupeKey,
  })
}

function sortKeys(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)))
}

async function readPage(env: Env, projectId: string, orgId: string, after: string | null, filters: ExportFilters): Promise<PageRow[]> {
  const db = makeDb(env.DB)
  const where: (SQL | undefined)[] = [eq(projectDataRows.projectId, projectId)]
  if (after) where.push(gt(projectDataRows.dataRowId, after))
  if (filters.batch_ids) where.push(sql`${projectDataRows.batchId} IN (SELECT value FROM json_each(${JSON.stringify(filters.batch_ids)}))`)
  if (filters.workflow_status) where.push(eq(projectDataRows.workflowStatus, WORKFLOW_FILTER[filters.workflow_status]))
  if (filters.data_row_ids)
    where.push(sql`${projectDataRows.dataRowId} IN (SELECT value FROM json_each(${JSON.stringify(filters.data_row_ids)}))`)
  if (filters.global_keys)
    where.push(sql`${dataRows.globalKeyLower} IN (SELECT lower(value) FROM json_each(${JSON.stringify(filters.global_keys)}))`)
  const rows = await db
    .select({
      id: dataRows.id,
      rowData: dataRows.rowData,
      globalKey: dataRows.globalKey,
      externalId: dataRows.externalId,
      mediaType: dataRows.mediaType,
      metadataFields: dataRows.metadataFields,
      attachments: dataRows.attachments,
      mediaAttributes: dataRows.mediaAttributes,
      datasetId: dataRows.datasetId,
      datasetName: datasets.name,
      createdAt: dataRows.createdAt,
      updatedAt: dataRows.updatedAt,
      createdBy: dataRows.createdBy,
      batchId: projectDataRows.batchId,
      priority: projectDataRows.priority,
      workflowStatus: projectDataRows.workflowStatus,
    })
    .from(projectDataRows)
    // Unary `+` keeps the org check off data_rows_global_key_uq: with it, SQLite walks the org's
    // data rows (all of them) instead of the project's page. Global keys alone start from that index.
    .innerJoin(
      dataRows,
      and(eq(dataRows.id, projectDataRows.dataRowId), filters.global_keys ? eq(dataRows.orgId, orgId) : sql`+${dataRows.orgId} = ${orgId}`),
    )
    .innerJoin(datasets, eq(datasets.id, dataRows.datasetId))
    .where(and(...where))
    .orderBy(asc(projectDataRows.dataRowId))
    .limit(PAGE_ROWS)
  return rows as PageRow[]
}

const enc = new TextEncoder()

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!
  const out = new Uint8Array(size)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.byteLength
  }
  return out
}

async function deletePrefix(bucket: R2Bucket, prefix: string) {
  for (;;) {
    const page = await bucket.list({ prefix, limit: 1000 })
    if (!page.objects.length) return
    await bucket.delete(page.objects.map((o) => o.key))
    if (!page.truncated) return
  }
}

async function exportSlice(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const status = env.TASK_STATUS.getByName(task.id)
  const cur: ExportCursor = ((await status.cursor()) as ExportCursor | null) ?? {
    after: null,
    uploadId: null,
    parts: [],
    lines: 0,
    bytes: 0,
    done: false,
    slice: 0,
    carry: false,
  }
  const format: ExportFormat = (task.params as { format?: ExportFormat }).format ?? 'ndjson'
  const info = FORMAT_INFO[format]
  const key = resultKey(task.id, info.ext)
  const finish = async () => {
    const hasErrors = (await env.EXPORTS.list({ prefix: errorsPrefix(task.id), limit: 1 })).objects.length > 0
    await completeTask(env, task, {
      metadata: { lines_written: cur.lines, bytes_written: cur.bytes, total_lines: cur.lines },
      resultKey: key,
      errorsKey: hasErrors ? errorsPrefix(task.id) : undefined,
      message: `${formatNumber(cur.lines)} data rows exported`,
    })
    await deletePrefix(env.EXPORTS, sidePrefix(task.id))
    if (format !== 'ndjson') await status.dropNames()
  }
  if (cur.done) {
    // Everything was uploaded but the upload may not have been completed (a crash in between):
    // complete it now, or report the task done if the file is already there.
    if (!(await env.EXPORTS.head(key)) && cur.uploadId && cur.parts.length)
      await env.EXPORTS.resumeMultipartUpload(key, cur.uploadId).complete(cur.parts)
    await finish()
    return 'done'
  }
  const project = await db.select().from(projects).where(eq(projects.id, task.subjectId!)).get()
  if (!project || project.deletedAt) {
    await failTask(env, task.id, 'The project was deleted while exporting.')
    return 'done'
  }
  const { params, filters, asset_links } = task.params as { params: ExportParams; filters: ExportFilters; asset_links?: AssetLinks }
  // Links are fixed when the export starts (base, expiry), so a slice that runs again writes the same bytes.
  const assetUrl = asset_links ? await assetUrlSigner(env, asset_links) : undefined
  const upload = cur.uploadId
    ? env.EXPORTS.resumeMultipartUpload(key, cur.uploadId)
    : await env.EXPORTS.createMultipartUpload(key, { httpMetadata: { contentType: info.contentType } })
  if (!cur.uploadId) {
    cur.uploadId = upload.uploadId
    await status.saveCursor(cur)
  }
  const writer = format === 'ndjson' ? null : WRITERS[format]
  // The ontology as it was when the export started: categories written in the first slice keep
  // meaning the same tools if someone edits the ontology meanwhile.
  const ontology = (task.params as { ontology?: Ontology }).ontology ?? project.ontology
  const fctx: FormatCtx = { project: { id: project.id, name: project.name, ontology }, startedAt: task.createdAt }
  const fstate: unknown = cur.format ?? writer?.init(fctx) ?? null

  const people = new People(db)
  const batchNames = new Map<string, string>()
  // Bytes not uploaded yet: fewer than PART_BYTES bytes between pages.
  const pending: Uint8Array[] = []
  let size = 0
  let lines = 0
  let emitted = cur.emitted ?? 0
  if (cur.carry) {
    // Carry objects are named by slice, so re-running a slice reads the carry it started with.
    const carried = await env.EXPORTS.get(carryKey(task.id, cur.slice))
    if (!carried) throw new Error('export carry object is missing')
    const b = new Uint8Array(await carried.arrayBuffer())
    pending.push(b)
    size += b.byteLength
  }
  // Writers emit many small pieces (two per zip entry): they are gathered into blocks of 64 KiB,
  // so cutting parts off `pending` handles a few blocks, not tens of thousands of pieces.
  let stage: Uint8Array[] = []
  let staged = 0
  const flushStage = () => {
    if (!staged) return
    pending.push(concat(stage, staged))
    size += staged
    stage = []
    staged = 0
  }
  const push = (b: Uint8Array) => {
    if (!b.byteLength) return
    emitted += b.byteLength
    if (b.byteLength >= 16 * 1024) {
      flushStage()
      pending.push(b)
      size += b.byteLength
      return
    }
    stage.push(b)
    staged += b.byteLength
    if (staged >= 64 * 1024) flushStage()
  }
  const errors: { data_row_id: string; message: string }[] = []
  // Side streams of this slice, put to R2 in chunks (sideKey) before the cursor moves on.
  const sideBufs: Uint8Array[][] = Array.from({ length: writer?.sides ?? 0 }, () => [])
  const sideSizes: number[] = sideBufs.map(() => 0)
  let sideSeq = 0
  const flushSide = async (i: number) => {
    if (!sideSizes[i]) return
    await env.EXPORTS.put(sideChunkKey(task.id, i, cur.slice, sideSeq++), concat(sideBufs[i]!, sideSizes[i]!))
    sideBufs[i] = []
    sideSizes[i] = 0
  }
  const emit: Emit = {
    main: (b) => push(typeof b === 'string' ? enc.encode(b) : b),
    side: (i, b) => {
      const bytes = typeof b === 'string' ? enc.encode(b) : b
      sideBufs[i]!.push(bytes)
      sideSizes[i]! += bytes.byteLength
    },
    error: (id, message) => void errors.push({ data_row_id: id, message }),
    row: () => void lines++,
    offset: () => emitted,
  }
  const names = (entries: { id: string; name: string }[]) => status.claimNames(entries)
  if (writer && cur.slice === 0) writer.head(fstate, fctx, emit)
  if (writer && cur.phase !== 'sides') {
    // A crashed run of this slice may have written more side chunks than this run will.
    for (let i = 0; i < writer.sides; i++) {
      const stale = await env.EXPORTS.list({ prefix: sideSlicePrefix(task.id, i, cur.slice) })
      if (stale.objects.length) await env.EXPORTS.delete(stale.objects.map((o) => o.key))
    }
  }

  // At most one part is on its way to R2 while the next pages are read and built: the upload
  // overlaps the work instead of adding to it. Parts are numbered when sent and recorded in
  // order, since each upload waits for the one before.
  let inflight: Promise<void> = Promise.resolve()
  /** Sends `bytes` as the next part. */
  const upload1 = async (bytes: Uint8Array) => {
    await inflight
    const partNumber = cur.parts.length + 1
    inflight = upload.uploadPart(partNumber, bytes).then((part) => {
      cur.parts.push({ partNumber: part.partNumber, etag: part.etag })
      cur.bytes += bytes.byteLength
    })
    inflight.catch(() => {}) // awaited later; a failure then throws there
  }
  /** Cuts exact PART_BYTES parts off the front of `pending` while there is a part's worth. */
  const uploadFullParts = async () => {
    flushStage()
    while (size >= PART_BYTES) {
      const part = new Uint8Array(PART_BYTES)
      let filled = 0
      while (filled < PART_BYTES) {
        const head = pending[0]!
        const take = Math.min(head.byteLength, PART_BYTES - filled)
        part.set(head.subarray(0, take), filled)
        filled += take
        if (take === head.byteLength) pending.shift()
        else pending[0] = head.subarray(take)
      }
      size -= PART_BYTES
      await upload1(part)
    }
  }
  let after = cur.after
  let end = false
  const started = Date.now()
  const inBudget = () => Date.now() - started < exportBudget.ms

  if (cur.phase !== 'sides') {
    const read = (from: string | null) => {
      const p = readPage(env, project.id, project.orgId, from, filters)
      p.catch(() => {}) // awaited in the loop; a failure then throws there
      return p
    }
    let rowsDone = false
    // The next page is read while this one is built (it starts after this page's last row id), so
    // D1 answers while the Worker computes.
    let next: Promise<PageRow[]> | null = read(after)
    for (let pages = 1; next; pages++) {
      const page: PageRow[] = await next
      next = null
      if (!page.length) {
        rowsDone = true
        break
      }
      const full = page.length === PAGE_ROWS
      if (full && pages < exportBudget.pages && inBudget()) next = read(page[page.length - 1]!.id)
      if (writer) {
        const items = await loadPageLabels(db, project.id, page, filters, people, assetUrl)
        await writer.rows(items, fstate, fctx, emit, names)
        for (let i = 0; i < sideBufs.length; i++) if (sideSizes[i]! >= exportBudget.sideBytes) await flushSide(i)
      } else {
        let built: string[]
        try {
          built = await buildLines(db, project, page, params, filters, people, batchNames, assetUrl)
        } catch {
          // A page that cannot be built is retried by the queue; a single bad row is not worth failing
          // the export for, so fall back to row by row and report the ones that fail.
          built = []
          for (const r of page) {
            try {
              built.push(...(await buildLines(db, project, [r], params, filters, people, batchNames, assetUrl)))
            } catch (err) {
              errors.push({ data_row_id: r.id, message: (err as Error).message })
            }
          }
        }
        // One buffer per page rather than one per line: fewer, larger copies into the parts.
        push(enc.encode(built.length ? `${built.join('\n')}\n` : ''))
        lines += built.length
      }
      after = page[page.length - 1]!.id
      await uploadFullParts()
      if (!full) rowsDone = true
    }
    for (let i = 0; i < sideBufs.length; i++) await flushSide(i)
    if (rowsDone) {
      if (writer?.sides) cur.phase = 'sides'
      else {
        writer?.tail(fstate, emit)
        end = true
      }
    }
  }

  if (writer && cur.phase === 'sides') {
    // Appends each side stream's chunks, in order, until the budget is spent or all are in.
    const at = cur.sideAt ?? { stream: 0, after: null, started: false }
    let chunks = 0
    while (at.stream < writer.sides && chunks < exportBudget.sideChunks && inBudget()) {
      if (!at.started) {
        writer.side(at.stream, 'before', fstate, emit)
        at.started = true
      }
      const prefix = sidePrefix(task.id, at.stream)
      const list = await env.EXPORTS.list({
        prefix,
        ...(at.after ? { startAfter: at.after } : {}),
        limit: Math.max(1, exportBudget.sideChunks - chunks),
      })
      for (const o of list.objects) {
        const obj = await env.EXPORTS.get(o.key)
        if (!obj) throw new Error(`export side chunk ${o.key} is missing`)
        push(new Uint8Array(await obj.arrayBuffer()))
        await uploadFullParts()
        at.after = o.key
        chunks++
      }
      if (!list.truncated) {
        writer.side(at.stream, 'after', fstate, emit)
        Object.assign(at, { stream: at.stream + 1, after: null, started: false })
      }
    }
    cur.sideAt = at
    if (at.stream >= writer.sides) {
      writer.tail(fstate, emit)
      end = true
    }
  }

  const previousCarry = cur.carry ? carryKey(task.id, cur.slice) : null
  await uploadFullParts()
  const rest = concat(pending, size)
  if (end && rest.byteLength > 0) {
    await upload1(rest)
    await inflight
    cur.carry = false
  } else if (rest.byteLength > 0) {
    await inflight
    await env.EXPORTS.put(carryKey(task.id, cur.slice + 1), rest)
    cur.carry = true
  } else {
    await inflight
    cur.carry = false
  }
  await saveErrorPart(env.EXPORTS, task.id, cur.slice, errors)
  // A crashed run of this slice may have reported rows that this run leaves to the next slice.
  if (!errors.length && writer) await env.EXPORTS.delete(errorPartKey(task.id, cur.slice))
  cur.after = after
  cur.lines += lines
  cur.done = end
  cur.slice += 1
  if (writer) {
    cur.format = fstate
    cur.emitted = emitted
  }
  await status.saveCursor(cur)
  if (previousCarry) await env.EXPORTS.delete(previousCarry)

  if (!end) {
    const total = Math.max(project.dataRowCount, cur.lines)
    await reportProgress(env, task, {
      percent: total ? (cur.lines / total) * 100 : 50,
      done: cur.lines,
      total,
      phase: cur.phase === 'sides' ? 'Finishing the file' : 'Exporting',
      metadata: { lines_written: cur.lines, bytes_written: cur.bytes },
    })
    return 'more'
  }
  if (cur.parts.length) await upload.complete(cur.parts)
  else {
    await upload.abort()
    await env.EXPORTS.put(key, '', { httpMetadata: { contentType: info.contentType } })
  }
  await finish()
  return 'done'
}

export const exportJob = taskJob('export-data-rows', exportSlice)
