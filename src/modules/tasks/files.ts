/**
 * @module Where a task's files live in R2 (the EXPORTS bucket) and how they are served: the
 * result (one object; Range supported), and the errors (NDJSON parts written slice by slice,
 * streamed in order as one file, or converted to CSV).
 */
import type { Ctx } from '../../env'
import { AppError } from '../../lib/errors'
import { serveObject } from '../../lib/r2'
import { getTaskRow } from './service'

export const resultKey = (taskId: string, ext: string) => `tasks/${taskId}/result.${ext}`
/** Where a task's error parts live: the `errorsKey` a task completes with when it has any. */
export const errorsPrefix = (taskId: string) => `tasks/${taskId}/errors/`
export const errorPartKey = (taskId: string, slice: number) => `${errorsPrefix(taskId)}${String(slice).padStart(8, '0')}.ndjson`

/** Bytes an export slice read but did not upload (less than a part): kept for the next slice, named
 * by that slice, so a slice that runs again reads the carry it started with. */
export const carryKey = (taskId: string, slice: number) => `tasks/${taskId}/carry/${slice}`
/** Where an export's side streams (a zip's central directory, YOLO's images.txt) wait until they
 * are appended after the last row: one folder per stream, chunks named by the slice that wrote
 * them, so a slice that runs again overwrites (or first deletes) its own. */
export const sidePrefix = (taskId: string, stream?: number) => `tasks/${taskId}/side/${stream === undefined ? '' : `${stream}/`}`
export const sideSlicePrefix = (taskId: string, stream: number, slice: number) =>
  `${sidePrefix(taskId, stream)}${String(slice).padStart(8, '0')}-`
export const sideChunkKey = (taskId: string, stream: number, slice: number, seq: number) =>
  `${sideSlicePrefix(taskId, stream, slice)}${String(seq).padStart(4, '0')}`

/** One line of an import's error report: the file line it is about, and why. */
export type LineError = { line: number; global_key?: string | null; field?: string; message: string }

/** Writes one slice's errors as an NDJSON part, nothing when there are none. Parts are named by
 * slice, so a slice that runs again overwrites its own part. */
export async function saveErrorPart(bucket: R2Bucket, taskId: string, slice: number, errors: object[]): Promise<void> {
  if (!errors.length) return
  await bucket.put(errorPartKey(taskId, slice), `${errors.map((e) => JSON.stringify(e)).join('\n')}\n`, {
    httpMetadata: { contentType: 'application/x-ndjson' },
  })
}

const notReady = () => new AppError('CONFLICT', 'Task is not ready yet')

export async function taskResult(ctx: Ctx, taskId: string, request: Request): Promise<Response> {
  const t = await getTaskRow(ctx, taskId)
  if (t.status !== 'COMPLETE' || !t.resultKey) {
    if (t.status === 'FAILED') throw new AppError('CONFLICT', `The task failed: ${t.failureReason ?? 'no result'}`)
    throw notReady()
  }
  const ext = t.resultKey.split('.').pop()
  const type =
    ({ ndjson: 'application/x-ndjson', zip: 'application/zip', csv: 'text/csv; charset=utf-8' } as Record<string, string>)[ext ?? ''] ??
    'application/json'
  const name = `${t.type}-${t.id}.${ext}`
  return serveObject(ctx.env.EXPORTS, t.resultKey, request, {
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'private, no-store',
  })
}

/** `asset_urls` (exports): how uploaded assets are linked and until when (src/modules/datasets/asset-urls.ts). */
export async function taskResultMetadata(
  ctx: Ctx,
  taskId: string,
): Promise<{ total_size: number; total_lines: number; asset_urls?: unknown }> {
  const t = await getTaskRow(ctx, taskId)
  if (t.status !== 'COMPLETE' || !t.resultKey) throw notReady()
  const head = await ctx.env.EXPORTS.head(t.resultKey)
  if (!head) throw new AppError('NOT_FOUND', 'Result file not found')
  const lines = Number(head.customMetadata?.total_lines ?? (t.metadata.total_lines as number | undefined) ?? 1)
  return { total_size: head.size, total_lines: lines, ...(t.metadata.asset_urls ? { asset_urls: t.metadata.asset_urls } : {}) }
}

const csvCell = (v: unknown) => {
  const s = v == null ? '' : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** All error parts in order, as NDJSON (default) or CSV; empty (not an error) when there are none. */
export async function taskErrors(ctx: Ctx, taskId: string, format: 'ndjson' | 'csv'): Promise<Response> {
  const t = await getTaskRow(ctx, taskId)
  const bucket = ctx.env.EXPORTS
  const prefix = errorsPrefix(t.id)
  const keys: string[] = []
  let cursor: string | undefined
  do {
    const page = await bucket.list({ prefix, cursor })
    keys.push(...page.objects.map((o) => o.key))
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  keys.sort()
  const enc = new TextEncoder()
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
  const pump = async () => {
    const w = writable.getWriter()
    try {
      if (format === 'csv') await w.write(enc.encode('line,global_key,field,message\n'))
      for (const k of keys) {
        const obj = await bucket.get(k)
        if (!obj) continue
        if (format === 'ndjson') {
          const r = obj.body.getReader()
          for (;;) {
            const { done, value } = await r.read()
            if (done) break
            await w.write(value)
          }
        } else {
          const text = await obj.text()
          const rows = text
            .split('\n')
            .filter(Boolean)
            .map((l) => {
              const e = JSON.parse(l) as Record<string, unknown>
              return [e.line ?? e.data_row_id, e.global_key, e.field, e.message].map(csvCell).join(',')
            })
          if (rows.length) await w.write(enc.encode(`${rows.join('\n')}\n`))
        }
      }
      await w.close()
    } catch (e) {
      await w.abort(e)
    }
  }
  ctx.waitUntil(pump())
  const ext = format === 'csv' ? 'csv' : 'ndjson'
  return new Response(readable, {
    headers: {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="errors-${t.id}.${ext}"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
