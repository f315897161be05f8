/** @module Label inputs (annotations are checked against the ontology in annotations.ts). */
import * as v from 'valibot'

const Seconds = v.pipe(v.number('seconds_to_create must be a number'), v.minValue(0, 'seconds_to_create must not be negative'), v.maxValue(86_400 * 7, 'seconds_to_create is implausibly large'))

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
