/** @module Tasks: one item component used by the Tasks menu, the Tasks page and anywhere a task is
 * shown; it carries `data-task-id` so public/js/tasks.js can update it live. */
import type { TaskView } from '../../src/modules/tasks/service'
import type { Page } from '../../src/lib/pagination'
import { Badge, EmptyState, PageHeader, Progress, Time, type Tone } from '../components/ui'
import { TasksIcon } from '../components/icons'
import { formatNumber } from '../format'
import type { ExportFormat } from '../../src/modules/exports/schemas'
import { FORMAT_WORDS } from '../exports/formats'

const STATUS: Record<string, { label: string; tone: Tone }> = {
  QUEUED: { label: 'Queued', tone: 'amber' },
  IN_PROGRESS: { label: 'In progress', tone: 'amber' },
  COMPLETE: { label: 'Complete', tone: 'green' },
  FAILED: { label: 'Failed', tone: 'red' },
  CANCELED: { label: 'Canceled', tone: 'neutral' },
}
const TYPE_LABEL: Record<string, string> = {
  'export-data-rows': 'Export',
  'import-data-rows': 'Data-row import',
  'import-labels': 'Label import',
  'delete-project': 'Delete project',
  'delete-dataset': 'Delete dataset',
  'read-media-attributes': 'Image sizes',
}

/** Counts worth showing beside the bar, from the task's metadata. */
function counts(t: TaskView): string | null {
  const m = t.metadata as Record<string, number | undefined>
  if (m.rows_created !== undefined) return `${formatNumber(m.rows_created)} created · ${formatNumber(m.rows_failed ?? 0)} with errors`
  if (m.lines_written !== undefined) return `${formatNumber(m.lines_written)} data rows exported`
  if (m.sizes_read !== undefined) return `${formatNumber(m.sizes_read)} image sizes read · ${formatNumber(m.rows_failed ?? 0)} unreadable`
  if (m.deleted_rows !== undefined) return `${formatNumber(m.deleted_rows)} rows deleted`
  return null
}

export function TaskItem({ t, compact }: { t: TaskView; compact?: boolean }) {
  const s = STATUS[t.status] ?? STATUS.QUEUED!
  const running = t.status === 'QUEUED' || t.status === 'IN_PROGRESS'
  const c = counts(t)
  return (
    <div
      class={`task-item${compact ? ' compact' : ''}`}
      id={`task-${compact ? 'menu-' : ''}${t.id}`}
      data-task-id={t.id}
      data-task-status={t.status}
    >
      <div class="task-head">
        <strong class="task-name" title={t.name}>
          {t.name}
        </strong>
        <Badge tone={s.tone}>{s.label}</Badge>
      </div>
      <div class="small muted" data-task-resuming hidden={!t.resuming}>
        Resuming after an interruption…
      </div>
      <div class="task-meta small muted">
        {TYPE_LABEL[t.type] ?? t.type}
        {typeof t.metadata.format === 'string' ? ` (${FORMAT_WORDS[t.metadata.format as ExportFormat]?.label ?? t.metadata.format})` : ''} ·
        started <Time value={t.created_at} />
        {t.finished_at ? (
          <>
            {' '}
            · finished <Time value={t.finished_at} />
          </>
        ) : null}
      </div>
      {running ? (
        <Progress
          percent={t.status === 'QUEUED' ? null : t.completion_percentage}
          label={t.status === 'QUEUED' ? 'Waiting to start…' : `${t.name} progress`}
        />
      ) : null}
      {c ? (
        <div class="task-counts small" data-task-counts>
          {c}
        </div>
      ) : (
        <div class="task-counts small" data-task-counts hidden></div>
      )}
      {t.status === 'FAILED' && t.failure_reason ? (
        <div class="small" style="color:var(--red)">
          {t.failure_reason}
        </div>
      ) : null}
      {t.status === 'COMPLETE' && (t.result_url || t.errors_url) ? (
        <div class="task-links small">
          {t.result_url ? (
            <a href={t.result_url} hx-boost="false" download>
              Download result
            </a>
          ) : null}
          {t.errors_url ? (
            <>
              <a href={t.errors_url} hx-boost="false" download>
                Error report (NDJSON)
              </a>
              <a href={`${t.errors_url}?format=csv`} hx-boost="false" download>
                (CSV)
              </a>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

export function TasksMenuBody({ page }: { page: Page<TaskView> }) {
  if (!page.items.length) {
    return (
      <div class="menu-empty">
        <strong>No tasks yet</strong>
        <div class="small">Exports, imports and big deletes you start run in the background and show up here with their progress.</div>
      </div>
    )
  }
  return (
    <div class="task-list">
      {page.items.map((t) => (
        <TaskItem t={t} compact />
      ))}
    </div>
  )
}

export function TasksPage({ page }: { page: Page<TaskView> }) {
  return (
    <>
      <PageHeader title="Tasks" subtitle="Exports, imports and big deletes you started, newest first. Progress updates live." />
      {page.items.length ? (
        <div class="card task-page-list" id="task-page-list">
          <TaskRows page={page} />
        </div>
      ) : (
        <EmptyState title="No tasks yet" icon={<TasksIcon />}>
          Long work runs in the background. When you generate an export or import data, it shows up here with live progress and its
          downloads.
        </EmptyState>
      )}
    </>
  )
}

export function TaskRows({ page }: { page: Page<TaskView> }) {
  return (
    <>
      {page.items.map((t) => (
        <TaskItem t={t} />
      ))}
      {page.next_cursor ? (
        <div class="load-more" id="tasks-more">
          <a
            class="btn btn-sm"
            href={`/tasks?cursor=${page.next_cursor}`}
            hx-get={`/tasks/rows?cursor=${page.next_cursor}`}
            hx-target="#tasks-more"
            hx-swap="outerHTML"
          >
            Load more
          </a>
        </div>
      ) : null}
    </>
  )
}
