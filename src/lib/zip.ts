/**
 * @module A store-only (no compression) ZIP writer for files written piece by piece across queue
 * slices: every function returns bytes and takes what it needs (offsets, CRCs) as numbers, so the
 * caller can keep its state in a cursor and write the archive into an R2 multipart upload. Each
 * entry's CRC-32 and size are known before its header is written (small entries are built whole;
 * a big one has its CRC computed chunk by chunk as its bytes are produced), so no data descriptors
 * are needed. ZIP64 records are written when an offset, the central directory or the entry count
 * outgrow the classic fields (an export of 200k images has more than 65,535 entries).
 */

const TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (ISO-HDLC) of `bytes`, continuing from `crc` (0 for a new one). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return ~c >>> 0
}

const MAX32 = 0xffffffff
const MAX16 = 0xffff
const UTF8_NAMES = 0x0800
const enc = new TextEncoder()

/** MS-DOS time and date of `d` (UTC): ZIP's only mandatory timestamp. */
export function dosDateTime(d: Date): { time: number; date: number } {
  const y = Math.max(1980, d.getUTCFullYear())
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

const u64 = (v: DataView, at: number, n: number) => {
  v.setUint32(at, n % 2 ** 32, true)
  v.setUint32(at + 4, Math.floor(n / 2 ** 32), true)
}

export type ZipEntry = { name: string; crc: number; size: number; offset: number }

/** The local file header of an entry whose data (`size` bytes, CRC `crc`) follows it. */
export function localHeader(e: Omit<ZipEntry, 'offset'>, when: { time: number; date: number }): Uint8Array {
  if (e.size >= MAX32) throw new Error(`zip entry ${e.name} is too large`)
  const name = enc.encode(e.name)
  const b = new Uint8Array(30 + name.length)
  const v = new DataView(b.buffer)
  v.setUint32(0, 0x04034b50, true)
  v.setUint16(4, 20, true)
  v.setUint16(6, UTF8_NAMES, true)
  v.setUint16(8, 0, true) // stored
  v.setUint16(10, when.time, true)
  v.setUint16(12, when.date, true)
  v.setUint32(14, e.crc, true)
  v.setUint32(18, e.size, true)
  v.setUint32(22, e.size, true)
  v.setUint16(26, name.length, true)
  v.setUint16(28, 0, true)
  b.set(name, 30)
  return b
}

/** The central-directory record of an entry; its local header starts at `offset`. */
export function centralRecord(e: ZipEntry, when: { time: number; date: number }): Uint8Array {
  const name = enc.encode(e.name)
  const zip64 = e.offset >= MAX32
  const extra = zip64 ? 12 : 0
  const b = new Uint8Array(46 + name.length + extra)
  const v = new DataView(b.buffer)
  v.setUint32(0, 0x02014b50, true)
  v.setUint16(4, 45, true) // made by: spec 4.5
  v.setUint16(6, zip64 ? 45 : 20, true)
  v.setUint16(8, UTF8_NAMES, true)
  v.setUint16(10, 0, true)
  v.setUint16(12, when.time, true)
  v.setUint16(14, when.date, true)
  v.setUint32(16, e.crc, true)
  v.setUint32(20, e.size, true)
  v.setUint32(24, e.size, true)
  v.setUint16(28, name.length, true)
  v.setUint16(30, extra, true)
  // comment length, disk number, internal and external attributes: 0
  v.setUint32(42, zip64 ? MAX32 : e.offset, true)
  b.set(name, 46)
  if (zip64) {
    v.setUint16(46 + name.length, 0x0001, true)
    v.setUint16(48 + name.length, 8, true)
    u64(v, 50 + name.length, e.offset)
  }
  return b
}

/** A whole small entry: its local header and data, and its central record. */
export function zipEntry(
  name: string,
  data: Uint8Array,
  offset: number,
  when: { time: number; date: number },
): { local: Uint8Array; central: Uint8Array } {
  const e = { name, crc: crc32(data), size: data.length, offset }
  const head = localHeader(e, when)
  const local = new Uint8Array(head.length + data.length)
  local.set(head)
  local.set(data, head.length)
  return { local, central: centralRecord(e, when) }
}

/** The end of the archive, written after a central directory of `count` records and `size` bytes
 * that starts at `offset`: ZIP64 end record and locator when needed, then the classic end record. */
export function zipEnd(count: number, offset: number, size: number): Uint8Array {
  const zip64 = count >= MAX16 || offset >= MAX32 || size >= MAX32
  const b = new Uint8Array((zip64 ? 56 + 20 : 0) + 22)
  const v = new DataView(b.buffer)
  let at = 0
  if (zip64) {
    v.setUint32(0, 0x06064b50, true)
    u64(v, 4, 44) // size of the rest of this record
    v.setUint16(12, 45, true)
    v.setUint16(14, 45, true)
    // disk numbers: 0
    u64(v, 24, count)
    u64(v, 32, count)
    u64(v, 40, size)
    u64(v, 48, offset)
    v.setUint32(56, 0x07064b50, true)
    v.setUint32(60, 0, true)
    u64(v, 64, offset + size) // where the ZIP64 end record starts
    v.setUint32(72, 1, true)
    at = 76
  }
  v.setUint32(at, 0x06054b50, true)
  v.setUint16(at + 8, Math.min(count, MAX16), true)
  v.setUint16(at + 10, Math.min(count, MAX16), true)
  v.setUint32(at + 12, Math.min(size, MAX32), true)
  v.setUint32(at + 16, Math.min(offset, MAX32), true)
  return b
}
