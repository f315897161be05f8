/** @module /projects/{id}/label (labeling queue) and /projects/{id}/review (review queue). */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { readFormAll } from '../../lib/forms'
import { hxTrigger } from '../../lib/htmx'
import { renderPage } from '../../lib/render'
import { LabelPage, QueueEmpty, type LabelFormState } from '../../../views/labels/label'
import { ReviewEmpty, ReviewPage } from '../../../views/labels/review'
import { loadProject } from '../projects/service'
import type { Ontology } from '../projects/ontology'
import { nextToLabel, nextToReview } from './work-queue'
import { createLabel, reviewLabel } from './service'

export const labelingWeb = new Hono<AppEnv>()
labelingWeb.use('*', requireSession)

/** The classification answers of the form as annotation input, checking required ones. */
export function answersFromForm(
  ontology: Ontology,
  form: Record<string, string[]>,
): { classifications: Record<string, unknown>[]; missing: string[] } {
  const classifications: Record<string, unknown>[] = []
  const missing: string[] = []
  for (const c of ontology.classifications) {
    const values = (form[`cls.${c.feature_schema_id}`] ?? []).map((v) => v.trim()).filter(Boolean)
    if (!values.length) {
      if (c.required) missing.push(c.name)
      continue
    }
    if (c.type === 'text') classifications.push({ feature_schema_id: c.feature_schema_id, text_answer: { content: values[0] } })
    else if (c.type === 'radio')
      classifications.push({ feature_schema_id: c.feature_schema_id, radio_answer: { feature_schema_id: values[0] } })
    else classifications.push({ feature_schema_id: c.feature_schema_id, checklist_answers: values.map((v) => ({ feature_schema_id: v })) })
  }
  return { classifications, missing }
}

labelingWeb.get('/:id/label', async (c) => {
  const ctx = ctxOf(c)
  const item = await nextToLabel(ctx, c.req.param('id'))
  if (!item) {
    const { project } = await loadProject(ctx, c.req.param('id'), 'label.create')
    return renderPage(c, {
      title: `Label · ${project.name}`,
      section: 'projects',
      body: <QueueEmpty projectId={project.id} name={project.name} />,
    })
  }
  return renderPage(c, {
    title: `Label · ${item.loaded.project.name}`,
    section: 'projects',
    wide: true,
    body: <LabelPage item={item} startedAt={Date.now()} />,
  })
})

labelingWeb.post('/:id/label', async (c) => {
  const ctx = ctxOf(c)
  const projectId = c.req.param('id')
  const form = await readFormAll(c)
  const one = (k: string) => form[k]?.[form[k]!.length - 1] ?? ''
  const { project } = await loadProject(ctx, projectId, 'label.create')
  const started = Number(one('started_at'))
  // Time spent comes from when the page was served (clamped), not from the browser's word alone.
  const seconds = Number.isFinite(started) && started > 0 ? Math.min(4 * 3600, Math.max(0, (Date.now() - started) / 1000)) : 0
  const skipped = one('skip') === '1'
  let objects: unknown = []
  let state: LabelFormState | undefined
  try {
    objects = JSON.parse(one('objects') || '[]')
    if (!Array.isArray(objects)) throw new Error('not a list')
  } catch {
    state = { message: 'The drawn boxes could not be read; draw them again.' }
  }
  const { classifications, missing } = answersFromForm(project.ontology, form)
  if (!state && !skipped && missing.length)
    state = { message: `Answer the required question${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` }
  if (!state) {
    try {
      await createLabel(ctx, projectId, {
        data_row_id: one('data_row_id'),
        annotations: skipped ? null : { objects, classifications },
        seconds_to_create: Math.round(seconds * 10) / 10,
        skipped,
      })
      hxTrigger(c, { toast: { value: skipped ? 'Skipped' : 'Label submitted' } })
      return c.redirect(`/projects/${projectId}/label`, 303)
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
      state = { message: e.errors.map((x) => x.message).join('; ') || e.detail }
    }
  }
  // Show the same row again with what was entered.
  const item = await nextToLabel(ctx, projectId)
  if (!item) return c.redirect(`/projects/${projectId}/label`, 303)
  const answers: Record<string, string[]> = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('cls.')))
  return renderPage(c, {
    title: `Label · ${project.name}`,
    section: 'projects',
    status: 422,
    wide: true,
    body: <LabelPage item={item} startedAt={started || Date.now()} state={{ ...state, objects: one('objects'), answers }} />,
  })
})

labelingWeb.get('/:id/review', async (c) => {
  const ctx = ctxOf(c)
  const item = await nextToReview(ctx, c.req.param('id'), c.req.query('after'))
  if (!item) {
    const { project } = await loadProject(ctx, c.req.param('id'))
    return renderPage(c, {
      title: `Review · ${project.name}`,
      section: 'projects',
      body: <ReviewEmpty projectId={project.id} name={project.name} />,
    })
  }
  return renderPage(c, { title: `Review · ${item.loaded.project.name}`, section: 'projects', wide: true, body: <ReviewPage item={item} /> })
})

labelingWeb.post('/:id/review', async (c) => {
  const ctx = ctxOf(c)
  const form = await readFormAll(c)
  const score = Number(form.score?.[0])
  if (score !== 1 && score !== -1) throw new AppError('VALIDATION', 'score must be 1 (accept) or -1 (decline)')
  await reviewLabel(ctx, form.label_id?.[0] ?? '', { score })
  hxTrigger(c, { toast: { value: score === 1 ? 'Accepted' : 'Declined' } })
  return c.redirect(`/projects/${c.req.param('id')}/review`, 303)
})
