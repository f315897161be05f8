/** @module The one place that decides fragment vs full page (an HTMX request that is not boosted
 * and not a history restore gets the fragment), and renders pages in the app shell. */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { AppEnv } from '../env'
import { AppShell, type Section } from '../../views/layouts/shell'
import { ErrorPage } from '../../views/layouts/error-page'
import type { AppError } from './errors'
import { MENU_TASKS, runningTasksRead } from './task-badge'
import { runReads } from '../db/reads'
import { taskView } from '../modules/tasks/service'

type C = Context<AppEnv>

export function wantsFragment(c: C): boolean {
  return (
    c.req.header('HX-Request') === 'true' && c.req.header('HX-Boosted') !== 'true' && c.req.header('HX-History-Restore-Request') !== 'true'
  )
}

export type PageOptions = {
  title: string
  section: Section
  body: Child
  /** What an htmx (non-boosted) request gets instead of the whole page. */
  fragment?: Child
  status?: 200 | 201 | 401 | 403 | 404 | 409 | 422 | 429
  wide?: boolean
}

/** Renders a signed-in page (or its fragment). Must be used behind `requireSession`. */
export async function renderPage(c: C, o: PageOptions) {
  c.header('Vary', 'HX-Request')
  // biome-ignore lint/complexity/noUselessFragments: c.html takes an element, not any Child
  if (o.fragment !== undefined && wantsFragment(c)) return c.html(<>{o.fragment}</>, o.status ?? 200)
  const actor = c.var.actor!
  // The Tasks badge: ids of the person's running tasks (a small indexed query), unless it was read
  // along with the page's first batch (`preloadTaskBadge`).
  const running = c.var.runningTasks ?? (await runReads({ db: c.var.db, gate: c.var.gate }, runningTasksRead(c.var.db, actor)))[0]
  return c.html(
    <AppShell
      actor={actor}
      title={o.title}
      section={o.section}
      wide={o.wide}
      runningTasks={running.map((t) => t.id)}
      recentTasks={running.slice(0, MENU_TASKS).map(taskView)}
    >
      {o.body}
    </AppShell>,
    o.status ?? 200,
  )
}

/**
 * For a full page: read the Tasks badge in the same D1 batch as the page's first reads (and the
 * confirmation of a remembered actor, src/db/reads.ts).
 */
export function preloadTaskBadge(c: C) {
  const gate = c.var.gate
  if (wantsFragment(c) || !c.var.actor) return
  const read = runningTasksRead(c.var.db, c.var.actor)
  const along = { stmts: read.stmts, done: (rows: unknown[][]) => c.set('runningTasks', read.done(rows)) }
  if (gate?.state === 'pending') gate.along(along)
  else {
    // A confirmed (or freshly read) actor: the badge still goes with the page's first batch.
    const list = c.var.along ?? []
    list.push(along)
    c.set('along', list)
  }
}

/** A standalone page (login, sign-up, invitation) with a doctype. */
export function renderDocument(c: C, doc: Child, status: 200 | 401 | 404 | 410 | 422 | 429 = 200) {
  c.header('Vary', 'HX-Request')
  // biome-ignore lint/complexity/noUselessFragments: c.html takes an element, not any Child
  return c.html(<>{doc}</>, status)
}

export function renderError(c: C, err: AppError) {
  if (err.retryAfter) c.header('Retry-After', String(err.retryAfter))
  // htmx 4 swaps error answers into the target: a fragment request gets an inline message, not a page.
  if (wantsFragment(c)) {
    return c.html(
      <div class="alert alert-error" role="alert">
        <strong>{err.title}</strong> {err.detail}
      </div>,
      err.status as 400,
    )
  }
  const page = <ErrorPage actor={c.var.actor} status={err.status} detail={err.detail} requestId={c.var.requestId} />
  return c.html(page, err.status as 400)
}
