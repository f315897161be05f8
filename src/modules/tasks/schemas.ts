/** @module The shape of a task in answers (its TS type is inferred here). */
import * as v from 'valibot'
import { TASK_STATUSES, TASK_TYPES } from '../../db/schema'

export const TaskView = v.object({
  id: v.string(),
  name: v.string(),
  type: v.picklist(TASK_TYPES),
  status: v.picklist(TASK_STATUSES),
  completion_percentage: v.number(),
  created_by: v.string(),
  created_at: v.string(),
  updated_at: v.string(),
  finished_at: v.nullable(v.string()),
  result_url: v.nullable(v.string()),
  errors_url: v.nullable(v.string()),
  failure_reason: v.nullable(v.string()),
  metadata: v.record(v.string(), v.unknown()),
  /** Running, but no progress for a while: the cron is reviving it (src/modules/tasks/service.ts). */
  resuming: v.boolean(),
})
export type TaskView = v.InferOutput<typeof TaskView>
