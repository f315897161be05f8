/** @module Every background job, by the queue message kind it handles. The table's type lists
 * every kind of src/lib/jobs.ts: a kind without its job here does not compile. */
import type { Job, QueueKind } from '../lib/jobs'
import { deleteProjectJob } from '../modules/projects/delete'
import { importDataRowsJob } from '../modules/datasets/imports'
import { deleteDatasetJob } from '../modules/datasets/delete'
import { readMediaAttributesJob } from '../modules/datasets/media'
import { exportJob } from '../modules/exports/service'
import { importLabelsJob } from '../modules/labels/import/job'
import { deliveryJob, dispatchJob } from '../modules/webhooks/delivery'

export const jobs = {
  'export-data-rows': exportJob,
  'import-data-rows': importDataRowsJob,
  'import-labels': importLabelsJob,
  'delete-project': deleteProjectJob,
  'delete-dataset': deleteDatasetJob,
  'read-media-attributes': readMediaAttributesJob,
  'webhook-delivery': deliveryJob,
  'webhook-dispatch': dispatchJob,
} satisfies { [K in QueueKind]: Job<K> }
