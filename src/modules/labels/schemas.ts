/** @module Label inputs (annotations are checked against the ontology in annotations.ts), and the
 * shape of a label in answers (its TS type is inferred here). */
import * as v from 'valibot'
import { REVIEW_STATES } from '../../db/schema'

const Seconds = v.pipe(
  v.number('seconds_to_create must be a number'),
  v.minValue(0, 'seconds_to_create must not be negative'),
  v.maxValue(86_400 * 7, 'seconds_to_create is implausibly large'),
)

export const CreateLabelInput = v.pipe(
  v.object({
    data_row_id: v.optional(v.pipe(v.string(), v.minLength(1))),
    global_key: v.optional(v.pipe(v.string(), v.minLength(1))),
    annotations: v.optional(v.unknown()),
    seconds_to_create: v.optional(Seconds, 0),
    skipped: v.optional(v.boolean('skipped must be true or false'), false),
  }),
  v.check((i) => (i.data_row_id === undefined) !== (i.global_key === undefined), 'Give exactly one of data_row_id or global_key'),
)
export type CreateLabelInput = v.InferOutput<typeof CreateLabelInput>

export const UpdateLabelInput = v.object({
  annotations: v.optional(v.unknown()),
  seconds_to_create: v.optional(Seconds),
})
export type UpdateLabelInput = v.InferOutput<typeof UpdateLabelInput>

export const ReviewInput = v.object({ score: v.picklist([1, -1], 'score must be 1 (accept) or -1 (decline)') })
export type ReviewInput = v.InferOutput<typeof ReviewInput>

const Annotations = v.object({
  objects: v.array(v.record(v.string(), v.unknown())),
  classifications: v.array(v.record(v.string(), v.unknown())),
  relationships: v.array(v.unknown()),
  /** Video rows: per 1-based frame number, that frame's objects (feature_id → object) and classifications. */
  frames: v.optional(
    v.record(
      v.string(),
      v.object({
        objects: v.record(v.string(), v.record(v.string(), v.unknown())),
        classifications: v.array(v.record(v.string(), v.unknown())),
      }),
    ),
  ),
  /** Video rows: each object's frame ranges, [[start, end], …]. */
  segments: v.optional(v.record(v.string(), v.array(v.tuple([v.number(), v.number()])))),
  /** Video rows: each object's key frames ("<n>" → true). */
  key_frame_feature_map: v.optional(v.record(v.string(), v.record(v.string(), v.boolean()))),
})

export const LabelView = v.object({
  id: v.string(),
  project_id: v.string(),
  data_row_id: v.string(),
  created_by: v.string(),
  /** The author's email, where the answer has it (a created label, the list). */
  created_by_email: v.optional(v.string()),
  created_at: v.string(),
  updated_at: v.string(),
  seconds_to_create: v.number(),
  skipped: v.boolean(),
  imported: v.boolean(),
  review_state: v.picklist(REVIEW_STATES),
  annotations: Annotations,
})
export type LabelView = v.InferOutput<typeof LabelView>
