/** @module The Projects tab: search as you type, the table (pinned first, then newest), the
 * three-dots menu (pin / unpin, delete), "load more" paging and the empty states. */
import type { ProjectSummary } from '../../src/modules/projects/service'
import type { Page } from '../../src/lib/pagination'
import { formatNumber } from '../format'
import { Alert, EmptyState, MediaBadge, PageHeader, SearchToolbar, Time } from '../components/ui'
import { DotsIcon, FolderIcon, SearchIcon } from '../components/icons'
import { MiniProgress, PinIcon } from './parts'

export type ListProps = { page: Page<ProjectSummary>; search: string; canCreate: boolean; canDelete: boolean }

const q = (search: string) => encodeURIComponent(search)

export function ProjectRow(props: { p: ProjectSummary; search: string; canDelete: boolean }) {
  const { p } = props
  const rowId = `project-${p.id}`
  const done = p.labeled_count + p.skipped_count
  return (
    <tr id={rowId} class={p.pinned ? 'pinned' : undefined}>
      <td class="primary-cell">
        <div class="project-name">
          {p.pinned ? <PinIcon label="Pinned" /> : null}
          <a href={`/projects/${p.id}`}>{p.name}</a>
        </div>
        {p.description ? (
          <div class="sub truncate" title={p.description}>
            {p.description}
          </div>
        ) : null}
      </td>
      <td>
        <MediaBadge type={p.media_type} />
      </td>
      <td class="num">{formatNumber(p.data_row_count)}</td>
      <td class="num">{formatNumber(p.label_count)}</td>
      <td class="progress-cell">
        <MiniProgress percent={p.percent_complete} done={done} total={p.data_row_count} />
      </td>
      <td class="nowrap">
        <Time value={p.created_at} />
      </td>
      <td class="actions">
        <details class="menu">
          <summary class="btn btn-ghost btn-icon" aria-label={`Actions for ${p.name}`}>
            <DotsIcon />
          </summary>
          <div class="menu-panel">
            <a href={`/projects/${p.id}`}>Open</a>
            <form
              method="post"
              action={`/projects/${p.id}/${p.pinned ? 'unpin' : 'pin'}`}
              hx-post={`/projects/${p.id}/${p.pinned ? 'unpin' : 'pin'}`}
              hx-target="#projects-table"
              hx-swap="outerHTML"
            >
              <input type="hidden" name="from" value="list" />
              <input type="hidden" name="search" value={props.search} />
              <button class="menu-item" type="submit">
                {p.pinned ? 'Unpin' : 'Pin to top'}
              </button>
            </form>
            {props.canDelete ? (
              <>
                <hr />
                <form
                  method="post"
                  action={`/projects/${p.id}/delete`}
                  hx-post={`/projects/${p.id}/delete`}
                  hx-target={`#${rowId}`}
                  hx-swap="outerHTML"
                  hx-confirm={`Delete project “${p.name}”?`}
                  data-confirm-label="Delete project"
                >
                  <button class="menu-item danger" type="submit">
                    Delete…
                  </button>
                </form>
              </>
            ) : null}
          </div>
        </details>
      </td>
    </tr>
  )
}

export function ProjectRows(props: { page: Page<ProjectSummary>; search: string; canDelete: boolean }) {
  const next = props.page.next_cursor
  return (
    <>
      {props.page.items.map((p) => (
        <ProjectRow p={p} search={props.search} canDelete={props.canDelete} />
      ))}
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
