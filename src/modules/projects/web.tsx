/**
 * @module /projects (HTML): the Projects tab, the create form with its ontology editor, a
 * project's dashboard and its settings (General, Members, Data, danger zone). Thin like the API
 * twin: read the form → call the same services → render. Access is decided by the services and
 * `can()`; this file only hides controls a person could not use anyway.
 *
 * Forms follow one pattern: validation errors answer 422 with the errored form (values kept);
 * htmx-posted sections answer their section; plain (or boosted) posts redirect (303) or answer the
 * full page.
 */
import { Hono, type Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError, invalid } from '../../lib/errors'
import { readForm, readFormAll, safeNext } from '../../lib/forms'
import { formatNumber } from '../../lib/format'
import { hxTrigger } from '../../lib/htmx'
import { renderPage, wantsFragment } from '../../lib/render'
import { issuesToErrors, parse } from '../../lib/validate'
import { authorize, can } from '../../auth/permissions'
import { roleLabel } from '../../../views/components/ui'
import { ProjectRows, ProjectsPage, ProjectsTable } from '../../../views/pages/projects/list'
import { GeneralSettingsPage, NewProjectPage, type ProjectFormState } from '../../../views/pages/projects/form'
import { Dashboard, ProjectOverviewPage, type DashboardData } from '../../../views/pages/projects/overview'
import { LabelsChartCard } from '../../../views/pages/projects/dashboard/labels-chart'
import { dashUrl, ScopeToggle, type DashboardPerms, type Scope } from '../../../views/pages/projects/dashboard/shared'
import { EXPORT_PARAMS, ExportForm, ExportPage, ExportRefused, ExportStarted, type ExportValues } from '../../../views/pages/projects/dashboard/export'
import { DataSection, DataSettingsPage, MembersSection, MembersSettingsPage } from '../../../views/pages/projects/settings'
import { addRow, draftFromForm, draftFromOntology, draftToInput, EMPTY_DRAFT, NewRowFragment, type AddKind } from '../../../views/pages/projects/ontology-editor'
import { CreateBatchInput, CreateProjectInput, ProjectListQuery, ProjectMemberInput, UpdateProjectInput } from './schemas'
import { createProject, listProjects, loadProject, loadProjectWith, projectView, setPinned, updateProject, type LoadedProject } from './service'
import { deleteProject } from './delete'
import { addableMembers, listProjectMembers, removeProjectMember, setProjectMember } from './members'
import { createBatch, deleteBatch, listBatches, listBatchesRead, type BatchView } from './batches'
import { featuresInUse } from './features-in-use'
import { labelSeriesRead, overviewRead, recentActivityRead, type ActivityRow, type Bucket, type Overview, type SeriesPoint } from './dashboard'
import { runReads } from '../../db/reads'
import { ExportInput } from '../exports/schemas'
import { createDataset } from '../datasets/service'
import { CreateDatasetInput } from '../datasets/schemas'
import { startExport } from '../exports/service'
import { getTask } from '../tasks/service'
import { normalizeOntology, OntologyInput, type Ontology } from './ontology'

type C = Context<AppEnv>

export const projectsWeb = new Hono<AppEnv>()
projectsWeb.use('*', requireSession)

const PAGE_SIZE = 50

/** Errors a person can fix in the form; anything else (403, 404 of the project) goes to onError. */
const isFormError = (e: unknown): e is AppError => e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'CONFLICT')
const stateOf = (e: AppError) => ({ errors: e.errors, message: e.errors.length ? undefined : e.detail })

/** A boosted form answered with its errors must not move the address bar to the POST URL. */
function keepUrl(c: C) {
  if (c.req.header('HX-Request') === 'true') c.header('HX-Push-Url', 'false')
}

/**
 * Parses the project form. When a field outside the ontology fails, the ontology's own rules
 * (unique names, options…) are checked too, so one submit shows every problem at once.
 */
function parseProjectForm<S extends v.GenericSchema>(schema: S, data: Record<string, unknown>, previous?: Ontology): v.InferOutput<S> {
  const r = v.safeParse(schema, data)
  if (r.success) return r.output
  const errors = issuesToErrors(r.issues)
  if (data.ontology !== undefined && !errors.some((e) => e.path.startsWith('ontology'))) {
    try {
      normalizeOntology(parse(OntologyInput, data.ontology), previous)
    } catch (e) {
      if (e instanceof AppError) errors.push(...e.errors)
    }
  }
  throw new AppError('VALIDATION', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors)
}

const listUrl = (search: string) => (search ? `/projects?search=${encodeURIComponent(search)}` : '/projects')

// The Projects tab ----------------------------------------------------------------------------

async function listProps(ctx: Ctx, search: string, cursor?: string) {
  return {
    page: await listProjects(ctx, { limit: PAGE_SIZE, search: search || undefined, cursor }, 'summary'),
    search,
    canCreate: can(ctx.actor, 'project.create'),
    canDelete: can(ctx.actor, 'project.delete'),
  }
}

const NOTICES: Record<string, string> = {
  '1': 'Project deleted.',
  task: 'The project is gone from every list; its data is being deleted in the background. Follow it in Tasks.',
}

projectsWeb.get('/', async (c) => {
  const q = parse(ProjectListQuery, c.req.query())
  const props = await listProps(ctxOf(c), q.search ?? '', q.cursor)
  const notice = NOTICES[c.req.query('deleted') ?? '']
  return renderPage(c, { title: 'Projects', section: 'projects', body: <ProjectsPage {...props} notice={notice} paged={!!q.cursor} /> })
})

/** Search as you type (the table, and the address bar follows) and "Load more" (the next rows). */
projectsWeb.get('/rows', async (c) => {
  const q = parse(ProjectListQuery, c.req.query())
  const search = q.search ?? ''
  if (!wantsFragment(c)) return c.redirect(q.cursor ? `${listUrl(search)}${search ? '&' : '?'}cursor=${encodeURIComponent(q.cursor)}` : listUrl(search), 303)
  const props = await listProps(ctxOf(c), search, q.cursor)
  c.header('Vary', 'HX-Request')
  if (q.cursor) return c.html(<ProjectRows page={props.page} search={search} canDelete={props.canDelete} />)
  c.header('HX-Replace-Url', listUrl(search))
  return c.html(<ProjectsTable {...props} />)
})

// Create ----------------------------------------------------------------------------------------

const newPage = (c: C, state: ProjectFormState, status: 200 | 422 = 200) =>
  renderPage(c, { title: 'New project', section: 'projects', status, body: <NewProjectPage state={state} /> })

projectsWeb.get('/new', (c) => {
  authorize(c.var.actor!, 'project.create')
  return newPage(c, { values: { name: '', description: '', media_type: 'IMAGE' }, draft: EMPTY_DRAFT })
})

const RowQuery = v.object({
  kind: v.picklist(['tool', 'classification', 'tool-classification'], 'kind must be tool, classification or tool-classification'),
  i: v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'i must be a small whole number'), v.transform(Number)),
  t: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 't must be a small whole number'), v.transform(Number))),
})

/** One empty editor row (and the next "Add" button); used by the create form and the settings. */
projectsWeb.get('/new/ontology-row', (c) => {
  const q = parse(RowQuery, c.req.query())
  let add: AddKind
  if (q.kind === 'tool-classification') {
    if (q.t === undefined) throw invalid('t', 't is required for a nested classification')
    add = { kind: 'tool-classification', tool: q.t }
  } else add = { kind: q.kind }
  return c.html(<NewRowFragment add={add} i={q.i} />)
})

projectsWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'project.create')
  const form = await readForm(c)
  const values = { name: form.name ?? '', description: form.description ?? '', media_type: form.media_type ?? '' }
  if (form._add) {
    // "Add tool" without JavaScript: the same form, one row more.
    keepUrl(c)
    return newPage(c, { values, draft: addRow(draftFromForm(form, { keepEmpty: true }), form._add) })
  }
  const draft = draftFromForm(form)
  try {
    const input = parseProjectForm(CreateProjectInput, { ...values, ontology: draftToInput(draft) })
    const p = await createProject(ctx, input)
    return c.redirect(`/projects/${p.id}`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    keepUrl(c)
    return newPage(c, { values, draft, ...stateOf(e) }, 422)
  }
})

// One project -----------------------------------------------------------------------------------

const perms = (ctx: Ctx, loaded: LoadedProject) => ({
  canEdit: can(ctx.actor, 'project.edit', { projectRole: loaded.role }),
  canManageMembers: can(ctx.actor, 'project.manage_members', { projectRole: loaded.role }),
  canManageData: can(ctx.actor, 'batch.manage', { projectRole: loaded.role }),
  canDelete: can(ctx.actor, 'project.delete', { projectRole: loaded.role }),
})

// The dashboard ---------------------------------------------------------------------------------

const DashQuery = v.object({
  // A mistyped value in an address shows the default view rather than an error page.
  scope: v.fallback(v.optional(v.picklist(['all', 'mine']), 'all'), 'all'),
  bucket: v.fallback(v.optional(v.picklist(['day', 'week', 'month']), 'day'), 'day'),
})

const dashPerms = (ctx: Ctx, loaded: LoadedProject): DashboardPerms => ({
  canLabel: can(ctx.actor, 'label.create', { projectRole: loaded.role }),
  canReview: can(ctx.actor, 'label.review', { projectRole: loaded.role }),
  canExport: can(ctx.actor, 'export.create', { projectRole: loaded.role }),
  canEdit: can(ctx.actor, 'project.edit', { projectRole: loaded.role }),
  canManageData: can(ctx.actor, 'batch.manage', { projectRole: loaded.role }),
  seeAll: can(ctx.actor, 'project.view_performance', { projectRole: loaded.role }),
})

/**
 * The project and everything its dashboard shows (and, for the page's export dialog, the batches),
 * in one D1 round trip (`loadProjectWith`; two for a project-based member).
 */
async function dashboardData(ctx: Ctx, id: string, scope: Scope, bucket: Bucket, fragment: boolean): Promise<{ loaded: LoadedProject; d: DashboardData; batches: BatchView[] }> {
  const [loaded, overview, series, activity, batches] = await loadProjectWith<[Overview, SeriesPoint[], ActivityRow[], BatchView[]]>(ctx, id, 'project.view', (loaded) => [
    overviewRead(ctx, loaded, scope),
    labelSeriesRead(ctx, loaded, bucket, scope),
    recentActivityRead(ctx, loaded),
    // The export dialog (full page only) lists the batches.
    !fragment && can(ctx.actor, 'export.create', { projectRole: loaded.role }) ? listBatchesRead(ctx, loaded) : { stmts: [], done: () => [] },
  ])
  return { loaded, d: { p: projectView(loaded.project, loaded.pinned), overview, series, activity, scope, bucket, perms: dashPerms(ctx, loaded), selfId: ctx.actor.userId }, batches }
}

/** The page; asked for by htmx (the Overall / Mine switch), the dashboard body alone. */
projectsWeb.get('/:id', async (c) => {
  const ctx = ctxOf(c)
  const q = v.parse(DashQuery, c.req.query())
  const fragment = wantsFragment(c)
  const { loaded, d, batches } = await dashboardData(ctx, c.req.param('id'), q.scope, q.bucket, fragment)
  if (fragment) {
    c.header('Vary', 'HX-Request')
    c.header('HX-Replace-Url', dashUrl(loaded.project.id, q.scope, q.bucket))
    return c.html(<Dashboard d={d} />)
  }
  return renderPage(c, { title: d.p.name, section: 'projects', body: <ProjectOverviewPage d={d} batches={batches} /> })
})

/** The "Labels created" card alone (the daily / weekly / monthly switch), and the Overall / Mine
 * switch again so its links carry the new bucket. Without htmx: the page. */
projectsWeb.get('/:id/labels-chart', async (c) => {
  const ctx = ctxOf(c)
  const q = v.parse(DashQuery, c.req.query())
  if (!wantsFragment(c)) return c.redirect(dashUrl((await loadProject(ctx, c.req.param('id'))).project.id, q.scope, q.bucket), 303)
  const [loaded, series] = await loadProjectWith<[SeriesPoint[]]>(ctx, c.req.param('id'), 'project.view', (loaded) => [labelSeriesRead(ctx, loaded, q.bucket, q.scope)])
  c.header('Vary', 'HX-Request')
  c.header('HX-Replace-Url', dashUrl(loaded.project.id, q.scope, q.bucket))
  return c.html(
    <>
      <LabelsChartCard projectId={loaded.project.id} series={series} scope={q.scope} bucket={q.bucket} canLabel={dashPerms(ctx, loaded).canLabel} hasRows={loaded.project.dataRowCount > 0} />
      <ScopeToggle id={loaded.project.id} scope={q.scope} bucket={q.bucket} oob />
    </>,
  )
})

// Generate export -------------------------------------------------------------------------------

/** JSON for a response header: browsers read header bytes as Latin-1, so non-ASCII is escaped. */

const idLines = (s: string, sep: RegExp) => s.split(sep).map((x) => x.trim()).filter(Boolean)
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
  return parse(ExportInput, { params, filters })
}

/** API paths → the form's fields, and the schema's words → the form's. */
function exportErrors(errors: AppError['errors']) {
  const field = (path: string) =>
    path.startsWith('filters.label_created_at.1') ? 'label_to'
      : path.startsWith('filters.label_created_at') ? 'label_from'
        : path.startsWith('filters.workflow_status') ? 'workflow_status'
          : path.startsWith('filters.batch_ids') ? 'batch_id'
            : path.startsWith('filters.data_row_ids') ? 'data_row_ids'
              : path.startsWith('filters.global_keys') ? 'global_keys'
                : path.startsWith('params') ? 'params'
                  : path
  const words = (m: string) =>
    /not both/.test(m) ? 'Fill in data row IDs or global keys, not both.'
      : m.replace(/^data_row_ids/, 'Data row IDs').replace(/^global_keys/, 'Global keys').replace(/^batch_ids/, 'Batches').replace(/^must be YYYY/, 'Enter a date like YYYY')
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
projectsWeb.get('/:id/export', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'export.create')
  const p = projectView(loaded.project, loaded.pinned)
  const batches = await listBatches(ctx, loaded)
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
projectsWeb.post('/:id/export', async (c) => {
  const ctx = ctxOf(c)
  const fragment = wantsFragment(c)
  try {
    const loaded = await loadProject(ctx, c.req.param('id'), 'export.create')
    const p = projectView(loaded.project, loaded.pinned)
    const { values, inDialog } = await readExportForm(c)
    try {
      const { task, existing } = await startExport(ctx, p.id, exportFromForm(values))
      // Exports are deduplicated per person, so the task (new or already running) is the caller's own.
      if (!fragment) return c.redirect(`/projects/${p.id}/export?task=${task.id}${existing ? '&existing=1' : ''}`, 303)
      hxTrigger(c, {
        taskStarted: { id: task.id },
        toast: { value: existing ? 'This export is already running — follow it in the Tasks menu' : 'Export started — follow it in the Tasks menu' },
      })
      return c.html(<ExportStarted p={p} task={task} existing={existing} inDialog={inDialog} />)
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
      const state = { values, errors: exportErrors(e.errors), message: e.errors.length ? undefined : e.detail }
      const batches = await listBatches(ctx, loaded)
      if (fragment) return c.html(<ExportForm p={p} batches={batches} state={state} inDialog={inDialog} />, 422)
      keepUrl(c)
      return renderPage(c, { title: `Export · ${p.name}`, section: 'projects', status: 422, body: <ExportPage p={p} batches={batches} state={state} /> })
    }
  } catch (e) {
    // In the dialog, a refusal (403, 404, 415) reads as a sentence in the panel, not a whole error page.
    if (fragment && e instanceof AppError && e.code !== 'UNAUTHORIZED' && e.code !== 'RATE_LIMITED') return c.html(<ExportRefused detail={e.detail} />, e.status as 403)
    throw e
  }
})

async function pin(c: C, pinned: boolean) {
  const ctx = ctxOf(c)
  const id = c.req.param('id')!
  const form = await readForm(c)
  await setPinned(ctx, id, pinned)
  if (form.from === 'list') {
    const search = (form.search ?? '').trim().slice(0, 200)
    // The table again from the top: a pinned project moves up, an unpinned one back into place.
    if (wantsFragment(c)) return c.html(<ProjectsTable {...await listProps(ctx, search)} />)
    return c.redirect(listUrl(search), 303)
  }
  return c.redirect(safeNext(form.next, `/projects/${id}`), 303)
}
projectsWeb.post('/:id/pin', (c) => pin(c, true))
projectsWeb.post('/:id/unpin', (c) => pin(c, false))

projectsWeb.post('/:id/delete', async (c) => {
  const { task } = await deleteProject(ctxOf(c), c.req.param('id'))
  if (wantsFragment(c)) {
    // The row disappears; a big project keeps being deleted by a task, which the Tasks menu
    // starts following at once (public/js/tasks.js listens for taskStarted).
    if (task) hxTrigger(c, { toast: { value: `${task.name} continues in the background; follow it in Tasks.` }, taskStarted: { id: task.id } })
    return c.html('')
  }
  return c.redirect(`/projects?deleted=${task ? 'task' : '1'}`, 303)
})

// Settings: General -----------------------------------------------------------------------------

function generalPage(c: C, ctx: Ctx, loaded: LoadedProject, state: ProjectFormState, o: { status?: 200 | 422; saved?: boolean } = {}) {
  const p = projectView(loaded.project, loaded.pinned)
  return renderPage(c, {
    title: `Settings · ${p.name}`,
    section: 'projects',
    status: o.status,
    body: <GeneralSettingsPage p={p} state={state} saved={o.saved} canDelete={perms(ctx, loaded).canDelete} />,
  })
}

projectsWeb.get('/:id/settings', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'project.edit')
  const state = { values: { name: loaded.project.name, description: loaded.project.description }, draft: draftFromOntology(loaded.project.ontology) }
  return generalPage(c, ctx, loaded, state, { saved: c.req.query('saved') === '1' })
})

projectsWeb.post('/:id/settings', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'project.edit')
  const form = await readForm(c)
  const values = { name: form.name ?? loaded.project.name, description: form.description ?? loaded.project.description }
  if (form._add) {
    keepUrl(c)
    return generalPage(c, ctx, loaded, { values, draft: addRow(draftFromForm(form, { keepEmpty: true }), form._add) })
  }
  // The editor marks its presence, so a post without it (a script changing the name) never
  // empties the ontology by accident.
  const hasOntology = form._ontology === '1'
  const draft = hasOntology ? draftFromForm(form) : draftFromOntology(loaded.project.ontology)
  try {
    const input = parseProjectForm(UpdateProjectInput, {
      ...(form.name !== undefined ? { name: form.name } : {}),
      ...(form.description !== undefined ? { description: form.description } : {}),
      ...(hasOntology ? { ontology: draftToInput(draft, loaded.project.ontology) } : {}),
    }, loaded.project.ontology)
    await updateProject(ctx, loaded.project.id, input, featuresInUse(ctx))
    return c.redirect(`/projects/${loaded.project.id}/settings?saved=1`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    keepUrl(c)
    // Removing features that labels use is refused as a whole; the sentence names them.
    const state = e.code === 'CONFLICT' ? { errors: [], message: e.detail } : stateOf(e)
    return generalPage(c, ctx, loaded, { values, draft, ...state }, { status: 422 })
  }
})

// Settings: Members -----------------------------------------------------------------------------

async function membersProps(ctx: Ctx, loaded: LoadedProject) {
  const pm = perms(ctx, loaded)
  const [members, addable] = await Promise.all([
    listProjectMembers(ctx, loaded.project.id),
    pm.canManageMembers ? addableMembers(ctx, loaded.project.id) : Promise.resolve([]),
  ])
  return { p: projectView(loaded.project, loaded.pinned), members, addable, canManage: pm.canManageMembers, selfId: ctx.actor.userId, canEdit: pm.canEdit, canDelete: pm.canDelete }
}

async function membersAnswer(c: C, ctx: Ctx, id: string, extra: { done?: string; state?: { values: Record<string, string>; errors: AppError['errors']; message?: string } }, status: 200 | 422) {
  const loaded = await loadProject(ctx, id)
  const props = { ...(await membersProps(ctx, loaded)), ...extra }
  if (status === 422) keepUrl(c)
  return renderPage(c, { title: `Members · ${props.p.name}`, section: 'projects', status, body: <MembersSettingsPage {...props} />, fragment: <MembersSection {...props} /> })
}

projectsWeb.get('/:id/settings/members', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'))
  const props = await membersProps(ctx, loaded)
  return renderPage(c, { title: `Members · ${props.p.name}`, section: 'projects', body: <MembersSettingsPage {...props} />, fragment: <MembersSection {...props} /> })
})

/** Adds a project-based member with a role, or changes their role (the same call). */
projectsWeb.post('/:id/settings/members', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'project.manage_members')
  const form = await readForm(c)
  const values = { user_id: form.user_id ?? '', role: form.role ?? '' }
  try {
    const input = parse(ProjectMemberInput, { role: values.role })
    if (!values.user_id) throw invalid('user_id', 'Choose a member')
    const m = await setProjectMember(ctx, loaded.project.id, values.user_id, input).catch((e) => {
      // An unknown or foreign user id is a mistake in the form, not a missing page; the
      // service's refusals explain themselves better as a sentence than under one field.
      if (e instanceof AppError && e.code === 'NOT_FOUND') throw invalid('user_id', 'No such member in your organization')
      throw isFormError(e) ? new AppError(e.code, e.detail) : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${loaded.project.id}/settings/members`, 303)
    return membersAnswer(c, ctx, loaded.project.id, { done: `${m.full_name} is ${roleLabel(m.role).toLowerCase()} in this project.` }, 200)
  } catch (e) {
    if (!isFormError(e)) throw e
    return membersAnswer(c, ctx, loaded.project.id, { state: { values, ...stateOf(e) } }, 422)
  }
})

projectsWeb.post('/:id/settings/members/:userId/remove', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'project.manage_members')
  const userId = c.req.param('userId')
  try {
    const before = await listProjectMembers(ctx, loaded.project.id)
    await removeProjectMember(ctx, loaded.project.id, userId).catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND' ? new AppError('VALIDATION', 'That person has no project role here (any more).') : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${loaded.project.id}/settings/members`, 303)
    const who = before.find((m) => m.user_id === userId)?.full_name ?? 'The member'
    return membersAnswer(c, ctx, loaded.project.id, { done: `${who} no longer has access to this project.` }, 200)
  } catch (e) {
    if (!isFormError(e)) throw e
    return membersAnswer(c, ctx, loaded.project.id, { state: { values: {}, errors: [], message: e.detail } }, 422)
  }
})

// Settings: Data (batches) ----------------------------------------------------------------------

type FormErrors = { values: Record<string, string>; errors: AppError['errors']; message?: string }
async function dataAnswer(c: C, ctx: Ctx, id: string, extra: { done?: string; state?: FormErrors; uploadState?: FormErrors }, status: 200 | 201 | 422) {
  const loaded = await loadProject(ctx, id)
  const pm = perms(ctx, loaded)
  const canUpload = can(ctx.actor, 'dataset.manage')
  const props = { p: projectView(loaded.project, loaded.pinned), batches: await listBatches(ctx, loaded), canManage: pm.canManageData, canUpload, canEdit: pm.canEdit, canDelete: pm.canDelete, ...extra }
  if (status === 422) keepUrl(c)
  return renderPage(c, { title: `Data · ${props.p.name}`, section: 'projects', status, body: <DataSettingsPage {...props} />, fragment: <DataSection {...props} /> })
}

projectsWeb.get('/:id/settings/data', async (c) => dataAnswer(c, ctxOf(c), c.req.param('id'), {}, 200))

const lines = (s: string | undefined, sep: RegExp) => (s ?? '').split(sep).map((x) => x.trim()).filter(Boolean)

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

projectsWeb.post('/:id/settings/data', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  const form = await readForm(c)
  const values = { name: form.name ?? '', priority: form.priority ?? '', dataset_id: form.dataset_id ?? '', data_row_ids: form.data_row_ids ?? '', global_keys: form.global_keys ?? '' }
  try {
    const input = parse(CreateBatchInput, batchFromForm(form))
    const b = await createBatch(ctx, loaded.project.id, input)
    const rows = (n: number) => `${formatNumber(n)} data row${n === 1 ? '' : 's'}`
    const skipped = b.skipped ? ` ${rows(b.skipped)} ${b.skipped === 1 ? 'was' : 'were'} already in the project and ${b.skipped === 1 ? 'was' : 'were'} skipped.` : ''
    return dataAnswer(c, ctx, loaded.project.id, { done: `Attached ${rows(b.size)} as batch “${b.name}”.${skipped}` }, 201)
  } catch (e) {
    if (!isFormError(e)) throw e
    // The schema's rule names API fields; say it in the form's words.
    const errors = e.errors.map((x) => (x.path === '_root' ? { ...x, message: 'Fill in exactly one source: a dataset ID, data row IDs or global keys.' } : x))
    return dataAnswer(c, ctx, loaded.project.id, { state: { values, errors, message: errors.length ? undefined : e.detail } }, 422)
  }
})

/** "Upload files into a new dataset": create the dataset here, then hand over to its page, whose
 * upload panel knows (from the query) to attach the uploaded rows to this project as a batch. */
projectsWeb.post('/:id/settings/data/upload', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  authorize(ctx.actor, 'dataset.manage')
  const form = await readForm(c)
  const priority = /^[1-5]$/.test(form.priority ?? '') ? form.priority! : '3'
  const values = { name: form.name ?? '', priority }
  try {
    const d = await createDataset(ctx, parse(CreateDatasetInput, { name: values.name }))
    return c.redirect(`/datasets/${d.id}?panel=upload&project=${loaded.project.id}&priority=${priority}`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    return dataAnswer(c, ctx, loaded.project.id, { uploadState: { values, errors: e.errors, message: e.errors.length ? undefined : e.detail } }, 422)
  }
})

projectsWeb.post('/:id/settings/data/:batchId/detach', async (c) => {
  const ctx = ctxOf(c)
  const loaded = await loadProject(ctx, c.req.param('id'), 'batch.manage')
  const batchId = c.req.param('batchId')
  const name = (await listBatches(ctx, loaded)).find((b) => b.id === batchId)?.name
  try {
    const r = await deleteBatch(ctx, loaded.project.id, batchId).catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND' ? new AppError('VALIDATION', 'That batch is not attached to this project (any more).') : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${loaded.project.id}/settings/data`, 303)
    const kept = r.kept ? `; ${formatNumber(r.kept)} labeled row${r.kept === 1 ? '' : 's'} and ${r.kept === 1 ? 'its' : 'their'} labels stay` : ''
    return dataAnswer(c, ctx, loaded.project.id, { done: `Detached “${name}”: ${formatNumber(r.removed)} unlabeled row${r.removed === 1 ? '' : 's'} left the queue${kept}.` }, 200)
  } catch (e) {
    if (!isFormError(e)) throw e
    return dataAnswer(c, ctx, loaded.project.id, { state: { values: {}, errors: [], message: e.detail } }, 422)
  }
})
