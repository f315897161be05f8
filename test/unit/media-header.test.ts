import { describe, expect, it } from 'vitest'
import { MAX_READS, WINDOW, exifOrientation, readImageHeader, type ReadBytes } from '../../src/modules/datasets/media-header'
import { take } from '../../src/modules/datasets/media'
import {
  bmpFile,
  gifFile,
  jpegFile,
  pngFile,
  tiffFile,
  webpLosslessFile,
  webpLossyFile,
  webpExtendedFile,
  avifHead,
} from '../helpers/images'

/** A reader over bytes in memory that counts its reads, as R2 ranged gets would be counted. */
function reader(file: Uint8Array) {
  const calls: [number, number][] = []
  const read: ReadBytes = async (offset, length) => {
    calls.push([offset, length])
    return file.slice(offset, offset + length)
  }
  return { read, calls }
}

/** Where `needle` first occurs in `file`. */
function find(file: Uint8Array, needle: number[] | string): number {
  const n = typeof needle === 'string' ? [...needle].map((c) => c.charCodeAt(0)) : needle
  for (let i = 0; i + n.length <= file.length; i++) if (n.every((x, k) => file[i + k] === x)) return i
  return -1
}

const probe = (file: Uint8Array, size: number | undefined = file.length) => readImageHeader(reader(file).read, size)

describe('readImageHeader', () => {
  it('reads PNG, GIF, BMP (bottom-up and top-down) and TIFF sizes from real files', async () => {
    expect(await probe(await pngFile(7, 3))).toEqual({ ok: true, attrs: { mime_type: 'image/png', width: 7, height: 3 } })
    expect(await probe(gifFile(640, 416))).toEqual({ ok: true, attrs: { mime_type: 'image/gif', width: 640, height: 416 } })
    expect(await probe(bmpFile(5, 9))).toEqual({ ok: true, attrs: { mime_type: 'image/bmp', width: 5, height: 9 } })
    expect(await probe(bmpFile(5, 9, { topDown: true }))).toEqual({ ok: true, attrs: { mime_type: 'image/bmp', width: 5, height: 9 } })
    expect(await probe(tiffFile(11, 4))).toEqual({ ok: true, attrs: { mime_type: 'image/tiff', width: 11, height: 4 } })
    expect(await probe(tiffFile(11, 4, { bigEndian: true }))).toEqual({
      ok: true,
      attrs: { mime_type: 'image/tiff', width: 11, height: 4 },
    })
  })

  it('reads the three WebP kinds (VP8, VP8L, VP8X)', async () => {
    expect(await probe(webpLossyFile(300, 200))).toEqual({ ok: true, attrs: { mime_type: 'image/webp', width: 300, height: 200 } })
    expect(await probe(webpLosslessFile(1, 1))).toEqual({ ok: true, attrs: { mime_type: 'image/webp', width: 1, height: 1 } })
    expect(await probe(webpLosslessFile(4000, 3000))).toEqual({ ok: true, attrs: { mime_type: 'image/webp', width: 4000, height: 3000 } })
    expect(await probe(webpExtendedFile(20000, 17))).toEqual({ ok: true, attrs: { mime_type: 'image/webp', width: 20000, height: 17 } })
  })

  it('reads AVIF sizes from the ispe box', async () => {
    expect(await probe(avifHead(1920, 1080))).toEqual({ ok: true, attrs: { mime_type: 'image/avif', width: 1920, height: 1080 } })
  })

  it('reads a JPEG without EXIF: no exif_rotation', async () => {
    expect(await probe(jpegFile(33, 17))).toEqual({ ok: true, attrs: { mime_type: 'image/jpeg', width: 33, height: 17 } })
  })

  it('JPEG with EXIF orientation 6 (turned a quarter): width and height are the displayed ones, exif_rotation "6"', async () => {
    // Stored 40 wide and 30 high; shown turned 90° clockwise, so 30 wide and 40 high.
    const file = jpegFile(40, 30, { orientation: 6 })
    expect(exifOrientation(file.subarray(find(file, 'Exif') + 6))).toBe(6)
    expect(await probe(file)).toEqual({ ok: true, attrs: { mime_type: 'image/jpeg', width: 30, height: 40, exif_rotation: '6' } })
    // 1–4 keep the sides (3 is upside down); big-endian EXIF reads the same.
    expect(await probe(jpegFile(40, 30, { orientation: 3, bigEndian: true }))).toEqual({
      ok: true,
      attrs: { mime_type: 'image/jpeg', width: 40, height: 30, exif_rotation: '3' },
    })
    expect(await probe(jpegFile(40, 30, { orientation: 8, bigEndian: true }))).toEqual({
      ok: true,
      attrs: { mime_type: 'image/jpeg', width: 30, height: 40, exif_rotation: '8' },
    })
  })

  it('walks JPEG segments past the first window with a few ranged reads, never the whole file', async () => {
    // 200 KB of APP2 (an ICC profile's worth) between the EXIF block and the frame header.
    const file = jpegFile(1024, 768, { orientation: 6, padding: 200 * 1024 })
    const r = reader(file)
    expect(await readImageHeader(r.read, file.length)).toEqual({
      ok: true,
      attrs: { mime_type: 'image/jpeg', width: 768, height: 1024, exif_rotation: '6' },
    })
    expect(r.calls.length).toBeGreaterThan(1)
    expect(r.calls.length).toBeLessThanOrEqual(1 + MAX_READS)
    expect(r.calls.reduce((n, [, l]) => n + l, 0)).toBeLessThan(file.length)
    for (const [, l] of r.calls) expect(l).toBeLessThanOrEqual(WINDOW)
  })

  it('gives up on a JPEG whose frame header is past the read budget, saying why', async () => {
    const file = jpegFile(10, 10, { padding: 2 * 1024 * 1024 })
    const r = reader(file)
    const res = await readImageHeader(r.read, file.length)
    expect(res).toEqual({ ok: false, mime_type: 'image/jpeg', reason: expect.stringContaining('no JPEG frame header within') })
    expect(r.calls.length).toBe(1 + MAX_READS)
  })

  it('follows a TIFF directory placed after 100 KB of pixels', async () => {
    const file = tiffFile(200, 170, { orientation: 5 })
    expect(file.length).toBeGreaterThan(WINDOW)
    const r = reader(file)
    expect(await readImageHeader(r.read, file.length)).toEqual({
      ok: true,
      attrs: { mime_type: 'image/tiff', width: 170, height: 200, exif_rotation: '5' },
    })
    expect(r.calls.length).toBe(2)
  })

  it('reads without knowing the file size (an HTTP source)', async () => {
    expect(await probe(jpegFile(64, 48, { orientation: 1 }), undefined)).toEqual({
      ok: true,
      attrs: { mime_type: 'image/jpeg', width: 64, height: 48, exif_rotation: '1' },
    })
  })

  it('says why when the header cannot be read', async () => {
    const enc = new TextEncoder()
    expect(await probe(enc.encode('hello, this is a text file'))).toEqual({
      ok: false,
      reason: expect.stringContaining('not an image format'),
    })
    expect(await probe(enc.encode('tiny'))).toEqual({ ok: false, reason: 'the file is too short to be an image' })
    expect(await probe(enc.encode('<svg xmlns="http://www.w3.org/2000/svg" width="10"/>'))).toEqual({
      ok: false,
      mime_type: 'image/svg+xml',
      reason: 'an SVG has no pixel size',
    })
    const png = await pngFile(7, 3)
    expect(await probe(png.slice(0, 20))).toEqual({
      ok: false,
      mime_type: 'image/png',
      reason: 'the file ends inside its image/png header',
    })
    const jpg = jpegFile(40, 30, { orientation: 6 })
    // A JPEG cut before its frame header, and one whose scan comes first.
    expect(await probe(jpg.slice(0, find(jpg, [0xff, 0xc0]) + 2))).toEqual({
      ok: false,
      mime_type: 'image/jpeg',
      reason: 'the file ends inside its image/jpeg header',
    })
    const noFrame = jpg.slice()
    noFrame[find(jpg, [0xff, 0xc0]) + 1] = 0xda
    expect(await probe(noFrame)).toEqual({
      ok: false,
      mime_type: 'image/jpeg',
      reason: 'the JPEG has no frame header before its image data',
    })
    const zero = await pngFile(7, 3)
    zero.set([0, 0, 0, 0], 16)
    expect(await probe(zero)).toEqual({ ok: false, mime_type: 'image/png', reason: 'the image/png header gives an impossible size (0×3)' })
  })
})

describe('take (HTTP bodies)', () => {
  it('cuts the asked range out of a body sent whole, across chunk boundaries, and stops reading', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= 1000) return c.close()
        c.enqueue(bytes.slice(pulled, pulled + 64))
        pulled += 64
      },
    })
    expect(await take(body, 100, 50)).toEqual(bytes.slice(100, 150))
    expect(pulled).toBeLessThan(300)
    expect(await take(new Response(bytes.slice(0, 10)).body, 4, 100)).toEqual(bytes.slice(4, 10))
    expect(await take(null, 0, 10)).toEqual(new Uint8Array(0))
  })
})
