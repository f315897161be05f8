/** @module Dataset inputs, and the shapes of dataset and data-row answers (their TS types are
 * inferred here). */
import * as v from 'valibot'
import { DATA_MEDIA_TYPES } from '../../db/schema'
import { Name } from '../../lib/validate'

const Description = v.pipe(
  v.string('description must be text'),
  v.trim(),
  v.maxLength(2000, 'description must be at most 2,000 characters'),
)

export const CreateDatasetInput = v.object({ name: Name, description: v.optional(Description, '') })
export type CreateDatasetInput = v.InferOutput<typeof CreateDatasetInput>
export const UpdateDatasetInput = v.object({ name: v.optional(Name), description: v.optional(Description) })
export type UpdateDatasetInput = v.InferOutput<typeof UpdateDatasetInput>

export const DatasetView = v.object({
  id: v.string(),
  name: v.string(),
  description: v.string(),
  row_count: v.number(),
  created_at: v.string(),
  updated_at: v.string(),
  created_by: v.string(),
  integration_id: v.nullable(v.string()),
})
export type DatasetView = v.InferOutput<typeof DatasetView>

const MetadataFieldView = v.object({
  name: v.string(),
  value: v.union([v.string(), v.number(), v.boolean(), v.null()]),
  schema_id: v.optional(v.string()),
})
const AttachmentView = v.object({ type: v.string(), value: v.string(), name: v.optional(v.string()) })
export const DataRowView = v.object({
  id: v.string(),
  dataset_id: v.string(),
  row_data: v.string(),
  global_key: v.nullable(v.string()),
  external_id: v.nullable(v.string()),
  media_type: v.picklist(DATA_MEDIA_TYPES),
  metadata_fields: v.array(MetadataFieldView),
  attachments: v.array(AttachmentView),
  media_attributes: v.pipe(
    v.nullable(
      v.looseObject({
        mime_type: v.optional(v.nullable(v.string())),
        width: v.optional(v.nullable(v.number())),
        height: v.optional(v.nullable(v.number())),
        exif_rotation: v.optional(v.nullable(v.string())),
        file_size: v.optional(v.number()),
        file_name: v.optional(v.string()),
        header_error: v.optional(v.string()),
      }),
    ),
    v.description(
      'Labelbox media attributes: width and height in pixels as displayed (EXIF orientation applied), mime_type, exif_rotation ("1"–"8", when the file has one); uploads add file_size and file_name; header_error says why an image’s size could not be read. null when nothing is known.',
    ),
  ),
  created_at: v.string(),
  updated_at: v.string(),
  created_by: v.string(),
})
export type DataRowView = v.InferOutput<typeof DataRowView>

/** A row of a create-data-rows request that was refused (`index` is its place in the request). */
export const DataRowErrorView = v.object({ index: v.number(), global_key: v.nullable(v.string()), field: v.string(), message: v.string() })
export type DataRowErrorView = v.InferOutput<typeof DataRowErrorView>
