/** @module The labeling page: the asset, boxes drawn with the mouse for bounding-box tools, the
 * ontology's classifications as a form with keyboard shortcuts, Submit / Skip. */
import type { QueueItem } from '../../src/modules/labels/work-queue'
import type { OntologyClassification } from '../../src/modules/projects/ontology'
import { Alert, EmptyState, PageHeader } from '../components/ui'
import { Asset } from './asset'

export type LabelFormState = { message?: string; objects?: string; answers?: Record<string, string[]> }

function ClassificationField({ c, n, state }: { c: OntologyClassification; n: { next: number }; state?: LabelFormState }) {
  const name = `cls.${c.feature_schema_id}`
  const chosen = state?.answers?.[name] ?? []
  if (c.type === 'text') {
    return (
      <div class="field">
        <label for={name}>
          {c.name}
          {c.required ? ' *' : ''}
        </label>
        <textarea class="textarea" id={name} name={name} rows={2}>
          {chosen[0] ?? ''}
        </textarea>
      </div>
    )
  }
  return (
    <fieldset class="answer-group">
      <legend>
        {c.name}
        {c.required ? ' *' : ''} <span class="muted small">({c.type === 'radio' ? 'one' : 'any'})</span>
      </legend>
      {c.options.map((o) => {
        const key = n.next <= 9 ? String(n.next++) : undefined
        return (
          <label class="answer">
            <input
              type={c.type === 'radio' ? 'radio' : 'checkbox'}
              name={name}
              value={o.feature_schema_id}
              checked={chosen.includes(o.feature_schema_id)}
              data-shortcut={key}
            />
            <span>{o.name}</span>
            {key ? <kbd>{key}</kbd> : null}
          </label>
        )
      })}
    </fieldset>
  )
}

export function LabelPage({ item, startedAt, state }: { item: QueueItem; startedAt: number; state?: LabelFormState }) {
  const p = item.loaded.project
  const boxes = p.ontology.tools.filter((t) => t.tool === 'bounding_box')
  const others = p.ontology.tools.filter((t) => t.tool !== 'bounding_box')
  const n = { next: 1 }
  const row = item.dataRow
  return (
    <>
      <PageHeader
        title={`Label · ${p.name}`}
        subtitle={
          <>
            {row.external_id ?? row.global_key ?? row.id} · {item.remaining.toLocaleString('en-US')} rows left in the queue
          </>
        }
        actions={
          <a class="btn" href={`/projects/${p.id}`}>
            Back to dashboard
          </a>
        }
      />
      {state?.message ? <Alert tone="error">{state.message}</Alert> : null}
      <form class="labeling" method="post" action={`/projects/${p.id}/label`} id="label-form" hx-boost="false">
        <input type="hidden" name="data_row_id" value={row.id} />
        <input type="hidden" name="started_at" value={String(startedAt)} />
        <input type="hidden" name="objects" id="objects-input" value={state?.objects ?? '[]'} />
        <div class="labeling-asset card card-tight">
          <Asset row={row} draw={boxes.length > 0} />
        </div>
        <aside class="labeling-side card card-tight">
          {boxes.length ? (
            <section>
              <h2>Boxes</h2>
              <p class="muted small">Pick a tool, then drag on the image. Delete a box with its × button.</p>
              <div class="tool-picker" role="radiogroup" aria-label="Drawing tool">
                {boxes.map((t, i) => (
                  <label class="tool-choice">
                    <input
                      type="radio"
                      name="_tool"
                      value={t.feature_schema_id}
                      checked={i === 0}
                      data-color={t.color}
                      data-name={t.name}
                    />
                    <span class="swatch" style={`background:${t.color}`}></span> {t.name}
                  </label>
                ))}
              </div>
              <ol class="box-list" id="box-list" aria-live="polite"></ol>
            </section>
          ) : null}
          {others.length ? (
            <p class="muted small">
              Other tools ({others.map((t) => t.name).join(', ')}) can be labeled through the API or a label import; this page draws boxes.
            </p>
          ) : null}
          {p.ontology.classifications.length ? (
            <section>
              <h2>Classifications</h2>
              {p.ontology.classifications.map((c) => (
                <ClassificationField c={c} n={n} state={state} />
              ))}
              {n.next > 1 ? <p class="muted small">Press the number keys to toggle answers.</p> : null}
            </section>
          ) : null}
          <div class="form-actions labeling-actions">
            <button class="btn" type="submit" name="skip" value="1" title="Skip this data row (s)">
              Skip
            </button>
            <button class="btn btn-primary" type="submit" title="Submit (Enter)">
              Submit
            </button>
          </div>
        </aside>
      </form>
    </>
  )
}

export function QueueEmpty({ projectId, name }: { projectId: string; name: string }) {
  return (
    <>
      <PageHeader
        title={`Label · ${name}`}
        actions={
          <a class="btn" href={`/projects/${projectId}`}>
            Back to dashboard
          </a>
        }
      />
      <EmptyState
        title="Nothing left to label"
        action={
          <a class="btn btn-primary" href={`/projects/${projectId}`}>
            See the dashboard
          </a>
        }
      >
        Every data row in this project's batches is labeled, skipped, or being labeled by someone else right now. Attach another batch to
        continue.
      </EmptyState>
    </>
  )
}
