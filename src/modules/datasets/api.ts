/** @module /api/v1/datasets and /api/v1/data-rows (JSON twins of the Datasets pages). */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/api'
import { AppError } from '../../lib/errors'
import { ListQuery, validate } from '../../lib/validate'
import { CreateDatasetInput, DataRowErrorView, DataRowView, DatasetView, UpdateDatasetInput } from './schemas'
import { createDataset, getDataset, listDatasets, updateDataset } from './service'
import { createDataRows, deleteDataRow, getDataRow, listDataRows } from './data-rows'
import { startImport } from './imports'

const MAX_SYNC_ROWS = 1_000

export const datasetsApi = new Hono<AppEnv>()
  .get('/datasets', doc('Datasets', 'List datasets, newest first', { schema: listOf(DatasetView) }), validate('query', ListQuery), async (c) => c.json(await listDatasets(ctxOf(c), c.req.valid('query'))))
  .post('/datasets', doc('Datasets', 'Create a dataset', { status: 201, schema: DatasetView }), validate('json', CreateDatasetInput), async (c) => c.json(await createDataset(ctxOf(c), c.req.valid('json')), 201))
  .get('/datasets/:id', doc('Datasets', 'Get a dataset', { schema: DatasetView }), async (c) => c.json(await getDataset(ctxOf(c), c.req.param('id'))))
  .patch('/datasets/:id', doc('Datasets', 'Rename or describe a dataset', { schema: DatasetView }), validate('json', UpdateDatasetInput), async (c) =>
    c.json(await updateDataset(ctxOf(c), c.req.param('id'), c.req.valid('json'))),
  )
  .get('/datasets/:id/data-rows', doc('Datasets', 'List data rows of a dataset, newest first', { schema: listOf(DataRowView) }), validate('query', ListQuery), async (c) =>
    c.json(await listDataRows(ctxOf(c), c.req.param('id'), c.req.valid('query'))),
  )
  .post(
    '/datasets/:id/data-rows',
    doc('Datasets', 'Create up to 1,000 data rows; partial success: good rows are created, each bad one is reported', {
      status: 201,
      schema: v.object({ created: v.array(DataRowView), errors: v.array(DataRowErrorView) }),
    }),
    validate('json', v.pipe(v.array(v.unknown(), 'the body must be a JSON array of data rows'), v.minLength(1, 'send at least one data row'), v.maxLength(MAX_SYNC_ROWS, `at most ${MAX_SYNC_ROWS} rows per request; use POST /datasets/{id}/imports for more`))),
    async (c) => c.json(await createDataRows(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .get('/data-rows', doc('Datasets', 'Find a data row by global key', { schema: DataRowView }), async (c) => {
    const key = c.req.query('global_key')
    if (!key) throw new AppError('VALIDATION', 'global_key is required', [{ path: 'global_key', message: 'global_key is required' }])
    return c.json(await getDataRow(ctxOf(c), { globalKey: key }))
  })
  .get('/data-rows/:id', doc('Datasets', 'Get a data row', { schema: DataRowView }), async (c) => c.json(await getDataRow(ctxOf(c), { id: c.req.param('id') })))
  .delete('/data-rows/:id', doc('Datasets', 'Delete a data row', { status: 204, description: 'Deleted' }), async (c) => {
    await deleteDataRow(ctxOf(c), c.req.param('id'))
    return c.body(null, 204)
  })
  .post(
    '/datasets/:id/imports',
    doc('Datasets', 'Import a manifest (NDJSON, JSON array or CSV) as a background task with per-line errors', { status: 202, description: 'The import-data-rows task' }, {
      description: 'Send the manifest as the request body with Content-Type application/x-ndjson, application/json or text/csv. CSV columns: row_data,global_key,external_id and optional media_type. Up to 1,000,000 rows. Good rows are created; every bad line is reported in the task errors (GET /api/v1/tasks/{id}/errors).',
    }),
    async (c) => {
      const task = await startImport(ctxOf(c), c.req.param('id'), {
        body: c.req.raw.body,
        contentType: c.req.header('Content-Type'),
        contentLength: c.req.header('Content-Length'),
        filename: c.req.query('filename'),
      })
      c.header('Location', `/api/v1/tasks/${task.id}`)
      return c.json(task, 202)
    },
  )
