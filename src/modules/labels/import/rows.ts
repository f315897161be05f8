/**
 * @module The data rows a slice's lines name: found in one query (`prefetch`), created when missing
 * (export v2 lines with ?dataset_id=, in one insert), and put into the project in the import's own
 * batch (src/modules/projects/batches.ts) when they are not in it yet — only rows of the project's
 * media type: a line naming a row of another type is reported and its row never queued.
 */
import { eq } from 'drizzle-orm'
import { datasets } from '../../../db/schema'
import { attachRows } from '../../projects/batches'
import { checkRow } from '../../datasets/row-input'
import { insertRows, rowContext, type Candidate } from '../../datasets/data-rows'
import { importRowId } from '../../../lib/ids'
import { resolveDataRow, resolveDataRows, type DataRowRef } from '../service'
import { refKey, type LineError, type Obj, type RowRef, type Run } from './types'

const gk = (ref: RowRef) => ref.globalKey ?? null

export class SliceRows {
  constructor(private s: Pick<Run, 'db' | 'task' | 'project' | 'p' | 'errors'>) {}

  private dataset: typeof datasets.$inferSelect | undefined

  /** Rows of this slice, read together (`prefetch`): `id:<id>` / `key:<lower-cased key>` → row, or
   * null when the prefetch found none. */
  private known = new Map<string, DataRowRef | null>()

  /** Refs whose data row could not be created because its global key is taken, with the error
   * their first line got: later lines naming the same row get the same error. */
  private failed = new Map<string, LineError>()
  /** Lines whose own data row fields were invalid; their errors are reported already. */
  private invalidLines = new Set<number>()

  /** Reads the data rows the slice's lines name in one query, instead of one query per line, and
   * puts those not yet in the project into it in one batch. */
  async prefetch(refs: RowRef[]) {
    const { db, project } = this.s
    const found = await resolveDataRows(db, project.orgId, project.id, refs)
    for (const r of refs) {
      const k = refKey(r)
      this.known.set(k, found.get(k) ?? null)
    }
    const outside = [...new Set([...found.values()].filter((r) => !r.inProject && this.fits(r)))]
    await this.attach(outside.map((r) => r.id))
    for (const r of outside) r.inProject = true
  }

  /** A row may be queued in this project: its media type is the project's. */
  private fits(r: Pick<DataRowRef, 'mediaType'>) {
    return r.mediaType === this.s.project.mediaType
  }

  /** Puts data rows into the project, in the import's batch (made by the first slice that needs it). */
  private async attach(ids: string[]) {
    const { db, task, project } = this.s
    const batch = {
      id: `bat_${task.id.slice(4)}`,
      orgId: project.orgId,
      projectId: project.id,
      name: `Label import ${task.id.slice(-6)}`,
      priority: 5,
      createdBy: task.createdBy,
    }
    await attachRows(db, batch, ids)
  }

  /**
   * Creates the data rows that the slice's export v2 lines name and the organization lacks (with
   * ?dataset_id=), all in one insert, and puts them in the project in one more statement. Without
   * this, each line would cost one insert and one attach. The first line with valid row fields
   * creates a row; later lines naming it find it. A line with invalid row fields gets its own
   * errors (a later valid line may still create the row), and every line naming a row whose
   * global key turned out to be taken gets that error.
   */
  async createMissing(entries: { line: number; ref: RowRef; create: Obj }[]) {
    const { db, task, p, errors } = this.s
    if (!p.dataset_id) return
    const missing = entries.filter((e) => this.known.get(refKey(e.ref)) === null)
    if (!missing.length) return
    const d = await this.targetDataset()
    const rc = rowContext(d)
    const candidates: Candidate[] = []
    const refOf = new Map<number, string>()
    const creating = new Set<string>()
    for (const e of missing) {
      const k = refKey(e.ref)
      if (creating.has(k)) continue
      const checked = checkRow(e.create, rc)
      if ('errors' in checked) {
        const gk = typeof e.create.global_key === 'string' ? e.create.global_key : null
        for (const er of checked.errors) errors.push({ line: e.line, global_key: gk, field: `data_row.${er.field}`, message: er.message })
        this.invalidLines.add(e.line)
        continue
      }
      candidates.push({ index: e.line, id: importRowId(task.id, e.line), row: checked.row })
      refOf.set(e.line, k)
      creating.add(k)
    }
    const res = await insertRows(db, d, task.createdBy, candidates, Date.now(), new Map(), (line) => `line ${line}`)
    for (const er of res.errors) {
      const err = { line: er.index, global_key: er.global_key, field: 'data_row.global_key', message: er.message }
      errors.push(err)
      this.failed.set(refOf.get(er.index)!, err)
    }
    const made = candidates.filter((c) => res.inserted.has(c.id))
    await this.attach(made.filter((c) => this.fits(c.row)).map((c) => c.id))
    for (const c of made) {
      const row = { id: c.id, globalKey: c.row.globalKey, mediaType: c.row.mediaType, inProject: this.fits(c.row) }
      this.known.set(refOf.get(c.index)!, row)
      if (c.row.globalKey) this.known.set(`key:${c.row.globalKey.toLowerCase()}`, row)
    }
  }

  /** The dataset missing data rows go to, read once per slice. */
  private async targetDataset() {
    const d = (this.dataset ??= await this.s.db.select().from(datasets).where(eq(datasets.id, this.s.p.dataset_id!)).get())
    if (!d || d.deletedAt) throw new Error('the target dataset was deleted during the import')
    return d
  }

  /** The data row a line names (export v2 rows missing from the organization were created by `createMissing`). */
  async dataRow(line: number, ref: RowRef, create?: Obj): Promise<DataRowRef | null> {
    const { db, project, p, errors } = this.s
    // Its row fields were refused (and reported) even if another line has created the row since.
    if (this.invalidLines.has(line)) return null
    const k = refKey(ref)
    const seen = this.known.get(k)
    const found = seen !== undefined ? seen : await resolveDataRow(db, project.orgId, project.id, ref)
    if (found) {
      if (!found.inProject && !this.fits(found)) {
        const what = ref.globalKey ? `with global key ${JSON.stringify(ref.globalKey)}` : found.id
        errors.push({
          line,
          global_key: gk(ref),
          field: 'data_row.media_type',
          message: `the data row ${what} is ${found.mediaType}; this is ${/^[AEIOU]/.test(project.mediaType) ? 'an' : 'a'} ${project.mediaType} project, so it is not queued here and gets no label`,
        })
        this.known.set(k, found)
        return null
      }
      if (!found.inProject) {
        await this.attach([found.id])
        found.inProject = true
      }
      this.known.set(k, found)
      return found
    }
    const failed = this.failed.get(k)
    if (failed) {
      if (failed.line !== line) errors.push({ ...failed, line })
      return null
    }
    // With ?dataset_id=, createMissing has made every row the slice's lines lack, or reported why not.
    errors.push({
      line,
      global_key: gk(ref),
      field: ref.globalKey ? 'data_row.global_key' : 'data_row.id',
      message: `no data row ${ref.globalKey ? `with global key ${JSON.stringify(ref.globalKey)}` : ref.id} in this organization${create && !p.dataset_id ? ' (pass ?dataset_id= to create missing data rows)' : ''}`,
    })
    return null
  }
}
