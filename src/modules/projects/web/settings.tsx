/** @module A project's settings, General tab (/projects/{id}/settings): name, description and the
 * ontology editor. */
import { Hono } from 'hono'
import type { AppEnv, Ctx } from '../../../env'
import { ctxOf } from '../../../lib/ctx'
import { readForm } from '../../../lib/forms'
import { keepUrl } from '../../../lib/htmx'
import { renderPage } from '../../../lib/render'
import { GeneralSettingsPage, type ProjectFormState } from '../../../../views/projects/form'
import { addRow, draftFromForm, draftFromOntology, draftToInput } from '../../../../views/projects/ontology-editor'
import { UpdateProjectInput } from '../schemas'
import { loadProject, projectView, updateProject, type LoadedProject } from '../service'
import { featuresInUse } from '../features-in-use'
import { isFormError, parseProjectForm, perms, stateOf, type C } from './forms'

export const settingsWeb = new Hono<AppEnv>()

function generalPage(c: C, ctx: Ctx, l: LoadedProject, state: ProjectFormState, o: { status?: 200 | 422; saved?: boolean } = {}) {
  const p = projectView(l.project, l.pinned)
  return renderPage(c, {
    title: `Settings · ${p.name}`,
    section: 'projects',
    status: o.status,
    body: <GeneralSettingsPage p={p} state={state} saved={o.saved} canDelete={perms(ctx, l).canDelete} />,
  })
}

settingsWeb.get('/:id/settings', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'project.edit')
  const state = { values: { name: l.project.name, description: l.project.description }, draft: draftFromOntology(l.project.ontology) }
  return generalPage(c, ctx, l, state, { saved: c.req.query('saved') === '1' })
})

settingsWeb.post('/:id/settings', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'project.edit')
  const form = await readForm(c)
  const values = { name: form.name ?? l.project.name, description: form.description ?? l.project.description }
  if (form._add) {
    keepUrl(c)
    return generalPage(c, ctx, l, { values, draft: addRow(draftFromForm(form, { keepEmpty: true }), form._add) })
  }
  // The editor marks its presence, so a post without it (a script changing the name) never
  // empties the ontology by accident.
  const hasOntology = form._ontology === '1'
  const draft = hasOntology ? draftFromForm(form) : draftFromOntology(l.project.ontology)
  try {
    const input = parseProjectForm(
      UpdateProjectInput,
      {
        ...(form.name !== undefined ? { name: form.name } : {}),
        ...(form.description !== undefined ? { description: form.description } : {}),
        ...(hasOntology ? { ontology: draftToInput(draft, l.project.ontology) } : {}),
      },
      l.project.ontology,
    )
    await updateProject(ctx, l.project.id, input, featuresInUse(ctx))
    return c.redirect(`/projects/${l.project.id}/settings?saved=1`, 303)
  } catch (e) {
    if (!isFormError(e)) throw e
    keepUrl(c)
    // Removing features that labels use is refused as a whole; the sentence names them.
    const state = e.code === 'CONFLICT' ? { errors: [], message: e.detail } : stateOf(e)
    return generalPage(c, ctx, l, { values, draft, ...state }, { status: 422 })
  }
})
