/** @module /api/v1/datasets and /api/v1/data-rows (JSON twins of the Datasets pages). */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { TaskView } from '../tasks/schemas'
import { doc, listOf } from '../../lib/openapi'
import { AppError } from '../../lib/errors'
import { readFormFiles } from '../../lib/forms'
import { ListQuery, validate } from '../../lib/validate'
import { CreateDatasetInput, DataRowErrorView, DataRowView, DatasetView, UpdateDatasetInput } from './schemas'
import { createDataset, getDataset, listDatasets, updateDataset } from './service'
import { createDataRows, deleteDataRow, getDataRow, listDataRows } from './data-rows'
import { startImport } from './imports'
import { dataRowContent } from './content'
import { deleteDataset } from './delete'
import { startMediaAttributes } from './media'
import { beginUpload, completeUpload, uploadFile, uploadPart, MAX_FILE_BYTES } from './uploads'

const BeginUploadInput = v.object({
  filename: v.pipe(v.string('filename is required'), v.minLength(1, 'filename is required'), v.maxLength(500)),
  size: v.pipe(v.number('size must be a number'), v.integer(), v.minValue(1, 'size must be positive')),
})
const CompleteUploadInput = v.object({
  key: v.string('key is required'),
  upload_id: v.string('upload_id is required'),
  filename: v.pipe(v.string(), v.minLength(1), v.maxLength(500)),
  parts: v.pipe(
    v.array(v.object({ part_number: v.pipe(v.number(), v.integer(), v.minValue(1)), etag: v.string() })),
    v.minLength(1, 'parts must not be empty'),
  ),
})

const MAX_SYNC_ROWS = 1_000

export const datasetsApi = new Hono<AppEnv>()
  .get(
    '/datasets',
    doc('Datasets', 'List datasets, newest first', { schema: listOf(DatasetView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listDatasets(ctxOf(c), c.req.valid('query'))),
  )
  .post(
    '/datasets',
    doc('Datasets', 'Create a dataset', { status: 201, schema: DatasetView }),
    validate('json', CreateDatasetInput),
    async (c) => c.json(await createDataset(ctxOf(c), c.req.valid('json')), 201),
  )
  .get('/datasets/:id', doc('Datasets', 'Get a dataset', { schema: DatasetView }), async (c) =>
    c.json(await getDataset(ctxOf(c), c.req.param('id'))),
  )
  .patch(
    '/datasets/:id',
    doc('Datasets', 'Rename or describe a dataset', { schema: DatasetView }),
    validate('json', UpdateDatasetInput),
    async (c) => c.json(await updateDataset(ctxOf(c), c.req.param('id'), c.req.valid('json'))),
  )
  .get(
    '/datasets/:id/data-rows',
    doc('Datasets', 'List data rows of a dataset, newest first', { schema: listOf(DataRowView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listDataRows(ctxOf(c), c.req.param('id'), c.req.valid('query'))),
  )
  .post(
    '/datasets/:id/data-rows',
    doc(
      'Datasets',
      'Create up to 1,000 data rows; partial success: good rows are created, each bad one is reported',
      {
        status: 201,
        schema: v.object({ created: v.array(DataRowView), errors: v.array(DataRowErrorView) }),
      },
      {
        description:
          'Each row: {"row_data", "global_key"?, "external_id"?, "media_type"?, "metadata_fields"?, "attachments"?, "media_attributes"?}. media_attributes are Labelbox’s: width and height (positive whole pixels), mime_type, exif_rotation ("1"–"8"; a number is stored as that string), and any other keys (≤ 8 KB of JSON). A Labelbox export v2 line ({"data_row": {...}, "media_attributes": {...}, …}) is accepted as a row too; its labels are ignored (use label imports).',
      },
    ),
    validate(
      'json',
      v.pipe(
        v.array(v.unknown(), 'the body must be a JSON array of data rows'),
        v.minLength(1, 'send at least one data row'),
        v.maxLength(MAX_SYNC_ROWS, `at most ${MAX_SYNC_ROWS} rows per request; use POST /datasets/{id}/imports for more`),
      ),
    ),
    async (c) => c.json(await createDataRows(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .get('/data-rows', doc('Datasets', 'Find a data row by global key', { schema: DataRowView }), async (c) => {
    const key = c.req.query('global_key')
    if (!key) throw new AppError('VALIDATION', 'global_key is required', [{ path: 'global_key', message: 'global_key is required' }])
    return c.json(await getDataRow(ctxOf(c), { globalKey: key }))
  })
  .get('/data-rows/:id', doc('Datasets', 'Get a data row', { schema: DataRowView }), async (c) =>
    c.json(await getDataRow(ctxOf(c), { id: c.req.param('id') })),
  )
  .delete('/data-rows/:id', doc('Datasets', 'Delete a data row', { status: 204, description: 'Deleted' }), async (c) => {
    await deleteDataRow(ctxOf(c), c.req.param('id'))
    return c.body(null, 204)
  })
  .post(
    '/datasets/:id/imports',
    doc(
      'Datasets',
      'Import a manifest (NDJSON, JSON array or CSV) as a background task with per-line errors',
      { status: 202, description: 'The import-data-rows task', schema: TaskView },
      {
        description:
          'Send the manifest as the request body with Content-Type application/x-ndjson, application/json or text/csv. CSV columns: row_data,global_key,external_id and optional media_type. Up to 1,000,000 rows. Good rows are created; every bad line is reported in the task errors (GET /api/v1/tasks/{id}/errors).',
      },
    ),
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
  .post(
    '/datasets/:id/files',
    doc('Datasets', 'Upload files (multipart/form-data, one or more `file` parts): a data row each, stored in R2', {
      status: 201,
      schema: v.object({ created: v.array(DataRowView) }),
    }),
    async (c) => {
      const ctx = ctxOf(c)
      const files = await readFormFiles(c, 'file')
      if (!files.length)
        throw new AppError('VALIDATION', 'No file parts named "file" in the form', [{ path: 'file', message: 'Add at least one file' }])
      const created = []
      for (const f of files) created.push(await uploadFile(ctx, c.req.param('id'), f))
      return c.json({ created }, 201)
    },
  )
  .post(
    '/datasets/:id/uploads',
    doc('Datasets', `Start a chunked upload of a big file (≤ ${MAX_FILE_BYTES / 1024 ** 3} GB): returns the part size and count`, {
      status: 201,
    }),
    validate('json', BeginUploadInput),
    async (c) => c.json(await beginUpload(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .put(
    '/datasets/:id/uploads/parts',
    doc('Datasets', 'Upload one part (?key=&upload_id=&part=N; body = the bytes)', { description: 'The part etag' }),
    async (c) => {
      // R2 needs each part's length up front (FixedLengthStream): a streamed body without one is refused.
      const declared = c.req.header('Content-Length')
      if (declared === undefined)
        throw new AppError('VALIDATION', 'Content-Length: send the part with its length', [
          { path: 'Content-Length', message: 'send the part with its length' },
        ])
      const length = Number(declared)
      return c.json(
        await uploadPart(
          ctxOf(c),
          c.req.param('id'),
          { key: c.req.query('key') ?? '', uploadId: c.req.query('upload_id') ?? '', part: Number(c.req.query('part')) },
          c.req.raw.body,
          length,
        ),
      )
    },
  )
  .post(
    '/datasets/:id/uploads/complete',
    doc('Datasets', 'Finish a chunked upload: creates the data row', { status: 201, schema: DataRowView }),
    validate('json', CompleteUploadInput),
    async (c) => c.json(await completeUpload(ctxOf(c), c.req.param('id'), c.req.valid('json')), 201),
  )
  .get(
    '/data-rows/:id/content',
    doc(
      'Datasets',
      'The asset: bytes from storage (Range supported), a redirect to its URL, or the raw text',
      { description: 'The asset' },
      {
        description:
          'With ?expires=<unix seconds>&signature=<…> (the links exports write for uploaded files) no session or key is needed: the signature (HMAC-SHA256 over the row id and expiry) is the permission, until expires; a wrong or expired one is a 403.',
      },
    ),
    async (c) => dataRowContent(ctxOf(c), c.req.param('id'), c.req.raw),
  )
  .post(
    '/datasets/:id/media-attributes',
    doc(
      'Datasets',
      'Read the width and height of the dataset’s images whose size is unknown, as a background task',
      { status: 202, description: 'The read-media-attributes task' },
      {
        description:
          'Reads the first bytes of each IMAGE row whose media_attributes lack width or height — uploads from storage, s3:// rows through the dataset’s integration, other URLs over https with Range requests — and stores width, height, mime_type and exif_rotation. A header that cannot be read leaves the row with media_attributes.header_error (the reason) and is listed in the task errors (GET /api/v1/tasks/{id}/errors). While one runs for the dataset, asking again returns it (200).',
      },
    ),
    async (c) => {
      const { task, existing } = await startMediaAttributes(ctxOf(c), c.req.param('id'))
      c.header('Location', `/api/v1/tasks/${task.id}`)
      return c.json(task, existing ? 200 : 202)
    },
  )
  .delete(
    '/datasets/:id',
    doc('Datasets', 'Delete a dataset: 204, or 202 with a task for big ones (gone from lists at once)', {
      status: 204,
      description: 'Deleted',
    }),
    async (c) => {
      const { task } = await deleteDataset(ctxOf(c), c.req.param('id'))
      if (!task) return c.body(null, 204)
      c.header('Location', `/api/v1/tasks/${task.id}`)
      return c.json(task, 202)
    },
  )
