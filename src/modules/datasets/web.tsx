/**
 * @module /datasets (HTML): the Datasets tab, the create form, a dataset's page (upload panel,
 * manifest import with a self-updating task card, rows table) and a data row's page. Thin like the
 * JSON twin in api.ts: read input → call the same services → render. Access is decided by the
 * services; `can()` only hides controls a person could not use anyway.
 *
 * The pages answer their own fragments to htmx (src/lib/render.tsx decides when): GET /datasets
 * with `HX-Request` answers the table (search as you type; "load more" with a cursor answers the next rows), and
 * GET /datasets/{id} answers the rows section (refresh after uploads; "load more"). Browsers with
 * JavaScript upload through the JSON API (/js/uploads.js, for progress and chunking); the plain
 * multipart posts below keep uploads and imports working without it.
 */
import { Hono, type Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { readForm, readFormAll, readFormFiles } from '../../lib/forms'
import { formatNumber } from '../../../views/format'
import { hxTrigger, keepUrl } from '../../lib/htmx'
import { renderPage, wantsFragment } from '../../lib/render'
import { ListQuery, parse } from '../../lib/validate'
import { authorize, can } from '../../auth/permissions'
import { taskRowRead, taskView, type TaskView } from '../tasks/service'
import { DatasetRows, DatasetsPage, DatasetsTable, listUrl } from '../../../views/datasets/list'
import { NewDatasetPage } from '../../../views/datasets/form'
import {
  DataRowRows,
  DataRowsSection,
  DatasetPage,
  ImportCard,
  rowCountLabel,
  type AttachTarget,
  type DatasetPageProps,
  type Panel,
} from '../../../views/datasets/dataset'
import { projectLookupRead } from '../projects/service'
import { createBatch } from '../projects/batches'
import { attachableProjects, attachableProjectsRead } from '../projects/choices'
import { CreateBatchInput } from '../projects/schemas'
import { AddToProjectPage, AddToProjectPanel, type AddToProjectProps } from '../../../views/datasets/add-to-project'
import { projectRole } from '../../auth/permissions'
import { DataRowPage } from '../../../views/datasets/data-row'
import { CreateDatasetInput } from './schemas'
import { createDataset, datasetRead, datasetView, getDataset, listDatasets, loadDataset, type DatasetView } from './service'
import { dataRowsPageRead } from './data-rows'
import { dataRowPage } from '../labels/row-labels'
import { deleteDataset, deleteImpactRead, impactCap } from './delete'
import { DeleteDatasetPage } from '../../../views/datasets/delete'
import { startMediaAttributes } from './media'
import { uploadFile } from './uploads'
import { runningImports, startImport } from './imports'
import { runReads, type Read } from '../../db/reads'
import { notInArray, sql } from 'drizzle-orm'
import { RUNNING, tasks } from '../../db/schema'
import { runningTasksRead, type RunningTask } from '../../lib/task-badge'
import { formatFromFilename } from './manifest'

type C = Context<AppEnv>

export const datasetsWeb = new Hono<AppEnv>()
datasetsWeb.use('*', requireSession)

const PAGE_SIZE = 50
const ROWS_PAGE_SIZE = 50

/** Errors a person can fix in the form; anything else (403, 404) goes to onError. */
const isFormError = (e: unknown): e is AppError => e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'CONFLICT')

const toast = (c: C, value: string) => hxTrigger(c, { toast: { value } })

// The Datasets tab ------------------------------------------------------------------------------

const NOTICES: Record<string, string> = {
  '1': 'Dataset deleted.',
  task: 'The dataset is gone from every list; its data rows and files are being deleted in the background. Follow it in the Tasks menu.',
}

datasetsWeb.get('/', async (c) => {
  const q = parse(ListQuery, c.req.query())
  const ctx = ctxOf(c)
  const search = q.search ?? ''
  const props = {
    page: await listDatasets(ctx, { limit: PAGE_SIZE, search: search || undefined, cursor: q.cursor }),
    search,
    canManage: can(ctx.actor, 'dataset.manage'),
    paged: !!q.cursor,
  }
  // Search as you type answers the table and moves the address bar along; "load more" answers rows.
  if (wantsFragment(c) && !q.cursor) c.header('HX-Replace-Url', listUrl(search))
  return renderPage(c, {
    title: 'Datasets',
    section: 'datasets',
    body: <DatasetsPage {...props} notice={NOTICES[c.req.query('deleted') ?? '']} />,
    fragment: q.cursor ? <DatasetRows {...props} /> : <DatasetsTable {...props} />,
  })
})

// Create ----------------------------------------------------------------------------------------

datasetsWeb.get('/new', (c) => {
  authorize(c.var.actor!, 'dataset.manage')
  return renderPage(c, {
    title: 'New dataset',
    section: 'datasets',
    body: <NewDatasetPage state={{ values: { name: '', description: '' } }} />,
  })
})

datasetsWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'dataset.manage')
  const form = await readForm(c)
  const values = { name: form.name ?? '', description: form.description ?? '' }
  try {
    const d = await createDataset(ctx, parse(CreateDatasetInput, values))
    return c.redirect(`/datasets/${d.id}?panel=upload`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    keepUrl(c)
    const state = { values, errors: e.errors, message: e.errors.length ? undefined : e.detail }
    return renderPage(c, { title: 'New dataset', section: 'datasets', status: 422, body: <NewDatasetPage state={state} /> })
  }
})

// One dataset -----------------------------------------------------------------------------------

/** Paging is checked like the API's; the page's own hints (an open panel, an import to follow, a
 * count of uploaded files) are ignored when malformed rather than refused. */
const PageQuery = v.object({
  ...ListQuery.entries,
  panel: v.fallback(v.optional(v.picklist(['upload', 'import'])), undefined),
  import: v.fallback(v.optional(v.pipe(v.string(), v.regex(/^tsk_[0-9A-Za-z]{1,40}$/))), undefined),
  uploaded: v.fallback(v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/), v.transform(Number))), undefined),
  /** Upload straight into a project (from its Data settings): the project and the batch priority. */
  project: v.fallback(v.optional(v.pipe(v.string(), v.regex(/^prj_[0-9A-Za-z]{1,40}$/))), undefined),
  priority: v.fallback(v.optional(v.pipe(v.string(), v.regex(/^[1-5]$/), v.transform(Number))), undefined),
})

/** A read whose 404 or 403 means "leave it out": the page is not about that thing. */
function orNull<T>(r: Read<T>): Read<T | null> {
  return {
    stmts: r.stmts,
    done: (rows) => {
      try {
        return r.done(rows)
      } catch (e) {
        if (e instanceof AppError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) return null
        throw e
      }
    },
  }
}

const noRead: Read<null> = { stmts: [], done: () => null }

/** The project uploads on this page also go to, if the person may attach data to it; otherwise
 * the hint is left out and the page is an ordinary dataset page. */
function attachTargetRead(ctx: Ctx, projectId: string | undefined, priority: number | undefined): Read<AttachTarget | null> {
  if (!projectId) return noRead
  const r = orNull(projectLookupRead(ctx, projectId, 'batch.manage'))
  return {
    stmts: r.stmts,
    done: (rows) => {
      const l = r.done(rows)
      return l && { projectId: l.project.id, projectName: l.project.name, priority: priority ?? 3 }
    },
  }
}

/** The import task to show on a dataset's page, if it is one of this dataset's imports that the
 * person may see; anything else is quietly left out (the page itself is not about the task). */
function importTaskRead(ctx: Ctx, datasetId: string, taskId: string | undefined): Read<TaskView | null> {
  if (!taskId) return noRead
  const r = orNull(taskRowRead(ctx, taskId))
  return {
    stmts: r.stmts,
    done: (rows) => {
      const t = r.done(rows)
      return t && t.type === 'import-data-rows' && t.subjectId === datasetId ? taskView(t) : null
    },
  }
}

/** A page's Tasks badge (the person's running tasks), read in the page's batch when the request
 * did not already ask for it along with its first batch (src/lib/render.tsx `preloadTaskBadge`:
 * full pages of a GET), and kept for the shell: the same read, not a second one. */
function shellRunningTasksRead(c: C, needed: boolean): Read<RunningTask[] | null> {
  const preloaded = c.req.method === 'GET' && !wantsFragment(c)
  if (preloaded || !needed) return noRead
  const r = runningTasksRead(c.var.db, c.var.actor!)
  return {
    stmts: r.stmts,
    done: (rows) => {
      const running = r.done(rows)
      c.set('runningTasks', running)
      return running
    },
  }
}

/**
 * A dataset's page. Everything it reads goes in one D1 batch (src/db/reads.ts): the dataset
 * (unless the caller has it already, as the form posts do), a page of its rows, the import task
 * and the project the address names, and the Tasks badge. The rows' statement is scoped to the
 * organization, so it reads nothing foreign before the dataset's check.
 */
async function datasetPage(
  c: C,
  ctx: Ctx,
  ref: string | DatasetView,
  extra: Partial<DatasetPageProps> & { status?: 200 | 201 | 422 } = {},
) {
  const q = parse(PageQuery, c.req.query())
  const canManage = can(ctx.actor, 'dataset.manage')
  const id = typeof ref === 'string' ? ref : ref.id
  const wantImports = canManage && !q.cursor
  const [loaded, rows, found, attachTo, running] = await runReads(
    ctx,
    typeof ref === 'string' ? datasetRead(ctx, ref) : { stmts: [], done: () => null },
    dataRowsPageRead(ctx, id, { limit: ROWS_PAGE_SIZE, cursor: q.cursor }),
    canManage && extra.importTask == null ? importTaskRead(ctx, id, q.import) : noRead,
    canManage ? attachTargetRead(ctx, q.project, q.priority) : noRead,
    shellRunningTasksRead(c, wantImports || !wantsFragment(c)),
  )
  const d = loaded ? datasetView(loaded) : (ref as DatasetView)
  const importTask = canManage ? (extra.importTask ?? found) : null
  const panel: Panel = extra.panel !== undefined ? extra.panel : (q.panel ?? (importTask ? 'import' : null))
  const notice =
    extra.notice ??
    (q.uploaded
      ? { tone: 'success' as const, title: `${formatNumber(q.uploaded)} ${q.uploaded === 1 ? 'file' : 'files'} uploaded.` }
      : undefined)
  const canAttach = mayAttach(ctx)
  const imports = wantImports ? runningImports(c.var.runningTasks ?? running ?? [], d.id) : []
  const props: DatasetPageProps = {
    d,
    rows,
    canManage,
    panel: canManage ? panel : null,
    importTask,
    notice,
    importError: extra.importError,
    paged: !!q.cursor,
    attachTo,
    canAttach,
    imports,
  }
  return renderPage(c, {
    title: `${d.name} · Datasets`,
    section: 'datasets',
    status: extra.status,
    body: <DatasetPage {...props} />,
    fragment: q.cursor ? (
      <DataRowRows datasetId={d.id} page={rows} s3Servable={d.integration_id !== null} selectable={canAttach} />
    ) : (
      <>
        <DataRowsSection d={d} rows={rows} canManage={canManage} canAttach={canAttach} imports={imports} />
        <hx-partial hx-target="#dataset-row-count" hx-swap="innerHTML">
          {rowCountLabel(d.row_count)}
        </hx-partial>
      </>
    ),
  })
}

datasetsWeb.get('/:id', async (c) => datasetPage(c, ctxOf(c), c.req.param('id')))

/** The confirm step: the projects that lose rows, and how many each (one round trip). */
datasetsWeb.get('/:id/delete', async (c) => {
  const ctx = ctxOf(c)
  const [d, impact] = await runReads(ctx, datasetRead(ctx, c.req.param('id'), 'dataset.manage'), deleteImpactRead(ctx, c.req.param('id')))
  return renderPage(c, {
    title: `Delete ${d.name}`,
    section: 'datasets',
    body: <DeleteDatasetPage d={datasetView(d)} impact={impact} counted={Math.min(d.rowCount, impactCap.rows)} />,
  })
})

datasetsWeb.post('/:id/delete', async (c) => {
  const ctx = ctxOf(c)
  const id = c.req.param('id')
  const d = await getDataset(ctx, id)
  const { task } = await deleteDataset(ctx, id)
  if (wantsFragment(c)) {
    // The row disappears; a big dataset keeps being deleted by a task.
    toast(c, task ? `Deleting “${d.name}” continues in the background; follow it in the Tasks menu.` : `Dataset “${d.name}” deleted.`)
    return c.html('')
  }
  return c.redirect(`/datasets?deleted=${task ? 'task' : '1'}`, 303)
})

/** Starts reading image sizes (the dataset page's menu); the Tasks menu follows the task. */
datasetsWeb.post('/:id/media-attributes', async (c) => {
  const ctx = ctxOf(c)
  const { task, existing } = await startMediaAttributes(ctx, c.req.param('id'))
  if (wantsFragment(c)) {
    hxTrigger(c, {
      taskStarted: { id: task.id },
      toast: {
        value: existing
          ? 'Image sizes are already being read — follow it in the Tasks menu'
          : 'Reading image sizes — follow it in the Tasks menu',
      },
    })
    return c.body(null, 204)
  }
  return c.redirect(`/tasks`, 303)
})

// Add to project -------------------------------------------------------------------------------

/** The rows picked in the table: ids of data rows, at most a page's worth many times over. */
const PickedRows = v.pipe(
  v.array(v.pipe(v.string(), v.regex(/^dr_[0-9A-Za-z_-]{1,60}$/, 'data_row_ids: not a data row id'))),
  v.maxLength(1000, 'data_row_ids: at most 1,000 rows at a time'),
)

/** Whoever may attach data in every project (an org role of team manager or more). */
const mayAttach = (ctx: Ctx) => can(ctx.actor, 'batch.manage', { projectRole: projectRole(ctx.actor, null) })

async function addAnswer(
  c: C,
  ctx: Ctx,
  d: DatasetView,
  props: Omit<AddToProjectProps, 'd' | 'projects'>,
  status: 200 | 201 | 422,
  projects?: AddToProjectProps['projects'],
) {
  const all: AddToProjectProps = { d, projects: projects ?? (await attachableProjects(ctx)), ...props }
  if (status === 422) keepUrl(c)
  return renderPage(c, {
    title: `Add to project · ${d.name}`,
    section: 'datasets',
    status,
    body: <AddToProjectPage {...all} />,
    fragment: <AddToProjectPanel {...all} />,
  })
}

/** The panel for the rows ticked on the dataset page (?data_row_ids=…&data_row_ids=…): the
 * dataset and the projects to choose from in one round trip. */
datasetsWeb.get('/:id/add-to-project', async (c) => {
  const ctx = ctxOf(c)
  const [d, projects] = await runReads(ctx, datasetRead(ctx, c.req.param('id')), attachableProjectsRead(ctx))
  authorize(ctx.actor, 'batch.manage', { projectRole: projectRole(ctx.actor, null) })
  const ids = [...new Set(parse(PickedRows, c.req.queries('data_row_ids') ?? []))]
  return addAnswer(c, ctx, datasetView(d), { ids }, 200, projects)
})

/** Makes the batch through the project's own batch service; its refusals (an unknown row, a name
 * the project already has, rows of another media type) come back in the panel. */
datasetsWeb.post('/:id/add-to-project', async (c) => {
  const ctx = ctxOf(c)
  const d = await getDataset(ctx, c.req.param('id'))
  authorize(ctx.actor, 'batch.manage', { projectRole: projectRole(ctx.actor, null) })
  const form = await readFormAll(c)
  const one = (k: string) => form[k]?.[0] ?? ''
  const ids = [...new Set(parse(PickedRows, form.data_row_ids ?? []))]
  const values = { project_id: one('project_id'), name: one('name'), priority: one('priority') }
  try {
    if (!ids.length) throw new AppError('VALIDATION', 'No data rows are selected.', [{ path: 'data_row_ids', message: 'Select data rows' }])
    if (!values.project_id) throw new AppError('VALIDATION', 'Choose a project', [{ path: 'project_id', message: 'Choose a project' }])
    const priority = values.priority.trim()
    const input = parse(CreateBatchInput, {
      name: values.name,
      ...(priority ? { priority: /^-?\d+$/.test(priority) ? Number(priority) : priority } : {}),
      data_row_ids: ids,
    })
    const project = (await attachableProjects(ctx)).items.find((p) => p.id === values.project_id)
    const b = await createBatch(ctx, values.project_id, input).catch((e) => {
      // A project that is gone or foreign is a wrong choice in the form, not a missing page.
      if (e instanceof AppError && e.code === 'NOT_FOUND')
        throw new AppError('VALIDATION', 'No such project', [{ path: 'project_id', message: 'No such project (it may have been deleted)' }])
      throw e
    })
    const rows = (n: number) => `${formatNumber(n)} data ${n === 1 ? 'row' : 'rows'}`
    const skipped = b.skipped ? ` ${rows(b.skipped)} ${b.skipped === 1 ? 'was' : 'were'} already there and skipped.` : ''
    const projectName = project?.name ?? 'the project'
    const message = `Added ${rows(b.size)} to ${projectName} as batch “${b.name}”.${skipped}`
    if (wantsFragment(c)) hxTrigger(c, { toast: { value: message }, rowsAdded: { project_id: values.project_id } })
    return addAnswer(c, ctx, d, { ids: [], done: { message, projectId: values.project_id, projectName } }, 201)
  } catch (e) {
    if (!isFormError(e)) throw e
    return addAnswer(c, ctx, d, { ids, state: { values, errors: e.errors, message: e.errors.length ? undefined : e.detail } }, 422)
  }
})

// Uploads and imports without JavaScript ----------------------------------------------------------

const formFiles = (c: C, name: string) => readFormFiles(c, name)

/** The upload form's plain post (browsers without JavaScript): every file in turn, each one's
 * failure reported without stopping the others. */
datasetsWeb.post('/:id/files', async (c) => {
  const ctx = ctxOf(c)
  const d = datasetView(await loadDataset(ctx, c.req.param('id'), 'dataset.manage'))
  const files = await formFiles(c, 'file')
  if (!files.length) {
    return datasetPage(c, ctx, d, { status: 422, panel: 'upload', notice: { tone: 'error', title: 'Choose at least one file to upload.' } })
  }
  let created = 0
  const failures: string[] = []
  for (const f of files) {
    try {
      await uploadFile(ctx, d.id, f)
      created++
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e
      failures.push(`${f.name}: ${e.detail}`)
    }
  }
  if (!failures.length) return c.redirect(`/datasets/${d.id}?uploaded=${created}`, 303)
  const fresh = await getDataset(ctx, d.id)
  const title = created
    ? `${formatNumber(created)} of ${formatNumber(files.length)} files uploaded; these failed:`
    : 'No file could be uploaded:'
  return datasetPage(c, ctx, fresh, { status: created ? 200 : 422, panel: 'upload', notice: { tone: 'error', title, lines: failures } })
})

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', json: 'application/json', csv: 'text/csv' } as const

/** The import form's plain post: the file becomes the import task's manifest, then the page shows
 * the task card. */
datasetsWeb.post('/:id/imports', async (c) => {
  const ctx = ctxOf(c)
  const d = datasetView(await loadDataset(ctx, c.req.param('id'), 'dataset.manage'))
  const [file] = await formFiles(c, 'manifest')
  try {
    if (!file) throw new AppError('VALIDATION', 'Choose a manifest file to import.')
    const format = formatFromFilename(file.name)
    if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The manifest must be a .ndjson, .jsonl, .json or .csv file.')
    const task = await startImport(ctx, d.id, {
      body: file.stream(),
      contentType: CONTENT_TYPES[format],
      contentLength: String(file.size),
      filename: file.name,
    })
    return c.redirect(`/datasets/${d.id}?panel=import&import=${task.id}`, 303)
  } catch (e) {
    if (!(e instanceof AppError) || !['VALIDATION', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'].includes(e.code)) throw e
    return datasetPage(c, ctx, d, { status: 422, panel: 'import', importError: e.detail })
  }
})

/** The import card: it polls this while the task runs. The task's own rule decides who sees it
 * (its creator or an admin); it must be an import into this dataset. When it has just finished,
 * the rows section comes along so the new rows appear without a reload. */
datasetsWeb.get('/:id/imports/:taskId', async (c) => {
  const ctx = ctxOf(c)
  const taskId = c.req.param('taskId')
  const datasetId = c.req.param('id')
  // The task, the dataset and, once the task has finished, the dataset's newest rows: one round
  // trip. While the task runs (the card polls) the rows' statement reads nothing: its condition
  // on the task is false (an uncorrelated EXISTS, evaluated once).
  const finished = sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${tasks.id} = ${taskId} AND ${tasks.orgId} = ${ctx.actor.orgId} AND ${notInArray(tasks.status, RUNNING)})`
  const [row, loaded, rows] = await runReads(
    ctx,
    taskRowRead(ctx, taskId),
    datasetRead(ctx, datasetId),
    wantsFragment(c) ? dataRowsPageRead(ctx, datasetId, { limit: ROWS_PAGE_SIZE }, finished) : { stmts: [], done: () => null },
  )
  const d = datasetView(loaded)
  if (row.type !== 'import-data-rows' || row.subjectId !== d.id) throw new AppError('NOT_FOUND', 'Import not found')
  if (!wantsFragment(c)) return c.redirect(`/datasets/${d.id}?panel=import&import=${row.id}`, 303)
  const t = taskView(row)
  c.header('Vary', 'HX-Request')
  c.header('Cache-Control', 'no-store')
  if (t.status === 'QUEUED' || t.status === 'IN_PROGRESS' || !rows) return c.html(<ImportCard datasetId={d.id} t={t} />)
  return c.html(
    <>
      <ImportCard datasetId={d.id} t={t} />
      <hx-partial hx-target="#data-rows" hx-swap="outerHTML">
        <DataRowsSection d={d} rows={rows} canManage={can(ctx.actor, 'dataset.manage')} canAttach={mayAttach(ctx)} />
      </hx-partial>
      <hx-partial hx-target="#dataset-row-count" hx-swap="innerHTML">
        {rowCountLabel(d.row_count)}
      </hx-partial>
    </>,
  )
})

// One data row ----------------------------------------------------------------------------------

datasetsWeb.get('/:id/rows/:rowId', async (c) => {
  const ctx = ctxOf(c)
  // The dataset, the row, its creator, its labels and their versions: one round trip.
  const page = await dataRowPage(ctx, c.req.param('id'), c.req.param('rowId'))
  const r = page.row
  return renderPage(c, {
    title: `${r.external_id || r.global_key || r.id} · ${page.dataset.name}`,
    section: 'datasets',
    body: <DataRowPage d={page.dataset} r={r} creator={page.creator} labels={page.labels} moreLabels={page.more} here={c.req.path} />,
  })
})
