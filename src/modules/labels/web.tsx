/** @module /projects/{id}/label (labeling queue), /projects/{id}/labels/{labelId}/edit (a submitted
 * label in the same editor) and /projects/{id}/review (review queue). */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError, notFound } from '../../lib/errors'
import type { Ctx } from '../../env'
import { and, eq } from 'drizzle-orm'
import { dataRows, labels } from '../../db/schema'
import { authorize, can } from '../../auth/permissions'
import { dataRowView, type DataRowView } from '../datasets/data-rows'
import { carryFeatureIds, carryUnedited, formFromAnswers, labelProblem, readLabelForm } from './label-form'
import { readFormAll, safeNext } from '../../lib/forms'
import { hxTrigger } from '../../lib/htmx'
import { renderPage } from '../../lib/render'
import { LabelPage, QueueEmpty, type LabelFormState } from '../../../views/labels/label'
import { ReviewEmpty, ReviewPage } from '../../../views/labels/review'
import { loadProject, loadProjectWith } from '../projects/service'
import { nextToLabel, nextToReview } from './work-queue'
import { createLabel, labelView, reviewLabel, updateLabel } from './service'

export const labelingWeb = new Hono<AppEnv>()
labelingWeb.use('*', requireSession)

labelingWeb.get('/:id/label', async (c) => {
  const ctx = ctxOf(c)
  const { loaded, item } = await nextToLabel(ctx, c.req.param('id'))
  if (!item) {
    const { project } = loaded
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
  const row = await rowOf(ctx, one('data_row_id'))
  const { input, error } = readLabelForm(project.ontology, form, row?.media_type ?? 'IMAGE')
  let message = skipped ? undefined : error
  try {
    if (!message && !skipped) message = labelProblem(project.ontology, input, row?.media_type ?? 'IMAGE')
    if (!message) {
      await createLabel(ctx, projectId, {
        data_row_id: one('data_row_id'),
        annotations: skipped ? null : input,
        seconds_to_create: Math.round(seconds * 10) / 10,
        skipped,
      })
      hxTrigger(c, { toast: { value: skipped ? 'Skipped' : 'Label submitted' } })
      return c.redirect(`/projects/${projectId}/label`, 303)
    }
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
    message = e.errors.map((x) => `${x.path}: ${x.message}`).join('; ') || e.detail
  }
  // Show the same row again with what was entered.
  const { item } = await nextToLabel(ctx, projectId)
  if (!item) return c.redirect(`/projects/${projectId}/label`, 303)
  return renderPage(c, {
    title: `Label · ${project.name}`,
    section: 'projects',
    status: 422,
    wide: true,
    body: <LabelPage item={item} startedAt={started || Date.now()} state={{ message, ...entered(form) }} />,
  })
})

/** What the person entered, to show it again with the message. */
const entered = (form: Record<string, string[]>): LabelFormState => {
  const one = (k: string) => form[k]?.[form[k]!.length - 1] ?? ''
  return {
    objects: one('objects') || '[]',
    frames: one('frames') || '{}',
    answers: Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith('cls.'))),
  }
}

/** A data row of the caller's organization, as the pages show it. */
async function rowOf(ctx: Ctx, id: string): Promise<DataRowView | undefined> {
  if (!id) return undefined
  const r = await ctx.db
    .select()
    .from(dataRows)
    .where(and(eq(dataRows.id, id), eq(dataRows.orgId, ctx.actor.orgId)))
    .get()
  return r ? dataRowView(r) : undefined
}

/**
 * A label of this project the caller may edit (and, for `review`, review), with its data row, read
 * in the project's own round trip. The label service's rules: labelers see only their own labels
 * (someone else's is a 404), someone else's needs label.edit_any (403); checked before the page is
 * shown so no one gets an editor they cannot save. `updateLabel` checks again when saving.
 */
async function editable(ctx: Ctx, projectId: string, labelId: string, review: boolean) {
  type Found = { label: typeof labels.$inferSelect; row: typeof dataRows.$inferSelect } | undefined
  // Two statements, not a join: a D1 batch returns a join's rows with same-named columns merged.
  const [loaded, found] = await loadProjectWith<[Found]>(ctx, projectId, 'project.view', (l) => {
    const mine = and(eq(labels.id, labelId), eq(labels.orgId, ctx.actor.orgId), eq(labels.projectId, l.project.id), l.guard)
    return [
      {
        stmts: [
          ctx.db.select().from(labels).where(mine).limit(1),
          ctx.db
            .select()
            .from(dataRows)
            .where(
              and(
                eq(dataRows.orgId, ctx.actor.orgId),
                eq(dataRows.id, ctx.db.select({ id: labels.dataRowId }).from(labels).where(mine).limit(1)),
              ),
            )
            .limit(1),
        ],
        done: ([ls, rs]) => {
          const label = (ls as NonNullable<Found>['label'][])[0]
          const row = (rs as NonNullable<Found>['row'][])[0]
          return label && row ? { label, row } : undefined
        },
      },
    ]
  })
  if (!found) throw notFound('Label')
  const own = found.label.createdBy === ctx.actor.userId
  if (!own && !can({ ...ctx.actor, readOnly: false }, 'label.view_all', { projectRole: loaded.role })) throw notFound('Label')
  authorize(ctx.actor, own ? 'label.create' : 'label.edit_any', { projectRole: loaded.role }, 'Label')
  if (review) authorize(ctx.actor, 'label.review', { projectRole: loaded.role }, 'Label')
  return { label: labelView(found.label), loaded, row: dataRowView(found.row) }
}

const editTarget = (c: { req: { query: (k: string) => string | undefined } }, projectId: string, labelId: string) => {
  const review = c.req.query('review') === '1'
  const back = safeNext(c.req.query('return'), `/projects/${projectId}`)
  const q = new URLSearchParams()
  if (review) q.set('review', '1')
  if (c.req.query('return')) q.set('return', back)
  const qs = q.toString()
  return { review, back, action: `/projects/${projectId}/labels/${labelId}/edit${qs ? `?${qs}` : ''}` }
}

labelingWeb.get('/:id/labels/:labelId/edit', async (c) => {
  const ctx = ctxOf(c)
  const t = editTarget(c, c.req.param('id'), c.req.param('labelId'))
  const { label, loaded, row } = await editable(ctx, c.req.param('id'), c.req.param('labelId'), t.review)
  const a = label.annotations
  return renderPage(c, {
    title: `Edit label · ${loaded.project.name}`,
    section: 'projects',
    wide: true,
    body: (
      <LabelPage
        item={{ loaded, dataRow: row, remaining: 0 }}
        startedAt={Date.now()}
        edit={{ labelId: label.id, action: t.action, back: t.back, review: t.review }}
        state={{ objects: JSON.stringify(a.objects), frames: JSON.stringify(a.frames ?? {}), answers: formFromAnswers(a.classifications) }}
      />
    ),
  })
})

labelingWeb.post('/:id/labels/:labelId/edit', async (c) => {
  const ctx = ctxOf(c)
  const projectId = c.req.param('id')
  const t = editTarget(c, projectId, c.req.param('labelId'))
  const { label, loaded, row } = await editable(ctx, projectId, c.req.param('labelId'), t.review)
  const form = await readFormAll(c)
  const { input, error } = readLabelForm(loaded.project.ontology, form, row.media_type)
  let message = error
  try {
    if (!message) message = labelProblem(loaded.project.ontology, input, row.media_type)
    if (!message) {
      await updateLabel(ctx, label.id, { annotations: carryUnedited(carryFeatureIds(input, label.annotations), label.annotations) })
      if (t.review) {
        await reviewLabel(ctx, label.id, { score: 1 })
        hxTrigger(c, { toast: { value: 'Label fixed and accepted' } })
        return c.redirect(`/projects/${projectId}/review`, 303)
      }
      hxTrigger(c, { toast: { value: 'Label saved' } })
      return c.redirect(t.back, 303)
    }
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e
    message = e.errors.map((x) => `${x.path}: ${x.message}`).join('; ') || e.detail
  }
  return renderPage(c, {
    title: `Edit label · ${loaded.project.name}`,
    section: 'projects',
    status: 422,
    wide: true,
    body: (
      <LabelPage
        item={{ loaded, dataRow: row, remaining: 0 }}
        startedAt={Date.now()}
        edit={{ labelId: label.id, action: t.action, back: t.back, review: t.review }}
        state={{ message, ...entered(form) }}
      />
    ),
  })
})

labelingWeb.get('/:id/review', async (c) => {
  const ctx = ctxOf(c)
  const { loaded, item } = await nextToReview(ctx, c.req.param('id'), c.req.query('after'))
  if (!item) {
    const { project } = loaded
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
