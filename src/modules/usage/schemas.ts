/** @module Usage inputs and views: the date range (`?start_date&end_date`) and the JSON answer. */
import * as v from 'valibot'

export const MAX_RANGE_DAYS = 366
const DAY_MS = 86_400_000

const isRealDay = (s: string) => {
  const t = Date.parse(`${s}T00:00:00Z`)
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s
}

/** One error per bad field: the first check that fails says it (a date that is not YYYY-MM-DD is
 * not also "not a real calendar date"). */
const DateField = (name: string) =>
  v.config(
    v.pipe(
      v.optional(v.string(`${name} must be a string`), ''),
      v.trim(),
      v.minLength(1, `${name} is required`),
      v.regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date like 2026-01-31 (YYYY-MM-DD)`),
      v.check(isRealDay, `${name} is not a real calendar date`),
    ),
    { abortPipeEarly: true },
  )

/** Days between two YYYY-MM-DD dates. */
export const daysBetween = (start: string, end: string) =>
  Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS)

/** The range checks run even when a date failed (valibot forwards them anyway); a bad date is
 * already one error and not also a bad range. */
const bothDays = (r: { start_date: unknown; end_date: unknown }) =>
  [r.start_date, r.end_date].every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && isRealDay(d))

/** Start inclusive, end exclusive, GMT days; end after start; at most a year (366 days). */
export const UsageRange = v.pipe(
  v.object({ start_date: DateField('start_date'), end_date: DateField('end_date') }),
  v.forward(
    v.check((r) => !bothDays(r) || r.end_date > r.start_date, 'end_date must be after start_date (the end is exclusive)'),
    ['end_date'],
  ),
  v.forward(
    v.check(
      (r) => !bothDays(r) || daysBetween(r.start_date, r.end_date) <= MAX_RANGE_DAYS,
      `the range must be at most ${MAX_RANGE_DAYS} days`,
    ),
    ['end_date'],
  ),
)
export type UsageRange = v.InferOutput<typeof UsageRange>

const Counts = { image: v.number(), video: v.number(), text: v.number(), other: v.number(), total: v.number() }
export const UsageDayView = v.object({ date: v.string(), ...Counts })
export const UsageView = v.object({ days: v.array(UsageDayView), totals: v.object(Counts), updated_at: v.nullable(v.string()) })
export type UsageView = v.InferOutput<typeof UsageView>
