/**
 * @module Image width, height and EXIF orientation from a file's first bytes, never decoding the
 * image: exports need Labelbox's `media_attributes` (width/height) and a Worker has neither an
 * image library nor the memory to load big files. The parser is pure; the caller hands it a
 * `read(offset, length)` (a File slice at upload, an R2 ranged get, or an HTTP Range request).
 * Most formats answer from the first window; JPEG walks its segments (an EXIF thumbnail or an ICC
 * profile can push the frame header past the first window) and TIFF follows its IFD offset, each
 * at most `MAX_READS` reads.
 *
 * Width and height are the image as displayed: when an EXIF orientation (5–8) turns the image a
 * quarter, they are swapped, because browsers apply the orientation (CSS `image-orientation:
 * from-image` is the default), so labels are drawn — and their coordinates measured — on the
 * turned image; tools that normalize coordinates by width/height (YOLO) then get them right.
 * `exif_rotation` carries the orientation tag as Labelbox writes it, a string ("1"–"8"), and only
 * when the file has one.
 */

export type ImageHeader = { mime_type: string; width: number; height: number; exif_rotation?: string }
export type HeaderResult = { ok: true; attrs: ImageHeader } | { ok: false; mime_type?: string; reason: string }
export type ReadBytes = (offset: number, length: number) => Promise<Uint8Array>

/** Bytes asked for by the first read and by each later one. */
export const WINDOW = 64 * 1024
/** Reads after the first one, at most (JPEG segments, a TIFF IFD far into the file). */
export const MAX_READS = 8
/** Sizes past this are not believed (a corrupt header), whatever the format allows. */
const MAX_SIDE = 1 << 24

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, Math.min(to, b.length)))
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8)
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!)
const u32le = (b: Uint8Array, i: number) => ((b[i + 3]! << 24) >>> 0) + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!)

/** A window of the file: `bytes` start at file offset `at`. */
type Window = { at: number; bytes: Uint8Array }
const has = (w: Window, offset: number, n: number) => offset >= w.at && offset + n <= w.at + w.bytes.length

function done(mime: string, width: number, height: number, orientation?: number): HeaderResult {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    return { ok: false, mime_type: mime, reason: `the ${mime} header gives an impossible size (${width}×${height})` }
  }
  const turned = orientation !== undefined && orientation >= 5 && orientation <= 8
  const attrs: ImageHeader = { mime_type: mime, width: turned ? height : width, height: turned ? width : height }
  if (orientation !== undefined) attrs.exif_rotation = String(orientation)
  return { ok: true, attrs }
}

const short = (mime: string): HeaderResult => ({ ok: false, mime_type: mime, reason: `the file ends inside its ${mime} header` })

/** The image's size from the file behind `read`; `size` is the file's length when known. */
export async function readImageHeader(read: ReadBytes, size?: number): Promise<HeaderResult> {
  const first = await read(0, size === undefined ? WINDOW : Math.min(WINDOW, size))
  const w: Window = { at: 0, bytes: first }
  const b = first
  if (b.length < 12) return { ok: false, reason: 'the file is too short to be an image' }
  if (b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') {
    // The signature, then IHDR: length, "IHDR", width, height (big-endian).
    if (b.length < 24) return short('image/png')
    if (ascii(b, 12, 16) !== 'IHDR') return { ok: false, mime_type: 'image/png', reason: 'the PNG does not start with an IHDR chunk' }
    return done('image/png', u32be(b, 16), u32be(b, 20))
  }
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(w, read, size)
  if (ascii(b, 0, 4) === 'GIF8') return done('image/gif', u16le(b, 6), u16le(b, 8))
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return webp(b)
  if (b[0] === 0x42 && b[1] === 0x4d) return bmp(b)
  if (ascii(b, 0, 4) === 'II*\u0000' || ascii(b, 0, 4) === 'MM\u0000*') return tiff(w, read, size)
  if (ascii(b, 4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1|msf1)/.test(ascii(b, 8, 12))) return isobmff(b)
  if (/^\s*(<\?xml|<svg)/i.test(ascii(b, 0, 256))) return { ok: false, mime_type: 'image/svg+xml', reason: 'an SVG has no pixel size' }
  return { ok: false, reason: 'not an image format whose size LabelDesk can read (PNG, JPEG, GIF, WebP, BMP, TIFF, AVIF, HEIC)' }
}

function webp(b: Uint8Array): HeaderResult {
  const mime = 'image/webp'
  const chunk = ascii(b, 12, 16)
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height.
    if (b.length < 30) return short(mime)
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
      return { ok: false, mime_type: mime, reason: 'the WebP VP8 frame has no start code' }
    return done(mime, u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff)
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2f, then width-1 and height-1 in 14 bits each, little-endian bits.
    if (b.length < 25) return short(mime)
    if (b[20] !== 0x2f) return { ok: false, mime_type: mime, reason: 'the WebP VP8L chunk has no signature' }
    const bits = u32le(b, 21)
    return done(mime, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1)
  }
  if (chunk === 'VP8X') {
    // Extended: flags, 3 reserved bytes, then canvas width-1 and height-1 in 24 bits each.
    if (b.length < 30) return short(mime)
    return done(mime, u24le(b, 24) + 1, u24le(b, 27) + 1)
  }
  return { ok: false, mime_type: mime, reason: `unknown WebP chunk ${JSON.stringify(chunk)}` }
}

function bmp(b: Uint8Array): HeaderResult {
  const mime = 'image/bmp'
  if (b.length < 26) return short(mime)
  const dib = u32le(b, 14)
  // OS/2 BITMAPCOREHEADER: 16-bit sizes; the others: signed 32-bit (a negative height is top-down).
  if (dib === 12) return done(mime, u16le(b, 18), u16le(b, 20))
  if (dib < 40) return { ok: false, mime_type: mime, reason: `unknown BMP header of ${dib} bytes` }
  return done(mime, Math.abs(u32le(b, 18) | 0), Math.abs(u32le(b, 22) | 0))
}

/** AVIF/HEIC: the first `ispe` (image spatial extents) property box holds the size. */
function isobmff(b: Uint8Array): HeaderResult {
  const mime = /^(avif|avis)/.test(ascii(b, 8, 12)) ? 'image/avif' : 'image/heic'
  for (let i = 4; i + 16 <= b.length; i++) {
    if (b[i] === 0x69 && ascii(b, i, i + 4) === 'ispe') return done(mime, u32be(b, i + 8), u32be(b, i + 12))
  }
  return { ok: false, mime_type: mime, reason: `no image size (ispe box) in the first ${WINDOW / 1024} KB` }
}

/** Makes sure `w` holds `n` bytes at `offset`, reading a new window when not; false past the file's end or the read budget. */
async function ensure(w: Window, offset: number, n: number, read: ReadBytes, budget: { reads: number }, size?: number): Promise<boolean> {
  if (has(w, offset, n)) return true
  if (size !== undefined && offset + n > size) return false
  if (budget.reads >= MAX_READS) return false
  budget.reads++
  const length = Math.max(n, size === undefined ? WINDOW : Math.min(WINDOW, size - offset))
  w.bytes = await read(offset, length)
  w.at = offset
  return has(w, offset, n)
}

/** JPEG: segment by segment to the first frame header (SOFn), noting the EXIF orientation on the way. */
async function jpeg(w: Window, read: ReadBytes, size?: number): Promise<HeaderResult> {
  const mime = 'image/jpeg'
  const budget = { reads: 0 }
  let orientation: number | undefined
  let pos = 2
  for (let segments = 0; segments < 1000; segments++) {
    if (!(await ensure(w, pos, 4, read, budget, size)))
      return budget.reads >= MAX_READS
        ? { ok: false, mime_type: mime, reason: `no JPEG frame header within ${MAX_READS + 1} reads` }
        : short(mime)
    let i = pos - w.at
    const b = w.bytes
    if (b[i] !== 0xff) return { ok: false, mime_type: mime, reason: `a JPEG segment is corrupt (no marker at byte ${pos})` }
    // Fill bytes (0xff) may precede a marker.
    if (b[i + 1] === 0xff) {
      pos++
      continue
    }
    const marker = b[i + 1]!
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2
      continue
    }
    if (marker === 0xd9 || marker === 0xda)
      return { ok: false, mime_type: mime, reason: 'the JPEG has no frame header before its image data' }
    const length = u16be(b, i + 2)
    if (length < 2) return { ok: false, mime_type: mime, reason: `a JPEG segment is corrupt (length ${length} at byte ${pos})` }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isSof) {
      // Length, precision, height, width.
      if (!(await ensure(w, pos, 9, read, budget, size))) return short(mime)
      i = pos - w.at
      return done(mime, u16be(w.bytes, i + 7), u16be(w.bytes, i + 5), orientation)
    }
    if (marker === 0xe1 && orientation === undefined) {
      // APP1: "Exif\0\0" then a TIFF structure whose first IFD holds the orientation (tag 0x0112).
      if (await ensure(w, pos, Math.min(length + 2, WINDOW), read, budget, size)) {
        i = pos - w.at
        const seg = w.bytes.subarray(i + 4, i + 2 + length)
        if (ascii(seg, 0, 6) === 'Exif\u0000\u0000') orientation = exifOrientation(seg.subarray(6))
      }
    }
    pos += 2 + length
  }
  return { ok: false, mime_type: mime, reason: 'too many JPEG segments before the frame header' }
}

/** The orientation tag of a TIFF structure held whole in `t` (an EXIF block); undefined if absent. */
export function exifOrientation(t: Uint8Array): number | undefined {
  if (t.length < 8) return undefined
  const le = t[0] === 0x49 && t[1] === 0x49
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return undefined
  const u16 = le ? u16le : u16be
  const u32 = le ? u32le : u32be
  const ifd = u32(t, 4)
  if (ifd + 2 > t.length) return undefined
  const n = u16(t, ifd)
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12
    if (e + 12 > t.length) return undefined
    if (u16(t, e) === 0x0112) {
      const v = u16(t, e + 8)
      return v >= 1 && v <= 8 ? v : undefined
    }
  }
  return undefined
}

/** TIFF: the first IFD's ImageWidth (0x0100), ImageLength (0x0101) and Orientation (0x0112). */
async function tiff(w: Window, read: ReadBytes, size?: number): Promise<HeaderResult> {
  const mime = 'image/tiff'
  const budget = { reads: 0 }
  const le = w.bytes[0] === 0x49
  const u16 = le ? u16le : u16be
  const u32 = le ? u32le : u32be
  const ifd = u32(w.bytes, 4)
  if (!(await ensure(w, ifd, 2, read, budget, size))) return short(mime)
  const n = u16(w.bytes, ifd - w.at)
  if (n === 0 || n > 4096) return { ok: false, mime_type: mime, reason: `the TIFF's first directory has ${n} entries` }
  if (!(await ensure(w, ifd, 2 + n * 12, read, budget, size))) return short(mime)
  let width: number | undefined
  let height: number | undefined
  let orientation: number | undefined
  for (let k = 0; k < n; k++) {
    const e = ifd - w.at + 2 + k * 12
    const tag = u16(w.bytes, e)
    const type = u16(w.bytes, e + 2)
    // SHORT (3) values sit in the first two bytes of the value field, LONG (4) fill it.
    const value = type === 3 ? u16(w.bytes, e + 8) : type === 4 ? u32(w.bytes, e + 8) : undefined
    if (tag === 0x0100) width = value
    else if (tag === 0x0101) height = value
    else if (tag === 0x0112 && value !== undefined && value >= 1 && value <= 8) orientation = value
  }
  if (width === undefined || height === undefined)
    return { ok: false, mime_type: mime, reason: 'the TIFF directory names no image width or length' }
  return done(mime, width, height, orientation)
}
