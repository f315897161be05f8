/** @module POST /api/v1/projects/{id}/exports */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { TaskView } from '../tasks/schemas'
import { doc } from '../../lib/openapi'
import { validate } from '../../lib/validate'
import { ExportInput } from './schemas'
import { startExport } from './service'

export const exportsApi = new Hono<AppEnv>().post(
  '/projects/:id/exports',
  doc('Exports', 'Generate an NDJSON export (Labelbox export v2 lines) as a background task', { status: 202, description: 'The export-data-rows task (the running one when the same export is already under way)', schema: TaskView }),
  validate('json', ExportInput),
  async (c) => {
    const { task } = await startExport(ctxOf(c), c.req.param('id'), c.req.valid('json'))
    c.header('Location', `/api/v1/tasks/${task.id}`)
    return c.json(task, 202)
  },
)
