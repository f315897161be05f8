/** @module Project inputs, and the shapes of project answers (their TS types are inferred here). */
import * as v from 'valibot'
import { MEDIA_TYPES } from '../../db/schema'
import { ORG_ROLES, PROJECT_ROLES } from '../../db/schema/columns'
import { Name, SearchText } from '../../lib/validate'
import { OntologyInput, OntologyView } from './ontology'

const Description = v.pipe(
  v.string('description must be text'),
  v.trim(),
  v.maxLength(2000, 'description must be at most 2,000 characters'),
)
export const MediaTypeSchema = v.picklist(MEDIA_TYPES, `media_type must be one of ${MEDIA_TYPES.join(', ')}`)

export const CreateProjectInput = v.object({
  name: Name,
  description: v.optional(Description, ''),
  media_type: MediaTypeSchema,
  ontology: v.optional(OntologyInput, { tools: [], classifications: [] }),
})
export type CreateProjectInput = v.InferOutput<typeof CreateProjectInput>

export const UpdateProjectInput = v.object({
  name: v.optional(Name),
  description: v.optional(Description),
  ontology: v.optional(OntologyInput),
})
export type UpdateProjectInput = v.InferOutput<typeof UpdateProjectInput>

export const ProjectMemberInput = v.object({ role: v.picklist(PROJECT_ROLES, `role must be one of ${PROJECT_ROLES.join(', ')}`) })
export type ProjectMemberInput = v.InferOutput<typeof ProjectMemberInput>

const IdList = (what: string) =>
  v.pipe(
    v.array(
      v.pipe(
        v.string(`each ${what} must be a string`),
        v.trim(),
        v.minLength(1, `${what} must not be empty`),
        v.maxLength(200, `${what} is too long`),
      ),
      `${what}s must be a list`,
    ),
    v.minLength(1, `${what}s must not be empty`),
    v.maxLength(10_000, `at most 10,000 ${what}s per batch (attach a dataset for more)`),
  )

export const CreateBatchInput = v.pipe(
  v.object({
    name: Name,
    priority: v.optional(
      v.pipe(
        v.number('priority must be a number'),
        v.integer('priority must be a whole number'),
        v.minValue(1, 'priority must be between 1 and 5'),
        v.maxValue(5, 'priority must be between 1 and 5'),
      ),
      5,
    ),
    dataset_id: v.optional(v.pipe(v.string('dataset_id must be a string'), v.minLength(1))),
    data_row_ids: v.optional(IdList('data row id')),
    global_keys: v.optional(IdList('global key')),
  }),
  v.check(
    (b) => [b.dataset_id, b.data_row_ids, b.global_keys].filter((x) => x !== undefined).length === 1,
    'Give exactly one of dataset_id, data_row_ids or global_keys',
  ),
)
export type CreateBatchInput = v.InferOutput<typeof CreateBatchInput>

export const ProjectListQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, 'limit must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(200, 'limit must be at most 200'),
    ),
    '50',
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(500, 'cursor is invalid'))),
  search: v.optional(SearchText),
})

/** A project without its ontology, as the HTML list shows it (src/modules/projects/service.ts). */
export const ProjectSummary = v.object({
  id: v.string(),
  name: v.string(),
  description: v.string(),
  media_type: v.picklist(MEDIA_TYPES),
  created_at: v.string(),
  updated_at: v.string(),
  created_by: v.string(),
  pinned: v.boolean(),
  data_row_count: v.number(),
  label_count: v.number(),
  labeled_count: v.number(),
  skipped_count: v.number(),
  percent_complete: v.number(),
})
export type ProjectSummary = v.InferOutput<typeof ProjectSummary>

export const ProjectView = v.object({ ...ProjectSummary.entries, ontology: OntologyView })
export type ProjectView = v.InferOutput<typeof ProjectView>

/** Someone with access to a project, and through what: their org role, or a project role. */
export const ProjectMemberView = v.object({
  user_id: v.string(),
  email: v.string(),
  full_name: v.string(),
  role: v.picklist(ORG_ROLES),
  access_from: v.picklist(['ORGANIZATION', 'PROJECT']),
  created_at: v.string(),
})
export type ProjectMemberView = v.InferOutput<typeof ProjectMemberView>

/** A batch; `skipped` (rows already in the project) only in the answer that created it. */
export const BatchView = v.object({
  id: v.string(),
  name: v.string(),
  priority: v.number(),
  size: v.number(),
  created_at: v.string(),
  skipped: v.optional(v.number()),
})
export type BatchView = v.InferOutput<typeof BatchView>
