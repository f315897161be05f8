/**
 * @module Starting a label import (`POST /api/v1/projects/:id/labels/imports`): checks the request,
 * streams the NDJSON file into R2 and starts the `import-labels` task (./job.ts). Bad requests fail
 * before a task exists.
 */
import { and, eq, sql } from 'drizzle-orm'
import { datasets } from '../../../db/schema'
import type { Ctx } from '../../../env'
import { authorize } from '../../../auth/permissions'
import { AppError } from '../../../lib/errors'
import { streamToR2 } from '../../../lib/r2'
import { startTask, type TaskView } from '../../tasks/service'
import { loadProject } from '../../projects/service'
import { formatFromContentType } from '../../datasets/manifest'
import type { Params } from './types'

const MAX_BYTES = 1024 * 1024 * 1024

export async function startLabelImport(
  ctx: Ctx,
  projectId: string,
  req: {
    body: ReadableStream<Uint8Array> | null
    contentType?: string
    contentLength?: string
    datasetId?: string
    createOntology: boolean
    filename?: string
  },
): Promise<TaskView> {
  const { project } = await loadProject(ctx, projectId, 'label.import')
  if (formatFromContentType(req.contentType) !== 'ndjson') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the labels as NDJSON (Content-Type: application/x-ndjson): Labelbox export v2 lines or annotation-import lines',
    )
  }
  if (req.datasetId) {
    const d = await ctx.db
      .select({ id: datasets.id })
      .from(datasets)
      .where(and(eq(datasets.id, req.datasetId), eq(datasets.orgId, ctx.actor.orgId), sql`${datasets.deletedAt} IS NULL`))
      .get()
    if (!d) throw new AppError('VALIDATION', `Unknown dataset: ${req.datasetId}`, [{ path: 'dataset_id', message: 'Dataset not found' }])
    // Creating missing data rows adds to a dataset: that needs the dataset permission too.
    authorize(ctx.actor, 'dataset.manage')
  }
  const declared = req.contentLength ? Number(req.contentLength) : undefined
  if (declared !== undefined && declared > MAX_BYTES)
    throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${MAX_BYTES / 1024 / 1024} MB`)
  if (!req.body || declared === 0) throw new AppError('VALIDATION', 'The file is empty', [{ path: 'body', message: 'The file is empty' }])
  const key = `label-imports/${ctx.actor.orgId}/${project.id}/${crypto.randomUUID()}.ndjson`
  const size = await streamToR2(ctx.env.ASSETS_BUCKET, key, req.body, MAX_BYTES)
  if (size === 0) throw new AppError('VALIDATION', 'The file is empty', [{ path: 'body', message: 'The file is empty' }])
  const params: Params = { project_id: project.id, key, size, dataset_id: req.datasetId ?? null, create_ontology: req.createOntology }
  const { task } = await startTask(ctx, {
    type: 'import-labels',
    name: `Import labels ${req.filename ? `“${req.filename.slice(0, 120)}” ` : ''}into “${project.name}”`,
    subjectId: project.id,
    params,
    metadata: {
      bytes_total: size,
      bytes_done: 0,
      labels_created: 0,
      labels_unchanged: 0,
      labels_updated: 0,
      lines_failed: 0,
      lines_imported: 0,
      notices: 0,
    },
  })
  return task
}
