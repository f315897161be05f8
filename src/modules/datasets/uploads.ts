/**
 * @module Files uploaded from the browser or the API, stored in R2, one data row per file, the
 * media type taken from the file's content (magic bytes), not its name; an image's width and
 * height are read from its header (src/modules/datasets/media-header.ts). Small files go in one
 * request; big ones (videos) in parts into an R2 multipart upload, since a Worker request body is
 * capped at 100 MB.
 */
import type { Ctx } from '../../env'
import { AppError } from '../../lib/errors'
import { newId } from '../../lib/ids'
import type { DataMediaType } from '../../db/schema'
import { dataRowView, insertRows, r2Prefix, type DataRowView } from './data-rows'
import { globalKeyProblem } from './row-input'
import { loadDataset, type DatasetRow } from './service'
import { dataRows } from '../../db/schema'
import { eq } from 'drizzle-orm'
import { readImageHeader, type HeaderResult } from './media-header'
import { probeR2, withHeader } from './media'

export const MAX_FILE_BYTES = 5 * 1024 * 1024 * 1024
/** Parts of a chunked upload: R2 needs ≥ 5 MiB for every part but the last. */
export const UPLOAD_PART_BYTES = 10 * 1024 * 1024

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v)
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to))

/** What the first bytes of a file say it is. */
export function sniff(head: Uint8Array): { mediaType: DataMediaType; mime: string } | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return { mediaType: 'IMAGE', mime: 'image/png' }
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mediaType: 'IMAGE', mime: 'image/jpeg' }
  if (ascii(head, 0, 4) === 'GIF8') return { mediaType: 'IMAGE', mime: 'image/gif' }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { mediaType: 'IMAGE', mime: 'image/webp' }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return { mediaType: 'AUDIO', mime: 'audio/wav' }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'AVI ') return { mediaType: 'VIDEO', mime: 'video/x-msvideo' }
  if (startsWith(head, [0x42, 0x4d])) return { mediaType: 'IMAGE', mime: 'image/bmp' }
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]))
    return { mediaType: 'IMAGE', mime: 'image/tiff' }
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12)
    if (/^(M4A |M4B )/.test(brand)) return { mediaType: 'AUDIO', mime: 'audio/mp4' }
    if (/^(avif|avis)/.test(brand)) return { mediaType: 'IMAGE', mime: 'image/avif' }
    if (/^(heic|heix|mif1)/.test(brand)) return { mediaType: 'IMAGE', mime: 'image/heic' }
    if (/^qt/.test(brand)) return { mediaType: 'VIDEO', mime: 'video/quicktime' }
    return { mediaType: 'VIDEO', mime: 'video/mp4' }
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return { mediaType: 'VIDEO', mime: 'video/webm' }
  if (ascii(head, 0, 3) === 'ID3' || startsWith(head, [0xff, 0xfb])) return { mediaType: 'AUDIO', mime: 'audio/mpeg' }
  if (ascii(head, 0, 4) === 'OggS') return { mediaType: 'AUDIO', mime: 'audio/ogg' }
  if (ascii(head, 0, 4) === 'fLaC') return { mediaType: 'AUDIO', mime: 'audio/flac' }
  if (ascii(head, 0, 5) === '%PDF-') return { mediaType: 'PDF', mime: 'application/pdf' }
  if (ascii(head, 128, 132) === 'DICM') return { mediaType: 'DICOM', mime: 'application/dicom' }
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(head.subarray(0, 512)).trimStart().toLowerCase()
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return { mediaType: 'HTML', mime: 'text/html' }
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return { mediaType: 'IMAGE', mime: 'image/svg+xml' }
  // Text: valid UTF-8 without NUL bytes.
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(head.subarray(0, Math.min(head.length, 4096)))
    if (!head.subarray(0, 4096).includes(0)) return { mediaType: 'TEXT', mime: 'text/plain; charset=utf-8' }
  } catch {
    /* binary */
  }
  return null
}

const safeName = (name: string) => (name.replace(/[\u0000-\u001f/\\]/g, '_').trim() || 'file').slice(0, 200)
const objectKey = (d: DatasetRow, id: string, name: string) => `${r2Prefix(d.orgId)}${d.id}/${id}/${encodeURIComponent(safeName(name))}`

async function createRowForObject(
  ctx: Ctx,
  d: DatasetRow,
  id: string,
  key: string,
  name: string,
  size: number,
  found: { mediaType: DataMediaType; mime: string } | null,
  header: HeaderResult | null,
): Promise<DataRowView> {
  const mediaType = found?.mediaType ?? 'OTHER'
  const base = { mime_type: found?.mime ?? 'application/octet-stream', file_size: size, file_name: safeName(name) }
  const candidate = (globalKey: string | null) => ({
    index: 0,
    id,
    row: {
      rowData: `r2://${key}`,
      globalKey,
      externalId: safeName(name),
      mediaType,
      metadataFields: [],
      attachments: [],
      mediaAttributes: null,
    },
    mediaAttributes: header ? withHeader(base, header) : base,
  })
  // The file name is the row's global key, as Labelbox's uploads do: readers of our exports
  // (labelformat, training code) name images by global key. A name another row of the
  // organization already has gets the row id added, so an upload never fails on its name.
  const fileName = safeName(name)
  const keys = globalKeyProblem(fileName) ? [null] : [fileName, `${fileName.slice(0, 150)}~${id}`]
  let res: Awaited<ReturnType<typeof insertRows>> | undefined
  for (const k of keys) {
    res = await insertRows(ctx.db, d, ctx.actor.userId, [candidate(k)])
    if (res.inserted.has(id)) break
  }
  if (!res?.inserted.has(id)) throw new AppError('CONFLICT', `Could not create the data row for ${name}`)
  const row = await ctx.db.select().from(dataRows).where(eq(dataRows.id, id)).get()
  return dataRowView(row!)
}

/** One file, already in hand (multipart form part): stored and turned into a data row. */
export async function uploadFile(ctx: Ctx, datasetId: string, file: File): Promise<DataRowView> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  if (file.size === 0) throw new AppError('VALIDATION', `${file.name} is empty`, [{ path: 'file', message: `${file.name} is empty` }])
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer())
  const found = sniff(head)
  const id = newId('dr')
  const key = objectKey(d, id, file.name)
  // The header from the file in hand: slices of a File are read without loading the rest.
  const header =
    found?.mediaType === 'IMAGE'
      ? await readImageHeader(async (o, l) => new Uint8Array(await file.slice(o, o + l).arrayBuffer()), file.size)
      : null
  await ctx.env.ASSETS_BUCKET.put(key, file.stream(), { httpMetadata: { contentType: found?.mime ?? 'application/octet-stream' } })
  return createRowForObject(ctx, d, id, key, file.name, file.size, found, header)
}

// Chunked uploads ------------------------------------------------------------------------------

export type UploadSession = { upload_id: string; key: string; data_row_id: string; part_size: number; parts: number }

export async function beginUpload(ctx: Ctx, datasetId: string, input: { filename: string; size: number }): Promise<UploadSession> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  if (!Number.isInteger(input.size) || input.size < 1)
    throw new AppError('VALIDATION', 'size must be a positive whole number of bytes', [{ path: 'size', message: 'size must be positive' }])
  if (input.size > MAX_FILE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `Files may be at most ${MAX_FILE_BYTES / 1024 ** 3} GB`)
  const id = newId('dr')
  const key = objectKey(d, id, input.filename)
  const up = await ctx.env.ASSETS_BUCKET.createMultipartUpload(key)
  return { upload_id: up.uploadId, key, data_row_id: id, part_size: UPLOAD_PART_BYTES, parts: Math.ceil(input.size / UPLOAD_PART_BYTES) }
}

/** The key must be one of this dataset's upload keys (never a path the caller makes up). */
function checkKey(d: DatasetRow, key: string): string {
  const m = new RegExp(`^${r2Prefix(d.orgId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${d.id}/(dr_[0-9A-Z]{26})/[^/]+$`).exec(key)
  if (!m) throw new AppError('VALIDATION', 'Unknown upload', [{ path: 'key', message: 'Unknown upload' }])
  return m[1]!
}

export async function uploadPart(
  ctx: Ctx,
  datasetId: string,
  q: { key: string; uploadId: string; part: number },
  body: ReadableStream | null,
  length: number,
): Promise<{ part_number: number; etag: string }> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  checkKey(d, q.key)
  if (!body || !length) throw new AppError('VALIDATION', 'body: the part is empty', [{ path: 'body', message: 'the part is empty' }])
  if (length > UPLOAD_PART_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `A part may be at most ${UPLOAD_PART_BYTES / 1024 / 1024} MB`)
  if (!Number.isInteger(q.part) || q.part < 1 || q.part > 10_000)
    throw new AppError('VALIDATION', 'part must be 1–10,000', [{ path: 'part', message: 'part must be 1–10,000' }])
  const unknownUpload = () =>
    new AppError('VALIDATION', 'upload_id: no such upload (never started, already completed or aborted)', [
      { path: 'upload_id', message: 'no such upload' },
    ])
  if (!q.uploadId || q.uploadId.length > 1024) throw unknownUpload()
  const up = ctx.env.ASSETS_BUCKET.resumeMultipartUpload(q.key, q.uploadId)
  const stream = body.pipeThrough(new FixedLengthStream(length))
  try {
    const part = await up.uploadPart(q.part, stream)
    return { part_number: part.partNumber, etag: part.etag }
  } catch (e) {
    // R2 names an unknown upload id with code 10024 (NoSuchUpload); anything else stays an error of ours.
    if (/\(10024\)|does not exist|NoSuchUpload/i.test(String((e as Error)?.message ?? e))) throw unknownUpload()
    throw e
  }
}

export async function completeUpload(
  ctx: Ctx,
  datasetId: string,
  input: { key: string; upload_id: string; filename: string; parts: { part_number: number; etag: string }[] },
): Promise<DataRowView> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  const id = checkKey(d, input.key)
  const up = ctx.env.ASSETS_BUCKET.resumeMultipartUpload(input.key, input.upload_id)
  let obj: R2Object
  try {
    obj = await up.complete(input.parts.map((p) => ({ partNumber: p.part_number, etag: p.etag })))
  } catch (e) {
    const message = `the upload could not be completed: ${(e as Error).message}`
    throw new AppError('VALIDATION', `upload_id: ${message}`, [{ path: 'upload_id', message }])
  }
  const head = await ctx.env.ASSETS_BUCKET.get(input.key, { range: { offset: 0, length: 4096 } })
  const found = head ? sniff(new Uint8Array(await head.arrayBuffer())) : null
  // The sniffed type is kept in the row's media attributes and sent when the file is served; an
  // image's size comes from ranged reads of the stored object.
  const header = found?.mediaType === 'IMAGE' ? await probeR2(ctx.env.ASSETS_BUCKET, input.key, obj.size) : null
  return createRowForObject(ctx, d, id, input.key, input.filename, obj.size, found, header)
}
