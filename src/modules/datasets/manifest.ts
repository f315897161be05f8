/**
 * @module Manifest parsing in bounded chunks. A slice of the import task reads a window of bytes
 * from R2 and asks `nextRecords` for the complete records in it; the bytes of an incomplete last
 * record are left for the next slice. Works on bytes (not strings) so byte offsets stay exact and
 * invalid UTF-8 is caught per record. Line numbers are 1-based; for CSV they count the header.
 */

export type Format = 'ndjson' | 'json' | 'csv'

export type ParseState = {
  format: Format
  /** Lines consumed before this chunk (for 1-based line numbers). */
  line: number
  /** JSON array: has the opening '[' been seen; has the closing ']'. */
  opened?: boolean
  closed?: boolean
  /** CSV: the header's column names once read. */
  header?: string[]
}

export type RawRecord = { line: number; value: unknown } | { line: number; error: string; field?: string }

const NL = 0x0a
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

function decode(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes)
  } catch {
    return null
  }
}

const countNewlines = (b: Uint8Array, from: number, to: number) => {
  let n = 0
  for (let i = from; i < to; i++) if (b[i] === NL) n++
  return n
}

/**
 * Complete records in `buf` (starting at a record boundary). `final` says `buf` reaches the end of
 * the file, so a last record without a trailing newline is complete. Returns the records and how
 * many bytes they used.
 */
export function nextRecords(
  buf: Uint8Array,
  state: ParseState,
  final: boolean,
  maxRecords: number,
): { records: RawRecord[]; consumed: number } {
  if (state.format === 'ndjson') return ndjson(buf, state, final, maxRecords)
  if (state.format === 'csv') return csv(buf, state, final, maxRecords)
  return jsonArray(buf, state, final, maxRecords)
}

function ndjson(buf: Uint8Array, state: ParseState, final: boolean, max: number) {
  const records: RawRecord[] = []
  let pos = 0
  while (records.length < max && pos < buf.length) {
    // A block of as many complete lines as records are still wanted, decoded at once: one decoder
    // call per block instead of one per line (an import parses ~50k lines a second). Blank lines
    // make a block come up short; the loop then takes another.
    const wanted = max - records.length
    let end = pos
    let lines = 0
    while (lines < wanted) {
      const nl = buf.indexOf(NL, end)
      if (nl === -1) break
      end = nl + 1
      lines++
    }
    if (lines < wanted && final && end < buf.length) end = buf.length // the last line has no newline
    if (end === pos) break // no complete line left in the window
    const block = buf.subarray(pos, end)
    const text = decode(block)
    if (text === null) {
      // Invalid UTF-8 somewhere in the block: line by line, so that only the bad line is an error.
      const r = ndjsonByLine(block, state, final && end === buf.length, wanted)
      records.push(...r.records)
      pos += r.consumed
      continue
    }
    // UTF-8 never uses the byte 0x0a inside a character: one '\n' per newline byte.
    const texts = text.split('\n')
    if (block[block.length - 1] === NL) texts.pop() // nothing after the block's last newline
    for (const line of texts) {
      state.line++
      const r = parseLine(state.line, line)
      if (r) records.push(r)
    }
    pos = end
  }
  return { records, consumed: pos }
}

/** One NDJSON line as a record; null for a blank line (skipped, not an error). */
function parseLine(line: number, text: string): RawRecord | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim()
  if (!trimmed) return null
  try {
    return { line, value: JSON.parse(trimmed) }
  } catch (e) {
    return { line, error: `invalid JSON: ${(e as Error).message}` }
  }
}

function ndjsonByLine(buf: Uint8Array, state: ParseState, final: boolean, max: number) {
  const records: RawRecord[] = []
  let pos = 0
  while (records.length < max && pos < buf.length) {
    let end = buf.indexOf(NL, pos)
    if (end === -1) {
      if (!final) break
      end = buf.length
    }
    state.line++
    const text = decode(buf.subarray(pos, end))
    pos = Math.min(end + 1, buf.length)
    if (text === null) {
      records.push({ line: state.line, error: 'the line is not valid UTF-8' })
      continue
    }
    const r = parseLine(state.line, text)
    if (r) records.push(r)
  }
  return { records, consumed: pos }
}

/** Splits a JSON array into its elements by scanning depth and strings (the file is never parsed whole). */
function jsonArray(buf: Uint8Array, state: ParseState, final: boolean, max: number) {
  const records: RawRecord[] = []
  let pos = 0
  const skipSpace = () => {
    while (
      pos < buf.length &&
      (buf[pos] === 0x20 ||
        buf[pos] === 0x09 ||
        buf[pos] === 0x0d ||
        buf[pos] === NL ||
        buf[pos] === 0xef ||
        buf[pos] === 0xbb ||
        buf[pos] === 0xbf)
    ) {
      if (buf[pos] === NL) state.line++
      pos++
    }
  }
  if (!state.opened) {
    skipSpace()
    if (pos >= buf.length) return { records, consumed: pos }
    if (buf[pos] !== 0x5b /* [ */) {
      records.push({ line: state.line + 1, error: 'a JSON manifest must be an array of data rows ([ … ])' })
      state.closed = true
      return { records, consumed: buf.length }
    }
    state.opened = true
    pos++
  }
  while (records.length < max && !state.closed) {
    skipSpace()
    if (pos >= buf.length) break
    if (buf[pos] === 0x5d /* ] */) {
      state.closed = true
      pos++
      break
    }
    if (buf[pos] === 0x2c /* , */) {
      pos++
      continue
    }
    // Scan one element to its end at depth 0.
    const start = pos
    const startLine = state.line + 1
    let depth = 0
    let inString = false
    let i = pos
    let done = false
    for (; i < buf.length; i++) {
      const ch = buf[i]!
      if (inString) {
        if (ch === 0x5c /* \ */) i++
        else if (ch === 0x22) inString = false
        continue
      }
      if (ch === 0x22) inString = true
      else if (ch === 0x7b || ch === 0x5b) depth++
      else if (ch === 0x7d || ch === 0x5d) {
        if (depth === 0) {
          done = true
          break
        } // the array's own ']'
        depth--
        if (depth === 0) {
          i++
          done = true
          break
        }
      } else if (ch === 0x2c && depth === 0) {
        done = true
        break
      }
    }
    if (!done && !final) break
    const bytes = buf.subarray(start, i)
    const newlines = countNewlines(buf, start, i)
    const text = decode(bytes)
    pos = i
    state.line += newlines
    if (text === null) records.push({ line: startLine, error: 'the element is not valid UTF-8' })
    else {
      try {
        records.push({ line: startLine, value: JSON.parse(text) })
      } catch (e) {
        records.push({ line: startLine, error: `invalid JSON: ${(e as Error).message}` })
        if (!done) {
          state.closed = true
          pos = buf.length
        }
      }
    }
  }
  if (final && !state.closed && records.length < max) {
    skipSpace()
    if (pos >= buf.length) {
      records.push({ line: state.line + 1, error: 'the JSON array is not closed: missing ]' })
      state.closed = true
    }
  }
  return { records, consumed: pos }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function csv(buf: Uint8Array, state: ParseState, final: boolean, max: number) {
  const records: RawRecord[] = []
  let pos = 0
  while (records.length < max && pos < buf.length) {
    // Find the end of one record: a newline outside quotes.
    let inQuotes = false
    let end = -1
    for (let i = pos; i < buf.length; i++) {
      const ch = buf[i]
      if (ch === 0x22) inQuotes = !inQuotes
      else if (ch === NL && !inQuotes) {
        end = i
        break
      }
    }
    if (end === -1) {
      if (!final) break
      end = buf.length
    }
    const startLine = state.line + 1
    state.line += countNewlines(buf, pos, end) + 1
    const text = decode(buf.subarray(pos, end))
    pos = Math.min(end + 1, buf.length)
    if (text === null) {
      records.push({ line: startLine, error: 'the line is not valid UTF-8' })
      continue
    }
    const line = text.replace(/^\uFEFF/, '').replace(/\r$/, '')
    if (!line.trim()) continue
    const fields = splitCsv(line)
    if (!fields) {
      records.push({ line: startLine, error: 'unbalanced quotes in this CSV record' })
      continue
    }
    if (!state.header) {
      const header = fields.map((f) => f.trim().toLowerCase())
      if (!header.includes('row_data')) {
        records.push({
          line: startLine,
          field: 'row_data',
          error: 'the CSV header must name the columns: row_data,global_key,external_id (media_type optional); row_data is missing',
        })
        state.header = ['__invalid__']
        pos = buf.length
        break
      }
      state.header = header
      continue
    }
    if (state.header[0] === '__invalid__') continue
    if (fields.length !== state.header.length) {
      records.push({ line: startLine, error: `expected ${state.header.length} columns (${state.header.join(',')}), got ${fields.length}` })
      continue
    }
    const value: Record<string, string> = {}
    state.header.forEach((h, k) => {
      if (fields[k] !== '') value[h] = fields[k]!
    })
    records.push({ line: startLine, value })
  }
  return { records, consumed: pos }
}

function splitCsv(line: string): string[] | null {
  const out: string[] = []
  let cur = ''
  let inQuotes = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"'
          i++
        } else inQuotes = false
      } else cur += ch
    } else if (ch === '"') inQuotes = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  if (inQuotes) return null
  out.push(cur)
  return out
}

/** What `readWindow` read: the bytes, whether they reach the end of the file, the first records in
 * them and the parse state after those. */
export type Window = { buf: Uint8Array; final: boolean; state: ParseState; parsed: { records: RawRecord[]; consumed: number } }

/**
 * Reads up to `maxRecords` complete records of an R2 object from `at.offset` (where the parse state
 * was `at.state`, which is left as it was): a window of `window` bytes, widened fourfold while a
 * single record is bigger than the window. 'too-long' when one record is bigger than `maxWindow`.
 */
export async function readWindow(
  bucket: R2Bucket,
  file: { key: string; size: number; missing: string },
  at: { offset: number; state: ParseState },
  o: { window: number; maxWindow: number; maxRecords: number },
): Promise<Window | 'too-long'> {
  for (let window = o.window; ; window *= 4) {
    const obj = await bucket.get(file.key, { range: { offset: at.offset, length: window } })
    if (!obj) throw new Error(file.missing)
    const buf = new Uint8Array(await obj.arrayBuffer())
    const final = at.offset + buf.length >= file.size
    const state = structuredClone(at.state)
    const parsed = nextRecords(buf, state, final, o.maxRecords)
    if (parsed.consumed > 0 || parsed.records.length || final) return { buf, final, state, parsed }
    if (window >= o.maxWindow) return 'too-long'
  }
}

export function formatFromContentType(type: string | undefined): Format | null {
  const t = (type ?? '').split(';')[0]!.trim().toLowerCase()
  if (t === 'application/x-ndjson' || t === 'application/ndjson' || t === 'application/jsonl' || t === 'application/jsonlines')
    return 'ndjson'
  if (t === 'application/json') return 'json'
  if (t === 'text/csv') return 'csv'
  return null
}

export function formatFromFilename(name: string): Format | null {
  if (/\.(ndjson|jsonl)$/i.test(name)) return 'ndjson'
  if (/\.json$/i.test(name)) return 'json'
  if (/\.csv$/i.test(name)) return 'csv'
  return null
}
