/**
 * @module Phase "group": turns the annotation-import lines staged by ./read.ts into labels, one per
 * data row (every line of one data row in one file becomes one label). It walks the staged chunks
 * in file order and, in each, makes the labels of the data rows the file names there first,
 * gathering their lines from every chunk they appear in (./staging.ts).
 */
import { readGroups, groupRefs, nextChunk } from './staging'
import { type AnnotationLine, assembleLabel, fromAnnotationImport } from './lines'
import type { Cursor, Run } from './types'

/** A group gathers all lines of one data row, however many: groups stay at 60 a slice to bound the
 * memory of one. */
const GROUPS_PER_SLICE = 60

/** Makes the labels of the next groups after the cursor; true when none are left. */
export async function groupPhase(run: Run, cur: Cursor): Promise<boolean> {
  // The chunk under the cursor (none yet at the phase's first slice), or the next one where the
  // file names a data row first.
  let chunk = cur.groupChunk ?? -1
  let refs = chunk < 0 ? [] : await groupRefs(run.db, run.task.id, chunk, cur.groupAfter, GROUPS_PER_SLICE)
  if (!refs.length) {
    const next = await nextChunk(run.db, run.task.id, chunk)
    if (next === null) return true
    chunk = next
    cur.groupAfter = ''
    refs = await groupRefs(run.db, run.task.id, chunk, '', GROUPS_PER_SLICE)
  }
  cur.groupChunk = chunk
  const linesOf = await readGroups(run.db, run.task.id, refs)
  const byRef = (ref: string) => (ref.startsWith('key:') ? { globalKey: ref.slice(4) } : { id: ref.slice(3) })
  await run.rows.prefetch(refs.map(byRef))
  for (const ref of refs) {
    const lines = linesOf.get(ref) ?? []
    cur.groupAfter = ref
    if (!lines.length) continue
    const byKey = byRef(ref)
    const dr = await run.rows.dataRow(lines[0]!.line, byKey)
    if (!dr) {
      // Every line of a missing data row (or one of another media type) is reported, as its first.
      const first = run.errors[run.errors.length - 1]!
      for (const l of lines.slice(1))
        run.errors.push({
          line: l.line,
          field: first.field === 'data_row.media_type' ? first.field : byKey.globalKey ? 'dataRow.globalKey' : 'dataRow.id',
          message: first.message,
        })
      continue
    }
    const parsed: { line: number; a: AnnotationLine }[] = []
    for (const l of lines) {
      const a = fromAnnotationImport(l.payload)
      if (a.kind === 'error')
        run.errors.push({ line: l.line, global_key: dr.globalKey, ...(a.field ? { field: a.field } : {}), message: a.message })
      else if ((a.kind === 'video-object' || a.kind === 'frame-classification') && run.project.mediaType !== 'VIDEO')
        run.errors.push({
          line: l.line,
          global_key: dr.globalKey,
          field: a.kind === 'video-object' ? 'segments' : 'frames',
          message: `video (frame-based) annotations need a VIDEO project; this one is ${run.project.mediaType}`,
        })
      else parsed.push({ line: l.line, a })
    }
    if (!parsed.length) continue
    // A bad line is left out and the label assembled again from the others (./write.ts).
    const build = (drop: Set<number>) => {
      const keep = parsed.filter((p) => !drop.has(p.line))
      return keep.length ? assembleLabel(keep, keep[0]!.line) : null
    }
    const first = build(new Set())!
    await run.labels.label(dr, first.input, { skipped: false, seconds: 0, createdAt: null }, first.lineFor, build)
  }
  await run.labels.flush()
  if (refs.length === GROUPS_PER_SLICE) return false
  // This chunk's groups are all made: the next slice starts at the next chunk with any, or there is
  // none and the phase ends here (without a slice that only finds that out).
  const next = await nextChunk(run.db, run.task.id, chunk)
  if (next === null) return true
  cur.groupChunk = next
  cur.groupAfter = ''
  return false
}
