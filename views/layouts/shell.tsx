/** @module The app shell: top bar (org name, nav, Tasks menu, account menu) around a page. */
import type { Child } from 'hono/jsx'
import type { Actor } from '../../src/env'
import { Document } from './document'
import { Logo, TasksIcon } from '../components/icons'
import { roleLabel } from '../components/ui'
import { TasksMenuBody } from '../tasks/list'
import type { TaskView } from '../../src/modules/tasks/service'

export type Section = 'projects' | 'members' | 'datasets' | 'tasks' | 'account' | 'docs' | 'none'

const NAV: { href: string; label: string; section: Section }[] = [
  { href: '/projects', label: 'Projects', section: 'projects' },
  { href: '/members', label: 'Members', section: 'members' },
  { href: '/datasets', label: 'Datasets', section: 'datasets' },
]

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?'

/** The top bar's Tasks menu: while tasks run, its body comes with the page (those tasks: the menu
 * opens at once, whatever the database is busy with); it is fetched again each time it opens (the
 * newest tasks, finished ones too: public/js/tasks.js sends `tasks-menu-open`, never on close).
 * The badge counts running tasks. Both are kept live by public/js/tasks.js (which also follows
 * `data-running` task ids). */
export function TasksMenu(props: { running: string[]; recent?: TaskView[] }) {
  const n = props.running.length
  return (
    <details
      class="menu"
      id="tasks-menu"
      hx-get="/tasks/menu"
      hx-trigger="tasks-menu-open"
      hx-target="#tasks-menu-body"
      hx-swap="innerHTML"
    >
      <summary class="btn btn-ghost" aria-label={`Tasks${n ? `, ${n} running` : ''}`}>
        <TasksIcon />
        <span class="tasks-label">Tasks</span>
        <span class="count-badge" id="tasks-running" data-running={props.running.join(',')} hidden={n === 0}>
          {n}
        </span>
      </summary>
      <div class="menu-panel wide" id="tasks-menu-panel">
        <div id="tasks-menu-body" aria-live="polite">
          {props.recent?.length ? (
            <TasksMenuBody page={{ items: props.recent, next_cursor: null }} />
          ) : (
            <div class="menu-empty">
              <span class="spinner" aria-hidden="true" /> Loading tasks…
            </div>
          )}
        </div>
        <hr />
        <a href="/tasks">All tasks</a>
      </div>
    </details>
  )
}

export function AppShell(props: {
  actor: Actor
  title: string
  section: Section
  children: Child
  runningTasks?: string[]
  recentTasks?: TaskView[]
  wide?: boolean
}) {
  const { actor } = props
  return (
    <Document title={props.title}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/projects">
          <Logo /> <span class="brand-name">LabelDesk</span>
        </a>
        <span class="org-name" title={actor.orgName}>
          {actor.orgName}
        </span>
        <nav class="nav" aria-label="Main">
          {NAV.map((n) => (
            <a href={n.href} aria-current={props.section === n.section ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <div class="topbar-right">
          <TasksMenu running={props.runningTasks ?? []} recent={props.recentTasks} />
          <details class="menu" id="account-menu">
            <summary class="btn btn-ghost btn-icon" aria-label={`Account menu, ${actor.fullName}`} title={actor.fullName}>
              <span class="avatar" aria-hidden="true">
                {initials(actor.fullName)}
              </span>
            </summary>
            <div class="menu-panel">
              <div class="menu-head">
                <strong>{actor.fullName}</strong>
                {actor.email} · {roleLabel(actor.role)}
              </div>
              <hr />
              <a href="/account">Account</a>
              <a href="/docs/permissions">Roles and permissions</a>
              <a href="/api/docs" hx-boost="false">
                API reference
              </a>
              <hr />
              <form method="post" action="/logout">
                <button type="submit" class="menu-item">
                  Log out
                </button>
              </form>
            </div>
          </details>
        </div>
      </header>
      <main id="main" class={props.wide ? 'container wide' : 'container'}>
        {props.children}
      </main>
      <div id="toasts" aria-live="polite" role="status"></div>
    </Document>
  )
}
