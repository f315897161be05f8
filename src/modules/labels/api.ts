/** @module /api/v1/projects/{id}/labels, /api/v1/labels/{id}, reviews, and the dashboard data. */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { TaskView } from '../tasks/schemas'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { CreateLabelInput, LabelView, ReviewInput, UpdateLabelInput } from './schemas'
import { createLabel, deleteLabel, getLabel, listLabels, reviewLabel, updateLabel } from './service'
import { labelSeries, projectOverview } from '../projects/dashboard'
import { startLabelImport } from './import/start'

const ScopeQuery = v.object({ scope: v.optional(v.picklist(['all', 'mine'], 'scope must be all or mine'), 'all') })
const SeriesQuery = v.object({
  bucket: v.optional(v.picklist(['day', 'week', 'month'], 'bucket must be day, week or month'), 'day'),
  scope: v.optional(v.picklist(['all', 'mine'], 'scope must be all or mine'), 'all'),
})

export const labelsApi = new Hono<AppEnv>()
  .post(
    '/projects/:id/labels',
    doc(
      'Labels',
      'Create a label for a data row of the project (annotations by feature name)',
      { status: 201, schema: LabelView },
      {
        description:
          'annotations: {objects, classifications, relationships} in Labelbox export v2 shapes. Objects and answers may carry `confidence` (0–1) and `custom_metrics` ([{name, value}]); a mask is {url, colorRGB?}. A relationship is {name, source, target, unidirectional?}: source and target are feature_ids of objects of the same label (a tool of kind relationship in the ontology). VIDEO projects also take `frames` ({"<n>": {objects: {feature_id: object}, classifications}}), `segments` (feature_id → [[start, end], …]) and `key_frame_feature_map`; every frame object and frame answer counts as an annotation.',
      },
    ),
    validate('json', CreateLabelInput),
    async (c) => c.json(await createLabel(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .get(
    '/projects/:id/labels',
    doc('Labels', 'List labels, newest first (labelers: their own)', { schema: listOf(LabelView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listLabels(ctxOf(c), c.req.param('id'), c.req.valid('query'))),
  )
  .get('/labels/:id', doc('Labels', 'Get a label', { schema: LabelView }), async (c) => c.json(await getLabel(ctxOf(c), c.req.param('id'))))
  .patch(
    '/labels/:id',
    doc(
      'Labels',
      'Edit annotations or time (own labels; reviewers and up: anyone’s)',
      { schema: LabelView },
      {
        description:
          'An edit replaces the label’s annotations in place — same label id, same author, `updated_at` moves — and keeps the annotations it replaces as an earlier version (who edited, when), listed on the data row’s page (“edited by …, N versions”). Exports and webhooks carry the current version only. Editing only `seconds_to_create` makes no version. Deleting a label deletes its versions.',
      },
    ),
    validate('json', UpdateLabelInput),
    async (c) => c.json(await updateLabel(ctxOf(c), c.req.param('id'), c.req.valid('json'))),
  )
  .delete(
    '/labels/:id',
    doc('Labels', 'Delete a label (usage still counts its annotations)', { status: 204, description: 'Deleted' }),
    async (c) => {
      await deleteLabel(ctxOf(c), c.req.param('id'))
      return c.body(null, 204)
    },
  )
  .post(
    '/labels/:id/reviews',
    doc('Labels', 'Review a label: 1 accepts, -1 declines', { status: 201 }),
    validate('json', ReviewInput),
    async (c) => c.json(await reviewLabel(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .get(
    '/projects/:id/overview',
    doc('Projects', 'Dashboard numbers: progress, reviews, objects, classifications, collaborators'),
    validate('query', ScopeQuery),
    async (c) => c.json(await projectOverview(ctxOf(c), c.req.param('id'), c.req.valid('query').scope)),
  )
  .get(
    '/projects/:id/label-series',
    doc('Projects', 'Labels created per day, week or month'),
    validate('query', SeriesQuery),
    async (c) => {
      const q = c.req.valid('query')
      return c.json(await labelSeries(ctxOf(c), c.req.param('id'), q.bucket, q.scope))
    },
  )
  .post(
    '/projects/:id/label-imports',
    doc(
      'Labels',
      'Import labels from Labelbox NDJSON (export v2 lines or annotation-import lines) as a background task',
      { status: 202, description: 'The import-labels task', schema: TaskView },
      {
        description:
          "Body: NDJSON (Content-Type application/x-ndjson). `?dataset_id=` creates data rows missing from the organization (export v2 lines, matched by global key) in that dataset; `?create_ontology=true` adds features the ontology lacks (keeping the file's feature schema ids where unique). Annotation-import lines may be boxes, polygons, lines, points, masks (`instanceURI` or `png`, with `colorRGB`), text entities, answers (nested too), relationships (`relationship: {source, target, type}`, source and target being uuids of objects of the same data row; a dangling one is that line's error), and with `confidence` / `customMetrics`; on VIDEO projects also video lines (objects with `segments[].keyframes[]`, classifications with `frames: [{start, end}]`). An annotation's uuid (annotation-import) or feature_id (export v2) is its identity: importing it again updates its label in place, and an unchanged file changes nothing. The task's metadata counts `lines_imported` and `lines_failed` (together every line of the file), `labels_created`, `labels_updated` (changed in place), `labels_unchanged` and `notices`; `GET /tasks/{id}/errors` lists each failed line, and each notice (`\"notice\": true`: the line imported with a change, such as a replaced feature schema id).",
      },
    ),
    async (c) => {
      const ctx = ctxOf(c)
      const q = c.req.query()
      if (q.create_ontology !== undefined && !['true', 'false'].includes(q.create_ontology)) {
        throw new AppError('VALIDATION', 'create_ontology must be true or false', [
          { path: 'create_ontology', message: 'must be true or false' },
        ])
      }
      const task = await startLabelImport(ctx, c.req.param('id'), {
        body: c.req.raw.body,
        contentType: c.req.header('Content-Type'),
        contentLength: c.req.header('Content-Length'),
        datasetId: q.dataset_id || undefined,
        createOntology: q.create_ontology === 'true',
        filename: q.filename,
      })
      c.header('Location', `/api/v1/tasks/${task.id}`)
      return c.json(task, 202)
    },
  )
