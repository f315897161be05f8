/** @module Account → Usage (admins): total, the annotation breakdown chart (stacked by asset type,
 * per day; per week or month for long ranges), the date-range picker, the Organization usage and
 * Labeling breakdown tables, "last updated" and the CSV link. Numbers come from the cron rollups. */
import { BarChart, type ChartKey, type StackPoint } from '../components/chart'
import { PageHeader, Time } from '../components/ui'
import { AccountTabs } from '../account/tabs'
import { formatNumber } from '../format'
import type { AssetCounts, LabelingBreakdown, MonthUsage, UsageDay } from '../../src/modules/usage/service'

export const ASSET_KEYS: ChartKey[] = [
  { key: 'image', label: 'Images', color: 'var(--c-image)' },
  { key: 'video', label: 'Video', color: 'var(--c-video)' },
  { key: 'text', label: 'Text', color: 'var(--c-text)' },
  { key: 'other', label: 'Other', color: 'var(--c-other)' },
]

export const PRESETS = [7, 30, 90, 365] as const
export type Bucket = 'day' | 'week' | 'month'

const DAY_MS = 86_400_000
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`)
const addDays = (d: string, n: number) => new Date(dayMs(d) + n * DAY_MS).toISOString().slice(0, 10)

/** Days up to 90 per bar; weeks up to 180 days; months beyond. */
export function bucketFor(start: string, end: string): Bucket {
  const n = Math.round((dayMs(end) - dayMs(start)) / DAY_MS)
  return n <= 90 ? 'day' : n <= 180 ? 'week' : 'month'
}

/** Every bucket of [start, end), zeros included, with the days summed into it. Weeks run from the
 * range start; months are calendar months (the first and last may be partial). */
export function bucketize(days: readonly UsageDay[], start: string, end: string, bucket: Bucket): StackPoint[] {
  const keyOf = (day: string) =>
    bucket === 'day'
      ? day
      : bucket === 'week'
        ? addDays(start, Math.floor((dayMs(day) - dayMs(start)) / DAY_MS / 7) * 7)
        : `${day.slice(0, 7)}-01`
  const out = new Map<string, StackPoint>()
  for (let d = start; d < end; d = addDays(d, 1)) {
    const k = keyOf(d)
    if (!out.has(k)) out.set(k, { start: k, values: { image: 0, video: 0, text: 0, other: 0 } })
  }
  for (const d of days) {
    const p = out.get(keyOf(d.date))
    if (!p) continue
    for (const k of ['image', 'video', 'text', 'other'] as const) p.values[k] = (p.values[k] ?? 0) + d[k]
  }
  return [...out.values()]
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const shortDay = (d: string) => `${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8, 10))}`
const monthName = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  return `${Math.floor(m / 60)}h ${m % 60}m`
}

export type UsagePageProps = {
  start: string
  end: string
  /** The preset the range matches (days), if any. */
  preset: number | null
  days: UsageDay[]
  totals: AssetCounts
  updatedAt: string | null
  months: MonthUsage[]
  breakdown: LabelingBreakdown
  errors?: { path: string; message: string }[]
  /** With errors: the dates as typed, kept in the form (the page shows the default range). */
  typed?: { start: string; end: string }
  /** Where this deployment answers (the request's origin), for the copyable API examples. */
  origin: string
}

/** The GraphQL request of the "From the API" example: the fields of src/modules/usage/graphql.ts. */
export function graphqlExample(start: string, end: string) {
  return {
    query:
      'query Usage($where: AnnotationCountWhere!) { annotationCounts(where: $where, orderBy: CREATION_DATE_ASC) { creationDate image video text updateTime } }',
    variables: { where: { startDate: start, endDate: end } },
  }
}

/** The same numbers for programs: GraphQL (Labelbox-style) and REST, each a curl line to copy. */
function ApiExamples(props: { origin: string; start: string; end: string }) {
  const gql = [
    `curl -s ${props.origin}/graphql \\`,
    '  -H "Authorization: Bearer $LABELDESK_API_KEY" \\',
    "  -H 'Content-Type: application/json' \\",
    `  -d '${JSON.stringify(graphqlExample(props.start, props.end))}'`,
  ].join('\n')
  const rest = `curl -s -H "Authorization: Bearer $LABELDESK_API_KEY" '${props.origin}/api/v1/usage?start_date=${props.start}&end_date=${props.end}'`
  return (
    <section class="card" id="usage-api">
      <h2>From the API</h2>
      <p>
        An admin's API key (Account → API) reads the same daily counts. <code>POST /graphql</code> answers{' '}
        <code>annotationCounts(where: {'{startDate, endDate}'}, orderBy)</code> like Labelbox's usage query: per GMT day{' '}
        <code>creationDate</code>, <code>image</code>, <code>video</code>, <code>text</code> and <code>updateTime</code>; the start is
        inclusive, the end exclusive, at most 366 days; days without annotations are left out.
      </p>
      <div class="code-copy">
        {/* Focusable so a keyboard can scroll a long command (axe: scrollable-region-focusable). */}
        <pre id="usage-graphql-curl" tabindex={0} role="region" aria-label="GraphQL request as curl">
          {gql}
        </pre>
        <button type="button" class="btn btn-sm" data-copy="#usage-graphql-curl">
          Copy
        </button>
      </div>
      <p class="small muted">
        The REST twin, <code>GET /api/v1/usage</code> (in the <a href="/api/docs">API reference</a>), also counts other media:
      </p>
      <div class="code-copy">
        <pre id="usage-rest-curl" tabindex={0} role="region" aria-label="REST request as curl">
          {rest}
        </pre>
        <button type="button" class="btn btn-sm" data-copy="#usage-rest-curl">
          Copy
        </button>
      </div>
    </section>
  )
}

function RangePicker(props: { start: string; end: string; preset: number | null; errors?: { path: string; message: string }[] }) {
  const err = (f: string) => props.errors?.find((e) => e.path === f)?.message
  return (
    <form class="usage-range" method="get" action="/account/usage" aria-label="Date range">
      <div class="usage-presets" role="group" aria-label="Presets">
        {PRESETS.map((n) => (
          <a
            class={`btn btn-sm${props.preset === n ? ' btn-primary' : ''}`}
            href={`/account/usage?days=${n}`}
            aria-current={props.preset === n ? 'true' : undefined}
          >
            Last {n} days
          </a>
        ))}
      </div>
      <label>
        From <input type="date" name="start_date" value={props.start} required aria-invalid={err('start_date') ? 'true' : undefined} />
      </label>
      <label>
        To (exclusive) <input type="date" name="end_date" value={props.end} required aria-invalid={err('end_date') ? 'true' : undefined} />
      </label>
      <button class="btn" type="submit">
        Apply
      </button>
      {props.errors?.length ? (
        <p class="field-error" role="alert">
          {props.errors.map((e) => e.message).join('; ')}
        </p>
      ) : null}
    </form>
  )
}

export function UsagePage(p: UsagePageProps) {
  const bucket = bucketFor(p.start, p.end)
  const points = bucketize(p.days, p.start, p.end, bucket)
  const csv = `/account/usage.csv?start_date=${p.start}&end_date=${p.end}`
  const lastDay = addDays(p.end, -1)
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/usage" />
      <div class="stack">
        <section class="card usage-summary">
          <div class="usage-head">
            <div>
              <h2>Annotation usage</h2>
              <p class="usage-total">
                <strong id="usage-total">{formatNumber(p.totals.total)}</strong> annotations from {p.start} to {lastDay} (GMT)
              </p>
              <p class="small muted">
                Every object and classification answer, nested ones and deleted ones included. Last updated{' '}
                <span id="usage-updated">{p.updatedAt ? <Time value={p.updatedAt} /> : 'never (the rollup has not run yet)'}</span>.
              </p>
            </div>
            <a class="btn" id="usage-csv" href={csv} download>
              Download CSV
            </a>
          </div>
          <RangePicker start={p.typed?.start ?? p.start} end={p.typed?.end ?? p.end} preset={p.preset} errors={p.errors} />
        </section>
        <section class="card">
          <h2>Annotation breakdown</h2>
          <BarChart
            id="usage-chart"
            title={`Annotations per ${bucket} by asset type`}
            data={points}
            keys={ASSET_KEYS}
            width={1000}
            height={260}
            narrowWidth={340}
            formatX={(s) => (bucket === 'month' ? monthName(s.slice(0, 7)).slice(0, 3) : shortDay(s))}
            formatBucket={(s) => (bucket === 'month' ? monthName(s.slice(0, 7)) : bucket === 'week' ? `week of ${s}` : s)}
            unit={['annotation', 'annotations']}
            bucketLabel={bucket === 'day' ? 'Day' : bucket === 'week' ? 'Week' : 'Month'}
            empty={<p class="muted">No annotations in this range.</p>}
            note={bucket === 'day' ? undefined : `One bar per ${bucket} for ranges over ${bucket === 'week' ? 90 : 180} days.`}
          />
          {p.totals.total === 0 ? null : (
            <div class="legend usage-legend" role="group" aria-label="Totals by asset type">
              {ASSET_KEYS.map((k) => (
                <span style={`--swatch:${k.color}`}>
                  {k.label}: {formatNumber(p.totals[k.key as 'image'])}
                </span>
              ))}
            </div>
          )}
        </section>
        <section class="card">
          <h2>Organization usage</h2>
          <div class="table-wrap">
            <table class="table" id="usage-months">
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col" class="num">
                    Annotations
                  </th>
                  <th scope="col" class="num">
                    Labels
                  </th>
                  <th scope="col" class="num">
                    Data rows
                  </th>
                  <th scope="col" class="num">
                    Members
                  </th>
                  <th scope="col" class="num">
                    Projects
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.months.map((m) => (
                  <tr>
                    <th scope="row">{monthName(m.month)}</th>
                    <td class="num">{formatNumber(m.annotations)}</td>
                    <td class="num">{formatNumber(m.labels)}</td>
                    <td class="num">{formatNumber(m.data_rows)}</td>
                    <td class="num">{formatNumber(m.members)}</td>
                    <td class="num">{formatNumber(m.projects)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="small muted">Data rows, members and projects: created that month, deleted ones included (as annotations are).</p>
        </section>
        <section class="card">
          <h2>Labeling breakdown</h2>
          <div class="stack">
            <BreakdownTable id="usage-projects" label="Project" rows={p.breakdown.projects} empty="No labeling in this range." />
            <BreakdownTable id="usage-members" label="Member" rows={p.breakdown.members} empty="No labeling in this range." />
          </div>
        </section>
        <ApiExamples origin={p.origin} start={p.start} end={p.end} />
      </div>
    </>
  )
}

function BreakdownTable(props: { id: string; label: string; rows: LabelingBreakdown['projects']; empty: string }) {
  return (
    <div class="table-wrap">
      <table class="table" id={props.id}>
        <thead>
          <tr>
            <th scope="col">{props.label}</th>
            <th scope="col" class="num">
              Labels
            </th>
            <th scope="col" class="num">
              Annotations
            </th>
            <th scope="col" class="num">
              Labeling time
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length ? (
            props.rows.map((r) => (
              <tr>
                <th scope="row">
                  {r.name}
                  {r.email ? <span class="small muted"> {r.email}</span> : null}
                </th>
                <td class="num">{formatNumber(r.labels)}</td>
                <td class="num">{formatNumber(r.annotations)}</td>
                <td class="num" title={`${formatNumber(r.seconds_total)} seconds`}>
                  {formatDuration(r.seconds_total)}
                </td>
              </tr>
            ))
          ) : (
            <tr>
              <td colspan={4} class="muted">
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  )
}
