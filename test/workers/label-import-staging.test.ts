// The staging of a label import's annotation lines (src/modules/labels/import/staging.ts) on real
// D1: a slice staged again (the queue delivering a message twice after a crash) stages nothing
// twice, a data row's lines are found in every chunk however far apart, each data row is grouped
// at its first chunk only, a long line gets a chunk of its own, and the clean-up leaves nothing.
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { clearStaging, groupRefs, nextChunk, readGroups, type StagedLine, stage } from '../../src/modules/labels/import/staging'
import { makeDb } from '../../src/db/client'
import { countingD1 } from '../helpers/counting-d1'
import { db, unique } from '../helpers/factories'

const task = () => `tsk_${unique('stg').replace(/[^A-Za-z0-9]/g, '')}`
const line = (n: number, ref: string, extra: object = {}): StagedLine => ({
  line: n,
  ref,
  payload: { n, dataRow: { globalKey: ref }, ...extra },
})
const rows = async (taskId: string) => ({
  chunks: await db().all<{ chunk: number; refs: string; n: number }>(
    sql`SELECT chunk, refs, json_array_length(lines) AS n FROM label_import_chunks WHERE task_id = ${taskId} ORDER BY chunk`,
  ),
  refs: await db().all<{ ref: string; chunks: string }>(
    sql`SELECT data_row_ref AS ref, chunks FROM label_import_refs WHERE task_id = ${taskId} ORDER BY data_row_ref`,
  ),
})

describe('label import staging', () => {
  it('stages a slice once however often it is delivered, and finds a data row in every chunk naming it', async () => {
    const t = task()
    // Three slices; key:a is on lines 1, 300 and 600 (three chunks), key:b only in the second,
    // key:c in the first and third.
    const slices = [
      [line(1, 'key:a'), line(2, 'key:c'), line(3, 'key:c')],
      [line(300, 'key:b'), line(301, 'key:a'), line(302, 'key:b')],
      [line(600, 'key:c'), line(601, 'key:a')],
    ]
    for (const s of slices) {
      await stage(db(), t, s)
      // Delivered again after a crash before the cursor moved: nothing changes.
      const before = await rows(t)
      await stage(db(), t, s)
      expect(await rows(t)).toEqual(before)
    }
    const staged = await rows(t)
    expect(staged.chunks.map((c) => [c.chunk, JSON.parse(c.refs), c.n])).toEqual([
      [1, ['key:a', 'key:c'], 3],
      [300, ['key:a', 'key:b'], 3],
      [600, ['key:a', 'key:c'], 2],
    ])
    expect(staged.refs.map((r) => [r.ref, JSON.parse(r.chunks)])).toEqual([
      ['key:a', [1, 300, 600]],
      ['key:b', [300]],
      ['key:c', [1, 600]],
    ])
    // Each data row is grouped at the first chunk naming it, once.
    expect(await nextChunk(db(), t, -1)).toBe(1)
    expect(await groupRefs(db(), t, 1, '', 60)).toEqual(['key:a', 'key:c'])
    expect(await groupRefs(db(), t, 1, 'key:a', 60)).toEqual(['key:c'])
    expect(await groupRefs(db(), t, 1, '', 1)).toEqual(['key:a'])
    expect(await nextChunk(db(), t, 1)).toBe(300)
    expect(await groupRefs(db(), t, 300, '', 60)).toEqual(['key:b'])
    // The last chunk names no data row first: nothing is left to group after the second.
    expect(await groupRefs(db(), t, 600, '', 60)).toEqual([])
    expect(await nextChunk(db(), t, 300)).toBeNull()
    // A group's lines come from every chunk, in line order, with their JSON.
    const groups = await readGroups(db(), t, ['key:a', 'key:c'])
    expect([...groups.keys()].sort()).toEqual(['key:a', 'key:c'])
    expect(groups.get('key:a')!.map((l) => l.line)).toEqual([1, 301, 601])
    expect(groups.get('key:c')!.map((l) => l.line)).toEqual([2, 3, 600])
    expect(groups.get('key:a')![1]!.payload).toEqual({ n: 301, dataRow: { globalKey: 'key:a' } })

    // Another task's staging is left alone by this one's clean-up.
    const other = task()
    await stage(db(), other, [line(1, 'key:a')])
    expect(await clearStaging(db(), t)).toBe(true)
    expect(await rows(t)).toEqual({ chunks: [], refs: [] })
    expect((await rows(other)).refs).toHaveLength(1)
    expect(await clearStaging(db(), other)).toBe(true)
  })

  it('puts a long line in a chunk of its own, under D1 row size, and keeps every line', async () => {
    const t = task()
    const big = 'x'.repeat(400_000)
    const lines = [line(1, 'key:a'), line(2, 'key:a', { big }), line(3, 'key:b', { big }), line(4, 'key:b')]
    await stage(db(), t, lines)
    const staged = await rows(t)
    expect(staged.chunks.map((c) => [c.chunk, c.n])).toEqual([
      [1, 2],
      [3, 2],
    ])
    expect(staged.refs.map((r) => [r.ref, JSON.parse(r.chunks)])).toEqual([
      ['key:a', [1]],
      ['key:b', [3]],
    ])
    const groups = await readGroups(db(), t, ['key:a', 'key:b'])
    expect(groups.get('key:b')!.map((l) => [l.line, (l.payload.big as string | undefined)?.length])).toEqual([
      [3, 400_000],
      [4, undefined],
    ])
    expect(await clearStaging(db(), t)).toBe(true)
  })

  it('clears a large staging over several slices, never more than a bounded number of rows at once', async () => {
    const t = task()
    // 6,000 data rows over 24 slices of 250 lines: more refs than one clean-up slice deletes.
    for (let s = 0; s < 24; s++)
      await stage(
        db(),
        t,
        Array.from({ length: 250 }, (_, i) => line(s * 250 + i + 1, `id:${s * 250 + i}`)),
      )
    expect((await rows(t)).refs).toHaveLength(6000)
    // Finding the next chunk to group, and its groups, reads that chunk's data rows by key, not
    // the task's 6,000 (the plan SQLite chose for the next-chunk query before its CROSS JOIN).
    const { DB, trips } = countingD1()
    expect(await nextChunk(makeDb(DB), t, 1)).toBe(251)
    expect(await groupRefs(makeDb(DB), t, 251, '', 60)).toHaveLength(60)
    const read = trips.flatMap((tr) => tr.read ?? [])
    expect(read).toHaveLength(2)
    for (const n of read) expect(n).toBeLessThan(1000)
    expect(await clearStaging(db(), t)).toBe(false)
    expect(await clearStaging(db(), t)).toBe(true)
    expect(await rows(t)).toEqual({ chunks: [], refs: [] })
  })
})
