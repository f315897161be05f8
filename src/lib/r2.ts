/** @module R2 helpers: streaming an unknown-length body into a multipart upload with bounded
 * memory, serving objects with Range support. */
import { AppError } from './errors'

/** R2 multipart parts must be ≥ 5 MiB (all but the last). */
export const PART_SIZE = 8 * 1024 * 1024

/**
 * Streams `body` into `key` without holding more than one part in memory. Refuses (and aborts the
 * upload) past `maxBytes`. Returns the stored size; 0 bytes stores nothing.
 */
export async function streamToR2(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  httpMetadata?: R2HTTPMetadata,
): Promise<number> {
  const reader = body.getReader()
  let upload: R2MultipartUpload | undefined
  const parts: R2UploadedPart[] = []
  let buf = new Uint8Array(PART_SIZE)
  let fill = 0
  let total = 0
  const flush = async (last: boolean) => {
    if (!upload) {
      if (last) {
        // Small body: one plain put.
        if (fill > 0) await bucket.put(key, buf.subarray(0, fill), { httpMetadata })
        return
      }
      upload = await bucket.createMultipartUpload(key, { httpMetadata })
    }
    if (fill > 0 || parts.length === 0) parts.push(await upload.uploadPart(parts.length + 1, buf.slice(0, fill)))
    fill = 0
    if (last) await upload.complete(parts)
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes)
        throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${Math.round(maxBytes / 1024 / 1024)} MB`)
      let off = 0
      while (off < value.byteLength) {
        const n = Math.min(PART_SIZE - fill, value.byteLength - off)
        buf.set(value.subarray(off, off + n), fill)
        fill += n
        off += n
        if (fill === PART_SIZE) {
          await flush(false)
          buf = new Uint8Array(PART_SIZE)
        }
      }
    }
    await flush(true)
    return total
  } catch (e) {
    await upload?.abort().catch(() => undefined)
    await reader.cancel().catch(() => undefined)
    throw e
  }
}

/** An R2 object as an HTTP response, honouring a single `Range: bytes=a-b` (206) request. */
export async function serveObject(
  bucket: R2Bucket,
  key: string,
  request: Request,
  headers: Record<string, string> = {},
): Promise<Response> {
  const range = request.headers.get('Range')
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null
  if (range && !m)
    return new Response('only one "bytes=start-end" range is supported', {
      status: 416,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  const head = await bucket.head(key)
  if (!head) throw new AppError('NOT_FOUND', 'File not found')
  const size = head.size
  let r2Range: R2Range | undefined
  let start = 0
  let end = size - 1
  if (m) {
    if (m[1] === '' && m[2] !== '') {
      const suffix = Number(m[2])
      start = Math.max(0, size - suffix)
    } else {
      start = Number(m[1])
      if (m[2] !== '') end = Math.min(size - 1, Number(m[2]))
    }
    if (start >= size || start > end)
      return new Response(`bytes ${m![1]}-${m![2]} is outside the file (${size} bytes)`, {
        status: 416,
        headers: { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8' },
      })
    r2Range = { offset: start, length: end - start + 1 }
  }
  const obj = await bucket.get(key, r2Range ? { range: r2Range } : undefined)
  if (!obj) throw new AppError('NOT_FOUND', 'File not found')
  const h = new Headers(headers)
  h.set('Accept-Ranges', 'bytes')
  h.set('ETag', obj.httpEtag)
  if (!h.has('Content-Type')) h.set('Content-Type', obj.httpMetadata?.contentType ?? 'application/octet-stream')
  h.set('Content-Length', String(r2Range ? end - start + 1 : size))
  if (r2Range) {
    h.set('Content-Range', `bytes ${start}-${end}/${size}`)
    return new Response(obj.body, { status: 206, headers: h })
  }
  return new Response(obj.body, { status: 200, headers: h })
}
