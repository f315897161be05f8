/** @module Dataset inputs. */
import * as v from 'valibot'
import { Name } from '../../lib/validate'

const Description = v.pipe(v.string('description must be text'), v.trim(), v.maxLength(2000, 'description must be at most 2,000 characters'))

export const CreateDatasetInput = v.object({ name: Name, description: v.optional(Description, '') })
export type CreateDatasetInput = v.InferOutput<typeof CreateDatasetInput>
export const UpdateDatasetInput = v.object({ name: v.optional(Name), description: v.optional(Description) })
export type UpdateDatasetInput = v.InferOutput<typeof UpdateDatasetInput>

export const DatasetView = v.object({
  id: v.string(), name: v.string(), description: v.string(), row_count: v.number(), created_at: v.string(), updated_at: v.string(), created_by: v.string(), integration_id: v.nullable(v.string()),
})
export const DataRowView = v.object({
  id: v.string(), dataset_id: v.string(), row_data: v.string(), global_key: v.nullable(v.string()), external_id: v.nullable(v.string()), media_type: v.string(),
  metadata_fields: v.array(v.object({ name: v.string(), value: v.unknown() })), attachments: v.array(v.object({ type: v.string(), value: v.string(), name: v.optional(v.string()) })),
  created_at: v.string(), updated_at: v.string(), created_by: v.string(),
})
export const DataRowErrorView = v.object({ index: v.number(), global_key: v.nullable(v.string()), field: v.string(), message: v.string() })
