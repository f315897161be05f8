/**
 * @module /projects/{id}/export (HTML): the export form, as a page without JavaScript or in the
 * dashboard's dialog, and starting the export. The form is read into the API's `ExportInput` and
 * its errors are told in the form's words.
 */
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError, invalid } from '../../lib/errors'
import { readFormAll } from '../../lib/forms'
import { hxTrigger, keepUrl } from '../../lib/htmx'
import { renderPage, wantsFragment } from '../../lib/render'
import { parse } from '../../lib/validate'
import { EXPORT_PARAMS, ExportForm, ExportPage, ExportRefused, ExportStarted, type ExportValues } from '../../../views/exports/form'
import { loadProject, loadProjectWith, projectView } from '../projects/service'
import { listBatches, listBatchesRead, type BatchView } from '../projects/batches'
import { getTask } from '../tasks/service'
import { ExportInput } from './schemas'
import { startExport } from './service'

type C = Context<AppEnv>

export const exportsWeb = new Hono<AppEnv>()
// Its own paths only: a router's '*' middleware, mounted at /projects, would run for every page
// there once more (and read the Tasks badge along again).
exportsWeb.use('/:id/export', requireSession)

const idLines = (s: string, sep: RegExp) =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean)
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The export form → `ExportInput` (validated): checked flags, and only the filters filled in. */
export function exportFromForm(values: ExportValues) {
  const known = new Set<string>(EXPORT_PARAMS.map((p) => p.key))
  const params = Object.fromEntries(values.params.filter((k) => known.has(k)).map((k) => [k, true]))
  const from = values.label_from.trim()
  const to = values.label_to.trim()
  if (DAY.test(from) && DAY.test(to) && to < from) throw invalid('filters.label_created_at.1', 'The end date is before the start date')
  const ids = idLines(values.data_row_ids, /[\s,]+/)
  const keys = idLines(values.global_keys, /\r?\n/)
  const filters = {
    ...(values.workflow_status ? { workflow_status: values.workflow_status } : {}),
    // The end date counts whole: up to its last second (UTC).
    ...(from || to ? { label_created_at: [from || null, to ? (DAY.test(to) ? `${to} 23:59:59` : to) : null] } : {}),
    ...(values.batch_id ? { batch_ids: [values.batch_id] } : {}),
    ...(values.data_row_ids.trim() ? { data_row_ids: ids } : {}),
    ...(values.global_keys.trim() ? { global_keys: keys } : {}),
  }
  return parse(ExportInput, { ...(values.format ? { format: values.format } : {}), params, filters })
}

/** API paths → the form's fields, and the schema's words → the form's. */
function exportErrors(errors: AppError['errors']) {
  const field = (path: string) =>
    path.startsWith('filters.label_created_at.1')
      ? 'label_to'
      : path.startsWith('filters.label_created_at')
        ? 'label_from'
        : path.startsWith('filters.workflow_status')
          ? 'workflow_status'
          : path.startsWith('filters.batch_ids')
            ? 'batch_id'
            : path.startsWith('filters.data_row_ids')
              ? 'data_row_ids'
              : path.startsWith('filters.global_keys')
                ? 'global_keys'
                : path.startsWith('params')
                  ? 'params'
                  : path.startsWith('format')
                    ? 'format'
                    : path
  const words = (m: string) =>
    /not both/.test(m)
      ? 'Fill in data row IDs or global keys, not both.'
      : m
          .replace(/^data_row_ids/, 'Data row IDs')
          .replace(/^global_keys/, 'Global keys')
          .replace(/^batch_ids/, 'Batches')
          .replace(/^must be YYYY/, 'Enter a date like YYYY')
  const out: AppError['errors'] = []
  for (const e of errors) {
    const f = field(e.path)
    if (!out.some((o) => o.path === f)) out.push({ path: f, message: words(e.message) })
  }
  return out
}

async function readExportForm(c: C): Promise<{ values: ExportValues; inDialog: boolean }> {
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('Content-Type') ?? '')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the form as application/x-www-form-urlencoded or multipart/form-data')
  }
  const all = await readFormAll(c).catch(() => {
    throw new AppError('VALIDATION', 'The form could not be read')
  })
  const one = (k: string) => (all[k]?.[all[k]!.length - 1] ?? '').slice(0, 100_000)
  return {
    values: {
      format: one('format'),
      params: all.params ?? [],
      workflow_status: one('workflow_status'),
      label_from: one('label_from'),
      label_to: one('label_to'),
      batch_id: one('batch_id'),
      data_row_ids: one('data_row_ids'),
      global_keys: one('global_keys'),
    },
    inDialog: one('_in') === 'dialog',
  }
}

/** The export form as a page (no JavaScript), or — for htmx — a fresh form for the dialog's panel.
 * After a plain submit, `?task=` shows the started task. */
exportsWeb.get('/:id/export', async (c) => {
  const ctx = ctxOf(c)
  // The project and its batches in one round trip (src/modules/projects/service.ts loadProjectWith).
  const [l, batches] = await loadProjectWith<[BatchView[]]>(ctx, c.req.param('id'), 'export.create', (loaded) => [
    listBatchesRead(ctx, loaded),
  ])
  const p = projectView(l.project, l.pinned)
  if (wantsFragment(c)) {
    c.header('Vary', 'HX-Request')
    return c.html(<ExportForm p={p} batches={batches} inDialog={c.req.query('in') === 'dialog'} />)
  }
  const taskId = c.req.query('task')
  const task = taskId ? await getTask(ctx, taskId).catch(() => null) : null
  const existing = c.req.query('existing') === '1'
  const started = task && task.type === 'export-data-rows' ? { task, existing } : undefined
  return renderPage(c, { title: `Export · ${p.name}`, section: 'projects', body: <ExportPage p={p} batches={batches} started={started} /> })
})

/** Starts the export: the task item in the panel, and the Tasks menu follows it (HX-Trigger). */
exportsWeb.post('/:id/export', async (c) => {
  const ctx = ctxOf(c)
  const fragment = wantsFragment(c)
  try {
    const l = await loadProject(ctx, c.req.param('id'), 'export.create')
    const p = projectView(l.project, l.pinned)
    const { values, inDialog } = await readExportForm(c)
    try {
      const { task, existing } = await startExport(ctx, p.id, exportFromForm(values), new URL(c.req.url).origin)
      // Exports are deduplicated per person, so the task (new or already running) is the caller's own.
      if (!fragment) return c.redirect(`/projects/${p.id}/export?task=${task.id}${existing ? '&existing=1' : ''}`, 303)
      hxTrigger(c, {
        taskStarted: { id: task.id },
        toast: {
          value: existing ? 'This export is already running — follow it in the Tasks menu' : 'Export started — follow it in the Tasks menu',
        },
      })
      return c.html(<ExportStarted p={p} task={task} existing={existing} inDialog={inDialog} />)
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
      const state = { values, errors: exportErrors(e.errors), message: e.errors.length ? undefined : e.detail }
      const batches = await listBatches(ctx, l)
      if (fragment) return c.html(<ExportForm p={p} batches={batches} state={state} inDialog={inDialog} />, 422)
      keepUrl(c)
      return renderPage(c, {
        title: `Export · ${p.name}`,
        section: 'projects',
        status: 422,
        body: <ExportPage p={p} batches={batches} state={state} />,
      })
    }
  } catch (e) {
    // In the dialog, a refusal (403, 404, 415) reads as a sentence in the panel, not a whole error page.
    if (fragment && e instanceof AppError && e.code !== 'UNAUTHORIZED' && e.code !== 'RATE_LIMITED')
      return c.html(<ExportRefused detail={e.detail} />, e.status as 403)
    throw e
  }
})
