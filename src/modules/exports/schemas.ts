/** @module Export params and filters (Labelbox's export v2 params: include-flags and filters), validated
 * before a task exists. */
import * as v from 'valibot'
import { FORMAT_WORDS } from '../../../views/exports/formats'

const Flag = (name: string) => v.optional(v.boolean(`${name} must be true or false`), false)

export const ExportParams = v.strictObject(
  {
    data_row_details: Flag('data_row_details'),
    metadata_fields: Flag('metadata_fields'),
    attachments: Flag('attachments'),
    media_attributes: Flag('media_attributes'),
    project_details: Flag('project_details'),
    label_details: Flag('label_details'),
    performance_details: Flag('performance_details'),
  },
  (issue) => `unknown param ${issue.received}`,
)

/** YYYY-MM-DD, "YYYY-MM-DD hh:mm:ss" (UTC) or ISO-8601 with an offset → epoch ms. */
export function parseBound(s: string): number | null {
  let iso: string
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) iso = `${s}T00:00:00Z`
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) iso = `${s.replace(' ', 'T')}Z`
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) iso = s
  else return null
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return null
  // Reject impossible dates that Date.parse would roll over (2026-02-30).
  const day = s.slice(0, 10)
  const check = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))))
  if (check.toISOString().slice(0, 10) !== day) return null
  return t
}

const Bound = v.nullable(
  v.pipe(
    v.string('a date bound must be a string or null'),
    v.check((s) => parseBound(s) !== null, 'must be YYYY-MM-DD, "YYYY-MM-DD hh:mm:ss" or ISO-8601 with an offset'),
  ),
)
const Range = v.pipe(v.tuple([Bound, Bound], 'must be [start | null, end | null]'))
const IdList = (what: string) =>
  v.pipe(
    v.array(v.pipe(v.string(), v.minLength(1)), `${what} must be a list`),
    v.minLength(1, `${what} must not be empty`),
    v.maxLength(2000, `${what} may hold at most 2,000 entries`),
  )

export const WORKFLOW_FILTER = { ToLabel: 'TO_LABEL', InReview: 'IN_REVIEW', InRework: 'IN_REWORK', Done: 'DONE' } as const

export const ExportFilters = v.pipe(
  v.strictObject(
    {
      label_created_at: v.optional(Range),
      last_activity_at: v.optional(Range),
      data_row_ids: v.optional(IdList('data_row_ids')),
      global_keys: v.optional(IdList('global_keys')),
      batch_ids: v.optional(IdList('batch_ids')),
      workflow_status: v.optional(
        v.picklist(
          Object.keys(WORKFLOW_FILTER) as (keyof typeof WORKFLOW_FILTER)[],
          'workflow_status must be one of ToLabel, InReview, InRework, Done',
        ),
      ),
    },
    (issue) => `unknown filter ${issue.received}`,
  ),
  v.forward(
    v.check((f) => !(f.data_row_ids && f.global_keys), 'give data_row_ids or global_keys, not both'),
    ['global_keys'],
  ),
)

/** The file an export writes; `ndjson` is the Labelbox export v2 lines of the spec. */
export const EXPORT_FORMATS = ['ndjson', 'coco', 'yolo', 'voc', 'csv'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** What each format is: its file, and whether it needs image rows (the refusal for other media
 * types). Its name and help line are the views' words (views/exports/formats.ts). */
export const FORMAT_INFO: Record<ExportFormat, { label: string; ext: string; contentType: string; imagesOnly: boolean }> = {
  ndjson: { label: FORMAT_WORDS.ndjson.label, ext: 'ndjson', contentType: 'application/x-ndjson', imagesOnly: false },
  coco: { label: FORMAT_WORDS.coco.label, ext: 'json', contentType: 'application/json', imagesOnly: true },
  yolo: { label: FORMAT_WORDS.yolo.label, ext: 'zip', contentType: 'application/zip', imagesOnly: true },
  voc: { label: FORMAT_WORDS.voc.label, ext: 'zip', contentType: 'application/zip', imagesOnly: true },
  csv: { label: FORMAT_WORDS.csv.label, ext: 'csv', contentType: 'text/csv; charset=utf-8', imagesOnly: false },
}

export const ExportInput = v.object({
  format: v.optional(v.picklist(EXPORT_FORMATS, `format must be one of ${EXPORT_FORMATS.join(', ')}`), 'ndjson'),
  params: v.optional(ExportParams, {}),
  filters: v.optional(ExportFilters, {}),
})
export type ExportInput = v.InferOutput<typeof ExportInput>
export type ExportParams = v.InferOutput<typeof ExportParams>
export type ExportFilters = v.InferOutput<typeof ExportFilters>
