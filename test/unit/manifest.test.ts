import { describe, expect, it } from 'vitest'
import { nextRecords, type ParseState, type RawRecord } from '../../src/modules/datasets/manifest'

const enc = new TextEncoder()

/** Feeds a file through in windows of `window` bytes, as the import slices do. */
function parseAll(text: string | Uint8Array, format: ParseState['format'], window = 7, max = 3): RawRecord[] {
  const bytes = typeof text === 'string' ? enc.encode(text) : text
  const state: ParseState = { format, line: 0 }
  const out: RawRecord[] = []
  let offset = 0
  for (let guard = 0; guard < 10_000; guard++) {
    let w = window
    for (;;) {
      const end = Math.min(bytes.length, offset + w)
      const final = end === bytes.length
      const { records, consumed } = nextRecords(bytes.subarray(offset, end), state, final, max)
      if (consumed === 0 && !records.length && !final) {
        w *= 2
        continue
      }
      out.push(...records)
      offset += consumed
      break
    }
    if (offset >= bytes.length && (format !== 'json' || state.closed)) break
  }
  return out
}

describe('manifest parsing in windows', () => {
  it('NDJSON: one record per line, blank lines skipped, bad lines reported with their number', () => {
    const recs = parseAll('{"row_data":"a"}\n\n{"row_data":\n{"row_data":"c"}', 'ndjson')
    expect(recs).toEqual([
      { line: 1, value: { row_data: 'a' } },
      { line: 3, error: expect.stringMatching(/invalid JSON/) },
      { line: 4, value: { row_data: 'c' } },
    ])
  })

  it('NDJSON: invalid UTF-8 is an error for that line only', () => {
    const bytes = new Uint8Array([...enc.encode('{"row_data":"a"}\n'), 0xff, 0xfe, 0x0a, ...enc.encode('{"row_data":"b"}\n')])
    expect(parseAll(bytes, 'ndjson').map((r) => ('error' in r ? `e${r.line}` : `ok${r.line}`))).toEqual(['ok1', 'e2', 'ok3'])
  })

  it('NDJSON: the same records whatever the window and the records asked for (blocks of lines are decoded at once)', () => {
    const bad = new Uint8Array([0x7b, 0xff, 0x7d]) // invalid UTF-8 in the middle of the file
    const parts = [
      enc.encode('\uFEFF{"row_data":"a"}\r\n\n  \n{"row_data":"é ü"}\n'),
      bad,
      enc.encode('\n{"row_data":"c"}\n\uFEFF{"x":1}\n{"row_data":\n\n{"row_data":"last, no newline"}'),
    ]
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    parts.reduce((off, p) => (bytes.set(p, off), off + p.length), 0)
    const want = [
      { line: 1, value: { row_data: 'a' } },
      { line: 4, value: { row_data: 'é ü' } },
      { line: 5, error: 'the line is not valid UTF-8' },
      { line: 6, value: { row_data: 'c' } },
      { line: 7, value: { x: 1 } },
      { line: 8, error: expect.stringMatching(/invalid JSON/) },
      { line: 10, value: { row_data: 'last, no newline' } },
    ]
    for (const window of [1, 3, 8, 17, 64, 1000]) {
      for (const max of [1, 2, 3, 100]) expect(parseAll(bytes, 'ndjson', window, max), `window ${window}, max ${max}`).toEqual(want)
    }
  })

  it('JSON array: elements split across windows, with nested objects, strings with brackets, and line numbers', () => {
    const text = '[\n  {"row_data": "a]b,c", "metadata_fields": [{"name":"x","value":"{"}]},\n  {"row_data": "b"}\n]\n'
    const recs = parseAll(text, 'json', 5, 1)
    expect(recs).toEqual([
      { line: 2, value: { row_data: 'a]b,c', metadata_fields: [{ name: 'x', value: '{' }] } },
      { line: 3, value: { row_data: 'b' } },
    ])
  })

  it('JSON: not an array, or never closed, is reported', () => {
    expect(parseAll('{"row_data":"a"}', 'json')[0]).toMatchObject({ error: expect.stringMatching(/must be an array/) })
    const open = parseAll('[{"row_data":"a"},', 'json')
    expect(open.at(-1)).toMatchObject({ error: expect.stringMatching(/not closed/) })
  })

  it('CSV: header, quoted commas, quotes and newlines; wrong column counts; line numbers count the header', () => {
    const text =
      'row_data,global_key,external_id\nhttps://x/a.png,a,"ext, one"\n"multi\nline text",b,\nhttps://x/c.png,c\n"say ""hi""",d,e\n'
    const recs = parseAll(text, 'csv', 9, 2)
    expect(recs).toEqual([
      { line: 2, value: { row_data: 'https://x/a.png', global_key: 'a', external_id: 'ext, one' } },
      { line: 3, value: { row_data: 'multi\nline text', global_key: 'b' } },
      { line: 5, error: 'expected 3 columns (row_data,global_key,external_id), got 2' },
      { line: 6, value: { row_data: 'say "hi"', global_key: 'd', external_id: 'e' } },
    ])
  })

  it('CSV without a row_data column is one clear error', () => {
    const recs = parseAll('url,key\nhttps://x/a.png,a\n', 'csv')
    expect(recs).toHaveLength(1)
    expect(recs[0]).toMatchObject({ line: 1, field: 'row_data', error: expect.stringMatching(/row_data is missing/) })
  })
})
