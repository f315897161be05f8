/** @module /projects, the Projects tab: the list (search as you type, "load more"), the create
 * form with its ontology editor, and a project's pin, unpin and delete. */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../../env'
import { ctxOf } from '../../../lib/ctx'
import { invalid } from '../../../lib/errors'
import { readForm, safeNext } from '../../../lib/forms'
import { hxTrigger, keepUrl } from '../../../lib/htmx'
import { renderPage, wantsFragment } from '../../../lib/render'
import { parse } from '../../../lib/validate'
import { authorize, can } from '../../../auth/permissions'
import { MEDIA_TYPES } from '../../../db/schema'
import { ProjectRows, ProjectsPage, ProjectsTable } from '../../../../views/projects/list'
import { NewProjectPage, type ProjectFormState } from '../../../../views/projects/form'
import { addRow, draftFromForm, draftToInput, EMPTY_DRAFT, NewRowFragment, type AddKind } from '../../../../views/projects/ontology-editor'
import { CreateProjectInput, ProjectListQuery } from '../schemas'
import { createProject, listProjects, setPinned } from '../service'
import { deleteProject } from '../delete'
import { isFormError, parseProjectForm, stateOf, type C } from './forms'

export const listWeb = new Hono<AppEnv>()

const PAGE_SIZE = 50

const listUrl = (search: string) => (search ? `/projects?search=${encodeURIComponent(search)}` : '/projects')

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

listWeb.get('/', async (c) => {
  const q = parse(ProjectListQuery, c.req.query())
  const props = await listProps(ctxOf(c), q.search ?? '', q.cursor)
  const notice = NOTICES[c.req.query('deleted') ?? '']
  return renderPage(c, { title: 'Projects', section: 'projects', body: <ProjectsPage {...props} notice={notice} paged={!!q.cursor} /> })
})

/** Search as you type (the table, and the address bar follows) and "Load more" (the next rows). */
listWeb.get('/rows', async (c) => {
  const q = parse(ProjectListQuery, c.req.query())
  const search = q.search ?? ''
  if (!wantsFragment(c))
    return c.redirect(q.cursor ? `${listUrl(search)}${search ? '&' : '?'}cursor=${encodeURIComponent(q.cursor)}` : listUrl(search), 303)
  const props = await listProps(ctxOf(c), search, q.cursor)
  c.header('Vary', 'HX-Request')
  if (q.cursor) return c.html(<ProjectRows page={props.page} search={search} canDelete={props.canDelete} />)
  c.header('HX-Replace-Url', listUrl(search))
  return c.html(<ProjectsTable {...props} />)
})

// Create ----------------------------------------------------------------------------------------

const newPage = (c: C, state: ProjectFormState, status: 200 | 422 = 200) =>
  renderPage(c, { title: 'New project', section: 'projects', status, body: <NewProjectPage state={state} mediaTypes={MEDIA_TYPES} /> })

listWeb.get('/new', (c) => {
  authorize(c.var.actor!, 'project.create')
  return newPage(c, { values: { name: '', description: '', media_type: 'IMAGE' }, draft: EMPTY_DRAFT })
})

const RowQuery = v.object({
  kind: v.picklist(['tool', 'classification', 'tool-classification'], 'kind must be tool, classification or tool-classification'),
  i: v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'i must be a small whole number'), v.transform(Number)),
  t: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 't must be a small whole number'), v.transform(Number))),
})

/** One empty editor row (and the next "Add" button); used by the create form and the settings. */
listWeb.get('/new/ontology-row', (c) => {
  const q = parse(RowQuery, c.req.query())
  let add: AddKind
  if (q.kind === 'tool-classification') {
    if (q.t === undefined) throw invalid('t', 't is required for a nested classification')
    add = { kind: 'tool-classification', tool: q.t }
  } else add = { kind: q.kind }
  return c.html(<NewRowFragment add={add} i={q.i} />)
})

listWeb.post('/', async (c) => {
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

// Pin, unpin, delete ----------------------------------------------------------------------------

async function pin(c: C, pinned: boolean) {
  const ctx = ctxOf(c)
  const id = c.req.param('id')!
  const form = await readForm(c)
  await setPinned(ctx, id, pinned)
  if (form.from === 'list') {
    const search = (form.search ?? '').trim().slice(0, 200)
    // The table again from the top: a pinned project moves up, an unpinned one back into place.
    if (wantsFragment(c)) return c.html(<ProjectsTable {...(await listProps(ctx, search))} />)
    return c.redirect(listUrl(search), 303)
  }
  return c.redirect(safeNext(form.next, `/projects/${id}`), 303)
}
listWeb.post('/:id/pin', (c) => pin(c, true))
listWeb.post('/:id/unpin', (c) => pin(c, false))

listWeb.post('/:id/delete', async (c) => {
  const { task } = await deleteProject(ctxOf(c), c.req.param('id'))
  if (wantsFragment(c)) {
    // The row disappears; a big project keeps being deleted by a task, which the Tasks menu
    // starts following at once (public/js/tasks.js listens for taskStarted).
    if (task)
      hxTrigger(c, { toast: { value: `${task.name} continues in the background; follow it in Tasks.` }, taskStarted: { id: task.id } })
    return c.html('')
  }
  return c.redirect(`/projects?deleted=${task ? 'task' : '1'}`, 303)
})
