/**
 * @module Writing a slice's labels: each label is checked against the ontology (grown first, with
 * create_ontology) and keyed by a hash of its content, then all are written in one batch with
 * everything that depends on them. The import key makes a second import of the same file add
 * nothing; annotations that carry a uuid already held by a label update that label in place.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { runBatch } from '../../../db/client'
import { type LabelAnnotations, labels, projects, usageFacts } from '../../../db/schema'
import { AppError } from '../../../lib/errors'
import { sha256Hex } from '../../../lib/crypto'
import { newId } from '../../../lib/ids'
import { normalizeOntology, type Ontology } from '../../projects/ontology'
import { countFeatures, featureIds, normalizeAnnotations } from '../annotations'
import { assetType, eventStmt, featureCountStmt, gmtDay, labelPayload, labelsInsertStmts, type DataRowRef } from '../service'
import { growOntology } from './lines'
import { isObj, type Obj, type Run } from './types'

/** The biggest label an import writes (its annotations as stored, escaped once more in transit). */
const MAX_LABEL_BYTES = 1_800_000

type Meta = { skipped: boolean; seconds: number; createdAt: Date | null }

export class LabelWriter {
  created = 0
  duplicates = 0
  /** Labels whose annotations a re-import changed in place (matched by annotation uuid). */
  updated = 0
  /** LABEL_CREATED events committed in this slice, announced to webhooks at its end. */
  eventIds: string[] = []
  /** Lines whose annotations are in a label of this slice (or that carry no label at all): with
   * the lines reported, they make up every line the slice read. */
  okLines = new Set<number>()
  private ontologyChanged = false
  /** Labels of this slice, written by `flush()`. */
  private pending: {
    dr: DataRowRef
    n: ReturnType<typeof normalizeAnnotations>
    meta: Meta
    importKey: string
    uuids: string[]
    matched?: boolean
  }[] = []

  constructor(private s: Pick<Run, 'db' | 'task' | 'project' | 'p' | 'errors'>) {}

  private get ontology(): Ontology {
    return this.s.project.ontology
  }

  /** One label from annotation input. Errors name `lineFor(path)` so grouped lines report exactly. */
  async label(
    dr: DataRowRef,
    input: Obj,
    meta: Meta,
    lineFor: (path: string) => number,
    /** Grouped annotation-import lines: the label again without the given (bad) lines, or null
     * when none is left. */
    rebuild?: (drop: Set<number>) => { input: Obj; lineFor: (path: string) => number; lines: number[] } | null,
  ) {
    let keptLines = rebuild?.(new Set())?.lines
    const dropped = new Set<number>()
    const { errors } = this.s
    if (this.s.p.create_ontology) {
      const grown = growOntology(this.ontology, input)
      // A replaced id is a notice: the line still imports.
      for (const r of grown.replaced)
        errors.push({ line: lineFor(r.path), global_key: dr.globalKey, field: 'feature_schema_id', message: r.message, notice: true })
      if (grown.changed) {
        this.s.project.ontology = normalizeOntology(grown.input, this.ontology)
        this.ontologyChanged = true
      }
    }
    let n
    // A bad line drops only its own annotations: the label is retried with the other lines' ones,
    // so every line ends imported or reported (never neither).
    for (;;) {
      try {
        n = normalizeAnnotations(input, this.ontology, true, this.s.project.mediaType)
        break
      } catch (e) {
        if (!(e instanceof AppError)) throw e
        if (rebuild) {
          const before = dropped.size
          for (const er of e.errors) {
            const line = lineFor(er.path)
            errors.push({ line, global_key: dr.globalKey, field: er.path, message: er.message })
            dropped.add(line)
          }
          const next = dropped.size > before ? rebuild(dropped) : null
          if (!next) return
          ;({ input, lineFor, lines: keptLines } = next)
          continue
        }
        const bad = new Set<number>()
        let whole = false
        for (const er of e.errors) {
          errors.push({ line: lineFor(er.path), global_key: dr.globalKey, field: er.path, message: er.message })
          bad.add(lineFor(er.path))
          if (!/^annotations\.(objects|classifications)\.\d+/.test(er.path)) whole = true
        }
        const lineOf = (k: string) => (_: unknown, i: number) => lineFor(`annotations.${k}.${i}`)
        const objects = Array.isArray(input.objects) ? input.objects : []
        const classifications = Array.isArray(input.classifications) ? input.classifications : []
        const lines = new Set([...objects.map(lineOf('objects')), ...classifications.map(lineOf('classifications'))])
        if (whole) {
          // An error that names no annotation fails the whole label: each of its lines says so.
          for (const l of lines)
            if (!bad.has(l))
              errors.push({ line: l, global_key: dr.globalKey, message: 'not imported: another line of this label is invalid' })
          return
        }
        const keepObjects = objects.map((o, i) => [o, lineOf('objects')(o, i)] as const).filter(([, l]) => !bad.has(l))
        const keepCls = classifications.map((c, i) => [c, lineOf('classifications')(c, i)] as const).filter(([, l]) => !bad.has(l))
        if (!keepObjects.length && !keepCls.length) return
        // The kept annotations' lines, re-indexed for the retry.
        const objLines = keepObjects.map(([, l]) => l)
        const clsLines = keepCls.map(([, l]) => l)
        const outer = lineFor
        lineFor = (path: string) => {
          const m = /^annotations\.(objects|classifications)\.(\d+)/.exec(path)
          if (!m) return outer(path)
          return (m[1] === 'objects' ? objLines : clsLines)[Number(m[2])] ?? outer(path)
        }
        input = { ...input, objects: keepObjects.map(([o]) => o), classifications: keepCls.map(([c]) => c) }
      }
    }
    // Labels travel to D1 as JSON inside a JSON parameter (labelsInsertStmts), and D1 binds strings
    // up to 2 MB: a label that would not fit is this line's error, not the whole slice's.
    const text = JSON.stringify(n.annotations)
    if (text.length > 400_000 && new TextEncoder().encode(JSON.stringify(text)).length > MAX_LABEL_BYTES) {
      // Every line of the label is reported (a grouped label has several).
      const lines = new Set([lineFor('')])
      for (const k of ['objects', 'classifications'] as const)
        n.annotations[k].forEach((_, i) => lines.add(lineFor(`annotations.${k}.${i}`)))
      for (const line of lines)
        errors.push({
          line,
          global_key: dr.globalKey,
          field: 'annotations',
          message: `the label's annotations take more than ${MAX_LABEL_BYTES / 1_000_000} MB; split them over several labels`,
        })
      return
    }
    const importKey = (await sha256Hex(JSON.stringify([stripIds(n.annotations), meta.skipped]))).slice(0, 40)
    // The annotations' own ids (annotation-import uuids, export v2 feature ids) that the input gave.
    const given = featureIds(input as LabelAnnotations)
    const uuids = [...featureIds(n.annotations)].filter((id) => given.has(id))
    this.pending.push({ dr, n, meta, importKey, uuids })
    this.okLines.add(lineFor(''))
    if (keptLines) for (const l of keptLines) this.okLines.add(l)
    for (const k of ['objects', 'classifications', 'relationships'])
      n.annotations[k as 'objects'].forEach((_, i) => this.okLines.add(lineFor(`annotations.${k}.${i}`)))
  }

  /**
   * Writes the slice's labels: one query finds those imported before (same data row, same import
   * key), one batch writes the rest with everything that depends on them. One transaction: a slice
   * that fails writes no label, and its retry starts over. A label repeated within the slice counts
   * as unchanged, as it would on a second import.
   */
  async flush() {
    const { db, project, task } = this.s
    const todo = this.pending
    this.pending = []
    if (!todo.length) return
    const stmts0 = await this.updateInPlace(todo)
    const rowIds = [...new Set(todo.map((t) => t.dr.id))]
    const before = await db.all<{ d: string; k: string }>(sql`
      SELECT data_row_id AS d, import_key AS k FROM labels
      WHERE project_id = ${project.id} AND import_key IS NOT NULL AND data_row_id IN (SELECT value FROM json_each(${JSON.stringify(rowIds)}))`)
    const seen = new Set(before.map((r) => `${r.d} ${r.k}`))
    const fresh = todo.filter((t) => {
      if (t.matched) return false
      const key = `${t.dr.id} ${t.importKey}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    this.duplicates += todo.filter((t) => !t.matched).length - fresh.length
    const made = labelsInsertStmts(
      db,
      project,
      task.createdBy,
      fresh.map((t) => ({
        dataRow: t.dr,
        annotations: t.n.annotations,
        count: t.n.count,
        deltas: t.n.deltas,
        secondsToCreate: t.meta.seconds,
        skipped: t.meta.skipped,
        imported: true,
        importKey: t.importKey,
        at: t.meta.createdAt ?? undefined,
      })),
    )
    const { stmts, eventIds: events } = made
    stmts.unshift(...stmts0)
    // A grown ontology is saved with the labels that use it, never apart from them.
    if (this.ontologyChanged) stmts.push(this.saveOntologyStmt())
    this.ontologyChanged = false
    await runBatch(db, stmts)
    this.eventIds.push(...events)
    this.created += events.length
  }

  /**
   * Labels of the project that already hold one of a pending label's annotation uuids are that
   * label: its annotations with those uuids are replaced, new ones added, the others kept. Nothing
   * changes when the file says what the label holds already; else one update, with its feature
   * counts moved and only annotations new to it counted as usage. Returns the statements to batch.
   */
  private async updateInPlace(todo: LabelWriter['pending']): Promise<BatchItem<'sqlite'>[]> {
    const { db, project, task } = this.s
    const withIds = todo.filter((t) => t.uuids.length)
    if (!withIds.length) return []
    const rowIds = [...new Set(withIds.map((t) => t.dr.id))]
    const existing = await db
      .select()
      .from(labels)
      .where(and(eq(labels.projectId, project.id), sql`${labels.dataRowId} IN (SELECT value FROM json_each(${JSON.stringify(rowIds)}))`))
    const stmts: (BatchItem<'sqlite'> | null)[] = []
    const now = new Date()
    for (const t of withIds) {
      const mine = new Set(t.uuids)
      const l = existing.find((x) => x.dataRowId === t.dr.id && [...featureIds(x.annotations)].some((id) => mine.has(id)))
      if (!l) continue
      t.matched = true
      const merge = (old: Obj[], incoming: Obj[]) => {
        const byId = new Map(incoming.filter((a) => mine.has(a.feature_id as string)).map((a) => [a.feature_id as string, a]))
        const out = old.map((a) => {
          const b = byId.get(a.feature_id as string)
          if (b) byId.delete(a.feature_id as string)
          return b ?? a
        })
        return [...out, ...incoming.filter((a) => !mine.has(a.feature_id as string) || byId.has(a.feature_id as string))]
      }
      const annotations = {
        ...l.annotations,
        objects: merge(l.annotations.objects, t.n.annotations.objects),
        classifications: merge(l.annotations.classifications, t.n.annotations.classifications),
        relationships: merge((l.annotations.relationships ?? []) as Obj[], t.n.annotations.relationships as Obj[]),
        // A video's frames come whole from the file's lines of that row: they replace the stored ones.
        ...(t.n.annotations.frames
          ? {
              frames: t.n.annotations.frames,
              segments: t.n.annotations.segments,
              key_frame_feature_map: t.n.annotations.key_frame_feature_map,
            }
          : {}),
      }
      if (JSON.stringify(stripIds(annotations)) === JSON.stringify(stripIds(l.annotations))) {
        this.duplicates++
        continue
      }
      const was = countFeatures(l.annotations, this.ontology)
      const now_ = countFeatures(annotations, this.ontology)
      const oldIds = featureIds(l.annotations)
      const added = t.uuids.filter((id) => !oldIds.has(id)).length
      const next = { annotations, annotationCount: now_.count, importKey: t.importKey, updatedAt: now }
      stmts.push(
        db.update(labels).set(next).where(eq(labels.id, l.id)),
        featureCountStmt(db, project.id, l.createdBy, was.deltas, -1),
        featureCountStmt(db, project.id, l.createdBy, now_.deltas, 1),
      )
      if (added > 0)
        stmts.push(
          db.insert(usageFacts).values({
            orgId: project.orgId,
            projectId: project.id,
            userId: task.createdBy,
            day: gmtDay(now),
            assetType: assetType(t.dr.mediaType),
            imported: true,
            annotations: added,
            labels: 0,
            secondsTotal: 0,
            createdAt: now,
          }),
        )
      // Webhooks hear of it as of an edit (src/modules/labels/service.ts `updateLabel`).
      const eventId = newId('evt')
      stmts.push(eventStmt(db, project.orgId, project.id, 'LABEL_UPDATED', labelPayload({ ...l, ...next }, t.dr), eventId))
      this.eventIds.push(eventId)
      // A later label of this slice with the same uuids builds on this one.
      l.annotations = annotations
      this.updated++
    }
    return stmts.filter((x): x is BatchItem<'sqlite'> => x !== null)
  }

  /** Saves an ontology grown by lines that made no label (their errors are reported). */
  async saveOntology() {
    if (this.ontologyChanged) await this.saveOntologyStmt()
  }

  private saveOntologyStmt() {
    const { db, project } = this.s
    return db.update(projects).set({ ontology: project.ontology, updatedAt: new Date() }).where(eq(projects.id, project.id))
  }
}

/** Annotations without their feature ids (new on every import), for the import key. */
function stripIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripIds)
  if (!isObj(x)) return x
  return Object.fromEntries(
    Object.entries(x)
      .filter(([k]) => k !== 'feature_id')
      .map(([k, v]) => [k, stripIds(v)]),
  )
}
