/**
 * @module A server-rendered SVG bar chart: one series or stacked
 * series, y axis with a few round ticks (1-2-5 steps), x labels thinned to fit, a `<title>` on
 * every bar for hover values, a `<title>`/`<desc>` for assistive technology, a legend, an empty
 * state, and the same numbers in a table under "Show numbers". Colours are CSS values (usually
 * variables such as `var(--c-image)`), set through `style` so they follow dark mode.
 *
 * The helpers (`niceTicks`, `fillGaps`, `nextBucket`, `thinEvery`) are exported for other charts
 * and for tests.
 */
import type { Child } from 'hono/jsx'
import { formatNumber } from '../format'
import { esc, raw } from '../markup'

export type ChartKey = { key: string; label: string; color: string }
export type CountPoint = { start: string; count: number }
export type StackPoint = { start: string; values: Record<string, number> }
export type ChartPoint = CountPoint | StackPoint
export type Step = 'day' | 'week' | 'month'

// Scales --------------------------------------------------------------------------------------

/** The smallest 1, 2 or 5 × 10ⁿ that is ≥ `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const exp = 10 ** Math.floor(Math.log10(raw))
  const f = raw / exp
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp
}

/** Round ticks from 0 up to the first tick ≥ `max`, at most `maxTicks` of them (whole numbers when `integer`). */
export function niceTicks(max: number, maxTicks = 5, integer = true): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1]
  let step = niceStep(max / Math.max(1, maxTicks - 1))
  if (integer) step = Math.max(1, step)
  const n = Math.ceil(max / step - 1e-9)
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)))
}

/** Short numbers for axis labels: 950 · 1,200 · 12k · 1.5M. */
export function axisNumber(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e6) return `${Number((v / 1e6).toFixed(a >= 1e7 ? 0 : 1))}M`
  if (a >= 1e4) return `${Number((v / 1e3).toFixed(a >= 1e5 ? 0 : 1))}k`
  return formatNumber(v)
}

// Buckets -------------------------------------------------------------------------------------

/** The start (YYYY-MM-DD, UTC) of the bucket after `start`: next day, next week, first of next month. */
export function nextBucket(start: string, step: Step): string {
  const d = new Date(`${start.slice(0, 10)}T00:00:00Z`)
  if (step === 'day') d.setUTCDate(d.getUTCDate() + 1)
  else if (step === 'week') d.setUTCDate(d.getUTCDate() + 7)
  else d.setUTCMonth(d.getUTCMonth() + 1, 1)
  return d.toISOString().slice(0, 10)
}

const validDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))

/**
 * Adds the empty buckets an API omits between the first and the last point (oldest first), so
 * quiet days show as zero bars. Points that are out of step are kept where they fall. `limit`
 * bounds the work for a very long, very sparse history.
 */
export function fillGaps<T extends { start: string }>(points: readonly T[], step: Step, zero: (start: string) => T, limit = 20_000): T[] {
  const sorted = [...points].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
  if (!sorted.every((p) => validDay(p.start))) return sorted
  const out: T[] = []
  let cursor: string | null = null
  for (const p of sorted) {
    while (cursor !== null && cursor < p.start && out.length < limit) {
      out.push(zero(cursor))
      cursor = nextBucket(cursor, step)
    }
    out.push(p)
    cursor = nextBucket(p.start, step)
  }
  return out
}

/** Show every k-th x label so labels `labelWidth` wide never overlap in bands `band` wide. */
export const thinEvery = (band: number, labelWidth: number) => (band > 0 ? Math.max(1, Math.ceil(labelWidth / band)) : 1)

// The chart -------------------------------------------------------------------------------------

export type BarChartProps = {
  /** Prefix of the element ids (unique on the page). */
  id: string
  /** The accessible name, e.g. "Labels created per day". */
  title: string
  /** Oldest first. `{start, count}` for one series, `{start, values}` for stacked series. */
  data: readonly ChartPoint[]
  /** Stacked series, bottom first. One series: defaults to the accent colour. */
  keys?: ChartKey[]
  width?: number
  /** A second drawing this wide, shown instead on phones (public/css/app.css), so axis text
   * stays readable there while the wide one keeps its size on desktops. */
  narrowWidth?: number
  height?: number
  /** The x axis label of a bucket (short: "Nov 20"). */
  formatX?: (start: string) => string
  /** A bucket in hover titles, the description and the table ("2026-11-20"). */
  formatBucket?: (start: string) => string
  /** What is counted: [one, many], e.g. ['label', 'labels']. */
  unit?: [string, string]
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: Child
  /** The first column's header in the numbers table. */
  bucketLabel?: string
  /** The "Show numbers" table (default on). */
  numbers?: boolean
  /** Under the chart, e.g. "Showing the last 90 days". */
  note?: Child
}

const DEFAULT_KEY: ChartKey = { key: 'count', label: 'Count', color: 'var(--accent)' }
const CHAR_W = 6.4 // average glyph width of the 11px axis font, in SVG units
const FONT = 11

type Row = { start: string; values: Record<string, number>; total: number }

function rowsOf(data: readonly ChartPoint[], keys: ChartKey[]): Row[] {
  return data.map((d) => {
    const values = 'values' in d ? d.values : { [keys[0]!.key]: d.count }
    const total = keys.reduce((s, k) => s + Math.max(0, Number(values[k.key] ?? 0)), 0)
    return { start: d.start, values, total }
  })
}

export function BarChart(props: BarChartProps) {
  const keys = props.keys?.length ? props.keys : [DEFAULT_KEY]
  const stacked = keys.length > 1
  const fmtX = props.formatX ?? ((s: string) => s)
  const fmtB = props.formatBucket ?? ((s: string) => s)
  const [one, many] = props.unit ?? ['', '']
  const words = (n: number) => `${formatNumber(n)}${many ? ` ${n === 1 ? one : many}` : ''}`
  const rows = rowsOf(props.data, keys)
  const grand = rows.reduce((s, r) => s + r.total, 0)

  if (!rows.length || grand === 0) {
    return (
      <div class="chart-block">
        <div class="chart-empty" id={`${props.id}-empty`} style={`min-height:${Math.round((props.height ?? 220) * 0.75)}px`}>
          {props.empty ?? <p class="muted">No data yet.</p>}
        </div>
      </div>
    )
  }

  const H = props.height ?? 220
  /** The chart drawn in a `W` units wide box: text keeps its size only while the box is shown near that width. */
  const svg = (W: number, id: string, cls: string) => {
    const ticks = niceTicks(Math.max(...rows.map((r) => r.total)))
    const top = ticks[ticks.length - 1]!
    const tickLabels = ticks.map(axisNumber)
    const ml = Math.ceil(Math.max(...tickLabels.map((t) => t.length)) * CHAR_W) + 12
    const mr = 8
    const mt = 10
    const mb = 26
    const plotW = W - ml - mr
    const plotH = H - mt - mb
    const band = plotW / rows.length
    const barW = Math.max(1, Math.min(band * 0.72, 48))
    const y = (v: number) => mt + plotH - (v / top) * plotH
    const xLabels = rows.map((r) => fmtX(r.start))
    const labelW = Math.max(...xLabels.map((l) => l.length)) * CHAR_W + 10
    const every = thinEvery(band, labelW)
    // Every `every`-th label counting back from the latest; one pushed inside the plot at an edge
    // is dropped when it would touch its neighbour.
    const xTicks: { x: number; label: string }[] = []
    for (let i = rows.length - 1; i >= 0; i -= every) {
      const w = xLabels[i]!.length * CHAR_W
      const x = Math.min(Math.max(ml + i * band + band / 2, ml + w / 2), W - mr - w / 2)
      const prev = xTicks[0]
      if (prev && x + w / 2 + 4 > prev.x - (prev.label.length * CHAR_W) / 2) continue
      xTicks.unshift({ x, label: xLabels[i]! })
    }
    // A string (views/markup.ts): the chart is drawn twice (wide, narrow) with a group, two rects
    // and two titles per bucket, ~1,000 elements for 90 days, most of the dashboard's rendering.
    let out =
      `<svg class="${esc(cls)}" id="${esc(id)}" viewBox="0 0 ${W} ${H}" width="100%" role="img"` +
      ` aria-labelledby="${esc(id)}-title ${esc(id)}-desc" font-size="${FONT}">` +
      `<title id="${esc(id)}-title">${esc(props.title)}</title><desc id="${esc(id)}-desc">${esc(desc)}</desc><g class="grid">`
    for (let i = 0; i < ticks.length; i++) {
      const ty = round(y(ticks[i]!))
      out +=
        `<g><line x1="${ml}" x2="${W - mr}" y1="${ty}" y2="${ty}"></line>` +
        `<text x="${ml - 6}" y="${ty}" dy="0.32em" text-anchor="end">${esc(tickLabels[i]!)}</text></g>`
    }
    out += '</g><g class="bars">'
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!
      const x0 = ml + i * band
      const x = x0 + (band - barW) / 2
      let acc = 0
      const head = esc(`${fmtB(r.start)}: ${words(r.total)}`)
      // The whole column answers hover, so thin and zero bars have their value too.
      out +=
        `<g class="bucket" data-start="${esc(r.start)}" data-total="${r.total}">` +
        `<rect class="hit" x="${round(x0)}" y="${mt}" width="${round(band)}" height="${round(plotH)}" fill="transparent"><title>${head}</title></rect>`
      for (const k of keys) {
        const v = Math.max(0, Number(r.values[k.key] ?? 0))
        if (!v) continue
        const y1 = y(acc + v)
        const y0 = y(acc)
        acc += v
        out +=
          `<rect class="bar" data-key="${esc(k.key)}" x="${round(x)}" y="${round(y1)}" width="${round(barW)}"` +
          ` height="${round(Math.max(0.5, y0 - y1))}" style="fill:${esc(k.color)}">` +
          `<title>${stacked ? esc(`${fmtB(r.start)}: ${words(r.total)} — ${k.label} ${formatNumber(v)}`) : head}</title></rect>`
      }
      out += '</g>'
    }
    out += `</g><g class="axis"><line x1="${ml}" x2="${W - mr}" y1="${mt + plotH}" y2="${mt + plotH}"></line>`
    for (const t of xTicks) out += `<text class="x-label" x="${round(t.x)}" y="${H - 8}" text-anchor="middle">${esc(t.label)}</text>`
    return raw(`${out}</g></svg>`)
  }

  const peak = rows.reduce((a, b) => (b.total > a.total ? b : a))
  const perKey = stacked
    ? ` (${keys.map((k) => `${k.label} ${formatNumber(rows.reduce((s, r) => s + Number(r.values[k.key] ?? 0), 0))}`).join(', ')})`
    : ''
  const desc =
    rows.length === 1
      ? `${fmtB(rows[0]!.start)}: ${words(grand)}${perKey}.`
      : `From ${fmtB(rows[0]!.start)} to ${fmtB(rows[rows.length - 1]!.start)}: ${words(grand)} in total${perKey}; the most, ${formatNumber(peak.total)}, in ${fmtB(peak.start)}.`

  return (
    <div class="chart-block">
      {stacked || props.keys?.length ? (
        <div class="legend chart-legend" aria-hidden="true">
          {keys.map((k) => (
            <span style={`--swatch:${k.color}`}>{k.label}</span>
          ))}
        </div>
      ) : null}
      {props.narrowWidth ? (
        <>
          {svg(props.width ?? 640, props.id, 'chart chart-wide')}
          {svg(props.narrowWidth, `${props.id}-narrow`, 'chart chart-narrow')}
        </>
      ) : (
        svg(props.width ?? 640, props.id, 'chart')
      )}
      {props.note ? <div class="chart-note small muted">{props.note}</div> : null}
      {props.numbers === false ? null : (
        <details class="chart-numbers">
          <summary>Show numbers</summary>
          <div class="chart-table-wrap">
            <table class="table chart-table">
              <thead>
                <tr>
                  <th scope="col">{props.bucketLabel ?? 'Period'}</th>
                  {stacked
                    ? keys.map((k) => (
                        <th scope="col" class="num">
                          {k.label}
                        </th>
                      ))
                    : null}
                  <th scope="col" class="num">
                    {stacked ? 'Total' : capitalize(many) || 'Count'}
                  </th>
                </tr>
              </thead>
              <tbody>
                {raw(
                  rows
                    .map(
                      (r) =>
                        `<tr><th scope="row">${esc(fmtB(r.start))}</th>` +
                        (stacked ? keys.map((k) => `<td class="num">${formatNumber(Number(r.values[k.key] ?? 0))}</td>`).join('') : '') +
                        `<td class="num">${formatNumber(r.total)}</td></tr>`,
                    )
                    .join(''),
                )}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  {stacked
                    ? keys.map((k) => <td class="num">{formatNumber(rows.reduce((s, r) => s + Number(r.values[k.key] ?? 0), 0))}</td>)
                    : null}
                  <td class="num">{formatNumber(grand)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        </details>
      )}
    </div>
  )
}

const round = (n: number) => Math.round(n * 10) / 10
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
