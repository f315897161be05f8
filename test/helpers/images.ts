/**
 * @module Tiny image files built byte by byte for the tests, so header reading is checked against
 * complete files of each format (PNG with real deflated pixels and CRCs, a baseline JPEG with an
 * EXIF block and a decodable grey scan, GIF, BMP, TIFF) rather than against a copy of the parser's
 * own assumptions. WebP and AVIF carry real headers with placeholder payloads.
 */

const enc = new TextEncoder()

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)))
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0))
  let o = 0
  for (const a of arrays) {
    out.set(a, o)
    o += a.length
  }
  return out
}
const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff]
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff]
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff]
const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]

function crc32(b: Uint8Array): number {
  let c = 0xffffffff
  for (const x of b) {
    c ^= x
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

async function deflate(b: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([b]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** A PNG of `w`×`h` RGB pixels (a gradient), valid to any decoder. */
export async function pngFile(w: number, h: number): Promise<Uint8Array> {
  const chunk = (type: string, data: Uint8Array | number[]) => {
    const td = concat(enc.encode(type), data)
    return concat(be32(td.length - 4), td, be32(crc32(td)))
  }
  const raw = new Uint8Array(h * (1 + 3 * w))
  for (let y = 0; y < h; y++) for (let x = 0; x < 3 * w; x++) raw[y * (1 + 3 * w) + 1 + x] = (x * 17 + y * 31) & 0xff
  return concat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk('IHDR', [...be32(w), ...be32(h), 8, 2, 0, 0, 0]),
    chunk('IDAT', await deflate(raw)),
    chunk('IEND', []),
  )
}

/** A GIF89a whose logical screen is `w`×`h`, holding one 1×1 image. */
export function gifFile(w: number, h: number): Uint8Array {
  return concat(
    enc.encode('GIF89a'),
    [...le16(w), ...le16(h), 0x80, 0, 0],
    [0xff, 0xff, 0xff, 0, 0, 0],
    [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0],
    [0x02, 0x02, 0x44, 0x01, 0x00],
    [0x3b],
  )
}

/** A 24-bit BMP (bottom-up, or top-down with a negative height). */
export function bmpFile(w: number, h: number, o: { topDown?: boolean } = {}): Uint8Array {
  const row = (3 * w + 3) & ~3
  const pixels = new Uint8Array(row * h).fill(0x80)
  const header = [0x42, 0x4d, ...le32(54 + pixels.length), 0, 0, 0, 0, ...le32(54)]
  const dib = [
    ...le32(40),
    ...le32(w),
    ...le32(o.topDown ? -h : h),
    ...le16(1),
    ...le16(24),
    ...le32(0),
    ...le32(pixels.length),
    ...le32(2835),
    ...le32(2835),
    ...le32(0),
    ...le32(0),
  ]
  return concat(header, dib, pixels)
}

/** An uncompressed 8-bit greyscale TIFF, its pixels first and its directory after them (as many
 * writers do), so a big image puts the directory past the first read. */
export function tiffFile(w: number, h: number, o: { bigEndian?: boolean; orientation?: number } = {}): Uint8Array {
  const u16 = o.bigEndian ? be16 : le16
  const u32 = o.bigEndian ? be32 : le32
  const pixels = new Uint8Array(w * h * 3).fill(0x40)
  const ifdAt = 8 + pixels.length + (pixels.length % 2)
  const entries: [number, number, number][] = [
    [0x0100, 3, w],
    [0x0101, 4, h],
    [0x0102, 3, 8],
    [0x0103, 3, 1],
    [0x0106, 3, 1],
    [0x0111, 4, 8],
    [0x0115, 3, 1],
    [0x0116, 4, h],
    [0x0117, 4, pixels.length],
  ]
  if (o.orientation) entries.splice(6, 0, [0x0112, 3, o.orientation])
  const ifd = [...u16(entries.length)]
  for (const [tag, type, value] of entries)
    ifd.push(...u16(tag), ...u16(type), ...u32(1), ...(type === 3 ? [...u16(value), 0, 0] : u32(value)))
  ifd.push(...u32(0))
  return concat(enc.encode(o.bigEndian ? 'MM' : 'II'), u16(42), u32(ifdAt), pixels, pixels.length % 2 ? [0] : [], ifd)
}

const riff = (chunk: string, body: Uint8Array | number[]) => {
  const data = concat(enc.encode(chunk), le32(body.length), body, body.length % 2 ? [0] : [])
  return concat(enc.encode('RIFF'), le32(4 + data.length), enc.encode('WEBP'), data)
}

/** Lossy WebP: a VP8 key frame header (frame tag, start code, 14-bit sizes) and filler. */
export function webpLossyFile(w: number, h: number): Uint8Array {
  return riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...le16(w), ...le16(h), ...new Array(10).fill(0)])
}

/** Lossless WebP: the VP8L signature and 14-bit width-1/height-1 fields (1×1 is a complete file). */
export function webpLosslessFile(w: number, h: number): Uint8Array {
  const bits = ((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14)
  return riff('VP8L', [0x2f, ...le32(bits >>> 0), 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00])
}

/** Extended WebP: a VP8X chunk with the canvas size, then an image chunk. */
export function webpExtendedFile(w: number, h: number): Uint8Array {
  const vp8x = concat(enc.encode('VP8X'), le32(10), [0x10, 0, 0, 0], le24(w - 1), le24(h - 1))
  const inner = webpLosslessFile(1, 1).subarray(12)
  const data = concat(vp8x, inner)
  return concat(enc.encode('RIFF'), le32(4 + data.length), enc.encode('WEBP'), data)
}

/** The start of an AVIF: ftyp, and a meta box whose item properties hold an ispe box. */
export function avifHead(w: number, h: number): Uint8Array {
  const box = (type: string, body: Uint8Array | number[]) => {
    const b = body instanceof Uint8Array ? body : Uint8Array.from(body)
    return concat(be32(8 + b.length), enc.encode(type), b)
  }
  const ftyp = box('ftyp', concat(enc.encode('avif'), be32(0), enc.encode('avifmif1miaf')))
  const ispe = box('ispe', [0, 0, 0, 0, ...be32(w), ...be32(h)])
  const meta = box(
    'meta',
    concat([0, 0, 0, 0], box('hdlr', concat(new Uint8Array(8), enc.encode('pict'), new Uint8Array(13))), box('iprp', box('ipco', ispe))),
  )
  return concat(ftyp, meta)
}

/**
 * A baseline greyscale JPEG of `w`×`h`: JFIF, an optional EXIF block with the orientation tag,
 * optional `padding` bytes of APP2 segments (as an ICC profile would take) before the frame header,
 * one quantization table, one-symbol Huffman tables and a scan of flat grey blocks (each block a DC
 * difference of 0 and an end-of-block: two 1-bit codes), so it decodes.
 */
export function jpegFile(w: number, h: number, o: { orientation?: number; bigEndian?: boolean; padding?: number } = {}): Uint8Array {
  const seg = (marker: number, body: Uint8Array | number[]) => concat([0xff, marker], be16(body.length + 2), body)
  const parts: Uint8Array[] = [Uint8Array.from([0xff, 0xd8]), seg(0xe0, concat(enc.encode('JFIF\0'), [1, 1, 0, 0, 1, 0, 1, 0, 0]))]
  if (o.orientation !== undefined) {
    const u16 = o.bigEndian ? be16 : le16
    const u32 = o.bigEndian ? be32 : le32
    // TIFF header, IFD0 at 8 with two entries: XResolution-less but valid (Orientation, then
    // a Software ASCII value stored in place), no next IFD.
    const tiff = concat(
      enc.encode(o.bigEndian ? 'MM' : 'II'),
      u16(42),
      u32(8),
      u16(2),
      u16(0x0112),
      u16(3),
      u32(1),
      u16(o.orientation),
      [0, 0],
      u16(0x0131),
      u16(2),
      u32(4),
      enc.encode('ld\0\0'),
      u32(0),
    )
    parts.push(seg(0xe1, concat(enc.encode('Exif\0\0'), tiff)))
  }
  let left = o.padding ?? 0
  while (left > 0) {
    const n = Math.min(left, 65_000)
    parts.push(seg(0xe2, concat(enc.encode('ICC_PROFILE\0'), new Uint8Array(n).fill(0x11))))
    left -= n
  }
  parts.push(seg(0xdb, [0x00, ...new Array(64).fill(1)]))
  parts.push(seg(0xc0, [8, ...be16(h), ...be16(w), 1, 1, 0x11, 0]))
  // DC table 0 and AC table 0, each one code of length 1 ("0"): DC category 0, AC end-of-block.
  parts.push(seg(0xc4, [0x00, 1, ...new Array(15).fill(0), 0x00]))
  parts.push(seg(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]))
  parts.push(seg(0xda, [1, 1, 0x00, 0, 63, 0]))
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8)
  // Two zero bits per block, padded with one bits (never a 0xff byte, so no stuffing needed).
  const scan = new Uint8Array(Math.ceil((2 * blocks) / 8))
  const tail = (2 * blocks) % 8
  if (tail) scan[scan.length - 1] = (1 << (8 - tail)) - 1
  parts.push(scan, Uint8Array.from([0xff, 0xd9]))
  return concat(...parts)
}
