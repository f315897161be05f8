/** @module Generic building blocks: page header, badges, empty states, copy fields, progress,
 * tabs. Each is built once and used everywhere. */
import type { Child } from 'hono/jsx'
import type { OrgRole } from '../../src/db/schema/columns'
import type { DataMediaType } from '../../src/db/schema'
import { formatNumber, timeAgo } from '../format'
import { SearchIcon } from './icons'
import { esc, raw } from '../markup'

export function PageHeader(props: { title: string; subtitle?: Child; actions?: Child }) {
  return (
    <div class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle ? <div class="subtitle">{props.subtitle}</div> : null}
      </div>
      {props.actions ? <div class="actions">{props.actions}</div> : null}
    </div>
  )
}

export type Tone = 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'accent'
export function Badge(props: { tone?: Tone; children: Child; title?: string }) {
  const tone = props.tone && props.tone !== 'neutral' ? ` badge-${props.tone}` : ''
  return (
    <span class={`badge${tone}`} title={props.title}>
      {props.children}
    </span>
  )
}

/** Each org role's tone, in the order role pickers list them. Typed by the roles of
 * src/db/schema/columns.ts, so a role added there does not compile until it has a tone here. */
const ROLE_TONE: Record<OrgRole, Tone> = { ADMIN: 'accent', TEAM_MANAGER: 'blue', REVIEWER: 'green', LABELER: 'neutral', NONE: 'amber' }
export const ROLE_CHOICES = Object.keys(ROLE_TONE) as OrgRole[]
export const roleLabel = (role: string) =>
  role === 'NONE'
    ? 'Project-based'
    : role
        .replace('_', ' ')
        .toLowerCase()
        .replace(/^./, (c) => c.toUpperCase())
export function RoleBadge({ role }: { role: string }) {
  return <Badge tone={ROLE_TONE[role as OrgRole] ?? 'neutral'}>{roleLabel(role)}</Badge>
}

const MEDIA_LABELS: Record<DataMediaType, string> = {
  IMAGE: 'Image',
  VIDEO: 'Video',
  TEXT: 'Text',
  AUDIO: 'Audio',
  PDF: 'PDF',
  HTML: 'HTML',
  CONVERSATIONAL: 'Conversational',
  GEOSPATIAL: 'Geospatial',
  DICOM: 'DICOM',
  OTHER: 'Other',
}
export const mediaLabel = (m: string) => MEDIA_LABELS[m as DataMediaType] ?? m

/** The media type of a project or a data row. Asset types keep one colour each everywhere (Images,
 * Video, Text, Other): the `media-*` classes are the design system's. As a string: list rows draw
 * it once each (views/markup.ts). */
export const mediaBadgeHtml = (type: string) => {
  const tone = type === 'IMAGE' ? 'image' : type === 'VIDEO' ? 'video' : type === 'TEXT' ? 'text' : 'other'
  return `<span class="badge media-badge media-${tone}">${esc(mediaLabel(type))}</span>`
}
export const MediaBadge = ({ type }: { type: string }) => raw(mediaBadgeHtml(type))

export function EmptyState(props: { title: string; children?: Child; action?: Child; icon?: Child }) {
  return (
    <div class="empty">
      {props.icon}
      <h2 class="empty-title">{props.title}</h2>
      {props.children ? <p>{props.children}</p> : null}
      {props.action}
    </div>
  )
}

/** `name`: the accessible name when there is no visible label (a `<dt>` beside it, say). */
export function CopyField(props: { id: string; value: string; label?: string; name?: string }) {
  return (
    <div class="field">
      {props.label ? <label for={props.id}>{props.label}</label> : null}
      <div class="copy-field">
        <input
          class="input"
          id={props.id}
          value={props.value}
          readonly
          aria-readonly="true"
          aria-label={props.label ? undefined : props.name}
        />
        <button type="button" class="btn" data-copy={`#${props.id}`}>
          Copy
        </button>
      </div>
    </div>
  )
}

/** A bar with the percentage and the counts; a spinner only when there is no number yet. */
export function Progress(props: {
  percent: number | null
  done?: number
  total?: number
  unit?: string
  status?: 'running' | 'complete' | 'failed'
  label?: string
}) {
  if (props.percent === null)
    return (
      <span class="row">
        <span class="spinner" aria-hidden="true" /> <span class="muted">{props.label ?? 'Starting…'}</span>
      </span>
    )
  const pct = Math.max(0, Math.min(100, Math.round(props.percent)))
  const cls = props.status === 'complete' ? ' complete' : props.status === 'failed' ? ' failed' : ''
  return (
    <div class={`progress${cls}`}>
      <div
        class="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={props.label ?? 'Progress'}
      >
        <span style={`width:${pct}%`} />
      </div>
      <div class="progress-label">
        <span>{pct}%</span>
        {props.total !== undefined ? (
          <span>
            {formatNumber(props.done ?? 0)} / {formatNumber(props.total)} {props.unit ?? ''}
          </span>
        ) : null}
      </div>
    </div>
  )
}

export function Tabs(props: { tabs: { href: string; label: string }[]; current: string }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {props.tabs.map((t) => (
        <a href={t.href} aria-current={t.href === props.current ? 'page' : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  )
}

/** A time as the API gives it (`Date.toISOString()`): taken as is, not parsed and printed again. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** "3 min ago" with the exact UTC time on hover. As a string: list rows draw it once each. */
export function timeHtml(value: Date | string | number | null | undefined): string {
  if (value == null) return '<span class="muted">—</span>'
  const iso = typeof value === 'string' && ISO_TIME.test(value) ? value : new Date(value).toISOString()
  // The title is formatDateTime's text ("2026-12-04 12:00 UTC"), cut from the ISO string.
  return `<time datetime="${iso}" title="${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC">${esc(timeAgo(Date.parse(iso)))}</time>`
}
export const Time = ({ value }: { value: Date | string | number | null | undefined }) => raw(timeHtml(value))

export function Alert(props: { tone: 'error' | 'success' | 'info' | 'warning'; title?: string; children?: Child }) {
  return (
    <div class={`alert alert-${props.tone}`} role={props.tone === 'error' ? 'alert' : 'status'}>
      {props.title ? <strong>{props.title}</strong> : null}
      {props.children}
    </div>
  )
}

/**
 * Search as you type above a list: a plain GET form to `action` (works without JavaScript) whose
 * input asks htmx for `rows` while typing and swaps `target` with the answer.
 */
export function SearchToolbar(props: {
  class: string
  id: string
  action: string
  rows: string
  target: string
  label: string
  placeholder: string
  value: string
}) {
  return (
    <div class={props.class}>
      <form class="search" role="search" method="get" action={props.action}>
        <SearchIcon />
        <label class="visually-hidden" for={props.id}>
          {props.label}
        </label>
        <input
          class="input"
          id={props.id}
          type="search"
          name="search"
          value={props.value}
          placeholder={props.placeholder}
          autocomplete="off"
          maxlength={200}
          hx-get={props.rows}
          hx-trigger="input changed delay:250ms, search"
          hx-target={props.target}
          hx-swap="outerHTML"
          hx-indicator={`#${props.id}-spinner`}
        />
      </form>
      <span class="spinner htmx-indicator" id={`${props.id}-spinner`} aria-hidden="true" />
    </div>
  )
}
