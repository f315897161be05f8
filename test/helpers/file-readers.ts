// @module Readers for exported files, written apart from the writers (src/lib/zip.ts,
// src/modules/exports/formats.ts) so that a test reading a file back checks the format, not the
// writer against itself: a zip read from its (ZIP64) end record and central directory with a
// bit-by-bit CRC-32, a small XML tree reader, an RFC 4180 CSV parser.
import { expect } from 'vitest'

/** CRC-32 bit by bit (the writer uses a table). */
export function crcBitwise(b: Uint8Array): number {
  let c = 0xffffffff
  for (const x of b) {
    c ^= x
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

/** Reads a zip from its end: (ZIP64) end record → central directory → local headers → data. */
export function readZip(buf: Uint8Array): Map<string, string> {
  // Plain checks rather than expect(): an archive may hold 70,000 entries.
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`bad zip: ${what}`)
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const u64 = (at: number) => v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32
  let eocd = buf.length - 22
  while (eocd >= 0 && v.getUint32(eocd, true) !== 0x06054b50) eocd--
  expect(eocd).toBeGreaterThanOrEqual(0)
  let count = v.getUint16(eocd + 10, true)
  let cdSize = v.getUint32(eocd + 12, true)
  let cdOffset = v.getUint32(eocd + 16, true)
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20
    check(v.getUint32(loc, true) === 0x07064b50, 'signature 0x07064b50')
    const z = u64(loc + 8)
    check(v.getUint32(z, true) === 0x06064b50, 'signature 0x06064b50')
    count = u64(z + 32)
    cdSize = u64(z + 40)
    cdOffset = u64(z + 48)
  }
  const files = new Map<string, string>()
  const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let p = cdOffset
  for (let i = 0; i < count; i++) {
    check(v.getUint32(p, true) === 0x02014b50, 'signature 0x02014b50')
    check(v.getUint16(p + 10, true) === 0, 'compressed entry') // stored
    const crc = v.getUint32(p + 16, true)
    const csize = v.getUint32(p + 20, true)
    check(v.getUint32(p + 24, true) === csize, 'sizes differ')
    const nameLen = v.getUint16(p + 28, true)
    const extraLen = v.getUint16(p + 30, true)
    const commentLen = v.getUint16(p + 32, true)
    let local = v.getUint32(p + 42, true)
    const name = dec.decode(buf.subarray(p + 46, p + 46 + nameLen))
    if (local === 0xffffffff) {
      let e = p + 46 + nameLen
      while (v.getUint16(e, true) !== 1) e += 4 + v.getUint16(e + 2, true)
      local = u64(e + 4)
    }
    check(v.getUint32(local, true) === 0x04034b50, 'signature 0x04034b50')
    check(dec.decode(buf.subarray(local + 30, local + 30 + v.getUint16(local + 26, true))) === name, `local name of ${name}`)
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true)
    const data = buf.subarray(start, start + csize)
    check(crcBitwise(data) === crc, `CRC of ${name}`)
    check(!files.has(name), `duplicate entry ${name}`)
    files.set(name, dec.decode(data))
    p += 46 + nameLen + extraLen + commentLen
  }
  check(p === cdOffset + cdSize, 'central directory size')
  return files
}

export type XmlNode = { tag: string; children: XmlNode[]; text: string }
/** A small XML reader: elements, text and the five entities (enough for VOC files). */
export function parseXml(s: string): XmlNode {
  const root: XmlNode = { tag: '#root', children: [], text: '' }
  const stack = [root]
  const unescapeXml = (t: string) =>
    t.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e as string]!)
  const re = /<\?[^>]*\?>|<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|([^<]+)/g
  for (const m of s.matchAll(re)) {
    if (m[0].startsWith('<?')) continue
    if (m[4] !== undefined) {
      stack[stack.length - 1]!.text += unescapeXml(m[4])
      continue
    }
    if (m[1]) {
      const n = stack.pop()!
      expect(n.tag).toBe(m[2])
      continue
    }
    const node: XmlNode = { tag: m[2]!, children: [], text: '' }
    stack[stack.length - 1]!.children.push(node)
    if (!m[3]) stack.push(node)
  }
  expect(stack).toHaveLength(1)
  return root.children[0]!
}
export const child = (n: XmlNode, tag: string) => n.children.find((c) => c.tag === tag)!
export const kids = (n: XmlNode, tag: string) => n.children.filter((c) => c.tag === tag)
export const textOf = (n: XmlNode, path: string) =>
  path
    .split('/')
    .reduce((x, t) => child(x, t), n)
    .text.trim()

/** RFC 4180 CSV: quoted fields with doubled quotes and line breaks inside; CRLF or LF records. */
export function parseCsv(s: string): string[][] {
  const out: string[][] = []
  let row: string[] = []
  let f = ''
  let q = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (q) {
      if (c === '"' && s[i + 1] === '"') (f += '"'), i++
      else if (c === '"') q = false
      else f += c
    } else if (c === '"') q = true
    else if (c === ',') row.push(f), (f = '')
    else if (c === '\r' && s[i + 1] === '\n') continue
    else if (c === '\n') row.push(f), out.push(row), (row = []), (f = '')
    else f += c
  }
  if (f || row.length) row.push(f), out.push(row)
  return out
}
