/** @module The app shell: top bar (org name, nav, Tasks menu, account menu) around a page. */
import type { Child } from 'hono/jsx'
import type { Actor } from '../../src/env'
import { Document } from './document'
import { Logo, TasksIcon } from '../components/icons'
import { roleLabel } from '../components/ui'

export type Section = 'projects' | 'members' | 'datasets' | 'tasks' | 'account' | 'docs' | 'none'

const NAV: { href: string; label: string; section: Section }[] = [
  { href: '/projects', label: 'Projects', section: 'projects' },
  { href: '/members', label: 'Members', section: 'members' },
  { href: '/datasets', label: 'Datasets', section: 'datasets' },
]

const initials = (name: string) =>
  name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?'

export function TasksMenu(props: { running: number; children?: Child }) {
  return (
    <details class="menu" id="tasks-menu">
      <summary class="btn btn-ghost" aria-label={`Tasks${props.running ? `, ${props.running} running` : ''}`}>
        <TasksIcon />
        <span>Tasks</span>
        {props.running ? <span class="count-badge" id="tasks-running">{props.running}</span> : null}
      </summary>
      <div class="menu-panel wide" id="tasks-menu-panel">
        {props.children ?? (
          <div class="menu-empty">
            <strong>No tasks yet</strong>
            <div class="small">Exports, imports and big deletes you start run in the background and show up here with their progress.</div>
          </div>
        )}
        <hr />
        <a href="/tasks">All tasks</a>
      </div>
    </details>
  )
}

export function AppShell(props: { actor: Actor; title: string; section: Section; children: Child; runningTasks?: number; wide?: boolean }) {
  const { actor } = props
  return (
    <Document title={props.title}>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/projects"><Logo /> LabelDesk</a>
        <span class="org-name" title={actor.orgName}>{actor.orgName}</span>
        <nav class="nav" aria-label="Main">
          {NAV.map((n) => <a href={n.href} aria-current={props.section === n.section ? 'page' : undefined}>{n.label}</a>)}
        </nav>
        <div class="topbar-right">
          <TasksMenu running={props.runningTasks ?? 0} />
          <details class="menu" id="account-menu">
            <summary class="btn btn-ghost btn-icon" aria-label="Account menu"><span class="avatar">{initials(actor.fullName)}</span></summary>
            <div class="menu-panel">
              <div class="menu-head"><strong>{actor.fullName}</strong>{actor.email} · {roleLabel(actor.role)}</div>
              <hr />
              <a href="/account">Account</a>
              <a href="/docs/permissions">Roles and permissions</a>
              <a href="/api/docs" hx-boost="false">API reference</a>
              <hr />
              <form method="post" action="/logout">
                <button type="submit" class="menu-item">Log out</button>
              </form>
            </div>
          </details>
        </div>
      </header>
      <main id="main" class={props.wide ? 'container wide' : 'container'}>{props.children}</main>
      <div id="toasts" aria-live="polite" role="status"></div>
    </Document>
  )
}
