/** @module The Projects tab: search as you type, the table (pinned first, then newest), the
 * three-dots menu (pin / unpin, delete), "load more" paging and the empty states. */
import type { ProjectSummary } from '../../src/modules/projects/service'
import type { Page } from '../../src/lib/pagination'
import { formatNumber } from '../format'
import { Alert, EmptyState, mediaBadgeHtml, PageHeader, SearchToolbar, timeHtml } from '../components/ui'
import { DotsIcon, FolderIcon, SearchIcon } from '../components/icons'
import { miniProgressHtml, PIN_HTML } from './parts'
import { attr, esc, raw } from '../markup'

export type ListProps = { page: Page<ProjectSummary>; search: string; canCreate: boolean; canDelete: boolean }

const q = (search: string) => encodeURIComponent(search)

const DOTS = DotsIcon().toString()

/**
 * One row of the table, with its three-dots menu (pin / unpin, delete). Built as a string
 * (views/markup.ts): a page draws 50 of them, and as JSX elements they were most of the page's
 * rendering CPU.
 */
export function projectRowHtml(p: ProjectSummary, search: string, canDelete: boolean): string {
  const id = esc(p.id)
  const name = esc(p.name)
  const rowId = `project-${id}`
  const pin = `/projects/${id}/${p.pinned ? 'unpin' : 'pin'}`
  return (
    `<tr id="${rowId}"${p.pinned ? ' class="pinned"' : ''}><td class="primary-cell"><div class="project-name">` +
    `${p.pinned ? PIN_HTML.labelled : ''}<a href="/projects/${id}">${name}</a></div>` +
    (p.description ? `<div class="sub truncate"${attr('title', p.description)}>${esc(p.description)}</div>` : '') +
    `</td><td>${mediaBadgeHtml(p.media_type)}</td>` +
    `<td class="num">${formatNumber(p.data_row_count)}</td><td class="num">${formatNumber(p.label_count)}</td>` +
    `<td class="progress-cell">${miniProgressHtml(p.percent_complete, p.labeled_count + p.skipped_count, p.data_row_count)}</td>` +
    `<td class="nowrap">${timeHtml(p.created_at)}</td>` +
    `<td class="actions"><details class="menu"><summary class="btn btn-ghost btn-icon" aria-label="Actions for ${name}">${DOTS}</summary>` +
    `<div class="menu-panel"><a href="/projects/${id}">Open</a>` +
    `<form method="post" action="${pin}" hx-post="${pin}" hx-target="#projects-table" hx-swap="outerHTML">` +
    `<input type="hidden" name="from" value="list"/><input type="hidden" name="search"${attr('value', search)}/>` +
    `<button class="menu-item" type="submit">${p.pinned ? 'Unpin' : 'Pin to top'}</button></form>` +
    (canDelete
      ? `<hr/><form method="post" action="/projects/${id}/delete" hx-post="/projects/${id}/delete" hx-target="#${rowId}" hx-swap="outerHTML"` +
        ` hx-confirm="Delete project “${name}”?" data-confirm-label="Delete project">` +
        '<button class="menu-item danger" type="submit">Delete…</button></form>'
      : '') +
    '</div></details></td></tr>'
  )
}

export const ProjectRow = (props: { p: ProjectSummary; search: string; canDelete: boolean }) =>
  raw(projectRowHtml(props.p, props.search, props.canDelete))

export function ProjectRows(props: { page: Page<ProjectSummary>; search: string; canDelete: boolean }) {
  const next = props.page.next_cursor
  return (
    <>
      {raw(props.page.items.map((p) => projectRowHtml(p, props.search, props.canDelete)).join(''))}
      {next ? (
        <tr id="projects-more" class="more-row">
          <td colspan={7}>
            <div class="load-more">
              <a
                class="btn btn-sm"
                href={`/projects?search=${q(props.search)}&cursor=${next}`}
                hx-get={`/projects/rows?search=${q(props.search)}&cursor=${next}`}
                hx-target="#projects-more"
                hx-swap="outerHTML"
              >
                Load more
              </a>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  )
}

export function ProjectsTable(props: ListProps & { paged?: boolean }) {
  if (!props.page.items.length) {
    return (
      <div id="projects-table">
        {props.search ? (
          <EmptyState
            title={`No project matches “${props.search}”`}
            icon={<SearchIcon />}
            action={
              <a class="btn" href="/projects">
                Clear search
              </a>
            }
          >
            Search looks for the text anywhere in a project's name, ignoring case.
          </EmptyState>
        ) : props.paged ? (
          <EmptyState
            title="No more projects"
            icon={<FolderIcon />}
            action={
              <a class="btn" href="/projects">
                Back to the first page
              </a>
            }
          />
        ) : (
          <EmptyState
            title="No projects yet"
            icon={<FolderIcon />}
            action={
              props.canCreate ? (
                <a class="btn btn-primary" href="/projects/new">
                  New project
                </a>
              ) : undefined
            }
          >
            {props.canCreate
              ? 'A project holds an ontology (what to label), data rows attached in batches, and the labels your team makes.'
              : 'When an admin gives you access to a project, it appears here.'}
          </EmptyState>
        )}
      </div>
    )
  }
  return (
    <div id="projects-table" class="table-wrap projects-table">
      <table class="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Media</th>
            <th class="num">Data rows</th>
            <th class="num">Labels</th>
            <th>Complete</th>
            <th>Created</th>
            <th class="actions">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody id="projects-rows">
          <ProjectRows page={props.page} search={props.search} canDelete={props.canDelete} />
          <tr class="empty-row">
            <td colspan={7} class="muted">
              No projects left on this page. <a href="/projects">Reload the list</a>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  )
}

export function ProjectsPage(props: ListProps & { notice?: string; paged?: boolean }) {
  const showSearch = props.page.items.length > 0 || props.search !== '' || props.paged
  return (
    <>
      <PageHeader
        title="Projects"
        subtitle="Every labeling project you can see: your pins first, then the newest."
        actions={
          props.canCreate ? (
            <a class="btn btn-primary" href="/projects/new">
              New project
            </a>
          ) : undefined
        }
      />
      {props.notice ? (
        <div class="notice">
          <Alert tone="info">{props.notice}</Alert>
        </div>
      ) : null}
      {showSearch ? (
        <SearchToolbar
          class="toolbar"
          id="project-search"
          action="/projects"
          rows="/projects/rows"
          target="#projects-table"
          label="Search projects"
          placeholder="Search projects by name"
          value={props.search}
        />
      ) : null}
      <ProjectsTable {...props} />
    </>
  )
}
