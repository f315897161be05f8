/** @module The labeling page, for a new label from the queue or a submitted one in edit mode: the asset
 * with the tools its media type takes (image tools, text entities, video frame answers), the
 * ontology's classifications as a form with keyboard shortcuts, Submit / Skip (Save in edit mode).
 * public/js/labeling.js does the drawing; the form posts what labels-form.ts reads back. */
import type { QueueItem } from '../../src/modules/labels/work-queue'
import type { OntologyClassification, OntologyTool, ToolKind } from '../../src/modules/projects/ontology'
import { Alert, EmptyState, PageHeader } from '../components/ui'
import { Asset } from './asset'

export type LabelFormState = { message?: string; objects?: string; frames?: string; answers?: Record<string, string[]> }
export type LabelEdit = { labelId: string; action: string; back: string; review: boolean }

const IMAGE_TOOLS: ToolKind[] = ['bounding_box', 'polygon', 'line', 'point', 'mask']
const TOOL_HINT: Record<ToolKind, string> = {
  bounding_box: 'drag',
  polygon: 'click points; Enter or the first point closes',
  line: 'click points; Enter or double-click ends',
  point: 'click',
  mask: 'paint; E toggles the eraser',
  text_entity: 'select text',
  relationship: 'comes from label imports',
}

/** The tools a data row of this media type can be labeled with here. */
export function toolsFor(mediaType: string, tools: OntologyTool[]): OntologyTool[] {
  if (mediaType === 'IMAGE') return tools.filter((t) => IMAGE_TOOLS.includes(t.tool))
  if (mediaType === 'TEXT') return tools.filter((t) => t.tool === 'text_entity')
  return []
}

function ClassificationField({ c, n, state }: { c: OntologyClassification; n: { next: number }; state?: LabelFormState }) {
  const name = `cls.${c.feature_schema_id}`
  const chosen = state?.answers?.[name] ?? []
  const id = `f-${c.feature_schema_id}`
  if (c.type === 'text') {
    return (
      <div class="field">
        <label for={id}>
          {c.name}
          {c.required ? ' *' : ''}
        </label>
        <textarea class="textarea" id={id} name={name} rows={2} data-question={c.feature_schema_id}>
          {chosen[0] ?? ''}
        </textarea>
      </div>
    )
  }
  return (
    <fieldset class="answer-group" data-question={c.feature_schema_id}>
      <legend>
        {c.name}
        {c.required ? ' *' : ''} <span class="muted small">({c.type === 'radio' ? 'one' : 'any'})</span>
      </legend>
      {c.options.map((o) => {
        const key = n.next <= 9 ? String(n.next++) : undefined
        return (
          <>
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
            {o.classifications.length ? (
              <div class="nested-answers" data-when={o.feature_schema_id} hidden={!chosen.includes(o.feature_schema_id)}>
                {o.classifications.map((nc) => (
                  <ClassificationField c={nc} n={n} state={state} />
                ))}
              </div>
            ) : null}
          </>
        )
      })}
    </fieldset>
  )
}

export function LabelPage({
  item,
  startedAt,
  state,
  edit,
}: {
  item: QueueItem
  startedAt: number
  state?: LabelFormState
  edit?: LabelEdit
}) {
  const p = item.loaded.project
  const row = item.dataRow
  const media = row.media_type
  const tools = toolsFor(media, p.ontology.tools)
  const elsewhere = p.ontology.tools.filter((t) => !tools.includes(t))
  const n = { next: 1 }
  const rowName = row.external_id ?? row.global_key ?? row.id
  const action = edit ? edit.action : `/projects/${p.id}/label`
  return (
    <>
      <PageHeader
        title={edit ? `Edit label · ${p.name}` : `Label · ${p.name}`}
        subtitle={
          edit ? (
            <>
              {rowName} · saving keeps the current version in the label's history{edit.review ? ', then accepts it' : ''}
            </>
          ) : (
            <>
              {rowName} · {item.remaining.toLocaleString('en-US')} rows left in the queue
            </>
          )
        }
        actions={
          <a class="btn" href={edit ? edit.back : `/projects/${p.id}`}>
            {edit ? 'Cancel' : 'Back to dashboard'}
          </a>
        }
      />
      <div id="label-problems" role="alert">
        {state?.message ? <Alert tone="error">{state.message}</Alert> : null}
      </div>
      <form
        class="labeling"
        method="post"
        action={action}
        id="label-form"
        hx-boost="false"
        data-media={media}
        data-ontology={JSON.stringify(p.ontology)}
        data-edit={edit ? '1' : undefined}
      >
        <input type="hidden" name="data_row_id" value={row.id} />
        <input type="hidden" name="started_at" value={String(startedAt)} />
        <input type="hidden" name="objects" id="objects-input" value={state?.objects ?? '[]'} />
        {media === 'VIDEO' ? <input type="hidden" name="frames" id="frames-input" value={state?.frames ?? '{}'} /> : null}
        <div class="labeling-asset card card-tight">
          {tools.length && media === 'IMAGE' ? <ImageToolbar tools={tools} /> : null}
          {tools.length && media === 'TEXT' ? <TextToolbar tools={tools} /> : null}
          <Asset row={row} draw={media === 'IMAGE' || media === 'TEXT' || media === 'VIDEO'} />
          <p class="asset-error" id="asset-error" role="alert" hidden></p>
          {media === 'VIDEO' ? <FramePanel /> : null}
        </div>
        <aside class="labeling-side card card-tight">
          {tools.length ? (
            <section>
              <h2 id="objects-heading">Objects</h2>
              <ol class="object-list" id="object-list" aria-labelledby="objects-heading"></ol>
              <p class="muted small" id="objects-empty">
                Nothing drawn yet. Select one in this list to move it or answer its questions; Delete removes it.
              </p>
              <div id="object-questions" class="object-questions" hidden></div>
            </section>
          ) : null}
          {elsewhere.length ? (
            <p class="muted small">
              {media === 'VIDEO'
                ? `Objects on video frames (${elsewhere.map((t) => t.name).join(', ')}) come in through label imports; this page answers classifications, for the whole video and at a frame.`
                : `Not drawn on ${media.toLowerCase()} rows: ${elsewhere.map((t) => t.name).join(', ')}.`}
            </p>
          ) : null}
          {p.ontology.classifications.length ? (
            <section>
              <h2>Classifications{media === 'VIDEO' ? ' (whole video)' : ''}</h2>
              {p.ontology.classifications.map((c) => (
                <ClassificationField c={c} n={n} state={state} />
              ))}
              {n.next > 1 ? <p class="muted small">Number keys toggle answers.</p> : null}
            </section>
          ) : null}
          <details class="muted small keyboard-help">
            <summary>Keyboard</summary>
            <ul>
              <li>1–9: answers (numbered above); Shift+1–9: tools (numbered on the tool bar); V: select</li>
              <li>Enter on the image: new object of the tool at the centre; arrows move the selected object, Shift+arrows resize it</li>
              <li>Delete / Backspace: delete; Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y: undo / redo; Esc: cancel, deselect</li>
              <li>+ / − / 0: zoom in, out, fit; Space+drag or arrows (nothing selected): pan</li>
              <li>S: skip{media === 'VIDEO' ? '; F: answer at the current frame' : ''}</li>
            </ul>
          </details>
          <div class="form-actions labeling-actions">
            {edit ? (
              <a class="btn" href={edit.back}>
                Cancel
              </a>
            ) : (
              <button class="btn" type="submit" name="skip" value="1" title="Skip this data row (s)" formnovalidate>
                Skip
              </button>
            )}
            <button class="btn btn-primary" type="submit" name="submit" value="1" title="Submit (Enter)">
              {edit ? (edit.review ? 'Save and accept' : 'Save') : 'Submit'}
            </button>
          </div>
        </aside>
      </form>
    </>
  )
}

function ToolChoice({ t, i }: { t: OntologyTool; i: number }) {
  return (
    <label class="tool-choice" title={`${t.name}: ${TOOL_HINT[t.tool]}`}>
      <input
        type="radio"
        name="_tool"
        value={t.feature_schema_id}
        data-kind={t.tool}
        data-color={t.color}
        data-name={t.name}
        checked={i === 0}
      />
      <span class="swatch" style={`background:${t.color}`}></span> {t.name}
      {i < 9 ? <kbd>⇧{i + 1}</kbd> : null}
    </label>
  )
}

function ImageToolbar({ tools }: { tools: OntologyTool[] }) {
  const mask = tools.some((t) => t.tool === 'mask')
  return (
    <div class="label-toolbar">
      <div class="tool-picker" role="radiogroup" aria-label="Tool">
        <label class="tool-choice" title="Select, move and resize (V)">
          <input type="radio" name="_tool" value="_select" data-kind="select" /> Select <kbd>V</kbd>
        </label>
        {tools.map((t, i) => (
          <ToolChoice t={t} i={i} />
        ))}
      </div>
      <div class="toolbar-buttons">
        <button type="button" class="btn btn-sm" data-act="undo" title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" class="btn btn-sm" data-act="redo" title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" class="btn btn-sm" data-act="zoom-out" title="Zoom out (−)" aria-label="Zoom out">
          −
        </button>
        <output class="small" id="zoom-level" aria-live="polite">
          100%
        </output>
        <button type="button" class="btn btn-sm" data-act="zoom-in" title="Zoom in (+)" aria-label="Zoom in">
          +
        </button>
        <button type="button" class="btn btn-sm" data-act="fit" title="Fit (0)">
          Fit
        </button>
        {mask ? (
          <>
            <label class="small tool-choice">
              <input type="checkbox" id="eraser" /> Eraser <kbd>E</kbd>
            </label>
            <label class="small" for="brush-size">
              Brush
            </label>
            <input type="range" id="brush-size" min="2" max="120" value="24" />
          </>
        ) : null}
      </div>
    </div>
  )
}

function TextToolbar({ tools }: { tools: OntologyTool[] }) {
  return (
    <div class="label-toolbar">
      <div class="tool-picker" role="radiogroup" aria-label="Entity">
        {tools.map((t, i) => (
          <ToolChoice t={t} i={i} />
        ))}
      </div>
      <p class="muted small">Select text to mark it as the chosen entity (or select with the keyboard and press Enter).</p>
    </div>
  )
}

function FramePanel() {
  return (
    <section class="frame-panel" aria-labelledby="frames-heading">
      <h2 id="frames-heading">Frame answers</h2>
      <p class="muted small">
        Pause where something happens and answer at that frame (F). <span id="frame-now"></span>
      </p>
      <button type="button" class="btn btn-sm" data-act="frame">
        Answer at this frame
      </button>
      <div id="frame-questions" class="object-questions" hidden></div>
      <ol class="object-list" id="frame-list" aria-label="Frames with answers"></ol>
    </section>
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
