/** @module "Add to project…" from a dataset's page: the data rows picked in its table go to a
 * project as a new batch (src/modules/datasets/web.tsx; the batch itself is made by
 * src/modules/projects/batches.ts, the same service as the project's Data settings). One panel,
 * swapped in place by htmx and shown as its own page without JavaScript. */
import type { DatasetView } from '../../src/modules/datasets/service'
import type { ProjectChoice } from '../../src/modules/projects/choices'
import { formatNumber } from '../format'
import { fieldError, FormMessage, type FormState } from '../components/form'
import { Alert, mediaLabel, PageHeader } from '../components/ui'
import { Breadcrumbs } from './parts'

export type AddToProjectProps = {
  d: DatasetView
  /** The rows picked on the dataset page. */
  ids: string[]
  projects: { items: ProjectChoice[]; more: boolean }
  state?: FormState
  /** What the last submit did. */
  done?: { message: string; projectId: string; projectName: string }
}

const PRIORITY_LABEL: Record<number, string> = { 1: '1 · highest', 2: '2 · high', 3: '3 · normal', 4: '4 · low', 5: '5 · lowest' }

export const addUrl = (datasetId: string) => `/datasets/${datasetId}/add-to-project`
const rowsWord = (n: number) => `${formatNumber(n)} data ${n === 1 ? 'row' : 'rows'}`

/** A batch name nobody has to type: the dataset and the minute (UTC). */
export const defaultBatchName = (d: DatasetView, now = new Date()) => `${d.name} · ${now.toISOString().slice(0, 16).replace('T', ' ')}`

export function AddToProjectPanel(props: AddToProjectProps) {
  const { d, ids, done } = props
  const st = props.state
  const v = st?.values ?? {}
  const url = addUrl(d.id)
  const projErr = fieldError(st, 'project_id')
  const nameErr = fieldError(st, 'name')
  const prioErr = fieldError(st, 'priority')
  const noRows = !ids.length && !done
  return (
    <section class="card ds-panel ds-add-panel" id="add-to-project" aria-labelledby="add-to-project-title" tabindex={-1} data-add-panel>
      <div class="ds-panel-head">
        <h2 id="add-to-project-title">Add to project</h2>
        <a class="btn btn-ghost btn-sm" href={`/datasets/${d.id}`} data-add-close>
          Close
        </a>
      </div>
      {done ? (
        <div role="status" data-add-done>
          <Alert tone="success" title={done.message}>
            <a href={`/projects/${done.projectId}/settings/data`}>Open {done.projectName}’s data</a>
          </Alert>
        </div>
      ) : noRows ? (
        <Alert tone="info" title="No data rows are selected.">
          Tick the rows in the table (or the box in its header for every row on the page), then choose Add to project….
        </Alert>
      ) : props.projects.items.length === 0 ? (
        <Alert tone="info" title="There is no project to add rows to.">
          <a href="/projects/new">Create a project</a> first; then its batches can take rows from here.
        </Alert>
      ) : (
        <form class="form" method="post" action={url} hx-post={url} hx-target="#add-to-project" hx-swap="outerHTML" data-add-form>
          <p class="muted" data-add-count>
            {rowsWord(ids.length)} selected go to the project as a new batch. Rows already in that project are skipped.
          </p>
          {ids.map((id) => (
            <input type="hidden" name="data_row_ids" value={id} />
          ))}
          <FormMessage state={st} fields={['project_id', 'name', 'priority']} />
          <div class={`field${projErr ? ' has-error' : ''}`}>
            <label for="f-add-project">Project</label>
            <select
              class="select"
              id="f-add-project"
              name="project_id"
              required
              aria-invalid={projErr ? 'true' : undefined}
              aria-describedby={projErr ? 'f-add-project-error' : 'f-add-project-help'}
            >
              <option value="">Choose a project…</option>
              {props.projects.items.map((p) => (
                <option value={p.id} selected={v.project_id === p.id}>
                  {p.name} ({mediaLabel(p.media_type)})
                </option>
              ))}
            </select>
            {projErr ? (
              <div class="error" id="f-add-project-error">
                {projErr}
              </div>
            ) : (
              <div class="help" id="f-add-project-help">
                A project labels one media type; rows of another type are refused.
                {props.projects.more ? ' The newest projects are listed.' : ''}
              </div>
            )}
          </div>
          <div class="form-row two">
            <div class={`field${nameErr ? ' has-error' : ''}`}>
              <label for="f-add-name">Batch name</label>
              <input
                class="input"
                id="f-add-name"
                name="name"
                required
                maxlength={200}
                autocomplete="off"
                value={v.name == null ? defaultBatchName(d) : String(v.name)}
                aria-invalid={nameErr ? 'true' : undefined}
                aria-describedby={nameErr ? 'f-add-name-error' : undefined}
              />
              {nameErr ? (
                <div class="error" id="f-add-name-error">
                  {nameErr}
                </div>
              ) : null}
            </div>
            <div class={`field${prioErr ? ' has-error' : ''}`}>
              <label for="f-add-priority">Priority</label>
              <select class="select" id="f-add-priority" name="priority" aria-describedby="f-add-priority-help">
                {[1, 2, 3, 4, 5].map((n) => (
                  <option value={String(n)} selected={String(v.priority ?? '5') === String(n)}>
                    {PRIORITY_LABEL[n]}
                  </option>
                ))}
              </select>
              <div class={prioErr ? 'error' : 'help'} id="f-add-priority-help">
                {prioErr ?? 'The queue serves higher priority first.'}
              </div>
            </div>
          </div>
          <div class="form-actions">
            <button class="btn btn-primary" type="submit">
              Add {rowsWord(ids.length)}
            </button>
          </div>
        </form>
      )}
    </section>
  )
}

/** The panel as a page (browsers without JavaScript, or a reload of its address). */
export function AddToProjectPage(props: AddToProjectProps) {
  return (
    <>
      <Breadcrumbs
        items={[
          { href: '/datasets', label: 'Datasets' },
          { href: `/datasets/${props.d.id}`, label: props.d.name },
          { label: 'Add to project' },
        ]}
      />
      <PageHeader title={props.d.name} subtitle="Data rows picked on the dataset’s page go to a project as a new batch." />
      <AddToProjectPanel {...props} />
    </>
  )
}
