/** @module POST /api/v1/projects/{id}/exports */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc } from '../../lib/api'
import { validate } from '../../lib/validate'
import { ExportInput } from './schemas'
import { startExport } from './service'

export const exportsApi = new Hono<AppEnv>().post(
  '/projects/:id/exports',
  doc('Exports', 'Generate an NDJSON export (Labelbox export v2 lines) as a background task', { status: 202, description: 'The export-data-rows task (the running one when the same export is already under way)' }, {
    description:
      'With params.media_attributes every line carries media_attributes with width, height and mime_type: numbers and a string when known, null when not (POST /datasets/{id}/media-attributes reads unknown image sizes). Uploaded files are linked by https URLs to GET /data-rows/{id}/content signed to open without credentials for 7 days from the start of the export (based on the PUBLIC_URL setting, else the origin of this request); the task metadata and GET /tasks/{id}/result/metadata say so in asset_urls {kind, expires_at, note}.',
  }),
  validate('json', ExportInput),
  async (c) => {
    const { task } = await startExport(ctxOf(c), c.req.param('id'), c.req.valid('json'), new URL(c.req.url).origin)
    c.header('Location', `/api/v1/tasks/${task.id}`)
    return c.json(task, 202)
  },
)
