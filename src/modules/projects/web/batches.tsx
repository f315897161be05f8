/** @module A project's settings, Data tab (/projects/{id}/settings/data): its batches, attaching
 * data rows as a batch, uploading files into a new dataset for it, and detaching a batch. */
import { Hono } from 'hono'
import type { AppEnv, Ctx } from '../../../env'
import { ctxOf } from '../../../lib/ctx'
import { AppError } from '../../../lib/errors'
import { readForm } from '../../../lib/forms'
import { keepUrl } from '../../../lib/htmx'
import { renderPage, wantsFragment } from '../../../lib/render'
import { parse } from '../../../lib/validate'
import { authorize, can } from '../../../auth/permissions'
import { formatNumber } from '../../../../views/format'
import { DataSection, DataSettingsPage } from '../../../../views/projects/settings'
import { CreateBatchInput } from '../schemas'
import { loadProject, loadProjectWith, projectView } from '../service'
import { createBatch, deleteBatch, listBatches, listBatchesRead, type BatchView } from '../batches'
import { createDataset, datasetChoicesRead, type datasetChoices } from '../../datasets/service'
import { CreateDatasetInput } from '../../datasets/schemas'
import { isFormError, perms, type C } from './forms'

export const batchesWeb = new Hono<AppEnv>()

type FormErrors = { values: Record<string, string>; errors: AppError['errors']; message?: string }
async function dataAnswer(
  c: C,
  ctx: Ctx,
  id: string,
  extra: { done?: string; state?: FormErrors; uploadState?: FormErrors },
  status: 200 | 201 | 422,
) {
  // The project, its batches and the dataset picker in one round trip (the role, hence what the
  // page shows, is known before the project is: src/modules/projects/service.ts loadProjectWith).
  type Choices = Awaited<ReturnType<typeof datasetChoices>> | undefined
  const [l, batches, choices] = await loadProjectWith<[BatchView[], Choices]>(ctx, id, 'project.view', (loaded) => {
    const pick = perms(ctx, loaded).canManageData && can(ctx.actor, 'dataset.view')
    return [listBatchesRead(ctx, loaded), pick ? datasetChoicesRead(ctx) : { stmts: [], done: () => undefined }]
  })
  const pm = perms(ctx, l)
  const canUpload = can(ctx.actor, 'dataset.manage')
  const props = {
    p: projectView(l.project, l.pinned),
    batches,
    canManage: pm.canManageData,
    canUpload,
    datasets: pm.canManageData && can(ctx.actor, 'dataset.view') ? choices : undefined,
    canEdit: pm.canEdit,
    canDelete: pm.canDelete,
    ...extra,
  }
  if (status === 422) keepUrl(c)
  return renderPage(c, {
    title: `Data · ${props.p.name}`,
    section: 'projects',
    status,
    body: <DataSettingsPage {...props} />,
    fragment: <DataSection {...props} />,
  })
}

batchesWeb.get('/:id/settings/data', async (c) => dataAnswer(c, ctxOf(c), c.req.param('id'), {}, 200))

const lines = (s: string | undefined, sep: RegExp) =>
  (s ?? '')
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean)

/** The attach form → `CreateBatchInput`: empty sources are absent, so "give exactly one" holds. */
export function batchFromForm(form: Record<string, string>): Record<string, unknown> {
  const ids = lines(form.data_row_ids, /[\s,]+/)
  const keys = lines(form.global_keys, /\r?\n/)
  const priority = (form.priority ?? '').trim()
  return {
    name: form.name ?? '',
    ...(priority ? { priority: /^-?\d+$/.test(priority) ? Number(priority) : priority } : {}),
    ...((form.dataset_id ?? '').trim() ? { dataset_id: form.dataset_id!.trim() } : {}),
    ...(ids.length ? { data_row_ids: ids } : {}),
    ...(keys.length ? { global_keys: keys } : {}),
  }
}

batchesWeb.post('/:id/settings/data', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  const form = await readForm(c)
  const values = {
    name: form.name ?? '',
    priority: form.priority ?? '',
    dataset_id: form.dataset_id ?? '',
    data_row_ids: form.data_row_ids ?? '',
    global_keys: form.global_keys ?? '',
  }
  try {
    const input = parse(CreateBatchInput, batchFromForm(form))
    const b = await createBatch(ctx, l.project.id, input)
    const rows = (n: number) => `${formatNumber(n)} data row${n === 1 ? '' : 's'}`
    const skipped = b.skipped
      ? ` ${rows(b.skipped)} ${b.skipped === 1 ? 'was' : 'were'} already in the project and ${b.skipped === 1 ? 'was' : 'were'} skipped.`
      : ''
    return dataAnswer(c, ctx, l.project.id, { done: `Attached ${rows(b.size)} as batch “${b.name}”.${skipped}` }, 201)
  } catch (e) {
    if (!isFormError(e)) throw e
    // The schema's rule names API fields; say it in the form's words.
    const errors = e.errors.map((x) =>
      x.path === '_root' ? { ...x, message: 'Fill in exactly one source: a dataset, data row IDs or global keys.' } : x,
    )
    return dataAnswer(c, ctx, l.project.id, { state: { values, errors, message: errors.length ? undefined : e.detail } }, 422)
  }
})

/** "Upload files into a new dataset": create the dataset here, then hand over to its page, whose
 * upload panel knows (from the query) to attach the uploaded rows to this project as a batch. */
batchesWeb.post('/:id/settings/data/upload', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  authorize(ctx.actor, 'dataset.manage')
  const form = await readForm(c)
  const priority = /^[1-5]$/.test(form.priority ?? '') ? form.priority! : '3'
  const values = { name: form.name ?? '', priority }
  try {
    const d = await createDataset(ctx, parse(CreateDatasetInput, { name: values.name }))
    return c.redirect(`/datasets/${d.id}?panel=upload&project=${l.project.id}&priority=${priority}`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    return dataAnswer(
      c,
      ctx,
      l.project.id,
      { uploadState: { values, errors: e.errors, message: e.errors.length ? undefined : e.detail } },
      422,
    )
  }
})

batchesWeb.post('/:id/settings/data/:batchId/detach', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  const batchId = c.req.param('batchId')
  const name = (await listBatches(ctx, l)).find((b) => b.id === batchId)?.name
  try {
    const r = await deleteBatch(ctx, l.project.id, batchId).catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND'
        ? new AppError('VALIDATION', 'That batch is not attached to this project (any more).')
        : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${l.project.id}/settings/data`, 303)
    const kept = r.kept
      ? `; ${formatNumber(r.kept)} labeled row${r.kept === 1 ? '' : 's'} and ${r.kept === 1 ? 'its' : 'their'} labels stay`
      : ''
    return dataAnswer(
      c,
      ctx,
      l.project.id,
      { done: `Detached “${name}”: ${formatNumber(r.removed)} unlabeled row${r.removed === 1 ? '' : 's'} left the queue${kept}.` },
      200,
    )
  } catch (e) {
    if (!isFormError(e)) throw e
    return dataAnswer(c, ctx, l.project.id, { state: { values: {}, errors: [], message: e.detail } }, 422)
  }
})
