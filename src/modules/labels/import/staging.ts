/**
 * @module Where phase "read" (./read.ts) keeps annotation-import lines for phase "group"
 * (./group.ts), so that every line of one data row becomes one label however far apart the lines
 * are in the file. A slice's lines go into a few chunk rows (`label_import_chunks`, up to
 * CHUNK_CHARS of lines as JSON each) and each data row gets one row (`label_import_refs`) listing
 * the chunks it appears in: rows written are per chunk and per data row, not per line. Both are
 * keyed so that a slice the queue delivers again stages nothing twice.
 */
import { sql } from 'drizzle-orm'
import { runBatch, type Db } from '../../../db/client'
import type { Obj } from './types'

/** A staged line: its number in the file, its data row (`refKey` of ./types.ts) and its JSON. */
export type StagedLine = { line: number; ref: string; payload: Obj }

/**
 * Characters of lines per chunk row: ≤ 1.5 MB in UTF-8, under D1's 2 MB per row and per bound
 * value. A slice of 250 short lines is one chunk; a longer line than this is a chunk of its own.
 */
const CHUNK_CHARS = 500_000

/**
 * Stages a slice's lines (in file order) in one batch. Rows written, measured in
 * test/workers/write-cost.test.ts: 2 per chunk (the row and its primary key) and, per data row, 2
 * the first time a chunk names it (the row and its key) or 1 when a later chunk names it again (its
 * list of chunks grows); cleanup deletes them (the same again).
 */
export async function stage(db: Db, taskId: string, lines: StagedLine[]): Promise<void> {
  if (!lines.length) return
  const chunks: { chunk: number; refs: string[]; lines: string[] }[] = []
  let size = 0
  for (const l of lines) {
    const text = JSON.stringify([l.line, l.ref, l.payload])
    let c = chunks[chunks.length - 1]
    if (!c || (size + text.length > CHUNK_CHARS && c.lines.length)) {
      // A chunk is named by its first line: the same slice read again makes the same chunks.
      c = { chunk: l.line, refs: [], lines: [] }
      chunks.push(c)
      size = 0
    }
    c.lines.push(text)
    size += text.length + 1
    if (!c.refs.includes(l.ref)) c.refs.push(l.ref)
  }
  const pairs = chunks.flatMap((c) => c.refs.map((r) => [r, c.chunk]))
  await runBatch(db, [
    ...chunks.map((c) =>
      db.run(sql`
        INSERT INTO label_import_chunks (task_id, chunk, refs, lines)
        VALUES (${taskId}, ${c.chunk}, ${JSON.stringify([...c.refs].sort())}, ${`[${c.lines.join(',')}]`})
        ON CONFLICT DO NOTHING`),
    ),
    // Pairs in chunk order, so a data row's chunk list stays in file order: its first chunk is
    // where phase "group" makes its label.
    db.run(sql`
      INSERT INTO label_import_refs (task_id, data_row_ref, chunks)
      SELECT ${taskId}, json_extract(value, '$[0]'), json_array(json_extract(value, '$[1]'))
      FROM json_each(${JSON.stringify(pairs)}) WHERE true
      ON CONFLICT (task_id, data_row_ref) DO UPDATE SET chunks = json_insert(chunks, '$[#]', excluded.chunks ->> '$[0]')
      WHERE NOT EXISTS (SELECT 1 FROM json_each(label_import_refs.chunks) WHERE value = excluded.chunks ->> '$[0]')`),
  ])
}

/**
 * The first staged chunk after `after` (-1: from the start) that names a data row first, or null
 * when none is left. One query however many chunks it passes: a file naming the same data rows
 * twice (all first boxes, then all second boxes) has half its chunks with nothing to group.
 */
export async function nextChunk(db: Db, taskId: string, after: number): Promise<number | null> {
  const r = await db.get<{ chunk: number } | undefined>(sql`
    SELECT c.chunk AS chunk FROM label_import_chunks c
    WHERE c.task_id = ${taskId} AND c.chunk > ${after}
      AND EXISTS (
        SELECT 1 FROM json_each(c.refs) h
        CROSS JOIN label_import_refs r ON r.task_id = c.task_id AND r.data_row_ref = h.value
        WHERE r.chunks ->> '$[0]' = c.chunk)
    ORDER BY c.chunk
    LIMIT 1`)
  return r ? Number(r.chunk) : null
}

/** Up to `limit` data rows (in ref order after `after`) whose first chunk is `chunk`: the groups to
 * make there. A data row named by an earlier chunk was grouped there. CROSS JOIN keeps SQLite's
 * join order (here and in `nextChunk`): the chunk's refs, each looked up by key, never a walk over
 * all the task's data rows per chunk (the plan SQLite picks for the EXISTS otherwise). */
export async function groupRefs(db: Db, taskId: string, chunk: number, after: string, limit: number): Promise<string[]> {
  const rows = await db.all<{ ref: string }>(sql`
    SELECT h.value AS ref
    FROM label_import_chunks c, json_each(c.refs) h
    CROSS JOIN label_import_refs r ON r.task_id = c.task_id AND r.data_row_ref = h.value
    WHERE c.task_id = ${taskId} AND c.chunk = ${chunk} AND h.value > ${after} AND r.chunks ->> '$[0]' = c.chunk
    ORDER BY h.value
    LIMIT ${limit}`)
  return rows.map((r) => r.ref)
}

/** Every staged line of these data rows, from every chunk they appear in, by data row and in line order. */
export async function readGroups(db: Db, taskId: string, refs: string[]): Promise<Map<string, { line: number; payload: Obj }[]>> {
  const out = new Map<string, { line: number; payload: Obj }[]>()
  if (!refs.length) return out
  const want = JSON.stringify(refs)
  const rows = await db.all<{ v: string }>(sql`
    SELECT j.value AS v
    FROM label_import_chunks c, json_each(c.lines) j
    WHERE c.task_id = ${taskId}
      AND c.chunk IN (
        SELECT k.value FROM label_import_refs r, json_each(r.chunks) k
        WHERE r.task_id = ${taskId} AND r.data_row_ref IN (SELECT value FROM json_each(${want})))
      AND j.value ->> '$[1]' IN (SELECT value FROM json_each(${want}))`)
  for (const r of rows) {
    const [line, ref, payload] = JSON.parse(r.v) as [number, string, Obj]
    const group = out.get(ref)
    if (group) group.push({ line, payload })
    else out.set(ref, [{ line, payload }])
  }
  for (const g of out.values()) g.sort((a, b) => a.line - b.line)
  return out
}

/** Deletes up to a bounded number of the task's staging rows; true when none are left. */
export async function clearStaging(db: Db, taskId: string): Promise<boolean> {
  await runBatch(db, [
    db.run(sql`DELETE FROM label_import_chunks WHERE rowid IN (SELECT rowid FROM label_import_chunks WHERE task_id = ${taskId} LIMIT 500)`),
    db.run(sql`DELETE FROM label_import_refs WHERE rowid IN (SELECT rowid FROM label_import_refs WHERE task_id = ${taskId} LIMIT 5000)`),
  ])
  const left = await db.get<{ n: number }>(sql`
    SELECT EXISTS (SELECT 1 FROM label_import_chunks WHERE task_id = ${taskId})
      OR EXISTS (SELECT 1 FROM label_import_refs WHERE task_id = ${taskId}) AS n`)
  return !left?.n
}
