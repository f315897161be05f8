/**
 * @module Image sizes of data rows (`media_attributes.width/height`, Labelbox's fields that export
 * readers need): read from an upload's header when it is stored, and for rows whose size is
 * unknown (URLs never fetched) by the `read-media-attributes` task, which reads each image's first
 * bytes through the same paths the content route serves them from — R2 for uploads, a presigned
 * URL for S3 rows of a dataset with an integration, the URL itself otherwise (after the SSRF
 * checks webhooks use, redirects checked hop by hop) — with Range requests, never the whole file.
 * A header that cannot be read leaves the row as it is, with `header_error` saying why (shown on
 * the data-row page, left out of exports).
 */
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm'
import { makeDb, type Db } from '../../db/client'
import { dataRows, datasets } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import { completeTask, failTask, reportProgress, startTask, type TaskRow, type TaskView } from '../tasks/service'
import { taskJob } from '../tasks/job'
import { errorPartKey, resultKey } from '../tasks/files'
import { presignedAssetUrl } from '../integrations/service'
import { parseS3Url } from '../integrations/aws'
import { checkResolvedTarget } from '../webhooks/ssrf'
import { readImageHeader, type HeaderResult, type ReadBytes } from './media-header'
import { loadDataset } from './service'
import { r2Prefix } from './data-rows'
import { formatNumber } from '../../../views/format'

/** The stored attributes after a header read: the size on success (and no stale error), the
 * reason on failure (and no stale size). */
export function withHeader(existing: Record<string, unknown> | null | undefined, r: HeaderResult): Record<string, unknown> {
  const { header_error: _e, width: _w, height: _h, exif_rotation: _x, ...rest } = existing ?? {}
  if (r.ok) return { ...rest, ...r.attrs }
  return { ...rest, ...(r.mime_type && !rest.mime_type ? { mime_type: r.mime_type } : {}), header_error: r.reason }
}

/** Ranged reads of an R2 object. */
export function r2Reader(bucket: R2Bucket, key: string): ReadBytes {
  return async (offset, length) => {
    const obj = await bucket.get(key, { range: { offset, length } })
    if (!obj) throw new Error('the file is missing from storage')
    return new Uint8Array(await obj.arrayBuffer())
  }
}

/** The header of an R2 object of `size` bytes; a read failure is a reason, never a throw. */
export async function probeR2(bucket: R2Bucket, key: string, size: number): Promise<HeaderResult> {
  try {
    return await readImageHeader(r2Reader(bucket, key), size)
  } catch (e) {
    return { ok: false, reason: `could not read the file: ${(e as Error).message}` }
  }
}

/** At most this many bytes of one response body are read, whatever the server sends. */
const MAX_BODY_BYTES = 1024 * 1024
const FETCH_TIMEOUT_MS = 5_000
const MAX_REDIRECTS = 3

/** `length` bytes after skipping `skip` bytes of a body (`skip` > 0: a server that ignored Range
 * and sent the file from its start); the rest of the body is never read. */
export async function take(body: ReadableStream<Uint8Array> | null, skip: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length)
  let filled = 0
  let skipped = 0
  if (!body) return out.subarray(0, 0)
  const reader = body.getReader()
  try {
    while (filled < length) {
      const { done, value } = await reader.read()
      if (done) break
      let chunk = value
      if (skipped < skip) {
        const n = Math.min(skip - skipped, chunk.length)
        skipped += n
        chunk = chunk.subarray(n)
      }
      const n = Math.min(chunk.length, length - filled)
      out.set(chunk.subarray(0, n), filled)
      filled += n
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return out.subarray(0, filled)
}

/**
 * Ranged reads of a URL. `checked`: the URL (and every redirect) passes the SSRF guard first;
 * presigned S3 URLs point at the configured S3 endpoint and are not checked.
 */
export function httpReader(env: Env, url: string, checked: boolean): ReadBytes {
  // Targets already checked by this reader: a JPEG's later reads ask DNS no more.
  const passed = new Set<string>()
  return async (offset, length) => {
    if (offset + length > MAX_BODY_BYTES) length = Math.max(0, MAX_BODY_BYTES - offset)
    if (length === 0) return new Uint8Array(0)
    let target = url
    for (let hop = 0; ; hop++) {
      if (checked && !passed.has(target)) {
        const c = await checkResolvedTarget(target, env)
        if (!c.ok) throw new Error(c.reason.replace(/webhooks/g, 'LabelDesk').replace(/; not sent$/, ''))
        passed.add(target)
      }
      const res = await fetch(target, {
        headers: { Range: `bytes=${offset}-${offset + length - 1}` },
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      })
      if (res.status >= 300 && res.status < 400 && res.headers.get('Location')) {
        await res.body?.cancel()
        if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`)
        target = new URL(res.headers.get('Location')!, target).toString()
        continue
      }
      if (res.status === 416) {
        await res.body?.cancel()
        return new Uint8Array(0)
      }
      if (res.status === 206) return take(res.body, 0, length)
      if (res.status === 200) return take(res.body, offset, length)
      await res.body?.cancel()
      throw new Error(`the server answered HTTP ${res.status}`)
    }
  }
}

type RowToRead = { id: string; rowData: string; mediaAttributes: Record<string, unknown> | null }

/** A row's header through the path its content is served from. */
export async function probeRow(ctx: Ctx, integrationId: string | null, row: RowToRead): Promise<HeaderResult> {
  const rd = row.rowData
  try {
    if (rd.startsWith('r2://')) {
      const key = rd.slice('r2://'.length)
      if (!key.startsWith(r2Prefix(ctx.actor.orgId))) return { ok: false, reason: 'the upload is not one of this organization’s files' }
      const head = await ctx.env.ASSETS_BUCKET.head(key)
      if (!head) return { ok: false, reason: 'the file is missing from storage' }
      return await readImageHeader(r2Reader(ctx.env.ASSETS_BUCKET, key), head.size)
    }
    if (/^s3:\/\//i.test(rd) || (parseS3Url(rd) && integrationId)) {
      const signed = await presignedAssetUrl(ctx, integrationId, rd)
      if (signed) return await readImageHeader(httpReader(ctx.env, signed.url, false))
    }
    if (/^https?:\/\//i.test(rd)) return await readImageHeader(httpReader(ctx.env, rd, true))
    return { ok: false, reason: 'the row holds no file (raw text)' }
  } catch (e) {
    const msg =
      e instanceof Error
        ? e.name === 'TimeoutError'
          ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
          : 'detail' in e
            ? String((e as { detail: unknown }).detail)
            : e.message
        : String(e)
    return { ok: false, reason: `could not read the file: ${msg}` }
  }
}

// The task --------------------------------------------------------------------------------------

/** Images of a dataset whose width or height is not known. */
const unknownSize = (datasetId: string) =>
  and(
    eq(dataRows.datasetId, datasetId),
    eq(dataRows.mediaType, 'IMAGE'),
    sql`(json_extract(${dataRows.mediaAttributes}, '$.width') IS NULL OR json_extract(${dataRows.mediaAttributes}, '$.height') IS NULL)`,
  )

/** Starts reading the sizes of a dataset's images whose size is unknown; while one runs for the
 * dataset, asking again returns it. */
export async function startMediaAttributes(ctx: Ctx, datasetId: string): Promise<{ task: TaskView; existing: boolean }> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  const [{ n }] = (await ctx.db.select({ n: sql<number>`count(*)` }).from(dataRows).where(unknownSize(d.id))) as [{ n: number }]
  return startTask(ctx, {
    type: 'read-media-attributes',
    name: `Read image sizes in “${d.name}”`,
    subjectId: d.id,
    params: { dataset_id: d.id },
    metadata: { rows_total: n, rows_done: 0, sizes_read: 0, rows_failed: 0 },
    dedupeKey: `read-media-attributes:${d.id}`,
  })
}

type Cursor = { after: string; done: number; read: number; failed: number; slice: number }

/** Rows read per query, and at once. Mutable so tests can cross slice boundaries. */
export const mediaBudget = { rows: 24, parallel: 6, ms: 2_000 }

async function mediaSlice(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const status = env.TASK_STATUS.getByName(task.id)
  const { dataset_id } = task.params as { dataset_id: string }
  const cur: Cursor = ((await status.cursor()) as Cursor | null) ?? { after: '', done: 0, read: 0, failed: 0, slice: 0 }
  const d = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.id, dataset_id), isNull(datasets.deletedAt)))
    .get()
  if (!d) {
    await failTask(env, task.id, 'The dataset was deleted while its image sizes were read.')
    return 'done'
  }
  // The task acts for the person who started it, in their organization (presigned URLs need it).
  const ctx: Ctx = {
    db,
    env,
    actor: { userId: task.createdBy, email: '', fullName: '', orgId: d.orgId, orgName: '', role: 'ADMIN', via: 'system', readOnly: false },
    requestId: task.id,
    waitUntil: () => undefined,
  }
  const errors: { data_row_id: string; message: string }[] = []
  const started = Date.now()
  let end = false
  while (Date.now() - started < mediaBudget.ms) {
    const rows = await db
      .select({ id: dataRows.id, rowData: dataRows.rowData, mediaAttributes: dataRows.mediaAttributes })
      .from(dataRows)
      .where(and(unknownSize(d.id), gt(dataRows.id, cur.after)))
      .orderBy(asc(dataRows.id))
      .limit(mediaBudget.rows)
    if (!rows.length) {
      end = true
      break
    }
    const results: HeaderResult[] = new Array(rows.length)
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(mediaBudget.parallel, rows.length) }, async () => {
        for (let i = next++; i < rows.length; i = next++) results[i] = await probeRow(ctx, d.integrationId, rows[i]!)
      }),
    )
    await writeAttributes(
      db,
      rows.map((r, i) => ({ id: r.id, attrs: withHeader(r.mediaAttributes, results[i]!) })),
    )
    rows.forEach((r, i) => {
      const res = results[i]!
      if (res.ok) cur.read++
      else {
        cur.failed++
        errors.push({ data_row_id: r.id, message: res.reason })
      }
    })
    cur.done += rows.length
    cur.after = rows[rows.length - 1]!.id
    if (rows.length < mediaBudget.rows) {
      end = true
      break
    }
  }
  // Error parts are named by slice: a slice that runs again overwrites its own.
  if (errors.length)
    await env.EXPORTS.put(errorPartKey(task.id, cur.slice), `${errors.map((e) => JSON.stringify(e)).join('\n')}\n`, {
      httpMetadata: { contentType: 'application/x-ndjson' },
    })
  cur.slice++
  await status.saveCursor(cur)
  const metadata = { rows_done: cur.done, sizes_read: cur.read, rows_failed: cur.failed }
  if (!end) {
    const total = Math.max(Number(task.metadata.rows_total ?? 0), cur.done)
    await reportProgress(env, task, {
      percent: total ? (cur.done / total) * 100 : 50,
      done: cur.done,
      total,
      phase: `Read ${cur.read} image sizes`,
      metadata,
    })
    return 'more'
  }
  await env.EXPORTS.put(
    resultKey(task.id, 'json'),
    JSON.stringify({ dataset_id: d.id, rows: cur.done, sizes_read: cur.read, failed: cur.failed }),
    { httpMetadata: { contentType: 'application/json' } },
  )
  const hasErrors = cur.failed > 0
  await completeTask(env, task, {
    metadata,
    resultKey: resultKey(task.id, 'json'),
    errorsKey: hasErrors ? `tasks/${task.id}/errors/` : undefined,
    message: `${formatNumber(cur.read)} image sizes read, ${formatNumber(cur.failed)} could not be read`,
  })
  return 'done'
}

/** One batch of updates (a JSON parameter, as inserts do): each row's new attributes. */
async function writeAttributes(db: Db, rows: { id: string; attrs: Record<string, unknown> }[]) {
  if (!rows.length) return
  await db.run(sql`
    UPDATE data_rows SET media_attributes = (SELECT json_extract(j.value, '$.a') FROM json_each(${JSON.stringify(rows.map((r) => ({ id: r.id, a: JSON.stringify(r.attrs) })))}) AS j WHERE json_extract(j.value, '$.id') = data_rows.id)
    WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each(${JSON.stringify(rows.map((r) => ({ id: r.id })))}))`)
}

export const readMediaAttributesJob = taskJob('read-media-attributes', mediaSlice)
