/**
 * @module "Generate export": include-flags and optional filters (the NDJSON line format: src/modules/exports/lines.ts).
 * One panel (`#export-panel`) serves the dashboard's dialog and the no-JavaScript page
 * GET /projects/{id}/export: the form (422 with the errors inline, values kept), or the started
 * task — a TaskItem that public/js/tasks.js keeps live until "Download result" appears.
 */
import type { BatchView } from '../../src/modules/projects/batches'
import type { ProjectView } from '../../src/modules/projects/service'
import type { TaskView } from '../../src/modules/tasks/service'
import { formatNumber } from '../format'
import { Alert, PageHeader } from '../components/ui'
import { fieldError, FormMessage, type FormState } from '../components/form'
import { TaskItem } from '../tasks/list'
import { FORMAT_CHOICES, FORMAT_WORDS } from './formats'

export const EXPORT_PARAMS = [
  { key: 'data_row_details', label: 'Data row details', help: 'Dataset, created and updated times, creator' },
  { key: 'metadata_fields', label: 'Metadata fields', help: 'The data rows’ metadata' },
  { key: 'attachments', label: 'Attachments', help: 'Files and texts attached to data rows' },
  { key: 'media_attributes', label: 'Media attributes', help: 'MIME type, width, height' },
  { key: 'project_details', label: 'Project details', help: 'Batch, priority, workflow status' },
  { key: 'label_details', label: 'Label details', help: 'Authors, times and reviews of labels' },
  { key: 'performance_details', label: 'Performance details', help: 'Seconds to create, skipped' },
] as const

export const WORKFLOW_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'ToLabel', label: 'To label' },
  { value: 'InReview', label: 'In review' },
  { value: 'InRework', label: 'In rework' },
  { value: 'Done', label: 'Done' },
]

/** What the form posts (kept as typed when it comes back with errors). */
export type ExportValues = {
  format: string
  params: string[]
  workflow_status: string
  label_from: string
  label_to: string
  batch_id: string
  data_row_ids: string
  global_keys: string
}

export const DEFAULT_EXPORT_VALUES: ExportValues = {
  format: 'ndjson',
  params: EXPORT_PARAMS.map((p) => p.key),
  workflow_status: '',
  label_from: '',
  label_to: '',
  batch_id: '',
  data_row_ids: '',
  global_keys: '',
}

export type ExportState = { values: ExportValues; errors?: FormState['errors']; message?: string }
type P = Pick<ProjectView, 'id' | 'name'>
const FILTER_FIELDS = ['workflow_status', 'label_from', 'label_to', 'batch_id', 'data_row_ids', 'global_keys'] as const

const panelUrl = (p: P, inDialog: boolean) => `/projects/${p.id}/export${inDialog ? '?in=dialog' : ''}`

function Err({ state, name }: { state: FormState; name: string }) {
  const e = fieldError(state, name)
  return e ? (
    <div class="error" id={`x-${name}-error`}>
      {e}
    </div>
  ) : null
}

export function ExportForm(props: { p: P; batches: BatchView[]; state?: ExportState; inDialog: boolean }) {
  const { p } = props
  const v = props.state?.values ?? DEFAULT_EXPORT_VALUES
  const st: FormState = { values: v, errors: props.state?.errors, message: props.state?.message }
  const url = `/projects/${p.id}/export`
  const has = (name: string) => !!fieldError(st, name)
  const cls = (name: string) => `field${has(name) ? ' has-error' : ''}`
  const inv = (name: string) => (has(name) ? { 'aria-invalid': 'true', 'aria-describedby': `x-${name}-error` } : {})
  const filtersOpen = FILTER_FIELDS.some((f) => v[f] !== '' || has(f))
  return (
    <div id="export-panel" class="export-panel">
      <form
        class="form export-form"
        method="post"
        action={url}
        hx-post={url}
        hx-target="#export-panel"
        hx-swap="outerHTML"
        hx-disable="find button[type=submit]"
        novalidate
      >
        <input type="hidden" name="_in" value={props.inDialog ? 'dialog' : 'page'} />
        <FormMessage state={st} fields={['format', 'params', ...FILTER_FIELDS]} />
        <fieldset class="export-fieldset">
          <legend>Format</legend>
          <div class="check-grid">
            {FORMAT_CHOICES.map((f) => (
              <label class="check-card">
                <input type="radio" name="format" value={f} checked={(v.format || 'ndjson') === f} {...inv('format')} />
                <span>
                  <span class="check-title">
                    {FORMAT_WORDS[f].label}
                    {FORMAT_WORDS[f].imageProjectsOnly ? <span class="muted small"> · image projects</span> : null}
                  </span>
                  <span class="help">{FORMAT_WORDS[f].help}</span>
                </span>
              </label>
            ))}
          </div>
          <Err state={st} name="format" />
        </fieldset>
        <fieldset class="export-fieldset">
          <legend>
            Include <span class="muted small">NDJSON</span>
          </legend>
          <p class="help">Every line has the data row and its labels with their annotations; add the sections you need.</p>
          <div class="check-grid">
            {EXPORT_PARAMS.map((o) => (
              <label class="check-card">
                <input type="checkbox" name="params" value={o.key} checked={v.params.includes(o.key)} />
                <span>
                  <span class="check-title">{o.label}</span>
                  <span class="help">{o.help}</span>
                </span>
              </label>
            ))}
          </div>
          <Err state={st} name="params" />
        </fieldset>
        <details class="export-filters" open={filtersOpen}>
          <summary>
            Filters <span class="muted small">optional · combined with AND</span>
          </summary>
          <div class="export-filter-grid">
            <div class={cls('workflow_status')}>
              <label for="x-workflow_status">Workflow status</label>
              <select class="select" id="x-workflow_status" name="workflow_status" {...inv('workflow_status')}>
                {WORKFLOW_OPTIONS.map((o) => (
                  <option value={o.value} selected={v.workflow_status === o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              <Err state={st} name="workflow_status" />
            </div>
            <div class={cls('batch_id')}>
              <label for="x-batch_id">Batch</label>
              <select class="select" id="x-batch_id" name="batch_id" {...inv('batch_id')}>
                <option value="" selected={!v.batch_id}>
                  All batches
                </option>
                {props.batches.map((b) => (
                  <option value={b.id} selected={v.batch_id === b.id}>
                    {b.name} ({formatNumber(b.size)} rows)
                  </option>
                ))}
                {v.batch_id && !props.batches.some((b) => b.id === v.batch_id) ? (
                  <option value={v.batch_id} selected>
                    {v.batch_id}
                  </option>
                ) : null}
              </select>
              <Err state={st} name="batch_id" />
            </div>
            <div class={cls('label_from')}>
              <label for="x-label_from">Labels created from</label>
              <input class="input" type="date" id="x-label_from" name="label_from" value={v.label_from} {...inv('label_from')} />
              {has('label_from') ? <Err state={st} name="label_from" /> : <div class="help">UTC, from the start of the day</div>}
            </div>
            <div class={cls('label_to')}>
              <label for="x-label_to">Labels created until</label>
              <input class="input" type="date" id="x-label_to" name="label_to" value={v.label_to} {...inv('label_to')} />
              {has('label_to') ? <Err state={st} name="label_to" /> : <div class="help">UTC, to the end of the day</div>}
            </div>
          </div>
          <div class="export-ids">
            <p class="help">
              Only some data rows: fill in <strong>one</strong> of these lists, one per line (at most 2,000).
            </p>
            <div class="form-row two">
              <div class={cls('data_row_ids')}>
                <label for="x-data_row_ids">Data row IDs</label>
                <textarea
                  class="textarea mono-input"
                  id="x-data_row_ids"
                  name="data_row_ids"
                  rows={3}
                  placeholder={'dr_…\ndr_…'}
                  {...inv('data_row_ids')}
                >
                  {v.data_row_ids}
                </textarea>
                <Err state={st} name="data_row_ids" />
              </div>
              <div class={cls('global_keys')}>
                <label for="x-global_keys">Global keys</label>
                <textarea
                  class="textarea mono-input"
                  id="x-global_keys"
                  name="global_keys"
                  rows={3}
                  placeholder={'street-0001.jpg\nstreet-0002.jpg'}
                  {...inv('global_keys')}
                >
                  {v.global_keys}
                </textarea>
                <Err state={st} name="global_keys" />
              </div>
            </div>
          </div>
        </details>
        <div class="form-actions">
          {props.inDialog ? (
            <button type="button" class="btn" data-dialog-close>
              Cancel
            </button>
          ) : (
            <a class="btn" href={`/projects/${p.id}`}>
              Cancel
            </a>
          )}
          <button class="btn btn-primary" type="submit">
            Generate export
          </button>
        </div>
      </form>
    </div>
  )
}

/** The export was started (or the same one was already running): its live task item. */
export function ExportStarted(props: { p: P; task: TaskView; existing: boolean; inDialog: boolean }) {
  const { p } = props
  return (
    <div id="export-panel" class="export-panel export-started">
      <Alert tone={props.existing ? 'info' : 'success'} title={props.existing ? 'This export is already running' : 'Export started'}>
        <div>
          {props.existing
            ? 'The same export — same options and filters — was started before and has not finished; it is shown below.'
            : 'It runs in the background: you can close this and keep working. It stays in the Tasks menu, with its download when it is done.'}
        </div>
      </Alert>
      <div class="export-task">
        <TaskItem t={props.task} />
      </div>
      <div class="form-actions">
        <a class="btn" href={`/projects/${p.id}/export`} hx-get={panelUrl(p, props.inDialog)} hx-target="#export-panel" hx-swap="outerHTML">
          Start another export
        </a>
        {props.inDialog ? (
          <button type="button" class="btn btn-primary" data-dialog-close>
            Done
          </button>
        ) : (
          <a class="btn btn-primary" href={`/projects/${p.id}`}>
            Back to the dashboard
          </a>
        )}
      </div>
    </div>
  )
}

/** Refusals that are not the form's (no permission any more, project gone), inside the panel. */
export function ExportRefused(props: { detail: string }) {
  return (
    <div id="export-panel" class="export-panel">
      <Alert tone="error" title="The export was not started">
        {<div>{props.detail}</div>}
      </Alert>
    </div>
  )
}

/** The dashboard's dialog around the panel; public/js/export-dialog.js opens it. */
export function ExportDialog(props: { p: P; batches: BatchView[] }) {
  return (
    <dialog id="export-dialog" class="export-dialog" aria-labelledby="export-dialog-title">
      <div class="dialog-head">
        <div>
          <h2 id="export-dialog-title">Generate export</h2>
          <p class="muted small">
            The data rows of “{props.p.name}” and their labels, as Labelbox export v2 NDJSON, COCO, YOLO, Pascal VOC or CSV.
          </p>
        </div>
        <form method="dialog">
          <button type="submit" class="btn btn-ghost btn-icon" value="close" aria-label="Close">
            ✕
          </button>
        </form>
      </div>
      <div class="dialog-body">
        <ExportForm p={props.p} batches={props.batches} inDialog />
      </div>
    </dialog>
  )
}

/** GET /projects/{id}/export: the same panel as a page (no JavaScript needed). */
export function ExportPage(props: {
  p: ProjectView
  batches: BatchView[]
  state?: ExportState
  started?: { task: TaskView; existing: boolean }
  notice?: string
}) {
  const { p } = props
  return (
    <div class="narrow-page">
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <a href="/projects">Projects</a> <span aria-hidden="true">/</span> <a href={`/projects/${p.id}`}>{p.name}</a>{' '}
        <span aria-hidden="true">/</span> <span>Export</span>
      </nav>
      <PageHeader
        title="Generate export"
        subtitle={
          <>
            The {formatNumber(p.data_row_count)} data rows of “{p.name}” and their labels, as Labelbox export v2 NDJSON, COCO, YOLO, Pascal
            VOC or CSV. It runs as a task; download it from the Tasks menu.
          </>
        }
      />
      {props.notice ? (
        <div class="notice">
          <Alert tone="info">{props.notice}</Alert>
        </div>
      ) : null}
      <div class="card">
        {props.started ? (
          <ExportStarted p={p} task={props.started.task} existing={props.started.existing} inDialog={false} />
        ) : (
          <ExportForm p={p} batches={props.batches} state={props.state} inDialog={false} />
        )}
      </div>
    </div>
  )
}
