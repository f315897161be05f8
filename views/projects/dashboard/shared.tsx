/** @module Pieces shared by the dashboard's partials: its data, its URLs (the state lives in
 * `?scope=` and `?bucket=`), a segmented control, proportional bars, durations, small icons. */
import type { Child } from 'hono/jsx'
import type { Overview, Bucket, recentActivity } from '../../../src/modules/projects/dashboard'
import type { ProjectView } from '../../../src/modules/projects/service'
import { formatNumber } from '../../format'
import { esc, raw } from '../../markup'

export type Scope = 'all' | 'mine'
export type { Bucket }
export type Activity = Awaited<ReturnType<typeof recentActivity>>[number]

export type DashboardPerms = {
  canLabel: boolean
  canReview: boolean
  canExport: boolean
  canEdit: boolean
  canManageData: boolean
  /** Sees every member's performance and activity (else only their own). */
  seeAll: boolean
  /** May open a data row's page (the activity links the rows). */
  canViewDatasets?: boolean
}

export type DashboardData = {
  p: ProjectView
  overview: Overview
  series: { start: string; count: number }[]
  activity: Activity[]
  scope: Scope
  bucket: Bucket
  perms: DashboardPerms
  selfId: string
}

/** The dashboard's address: defaults are left out, so `/projects/{id}` is the overall, daily view. */
export function dashUrl(id: string, scope: Scope, bucket: Bucket): string {
  const q = new URLSearchParams()
  if (scope === 'mine') q.set('scope', 'mine')
  if (bucket !== 'day') q.set('bucket', bucket)
  const s = q.toString()
  return `/projects/${id}${s ? `?${s}` : ''}`
}

/** The chart card alone (htmx): always explicit. */
export const chartUrl = (id: string, scope: Scope, bucket: Bucket) => `/projects/${id}/labels-chart?bucket=${bucket}&scope=${scope}`

/**
 * Two or three mutually exclusive views as links: plain links without JavaScript, htmx swaps of
 * `target` with it. Ids let htmx put the focus back on the pressed option after the swap.
 */
export function Segmented(props: {
  id: string
  label: string
  target: string
  indicator?: string
  options: { key: string; label: string; href: string; hxGet: string; current: boolean }[]
  oob?: boolean
}) {
  return (
    <div class="segmented" role="group" aria-label={props.label} id={props.id} hx-swap-oob={props.oob ? 'true' : undefined}>
      {props.options.map((o) => (
        <a
          id={`${props.id}-${o.key}`}
          href={o.href}
          hx-get={o.hxGet}
          hx-target={props.target}
          hx-swap="outerHTML"
          hx-indicator={props.indicator}
          aria-current={o.current ? 'true' : undefined}
        >
          {o.label}
        </a>
      ))}
    </div>
  )
}

/** The Overall / Mine switch: swaps the whole dashboard body, keeping the chart's bucket. */
export function ScopeToggle(props: { id: string; scope: Scope; bucket: Bucket; oob?: boolean }) {
  const opt = (key: Scope, label: string) => ({
    key,
    label,
    href: dashUrl(props.id, key, props.bucket),
    hxGet: dashUrl(props.id, key, props.bucket),
    current: props.scope === key,
  })
  return (
    <Segmented
      id="scope-toggle"
      label="Whose numbers"
      target="#dashboard"
      indicator="#dashboard"
      oob={props.oob}
      options={[opt('all', 'Overall'), opt('mine', 'Mine')]}
    />
  )
}

/** A proportional bar for table cells (the number itself is in its own cell). */
export function HBar(props: { value: number; max: number; color?: string; label?: string }) {
  const pct = props.max > 0 ? Math.max(props.value > 0 ? 1.5 : 0, (props.value / props.max) * 100) : 0
  return (
    <span class="hbar" aria-hidden="true" title={props.label}>
      <span style={`width:${pct.toFixed(1)}%${props.color ? `;background:${props.color}` : ''}`} />
    </span>
  )
}

/** 45 s · 4.5 s · 12 min 5 s · 3 h 20 min. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, seconds)
  if (s < 10) return `${Number(s.toFixed(1))} s`
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) {
    const m = Math.floor(s / 60)
    const r = Math.round(s - m * 60)
    return r && m < 10 ? `${m} min ${r} s` : `${Math.round(s / 60)} min`
  }
  const h = Math.floor(s / 3600)
  const m = Math.round((s - h * 3600) / 60)
  return m ? `${formatNumber(h)} h ${m} min` : `${formatNumber(h)} h`
}

export const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]
const monthOf = (start: string) => Number(start.slice(5, 7)) - 1

/** Axis labels: "Nov 20" for days and weeks, "Nov 2026" for months. */
export function bucketTick(bucket: Bucket, start: string): string {
  const m = MONTHS[monthOf(start)] ?? start
  return bucket === 'month' ? `${m} ${start.slice(0, 4)}` : `${m} ${Number(start.slice(8, 10))}`
}

/** Hover titles and tables: "2026-11-20", "Week of 2026-11-16", "November 2026". */
export function bucketName(bucket: Bucket, start: string): string {
  if (bucket === 'day') return start
  if (bucket === 'week') return `Week of ${start}`
  return `${MONTHS_LONG[monthOf(start)] ?? start} ${start.slice(0, 4)}`
}

// Built once, as strings (views/components/icons.tsx says why).
const icon = (paths: string) => {
  const markup = raw(
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
      paths
        .split('|')
        .map((d) => `<path d="${esc(d)}"></path>`)
        .join('') +
      '</svg>',
  )
  return () => markup
}
export const PlayIcon = icon('M6 4l14 8-14 8z')
export const CheckIcon = icon('M20 6L9 17l-5-5')
export const DownloadIcon = icon('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4|M7 10l5 5 5-5|M12 15V3')
export const ChartIcon = icon('M3 3v18h18|M8 17V11|M13 17V7|M18 17v-4')

/** A card with a title row (title, optional note and control on the right). */
export function Card(props: {
  id?: string
  title: string
  titleId: string
  note?: Child
  control?: Child
  class?: string
  children: Child
}) {
  return (
    <section class={`card card-tight dash-card${props.class ? ` ${props.class}` : ''}`} id={props.id} aria-labelledby={props.titleId}>
      <div class="dash-card-head">
        <div class="dash-card-title">
          <h3 id={props.titleId}>{props.title}</h3>
          {props.note ? <span class="muted small">{props.note}</span> : null}
        </div>
        {props.control}
      </div>
      {props.children}
    </section>
  )
}
