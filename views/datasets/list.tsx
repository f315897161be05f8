/** @module The Datasets tab: search as you type, the table (newest first, row counts), the
 * three-dots menu (open, add files, delete), "load more" paging and the empty states. */
import type { DatasetView } from '../../src/modules/datasets/service'
import type { Page } from '../../src/lib/pagination'
import { formatNumber } from '../format'
import { Alert, EmptyState, PageHeader, SearchToolbar, Time } from '../components/ui'
import { DatabaseIcon, DotsIcon, SearchIcon } from '../components/icons'
import { UploadIcon } from './parts'

export type ListProps = { page: Page<DatasetView>; search: string; canManage: boolean; paged?: boolean }

export const listUrl = (search: string, cursor?: string) => {
  const q = new URLSearchParams()
  if (search) q.set('search', search)
  if (cursor) q.set('cursor', cursor)
  const s = q.toString()
  return s ? `/datasets?${s}` : '/datasets'
}

export function DatasetRow(props: { d: DatasetView; canManage: boolean }) {
  const { d } = props
  const rowId = `dataset-${d.id}`
  return (
    <tr id={rowId}>
      <td class="primary-cell">
        <a href={`/datasets/${d.id}`}>{d.name}</a>
        {d.description ? (
          <div class="sub ds-truncate" title={d.description}>
            {d.description}
          </div>
        ) : null}
      </td>
      <td class="num">{formatNumber(d.row_count)}</td>
      <td class="nowrap">
        <Time value={d.created_at} />
      </td>
      <td class="actions">
        {props.canManage ? (
          <details class="menu">
            <summary class="btn btn-ghost btn-icon" aria-label={`Actions for ${d.name}`}>
              <DotsIcon />
            </summary>
            <div class="menu-panel">
              <a href={`/datasets/${d.id}`}>Open</a>
              <a href={`/datasets/${d.id}?panel=upload`}>Add files</a>
              <a href={`/datasets/${d.id}?panel=import`}>Import manifest</a>
              <hr />
              <a class="menu-item danger" href={`/datasets/${d.id}/delete`}>
                Delete…
              </a>
            </div>
          </details>
        ) : null}
      </td>
    </tr>
  )
}

export function DatasetRows(props: { page: Page<DatasetView>; search: string; canManage: boolean }) {
  const next = props.page.next_cursor
  return (
    <>
      {props.page.items.map((d) => (
        <DatasetRow d={d} canManage={props.canManage} />
      ))}
      {next ? (
        <tr id="datasets-more" class="ds-more-row">
          <td colspan={4}>
            <div class="load-more">
              <a
                class="btn btn-sm"
                href={listUrl(props.search, next)}
                hx-get={listUrl(props.search, next)}
                hx-target="#datasets-more"
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

/** The part that search replaces: the table, or an empty state. */
export function DatasetsTable(props: ListProps) {
  if (!props.page.items.length) {
    return (
      <div id="datasets-table">
        {props.search ? (
          <EmptyState
            title={`No dataset matches “${props.search}”`}
            icon={<SearchIcon />}
            action={
              <a class="btn" href="/datasets">
                Clear search
              </a>
            }
          >
            Search looks for the text anywhere in a dataset's name, ignoring case.
          </EmptyState>
        ) : props.paged ? (
          <EmptyState
            title="No more datasets"
            icon={<DatabaseIcon />}
            action={
              <a class="btn" href="/datasets">
                Back to the first page
              </a>
            }
          />
        ) : (
          <EmptyState
            title="No datasets yet"
            icon={<DatabaseIcon />}
            action={
              props.canManage ? (
                <a class="btn btn-primary" href="/datasets/new">
                  <UploadIcon />
                  Upload new dataset
                </a>
              ) : undefined
            }
          >
            {props.canManage
              ? 'A dataset holds the data your team labels: upload images, videos and texts from your computer, or import a manifest of URLs.'
              : 'When an admin adds data, the datasets appear here.'}
          </EmptyState>
        )}
      </div>
    )
  }
  return (
    <div id="datasets-table" class="table-wrap ds-table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Name</th>
            <th class="num">Data rows</th>
            <th class="ds-created">Created</th>
            <th class="actions">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody id="datasets-rows">
          <DatasetRows page={props.page} search={props.search} canManage={props.canManage} />
          <tr class="empty-row">
            <td colspan={4} class="muted">
              No datasets left on this page. <a href="/datasets">Reload the list</a>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  )
}

export function DatasetsPage(props: ListProps & { notice?: string }) {
  const showSearch = props.page.items.length > 0 || props.search !== '' || props.paged
  return (
    <>
      <PageHeader
        title="Datasets"
        subtitle="The data your team labels, newest first."
        actions={
          props.canManage ? (
            <a class="btn btn-primary" href="/datasets/new">
              <UploadIcon />
              Upload new dataset
            </a>
          ) : undefined
        }
      />
      {props.notice ? (
        <div class="ds-notice">
          <Alert tone="info">{props.notice}</Alert>
        </div>
      ) : null}
      {showSearch ? (
        <SearchToolbar
          class="ds-toolbar"
          id="dataset-search"
          action="/datasets"
          rows="/datasets"
          target="#datasets-table"
          label="Search datasets"
          placeholder="Search datasets by name"
          value={props.search}
        />
      ) : null}
      <DatasetsTable {...props} />
    </>
  )
}
