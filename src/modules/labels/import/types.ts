/** @module The shapes every phase of a label import shares: the task's parameters, its cursor
 * between slices, a line's error, and what one slice works with. */
import type { Db } from '../../../db/client'
import type { projects } from '../../../db/schema'
import type { Env } from '../../../env'
import type { ParseState } from '../../datasets/manifest'
import type { TaskRow } from '../../tasks/service'
import type { LineError as FileLineError } from '../../tasks/files'
import type { SliceRows } from './rows'
import type { LabelWriter } from './write'

export type Obj = Record<string, unknown>
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)

/** A line's error, or with `notice` what the import changed about it (the line still imports). */
export type LineError = FileLineError & { notice?: true }

/** The task's parameters, set when the file was uploaded (./start.ts). */
export type Params = { project_id: string; key: string; size: number; dataset_id: string | null; create_ontology: boolean }

/** Where the import stands between slices, saved in the task's Durable Object: phase "read" walks
 * the file, "group" turns staged annotation lines into labels, "cleanup" clears the staging rows. */
export type Cursor = {
  phase: 'read' | 'group' | 'cleanup'
  offset: number
  state: ParseState
  slice: number
  created: number
  duplicates: number
  failed: number
  /** Notices reported (lines that imported with a change, such as a replaced feature schema id). */
  notices?: number
  /** Lines imported (or unchanged): with `failed`, every line read. */
  imported?: number
  /** Labels a re-import changed in place (same annotation uuids). */
  updated?: number
  lines: number
  /** Phase "group": the staged chunk it is at (./staging.ts; none yet: the first) and the last data
   * row ref grouped there. */
  groupChunk?: number
  groupAfter: string
}

/** A data row as a line names it. */
export type RowRef = { id?: string; globalKey?: string }

/** How a slice keys a data-row reference: the same strings staged annotation lines use. */
export const refKey = (r: RowRef) => (r.globalKey !== undefined ? `key:${r.globalKey.toLowerCase()}` : `id:${r.id ?? ''}`)

/** What one slice works with, loaded once: its data rows (./rows.ts), its labels (./write.ts) and
 * the errors of its lines (reported by ./report.ts). */
export type Run = {
  env: Env
  db: Db
  task: TaskRow
  project: typeof projects.$inferSelect
  p: Params
  errors: LineError[]
  rows: SliceRows
  labels: LabelWriter
}
