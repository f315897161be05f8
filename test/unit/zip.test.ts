// The store-only zip writer (src/lib/zip.ts) read back by the test's own reader: a small archive,
// an archive of more than 65,535 entries (ZIP64 end record), and a central record past 4 GiB.
import { describe, expect, it } from 'vitest'
import { centralRecord, crc32, dosDateTime, zipEnd, zipEntry } from '../../src/lib/zip'
import { crcBitwise, readZip } from '../helpers/file-readers'

const enc = new TextEncoder()
const when = dosDateTime(new Date('2026-12-05T08:30:14Z'))

function build(files: [string, string][]): Uint8Array {
  const locals: Uint8Array[] = []
  const centrals: Uint8Array[] = []
  let offset = 0
  for (const [name, text] of files) {
    const z = zipEntry(name, enc.encode(text), offset, when)
    locals.push(z.local)
    centrals.push(z.central)
    offset += z.local.length
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0)
  const end = zipEnd(files.length, offset, cdSize)
  const out = new Uint8Array(offset + cdSize + end.length)
  let at = 0
  for (const b of [...locals, ...centrals, end]) out.set(b, at), (at += b.length)
  return out
}

describe('zip writer', () => {
  it('CRC-32 matches a bit-by-bit CRC, also when continued chunk by chunk', () => {
    const data = enc.encode('The quick brown fox jumps over the lazy dog'.repeat(37))
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(data)).toBe(crcBitwise(data))
    expect(crc32(data.subarray(700), crc32(data.subarray(0, 700)))).toBe(crc32(data))
  })

  it('writes entries a reader finds through the central directory, UTF-8 names included', () => {
    const files: [string, string][] = [
      ['data.yaml', 'names:\n  0: "Car"\n'],
      ['labels/a_b.txt', '0 0.5 0.5 1 1\n'],
      ['labels/straße.txt', ''],
      ['Annotations/x.xml', '<annotation/>'],
    ]
    const got = readZip(build(files))
    expect([...got]).toEqual(files)
    expect(when).toEqual({ time: (8 << 11) | (30 << 5) | 7, date: ((2026 - 1980) << 9) | (12 << 5) | 5 })
  })

  it('writes a ZIP64 end record when there are more than 65,535 entries', () => {
    const n = 70_000
    const files = Array.from({ length: n }, (_, i): [string, string] => [`labels/${i}.txt`, i % 1000 ? '' : `${i}\n`])
    const zip = build(files)
    const v = new DataView(zip.buffer)
    expect(v.getUint16(zip.length - 22 + 10, true)).toBe(0xffff)
    const got = readZip(zip)
    expect(got.size).toBe(n)
    expect(got.get('labels/69000.txt')).toBe('69000\n')
  })

  it('gives a central record past 4 GiB its offset in a ZIP64 extra field', () => {
    const offset = 5 * 2 ** 30 + 12345
    const r = centralRecord({ name: 'labels/far.txt', crc: 0, size: 0, offset }, when)
    const v = new DataView(r.buffer)
    expect(v.getUint32(42, true)).toBe(0xffffffff)
    const extra = 46 + 'labels/far.txt'.length
    expect(v.getUint16(30, true)).toBe(12)
    expect(v.getUint16(extra, true)).toBe(1)
    expect(v.getUint16(extra + 2, true)).toBe(8)
    expect(v.getUint32(extra + 4, true) + v.getUint32(extra + 8, true) * 2 ** 32).toBe(offset)
    const end = new DataView(zipEnd(3, offset, 100).buffer)
    expect(end.getUint32(0, true)).toBe(0x06064b50)
    expect(end.getUint32(48, true) + end.getUint32(52, true) * 2 ** 32).toBe(offset)
    expect(end.getUint32(76 + 16, true)).toBe(0xffffffff)
  })
})
