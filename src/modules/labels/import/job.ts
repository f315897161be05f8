/**
 * @module Label imports (`import-labels` tasks) from Labelbox NDJSON: export v2 lines (one data row
 * per line, matched by global key, created in a chosen dataset when missing) and annotation-import
 * lines (grouped by data row: every line of one data row in one file becomes one label). Each
 * slice runs one phase step: "read" (./read.ts), "group" (./group.ts), then "cleanup", which clears
 * the staging rows and finishes the task (./report.ts). An import key (a hash of the label's
 * content, ./write.ts) makes a second import of the same file add nothing.
 */
import { eq } from 'drizzle-orm'
import { makeDb } from '../../../db/client'
import { projects } from '../../../db/schema'
import type { Env } from '../../../env'
import { failTask, type TaskRow } from '../../tasks/service'
import { taskJob } from '../../tasks/job'
import { announceEvents } from '../../webhooks/events'
import { groupPhase } from './group'
import { LineTooLong, readPhase } from './read'
import { finishImport, reportSlice, saveErrors } from './report'
import { SliceRows } from './rows'
import { clearStaging } from './staging'
import { LabelWriter } from './write'
import type { Cursor, LineError, Params, Run } from './types'

async function slice(env: Env, task: TaskRow): Promise<'more' | 'done'> {
  const db = makeDb(env.DB)
  const p = task.params as Params
  const project = await db.select().from(projects).where(eq(projects.id, p.project_id)).get()
  if (!project || project.deletedAt) {
    await failTask(env, task.id, 'The project was deleted while importing.')
    return 'done'
  }
  const status = env.TASK_STATUS.getByName(task.id)
  const cur: Cursor = ((await status.cursor()) as Cursor | null) ?? {
    phase: 'read',
    offset: 0,
    state: { format: 'ndjson', line: 0 },
    slice: 0,
    created: 0,
    duplicates: 0,
    failed: 0,
    lines: 0,
    groupAfter: '',
  }

  if (cur.phase === 'cleanup') {
    if (!(await clearStaging(db, task.id))) return 'more'
    await finishImport(env, task, p, cur)
    return 'done'
  }

  const base = { env, db, task, project, p, errors: [] as LineError[] }
  const run: Run = { ...base, rows: new SliceRows(base), labels: new LabelWriter(base) }
  let phaseDone: boolean
  try {
    phaseDone = cur.phase === 'read' ? await readPhase(run, cur) : await groupPhase(run, cur)
  } catch (e) {
    if (!(e instanceof LineTooLong)) throw e
    await failTask(env, task.id, `${e.message} Labels of earlier lines were kept.`)
    return 'done'
  }
  await announceEvents(env, db, project.orgId, run.labels.eventIds)
  await run.labels.saveOntology()
  await saveErrors(env, task, cur.slice, run.errors)
  cur.slice++
  cur.created += run.labels.created
  cur.duplicates += run.labels.duplicates
  cur.updated = (cur.updated ?? 0) + run.labels.updated
  const failedLines = new Set(run.errors.filter((e) => !e.notice).map((e) => e.line))
  cur.notices = (cur.notices ?? 0) + run.errors.filter((e) => e.notice).length
  cur.failed += failedLines.size
  cur.imported = (cur.imported ?? 0) + [...run.labels.okLines].filter((l) => !failedLines.has(l)).length
  if (phaseDone) cur.phase = cur.phase === 'read' ? 'group' : 'cleanup'
  await status.saveCursor(cur)
  await reportSlice(env, task, p, cur)
  return 'more'
}

export const importLabelsJob = taskJob('import-labels', slice)
