/** @module Small pieces shared by the Projects pages: pin marker, mini progress, the project
 * header and its tabs. */
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { ProjectView } from '../../src/modules/projects/service'
import { formatNumber } from '../format'
import { MediaBadge, PageHeader, Tabs } from '../components/ui'
import { esc } from '../markup'

const PIN_PATHS =
  '<path d="M12 17v5"></path><path d="M9 10.76a2 2 0 0 1-1.11 1.79l-1.78.9A2 2 0 0 0 5 15.24V16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-.76a2 2 0 0 0-1.11-1.79l-1.78-.9A2 2 0 0 1 15 10.76V7a1 1 0 0 1 1-1 2 2 0 0 0 0-4H8a2 2 0 0 0 0 4 1 1 0 0 1 1 1z"></path>'
const PIN_OPEN =
  '<svg class="pin-icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
// Built once (see components/icons.tsx): every pinned row of a list draws it.
const PIN = raw(`${PIN_OPEN} aria-hidden="true">${PIN_PATHS}</svg>`)
const PIN_LABELLED = raw(`${PIN_OPEN} role="img" aria-label="Pinned"><title>Pinned</title>${PIN_PATHS}</svg>`)
export const PinIcon = (props: { label?: 'Pinned' }) => (props.label ? PIN_LABELLED : PIN)
export const PIN_HTML = { plain: PIN.toString(), labelled: PIN_LABELLED.toString() }

/** A compact bar for table cells: the percentage, and the counts on hover. A string: every row of
 * the Projects list draws one (views/markup.ts). */
export function miniProgressHtml(percent: number, done: number, total: number): string {
  const pct = Math.max(0, Math.min(100, percent))
  const shown = pct > 0 && pct < 1 ? '<1' : String(Math.floor(pct))
  return (
    `<div class="mini-progress${pct >= 100 ? ' complete' : ''}" title="${formatNumber(done)} / ${formatNumber(total)} rows">` +
    `<div class="progress-bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.round(pct)}" aria-label="Complete">` +
    `<span style="width:${pct}%"></span></div><span class="mini-progress-label">${esc(shown)}%</span></div>`
  )
}
export const MiniProgress = (props: { percent: number; done: number; total: number }) =>
  raw(miniProgressHtml(props.percent, props.done, props.total))

export const remaining = (p: ProjectView) => Math.max(0, p.data_row_count - p.labeled_count - p.skipped_count)

export type ProjectTab = 'overview' | 'settings'

/** The project's title block and its area tabs (Overview · Settings). */
export function ProjectHeader(props: { p: ProjectView; current: ProjectTab; canEdit: boolean; actions?: Child }) {
  const { p } = props
  const tabs = [
    { href: `/projects/${p.id}`, label: 'Overview' },
    ...(props.canEdit ? [{ href: `/projects/${p.id}/settings`, label: 'Settings' }] : []),
  ]
  return (
    <>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <a href="/projects">Projects</a> <span aria-hidden="true">/</span> <span>{p.name}</span>
      </nav>
      <PageHeader
        title={p.name}
        subtitle={
          <span class="project-meta">
            <MediaBadge type={p.media_type} />
            {p.pinned ? (
              <span class="badge badge-accent">
                <PinIcon /> Pinned
              </span>
            ) : null}
            {p.description ? <span class="project-description">{p.description}</span> : <span class="muted">No description</span>}
          </span>
        }
        actions={props.actions}
      />
      <Tabs tabs={tabs} current={props.current === 'overview' ? tabs[0]!.href : `/projects/${p.id}/settings`} />
    </>
  )
}

/** Pin / Unpin as a plain form: works without JavaScript; htmx-boosted it reloads the page. */
export function PinButton(props: { p: ProjectView; next: string }) {
  const { p } = props
  return (
    <form method="post" action={`/projects/${p.id}/${p.pinned ? 'unpin' : 'pin'}`} class="inline">
      <input type="hidden" name="next" value={props.next} />
      <button class="btn" type="submit">
        <PinIcon />
        {p.pinned ? 'Unpin' : 'Pin'}
      </button>
    </form>
  )
}
