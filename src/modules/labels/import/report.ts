/**
 * @module What a label import tells: each slice's line errors as one NDJSON part (served as one
 * file by src/modules/tasks/files.ts), its progress, and at the end the result file and the
 * completed task.
 */
import type { Env } from '../../../env'
import { completeTask, reportProgress, type TaskRow } from '../../tasks/service'
import { errorsPrefix, resultKey, saveErrorPart } from '../../tasks/files'
import type { Cursor, LineError, Params } from './types'
import { formatNumber } from '../../../../views/format'

/** Writes the slice's errors, sorted by line (src/modules/tasks/files.ts serves the parts as one file). */
export async function saveErrors(env: Env, task: TaskRow, slice: number, errors: LineError[]): Promise<void> {
  await saveErrorPart(
    env.EXPORTS,
    task.id,
    slice,
    errors.sort((a, b) => a.line - b.line),
  )
}

export async function reportSlice(env: Env, task: TaskRow, p: Params, cur: Cursor): Promise<void> {
  await reportProgress(env, task, {
    percent: cur.phase === 'read' ? (cur.offset / p.size) * 90 : 95,
    done: cur.created,
    phase: `${formatNumber(cur.created)} labels imported`,
    metadata: {
      labels_created: cur.created,
      labels_unchanged: cur.duplicates,
      labels_updated: cur.updated ?? 0,
      lines_failed: cur.failed,
      lines_imported: cur.imported ?? 0,
      notices: cur.notices ?? 0,
      bytes_done: cur.offset,
    },
  })
}

/** Writes the result file and completes the task. */
export async function finishImport(env: Env, task: TaskRow, p: Params, cur: Cursor): Promise<void> {
  await env.EXPORTS.put(
    resultKey(task.id, 'json'),
    JSON.stringify({
      project_id: p.project_id,
      labels_created: cur.created,
      labels_unchanged: cur.duplicates,
      labels_updated: cur.updated ?? 0,
      lines_failed: cur.failed,
      lines_imported: cur.imported ?? 0,
      notices: cur.notices ?? 0,
      lines: cur.lines,
    }),
    { httpMetadata: { contentType: 'application/json' } },
  )
  await completeTask(env, task, {
    metadata: {
      labels_created: cur.created,
      labels_unchanged: cur.duplicates,
      labels_updated: cur.updated ?? 0,
      lines_failed: cur.failed,
      lines_imported: cur.imported ?? 0,
      notices: cur.notices ?? 0,
      bytes_done: p.size,
    },
    resultKey: resultKey(task.id, 'json'),
    errorsKey: cur.failed || cur.notices ? errorsPrefix(task.id) : undefined,
    message: `${formatNumber(cur.created)} labels imported, ${formatNumber(cur.failed)} lines with errors${cur.notices ? `, ${formatNumber(cur.notices)} notices` : ''}`,
  })
}
