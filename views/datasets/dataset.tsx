/** @module One dataset: its header and actions, the upload panel (files → data rows, with
 * progress, driven by /js/uploads.js), the manifest import panel and its self-updating task card,
 * and the table of data rows with "load more". */
import type { DatasetView } from '../../src/modules/datasets/service'
import type { DataRowView } from '../../src/modules/datasets/data-rows'
import type { TaskView } from '../../src/modules/tasks/service'
import type { Page } from '../../src/lib/pagination'
import { formatBytes, formatNumber } from '../format'
import { Alert, Badge, EmptyState, MediaBadge, PageHeader, Progress, Time, type Tone } from '../components/ui'
import { DatabaseIcon, DotsIcon } from '../components/icons'
import { AssetTile, Breadcrumbs, describeData, ImportIcon, rowUrl, sourceOf, UploadIcon } from './parts'

/** Files up to this size go in one request; bigger ones in parts (a Worker body is capped at 100 MB). */
export const SINGLE_UPLOAD_MAX = 50 * 1024 * 1024

export type Panel = 'upload' | 'import' | null

export type DatasetPageProps = {
  d: DatasetView
  rows: Page<DataRowView>
  canManage: boolean
  panel: Panel
  /** An import to follow (?import=tsk_…). */
  importTask?: TaskView | null
  importError?: string
  notice?: { tone: 'success' | 'info' | 'error'; title?: string; lines?: string[] }
  paged?: boolean
  /** Uploads started from a project's settings: the files also go to that project as a batch. */
  attachTo?: AttachTarget | null
  /** May put rows into projects ("Add to project…"). */
  canAttach?: boolean
  /** The caller's imports into this dataset that are running now. */
  imports?: { id: string }[]
}

export type AttachTarget = { projectId: string; projectName: string; priority: number }

const rowsUrl = (datasetId: string, cursor?: string) => `/datasets/${datasetId}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`
export const rowCountLabel = (n: number) => `${formatNumber(n)} data ${n === 1 ? 'row' : 'rows'}`

// Rows ------------------------------------------------------------------------------------------

/** The form the row checkboxes belong to (they sit in the table, the form above it). */
export const PICK_FORM = 'add-rows-form'

export function DataRowRow({ r, s3Servable = false, selectable = false }: { r: DataRowView; s3Servable?: boolean; selectable?: boolean }) {
  const src = sourceOf(r.row_data)
  const size = r.media_attributes?.file_size
  return (
    <tr>
      {selectable ? (
        <td class="ds-pick-cell">
          <input
            type="checkbox"
            class="ds-pick"
            name="data_row_ids"
            value={r.id}
            form={PICK_FORM}
            data-pick-row
            aria-label={`Select ${describeData(r)}`}
          />
        </td>
      ) : null}
      <td class="primary-cell ds-data-cell">
        <a class="ds-data-link" href={rowUrl(r)}>
          <AssetTile r={r} s3Servable={s3Servable} />
          <span class="ds-data-text">
            {src === 'text' ? <span class="ds-snippet">{describeData(r)}</span> : <span class="ds-data-name">{describeData(r)}</span>}
            <span class="sub">
              {src === 'upload'
                ? `Uploaded file${typeof size === 'number' ? ` · ${formatBytes(size)}` : ''}`
                : src === 'text'
                  ? `Raw text · ${formatNumber(r.row_data.length)} characters`
                  : src === 's3'
                    ? 'S3 object'
                    : 'URL'}
            </span>
          </span>
        </a>
      </td>
      <td>
        {r.global_key ? (
          <span class="mono ds-key" title={r.global_key}>
            {r.global_key}
          </span>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        {r.external_id ? (
          <span class="ds-ext" title={r.external_id}>
            {r.external_id}
          </span>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        <MediaBadge type={r.media_type} />
      </td>
      <td class="nowrap">
        <Time value={r.created_at} />
      </td>
    </tr>
  )
}

/** `s3Servable`: the dataset uses an AWS integration, so its S3 rows have thumbnails;
 * `selectable`: each row has a checkbox for "Add to project…". */
export function DataRowRows({
  datasetId,
  page,
  s3Servable = false,
  selectable = false,
}: {
  datasetId: string
  page: Page<DataRowView>
  s3Servable?: boolean
  selectable?: boolean
}) {
  const next = page.next_cursor
  return (
    <>
      {page.items.map((r) => (
        <DataRowRow r={r} s3Servable={s3Servable} selectable={selectable} />
      ))}
      {next ? (
        <tr id="data-rows-more" class="ds-more-row">
          <td colspan={selectable ? 6 : 5}>
            <div class="load-more">
              <a
                class="btn btn-sm"
                href={rowsUrl(datasetId, next)}
                hx-get={rowsUrl(datasetId, next)}
                hx-target="#data-rows-more"
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

/** The rows section; also the fragment that refreshes after uploads and imports. */
export function DataRowsSection(props: {
  d: DatasetView
  rows: Page<DataRowView>
  canManage: boolean
  paged?: boolean
  /** May put rows into projects (team manager or more): the rows get checkboxes. */
  canAttach?: boolean
  /** Imports into this dataset running now: their live count heads the table. */
  imports?: { id: string }[]
}) {
  const { d } = props
  const pick = !!props.canAttach && props.rows.items.length > 0
  return (
    <section class="section ds-rows" id="data-rows" aria-labelledby="data-rows-title">
      <div class="ds-section-head">
        <h2 id="data-rows-title">Data rows</h2>
        <span class="muted small">
          Newest first
          {props.paged ? (
            <>
              {' '}
              · <a href={`/datasets/${d.id}`}>back to the newest</a>
            </>
          ) : null}
        </span>
      </div>
      {props.imports?.map((t) => (
        <LiveImport datasetId={d.id} t={t} />
      ))}
      {pick ? <PickBar datasetId={d.id} /> : null}
      {pick ? <div id="add-to-project-slot" /> : null}
      {props.rows.items.length ? (
        <div class="table-wrap">
          <table class="table ds-rows-table">
            <thead>
              <tr>
                {pick ? (
                  <th class="ds-pick-cell">
                    <input type="checkbox" class="ds-pick" data-pick-all={PICK_FORM} aria-label="Select every row on this page" />
                  </th>
                ) : null}
                <th>Data</th>
                <th>Global key</th>
                <th>External ID</th>
                <th>Type</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody id="data-rows-body">
              <DataRowRows datasetId={d.id} page={props.rows} s3Servable={d.integration_id !== null} selectable={pick} />
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState
          title={props.paged ? 'No more data rows' : 'No data rows yet'}
          icon={<DatabaseIcon />}
          action={
            props.canManage && !props.paged ? (
              <div class="row ds-center">
                <a class="btn btn-primary" href={`/datasets/${d.id}?panel=upload`} hx-boost="false" data-panel="upload-panel">
                  <UploadIcon />
                  Add files
                </a>
                <a class="btn" href={`/datasets/${d.id}?panel=import`} hx-boost="false" data-panel="import-panel">
                  <ImportIcon />
                  Import manifest
                </a>
              </div>
            ) : undefined
          }
        >
          {props.paged
            ? null
            : props.canManage
              ? 'Add files from your computer (one data row per file) or import a manifest of URLs and texts.'
              : 'When an admin adds data to this dataset, its rows appear here.'}
        </EmptyState>
      )}
    </section>
  )
}

/** The selection's count and its action. The row checkboxes belong to this form (`form=`), so
 * without JavaScript it still sends them: to the "Add to project" page. */
function PickBar({ datasetId }: { datasetId: string }) {
  const url = `/datasets/${datasetId}/add-to-project`
  return (
    <form
      class="ds-pick-bar"
      id={PICK_FORM}
      method="get"
      action={url}
      hx-get={url}
      hx-target="#add-to-project-slot"
      hx-swap="innerHTML"
      data-pick-bar
    >
      <span class="muted small" data-pick-count aria-live="polite">
        Tick rows to add them to a project.
      </span>
      <button class="btn btn-sm" type="submit" data-pick-submit>
        Add to project…
      </button>
    </form>
  )
}

/**
 * A running import into this dataset, kept live by public/js/tasks.js (the task's Durable Object
 * over SSE, whose first message is the current state): the rows so far and the share of the
 * manifest read. When it ends, the rows section is fetched again (public/js/uploads.js) and this
 * goes with it. Without JavaScript it says an import is running; a reload shows the rows so far.
 */
export function LiveImport({ datasetId, t }: { datasetId: string; t: { id: string } }) {
  return (
    <div
      class="ds-live-import"
      data-task-id={t.id}
      data-task-status="IN_PROGRESS"
      data-live-import={datasetId}
      data-rows-url={`/datasets/${datasetId}`}
    >
      <div class="ds-live-import-head">
        <strong>An import is running</strong>
        <span>
          <strong data-task-done>…</strong> rows so far
        </span>
      </div>
      <Progress percent={0} label="Import: share of the manifest read" />
      <div class="muted small">
        The table below fills in when it ends. <a href="/tasks">Follow it in Tasks</a>
      </div>
    </div>
  )
}

// Upload panel ----------------------------------------------------------------------------------

function PanelHead(props: { id: string; title: string; datasetId: string }) {
  return (
    <div class="ds-panel-head">
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <a class="btn btn-ghost btn-sm" href={`/datasets/${props.datasetId}`} hx-boost="false" data-panel-close={props.id}>
        Close
      </a>
    </div>
  )
}

export function UploadPanel(props: { d: DatasetView; open: boolean; attachTo?: AttachTarget | null }) {
  const { d, attachTo } = props
  return (
    <section
      class="card ds-panel"
      id="upload-panel"
      hidden={!props.open}
      aria-labelledby="upload-panel-title"
      tabindex={-1}
      data-upload-panel
      data-dataset-id={d.id}
      data-single-max={String(SINGLE_UPLOAD_MAX)}
      data-rows-url={`/datasets/${d.id}`}
      data-attach-project={attachTo?.projectId}
      data-attach-priority={attachTo ? String(attachTo.priority) : undefined}
      data-attach-name={attachTo ? d.name : undefined}
    >
      <PanelHead id="upload-panel" title="Add files" datasetId={d.id} />
      {attachTo ? (
        <div class="notice" data-attach-note>
          <Alert tone="info">
            Files you upload here are also added to the project{' '}
            <a href={`/projects/${attachTo.projectId}/settings/data`}>{attachTo.projectName}</a> as a batch (priority {attachTo.priority})
            once they are in.
          </Alert>
        </div>
      ) : null}
      <p class="muted">
        Each file becomes a data row, typed by its content (images, video, audio, text, PDF…). Up to 5 GB per file; files over{' '}
        {formatBytes(SINGLE_UPLOAD_MAX)} are sent in parts.
      </p>
      <form method="post" action={`/datasets/${d.id}/files`} enctype="multipart/form-data" hx-boost="false" class="ds-upload-form">
        <label class="dropzone" for="upload-input" data-dropzone>
          <UploadIcon />
          <span class="dropzone-title">
            Drop files here or <span class="link-like">choose files</span>
          </span>
          <span class="muted small">Select as many as you like; they upload three at a time.</span>
          <input class="dropzone-input" id="upload-input" type="file" name="file" multiple data-upload-input />
        </label>
        <noscript>
          <div class="form-actions ds-noscript-actions">
            <button class="btn btn-primary" type="submit">
              Upload
            </button>
          </div>
        </noscript>
      </form>
      <div class="upload-overall" data-upload-overall hidden>
        <div class="upload-overall-head">
          <strong data-upload-summary>Uploading…</strong>
          <span class="muted small" data-upload-bytes></span>
        </div>
        <div class="progress" data-progress>
          <div class="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} aria-label="All files">
            <span style="width:0%" />
          </div>
          <div class="progress-label">
            <span data-pct>0%</span>
            <span data-count></span>
          </div>
        </div>
      </div>
      <ul class="upload-list" data-upload-list aria-label="Files" />
      <template id="upload-item-template">
        <li class="upload-item">
          <div class="upload-item-head">
            <span class="upload-name" data-name />
            <span class="muted small" data-size />
            <span class="badge" data-state>
              Waiting
            </span>
          </div>
          <div class="progress" data-progress>
            <div class="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={0}>
              <span style="width:0%" />
            </div>
            <div class="progress-label">
              <span data-pct>0%</span>
              <span data-count />
            </div>
          </div>
          <div class="upload-error" role="alert" data-error hidden />
        </li>
      </template>
    </section>
  )
}

// Import panel ----------------------------------------------------------------------------------

export function ImportPanel(props: { d: DatasetView; open: boolean; task?: TaskView | null; error?: string }) {
  const { d } = props
  const err = props.error
  return (
    <section class="card ds-panel" id="import-panel" hidden={!props.open} aria-labelledby="import-panel-title" tabindex={-1}>
      <PanelHead id="import-panel" title="Import a manifest" datasetId={d.id} />
      <p class="muted">
        A manifest lists data rows: URLs (https://…) or raw text, each with an optional global key and external id. Good rows are created,
        every bad line is reported with its line number and the reason, and importing the same file again does not duplicate rows that have
        a global key.
      </p>
      <form
        method="post"
        action={`/datasets/${d.id}/imports`}
        enctype="multipart/form-data"
        hx-boost="false"
        class="form ds-import-form"
        data-import-form
        data-dataset-id={d.id}
      >
        <div class={`field${err ? ' has-error' : ''}`}>
          <label for="import-file">Manifest file</label>
          <input
            class="input-file"
            id="import-file"
            type="file"
            name="manifest"
            accept=".ndjson,.jsonl,.json,.csv"
            required
            aria-invalid={err ? 'true' : undefined}
            aria-describedby={err ? 'import-file-error' : 'import-file-help'}
          />
          <div class="error" id="import-file-error" data-import-error hidden={!err}>
            {err ?? ''}
          </div>
          <div class="help" id="import-file-help">
            NDJSON (.ndjson, .jsonl), a JSON array (.json) or CSV (.csv); up to 1,000,000 rows and 1 GB.
          </div>
        </div>
        <div class="upload-overall" data-import-progress hidden>
          <div class="progress" data-progress>
            <div
              class="progress-bar"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={0}
              aria-label="Sending the manifest"
            >
              <span style="width:0%" />
            </div>
            <div class="progress-label">
              <span data-pct>0%</span>
              <span data-count />
            </div>
          </div>
        </div>
        <div class="form-actions">
          <button class="btn btn-primary" type="submit" data-import-submit>
            Start import
          </button>
        </div>
      </form>
      <div id="import-status" aria-live="polite">
        {props.task ? <ImportCard datasetId={d.id} t={props.task} /> : null}
      </div>
      <details class="ds-formats">
        <summary>Manifest formats</summary>
        <div class="ds-formats-body">
          <div>
            <h3>NDJSON</h3>
            <p class="muted small">One JSON object per line.</p>
            <pre>
              {
                '{"row_data": "https://example.com/cat.jpg", "global_key": "cat-1"}\n{"row_data": "The quick brown fox", "external_id": "t-7"}'
              }
            </pre>
          </div>
          <div>
            <h3>JSON array</h3>
            <p class="muted small">The same objects in one array.</p>
            <pre>
              {
                '[\n  {"row_data": "https://example.com/cat.jpg",\n   "media_type": "IMAGE",\n   "metadata_fields": [{"name": "split", "value": "train"}]}\n]'
              }
            </pre>
          </div>
          <div>
            <h3>CSV</h3>
            <p class="muted small">
              Columns <code>row_data,global_key,external_id</code> and optionally <code>media_type</code>; the first line is the header.
            </p>
            <pre>{'row_data,global_key,external_id\nhttps://example.com/cat.jpg,cat-1,\nThe quick brown fox,,t-7'}</pre>
          </div>
        </div>
      </details>
    </section>
  )
}

const STATUS: Record<string, { label: string; tone: Tone }> = {
  QUEUED: { label: 'Queued', tone: 'amber' },
  IN_PROGRESS: { label: 'Importing', tone: 'amber' },
  COMPLETE: { label: 'Complete', tone: 'green' },
  FAILED: { label: 'Failed', tone: 'red' },
  CANCELED: { label: 'Canceled', tone: 'neutral' },
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

export const importCardUrl = (datasetId: string, taskId: string) => `/datasets/${datasetId}/imports/${taskId}`

/** An import task that updates itself: polls its own URL every second while it runs (the
 * server answers the card without the trigger once it is finished, which ends the polling). */
export function ImportCard(props: { datasetId: string; t: TaskView }) {
  const { t } = props
  const m = t.metadata
  const created = num(m.rows_created)
  const failed = num(m.rows_failed)
  const bytesDone = num(m.bytes_done)
  const bytesTotal = num(m.bytes_total)
  const running = t.status === 'QUEUED' || t.status === 'IN_PROGRESS'
  const s = STATUS[t.status] ?? STATUS.QUEUED!
  const url = importCardUrl(props.datasetId, t.id)
  const poll = running ? { 'hx-get': url, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {}
  return (
    <div
      class={`import-card import-${t.status.toLowerCase()}`}
      id={`import-${t.id}`}
      data-import-task={t.id}
      data-status={t.status}
      {...poll}
    >
      <div class="import-card-head">
        <strong class="import-card-name">{t.name}</strong>
        <Badge tone={s.tone}>{s.label}</Badge>
      </div>
      {t.status === 'QUEUED' ? (
        <Progress percent={null} label="Waiting to start…" />
      ) : (
        <Progress
          percent={t.status === 'COMPLETE' ? 100 : t.completion_percentage}
          status={t.status === 'COMPLETE' ? 'complete' : t.status === 'FAILED' ? 'failed' : 'running'}
          label="Import progress"
        />
      )}
      <div class="import-counts">
        <span>
          <strong data-rows-created>{formatNumber(created)}</strong> {created === 1 ? 'row' : 'rows'} created
        </span>
        <span class={failed ? 'import-failed-count' : undefined}>
          <strong data-rows-failed>{formatNumber(failed)}</strong> {failed === 1 ? 'line' : 'lines'} with errors
        </span>
        {bytesTotal ? (
          <span class="muted">
            {formatBytes(bytesDone)} / {formatBytes(bytesTotal)} read
          </span>
        ) : null}
      </div>
      {t.status === 'FAILED' ? (
        <Alert tone="error" title="The import failed">
          {t.failure_reason ?? 'No reason was recorded.'}
        </Alert>
      ) : null}
      {t.status === 'COMPLETE' ? (
        <div class="import-done">
          {failed > 0 ? (
            <span class="import-links">
              <a href={`/api/v1/tasks/${t.id}/errors`} hx-boost="false" download data-error-report>
                Download error report (NDJSON)
              </a>
              <a href={`/api/v1/tasks/${t.id}/errors?format=csv`} hx-boost="false" download>
                (CSV)
              </a>
            </span>
          ) : (
            <span class="muted">Every line was imported.</span>
          )}
          <span class="muted small">
            Finished <Time value={t.finished_at} />
          </span>
        </div>
      ) : null}
      {running ? (
        <div class="muted small">
          Runs in the background: you can leave this page and follow it in Tasks.{' '}
          <noscript>
            <a href={`/datasets/${props.datasetId}?panel=import&import=${t.id}`}>Refresh</a>
          </noscript>
        </div>
      ) : null}
    </div>
  )
}

// The page --------------------------------------------------------------------------------------

export function DatasetHeader(props: { d: DatasetView; canManage: boolean; panel: Panel }) {
  const { d } = props
  return (
    <>
      <Breadcrumbs items={[{ href: '/datasets', label: 'Datasets' }, { label: d.name }]} />
      <PageHeader
        title={d.name}
        subtitle={
          <div class="ds-meta">
            {d.description ? <p class="ds-description">{d.description}</p> : null}
            <div class="ds-facts">
              <span id="dataset-row-count" class="ds-fact-strong">
                {rowCountLabel(d.row_count)}
              </span>
              <span>
                Created <Time value={d.created_at} />
              </span>
              <span class="mono small" title="Dataset ID">
                {d.id}
              </span>
            </div>
          </div>
        }
        actions={
          props.canManage ? (
            <>
              <a
                class="btn btn-primary"
                href={`/datasets/${d.id}?panel=upload`}
                hx-boost="false"
                data-panel="upload-panel"
                aria-controls="upload-panel"
                aria-expanded={props.panel === 'upload' ? 'true' : 'false'}
              >
                <UploadIcon />
                Add files
              </a>
              <a
                class="btn"
                href={`/datasets/${d.id}?panel=import`}
                hx-boost="false"
                data-panel="import-panel"
                aria-controls="import-panel"
                aria-expanded={props.panel === 'import' ? 'true' : 'false'}
              >
                <ImportIcon />
                Import manifest
              </a>
              <details class="menu">
                <summary class="btn btn-ghost btn-icon" aria-label={`More actions for ${d.name}`}>
                  <DotsIcon />
                </summary>
                <div class="menu-panel">
                  <a href={`/api/v1/datasets/${d.id}`} hx-boost="false">
                    View as JSON
                  </a>
                  <form
                    method="post"
                    action={`/datasets/${d.id}/media-attributes`}
                    hx-post={`/datasets/${d.id}/media-attributes`}
                    hx-swap="none"
                  >
                    <button class="menu-item" type="submit" title="Read the width and height of images whose size is not known yet">
                      Read image sizes
                    </button>
                  </form>
                  <hr />
                  <a class="menu-item danger" href={`/datasets/${d.id}/delete`}>
                    Delete dataset…
                  </a>
                </div>
              </details>
            </>
          ) : undefined
        }
      />
    </>
  )
}

export function DatasetPage(props: DatasetPageProps) {
  const { d } = props
  return (
    <>
      <DatasetHeader d={d} canManage={props.canManage} panel={props.panel} />
      {props.notice ? (
        <div class="ds-notice">
          <Alert tone={props.notice.tone} title={props.notice.title}>
            {props.notice.lines?.length ? (
              <ul class="ds-notice-list">
                {props.notice.lines.map((l) => (
                  <li>{l}</li>
                ))}
              </ul>
            ) : null}
          </Alert>
        </div>
      ) : null}
      {props.canManage ? (
        <>
          <UploadPanel d={d} open={props.panel === 'upload'} attachTo={props.attachTo} />
          <ImportPanel d={d} open={props.panel === 'import'} task={props.importTask} error={props.importError} />
        </>
      ) : null}
      <DataRowsSection
        d={d}
        rows={props.rows}
        canManage={props.canManage}
        paged={props.paged}
        canAttach={props.canAttach}
        imports={props.imports}
      />
      {props.canManage || props.canAttach ? <script src="/js/uploads.js" defer></script> : null}
    </>
  )
}
