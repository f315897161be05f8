/**
 * @module The ontology editor: tools (each with nested classifications) and global
 * classifications as flat form fields, and the functions that read those fields back into the
 * nested `OntologyInput` shape. Both live here because they share one naming scheme:
 *
 *   tools.{i}.name · tools.{i}.tool · tools.{i}.feature_schema_id
 *   tools.{i}.classifications.{j}.name · .type · .options · .feature_schema_id
 *   classifications.{i}.name · .type · .options · .feature_schema_id
 *
 * `options` is one comma-separated input ("Sunny, Cloudy"; a name with a comma is quoted:
 * `"Red, dark", Blue`). Rows are added by htmx (`GET /projects/new/ontology-row`, which also
 * hands back the next "Add" button) or, without JavaScript, by the "Add" submit buttons
 * (`_add=tool`), and removed by /js/ontology-editor.js (or, without it, by clearing the name).
 */
import { raw } from '../markup'
import type { FieldError } from '../../src/lib/errors'
import type {
  ClassificationType,
  Ontology,
  OntologyClassification,
  OntologyInput,
  OntologyOption,
  ToolKind,
} from '../../src/modules/projects/ontology'

export type ClassificationDraft = {
  feature_schema_id: string
  name: string
  type: string
  /** The comma-separated list as typed. */
  options: string
  /** Classifications nested under options: kept on save, not editable here (shown as a note). */
  nested?: string[]
  /** The "Required" box; undefined when the form did not show it (the saved value is kept). */
  required?: boolean
}
export type ToolDraft = { feature_schema_id: string; name: string; tool: string; classifications: ClassificationDraft[] }
export type OntologyDraft = { tools: ToolDraft[]; classifications: ClassificationDraft[] }

export const EMPTY_DRAFT: OntologyDraft = { tools: [], classifications: [] }
const emptyTool = (): ToolDraft => ({ feature_schema_id: '', name: '', tool: 'bounding_box', classifications: [] })
const emptyClassification = (): ClassificationDraft => ({ feature_schema_id: '', name: '', type: 'radio', options: '' })

const NO_ONTOLOGY: Ontology = { tools: [], classifications: [] }

// The words for each tool kind and answer type, in the order the pickers list them. Typed by the
// kinds of src/modules/projects/ontology.ts, so a kind added there does not compile until it has
// words here (test/unit/view-lists.test.ts checks the order too).
export const TOOL_LABELS: Record<ToolKind, string> = {
  bounding_box: 'Bounding box',
  polygon: 'Polygon',
  point: 'Point',
  line: 'Line',
  text_entity: 'Text entity',
  mask: 'Mask',
  relationship: 'Relationship (links two objects)',
}
export const TYPE_LABELS: Record<ClassificationType, string> = {
  radio: 'Radio (one answer)',
  checklist: 'Checklist (several)',
  text: 'Free text',
}
export const TOOL_CHOICES = Object.keys(TOOL_LABELS) as ToolKind[]
export const TYPE_CHOICES = Object.keys(TYPE_LABELS) as ClassificationType[]

/** Field names only ever carry small indices; anything else is ignored. */
const MAX_INDEX = 999

// Comma lists -----------------------------------------------------------------------------------

/** Splits `Sunny, "Red, dark", Cloudy` into names; quotes protect commas ("" is a quote). */
export function splitOptions(s: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"' && !cur.trim()) {
      quoted = true
      cur = ''
    } else if (ch === ',') {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out.filter(Boolean)
}

/** The inverse of `splitOptions`. */
export const joinOptions = (names: string[]) => names.map((n) => (/[",]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n)).join(', ')

// Form → draft → input ----------------------------------------------------------------------------

/**
 * Reads the editor's flat fields into a draft, in index order, renumbered from 0. Wholly empty
 * rows (no name, no options, no non-empty nested rows) are dropped unless `keepEmpty` (used when
 * re-rendering after "Add", so the row just added stays).
 */
export function draftFromForm(form: Record<string, string>, opts: { keepEmpty?: boolean } = {}): OntologyDraft {
  const tools = new Map<number, { fields: Record<string, string>; cls: Map<number, Record<string, string>> }>()
  const globals = new Map<number, Record<string, string>>()
  const tool = (i: number) => {
    let t = tools.get(i)
    if (!t) tools.set(i, (t = { fields: {}, cls: new Map() }))
    return t
  }
  for (const [key, value] of Object.entries(form)) {
    let m = /^tools\.(\d{1,3})\.(name|tool|feature_schema_id)$/.exec(key)
    if (m) {
      tool(Number(m[1])).fields[m[2]!] = value
      continue
    }
    m = /^tools\.(\d{1,3})\.classifications\.(\d{1,3})\.(name|type|options|feature_schema_id|required|has_required)$/.exec(key)
    if (m) {
      const cls = tool(Number(m[1])).cls
      const j = Number(m[2])
      if (!cls.has(j)) cls.set(j, {})
      cls.get(j)![m[3]!] = value
      continue
    }
    m = /^classifications\.(\d{1,3})\.(name|type|options|feature_schema_id|required|has_required)$/.exec(key)
    if (m) {
      const i = Number(m[1])
      if (!globals.has(i)) globals.set(i, {})
      globals.get(i)![m[2]!] = value
    }
  }
  const ordered = <T,>(m: Map<number, T>) =>
    [...m.entries()]
      .filter(([i]) => i <= MAX_INDEX)
      .sort((a, b) => a[0] - b[0])
      .map(([, v]) => v)
  const classification = (f: Record<string, string>): ClassificationDraft => ({
    feature_schema_id: (f.feature_schema_id ?? '').trim(),
    name: (f.name ?? '').trim(),
    type: f.type ?? 'radio',
    options: (f.options ?? '').trim(),
    // A checkbox posts nothing when unticked: `has_required` says the box was on the form.
    ...(f.has_required ? { required: f.required === '1' } : {}),
  })
  const keepC = (c: ClassificationDraft) => opts.keepEmpty || c.name !== '' || c.options !== ''
  const out: OntologyDraft = {
    tools: ordered(tools)
      .map((t) => ({
        feature_schema_id: (t.fields.feature_schema_id ?? '').trim(),
        name: (t.fields.name ?? '').trim(),
        tool: t.fields.tool ?? 'bounding_box',
        classifications: ordered(t.cls).map(classification).filter(keepC),
      }))
      .filter((t) => opts.keepEmpty || t.name !== '' || t.classifications.length > 0),
    classifications: ordered(globals).map(classification).filter(keepC),
  }
  return out
}

/**
 * Turns a draft into the API's ontology input. What the form cannot show is carried over from
 * `previous` (the saved ontology) by feature id: tool colours, `required`, option ids and values,
 * and classifications nested under options. An id is kept only while the feature keeps its kind
 * (a box turned into a polygon is a new feature, so labels of the old one are never relabelled).
 */
export function draftToInput(draft: OntologyDraft, previous: Ontology = NO_ONTOLOGY): OntologyInput {
  const prevTools = new Map(previous.tools.map((t) => [t.feature_schema_id, t]))
  const prevCls = new Map<string, OntologyClassification>()
  const walk = (c: OntologyClassification) => {
    prevCls.set(c.feature_schema_id, c)
    for (const o of c.options) o.classifications.forEach(walk)
  }
  previous.tools.forEach((t) => t.classifications.forEach(walk))
  previous.classifications.forEach(walk)

  const classification = (c: ClassificationDraft) => {
    const before = c.feature_schema_id ? prevCls.get(c.feature_schema_id) : undefined
    const same = before && before.type === c.type ? before : undefined
    const names = splitOptions(c.options)
    return {
      ...(same ? { feature_schema_id: same.feature_schema_id, required: same.required } : {}),
      ...(c.required !== undefined ? { required: c.required } : {}),
      name: c.name,
      type: c.type as OntologyClassification['type'],
      ...(names.length || c.type !== 'text'
        ? {
            options: names.map((name) => {
              const o: OntologyOption | undefined = same?.options.find((p) => p.name.toLowerCase() === name.toLowerCase())
              return o ? { feature_schema_id: o.feature_schema_id, name, value: o.value, classifications: o.classifications } : { name }
            }),
          }
        : {}),
    }
  }
  return {
    tools: draft.tools.map((t) => {
      const before = t.feature_schema_id ? prevTools.get(t.feature_schema_id) : undefined
      const same = before && before.tool === t.tool ? before : undefined
      return {
        ...(same ? { feature_schema_id: same.feature_schema_id, color: same.color } : {}),
        name: t.name,
        tool: t.tool as OntologyInput['tools'][number]['tool'],
        classifications: t.classifications.map(classification),
      }
    }),
    classifications: draft.classifications.map(classification),
  } as OntologyInput
}

/** The flat form → the nested ontology input (empty rows skipped). Validate the result with the
 * `OntologyInput` schema; `normalizeOntology` then checks the finer rules. */
export const ontologyFromForm = (form: Record<string, string>, previous: Ontology = NO_ONTOLOGY): OntologyInput =>
  draftToInput(draftFromForm(form), previous)

/** A saved ontology as editor rows. */
export function draftFromOntology(o: Ontology): OntologyDraft {
  const classification = (c: OntologyClassification): ClassificationDraft => {
    const nested = c.options.flatMap((op) => op.classifications.map((n) => `${op.name} › ${n.name}`))
    return {
      feature_schema_id: c.feature_schema_id,
      name: c.name,
      type: c.type,
      options: joinOptions(c.options.map((op) => op.name)),
      required: c.required,
      ...(nested.length ? { nested } : {}),
    }
  }
  return {
    tools: o.tools.map((t) => ({
      feature_schema_id: t.feature_schema_id,
      name: t.name,
      tool: t.tool,
      classifications: t.classifications.map(classification),
    })),
    classifications: o.classifications.map(classification),
  }
}

/** Applies an `_add` button of the no-JavaScript path: `tool`, `classification`, `tool-classification:{i}`. */
export function addRow(draft: OntologyDraft, what: string): OntologyDraft {
  if (what === 'tool') return { ...draft, tools: [...draft.tools, emptyTool()] }
  if (what === 'classification') return { ...draft, classifications: [...draft.classifications, emptyClassification()] }
  const m = /^tool-classification:(\d{1,3})$/.exec(what)
  const t = m ? draft.tools[Number(m[1])] : undefined
  if (!t) return draft
  return {
    ...draft,
    tools: draft.tools.map((x) => (x === t ? { ...x, classifications: [...x.classifications, emptyClassification()] } : x)),
  }
}

// Rendering -------------------------------------------------------------------------------------

type Errs = FieldError[] | undefined
/** Field `tools.0.name` shows errors about `ontology.tools.0.name` and anything below it. */
const errorFor = (errors: Errs, name: string) => {
  const p = `ontology.${name}`
  return errors?.find((e) => e.path === p || e.path.startsWith(`${p}.`))?.message
}

/** Every field path the editor shows, so the form can list errors that belong to none of them. */
export function editorFields(draft: OntologyDraft): string[] {
  const cls = (prefix: string, c: ClassificationDraft[]) =>
    c.flatMap((_, j) => [`ontology.${prefix}.${j}.name`, `ontology.${prefix}.${j}.type`, `ontology.${prefix}.${j}.options`])
  return [
    ...draft.tools.flatMap((t, i) => [
      `ontology.tools.${i}.name`,
      `ontology.tools.${i}.tool`,
      ...cls(`tools.${i}.classifications`, t.classifications),
    ]),
    ...cls('classifications', draft.classifications),
  ]
}

const fid = (name: string) => `f-${name.replace(/\./g, '-')}`

function MiniField(props: {
  name: string
  label: string
  value: string
  errors: Errs
  placeholder?: string
  autofocus?: boolean
  help?: string
  class?: string
}) {
  const err = errorFor(props.errors, props.name)
  const id = fid(props.name)
  return (
    <div class={`field${err ? ' has-error' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        class="input"
        id={id}
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        autofocus={props.autofocus}
        autocomplete="off"
        maxlength={props.name.endsWith('options') ? 4000 : 200}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `${id}-error` : props.help ? `${id}-help` : undefined}
      />
      {err ? (
        <div class="error" id={`${id}-error`}>
          {err}
        </div>
      ) : props.help ? (
        <div class="help" id={`${id}-help`}>
          {props.help}
        </div>
      ) : null}
    </div>
  )
}

function MiniSelect(props: {
  name: string
  label: string
  value: string
  options: readonly string[]
  labels: Record<string, string>
  errors: Errs
}) {
  const err = errorFor(props.errors, props.name)
  const id = fid(props.name)
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <select class="select" id={id} name={props.name} aria-invalid={err ? 'true' : undefined}>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {props.labels[o] ?? o}
          </option>
        ))}
      </select>
      {err ? <div class="error">{err}</div> : null}
    </div>
  )
}

// Strings built once (views/components/icons.tsx says why).
const X_ICON = raw(
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M18 6 6 18"></path><path d="m6 6 12 12"></path></svg>',
)
const PLUS_ICON = raw(
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M12 5v14"></path><path d="M5 12h14"></path></svg>',
)

function RemoveButton({ what }: { what: string }) {
  return (
    <button type="button" class="btn btn-ghost btn-sm onto-remove" data-remove-row aria-label={`Remove ${what}`} title={`Remove ${what}`}>
      {X_ICON}
    </button>
  )
}

export type AddKind = { kind: 'tool' } | { kind: 'classification' } | { kind: 'tool-classification'; tool: number }

const addId = (k: AddKind) => (k.kind === 'tool-classification' ? `add-tool-${k.tool}-classification` : `add-${k.kind}`)
const listId = (k: AddKind) =>
  k.kind === 'tool' ? 'onto-tools' : k.kind === 'classification' ? 'onto-classifications' : `onto-tool-${k.tool}-classifications`

/** "Add …": htmx fetches one row (and the next button); without JavaScript it submits the form
 * with `_add`, and the server answers the form with one more row. */
export function AddRowButton(props: AddKind & { next: number }) {
  const q =
    props.kind === 'tool-classification' ? `kind=tool-classification&t=${props.tool}&i=${props.next}` : `kind=${props.kind}&i=${props.next}`
  const label = props.kind === 'tool' ? 'Add tool' : props.kind === 'classification' ? 'Add classification' : 'Add nested classification'
  return (
    <button
      type="submit"
      formnovalidate
      class={`btn btn-sm${props.kind === 'tool-classification' ? ' btn-ghost' : ''} onto-add`}
      id={addId(props)}
      name="_add"
      value={props.kind === 'tool-classification' ? `tool-classification:${props.tool}` : props.kind}
      hx-get={`/projects/new/ontology-row?${q}`}
      hx-target={`#${listId(props)}`}
      hx-swap="beforeend"
    >
      {PLUS_ICON}
      {label}
    </button>
  )
}

export function ClassificationRow(props: { prefix: string; c: ClassificationDraft; errors?: Errs; autofocus?: boolean; nested?: boolean }) {
  const { prefix, c } = props
  return (
    <div class={`onto-row onto-classification${props.nested ? ' nested' : ''}`}>
      {c.feature_schema_id ? <input type="hidden" name={`${prefix}.feature_schema_id`} value={c.feature_schema_id} /> : null}
      <div class="onto-fields">
        <MiniField
          name={`${prefix}.name`}
          label={props.nested ? 'Question' : 'Classification'}
          value={c.name}
          errors={props.errors}
          placeholder={props.nested ? 'e.g. Occluded' : 'e.g. Weather'}
          autofocus={props.autofocus}
        />
        <MiniSelect
          name={`${prefix}.type`}
          label="Answer type"
          value={c.type}
          options={TYPE_CHOICES}
          labels={TYPE_LABELS}
          errors={props.errors}
        />
        <MiniField
          name={`${prefix}.options`}
          label="Options"
          value={c.options}
          errors={props.errors}
          placeholder={c.type === 'text' ? 'None for free text' : 'e.g. Sunny, Cloudy'}
          class="grow"
        />
        <div class="field onto-required">
          <input type="hidden" name={`${prefix}.has_required`} value="1" />
          <label class="checkbox" for={fid(`${prefix}.required`)}>
            <input type="checkbox" id={fid(`${prefix}.required`)} name={`${prefix}.required`} value="1" checked={!!c.required} /> Required
          </label>
        </div>
        <RemoveButton what={c.name ? `classification ${c.name}` : 'this classification'} />
      </div>
      {c.nested?.length ? (
        <p class="help small onto-note">Nested under options (kept as they are; edit them through the API): {c.nested.join(' · ')}</p>
      ) : null}
    </div>
  )
}

export function ToolRow(props: { i: number; t: ToolDraft; errors?: Errs; autofocus?: boolean }) {
  const { i, t } = props
  const add: AddKind = { kind: 'tool-classification', tool: i }
  return (
    <div class="onto-row onto-tool">
      {t.feature_schema_id ? <input type="hidden" name={`tools.${i}.feature_schema_id`} value={t.feature_schema_id} /> : null}
      <div class="onto-fields">
        <MiniField
          name={`tools.${i}.name`}
          label="Tool name"
          value={t.name}
          errors={props.errors}
          placeholder="e.g. Car"
          autofocus={props.autofocus}
          class="grow"
        />
        <MiniSelect
          name={`tools.${i}.tool`}
          label="Kind"
          value={t.tool}
          options={TOOL_CHOICES}
          labels={TOOL_LABELS}
          errors={props.errors}
        />
        <RemoveButton what={t.name ? `tool ${t.name}` : 'this tool'} />
      </div>
      <div class="onto-nested">
        <div class="onto-list" id={listId(add)}>
          {t.classifications.map((c, j) => (
            <ClassificationRow prefix={`tools.${i}.classifications.${j}`} c={c} errors={props.errors} nested />
          ))}
        </div>
        <AddRowButton {...add} next={t.classifications.length} />
      </div>
    </div>
  )
}

/** One new row for htmx, plus the "Add" button that will ask for the row after it. */
export function NewRowFragment(props: { add: AddKind; i: number }) {
  const { add, i } = props
  const next = (
    <hx-partial hx-target={`#${addId(add)}`} hx-swap="outerHTML">
      <AddRowButton {...add} next={i + 1} />
    </hx-partial>
  )
  if (add.kind === 'tool')
    return (
      <>
        <ToolRow i={i} t={emptyTool()} autofocus />
        {next}
      </>
    )
  const prefix = add.kind === 'classification' ? `classifications.${i}` : `tools.${add.tool}.classifications.${i}`
  return (
    <>
      <ClassificationRow prefix={prefix} c={emptyClassification()} autofocus nested={add.kind === 'tool-classification'} />
      {next}
    </>
  )
}

/** `level`: the level of its section headings, one below the page's last heading (the New project
 * page has only its h1 above; the settings pages put the editor under an h2). */
export function OntologyEditor(props: { draft: OntologyDraft; errors?: Errs; level?: 2 | 3 }) {
  const { draft } = props
  const H = props.level === 2 ? 'h2' : 'h3'
  return (
    <fieldset class="onto-editor" id="ontology-editor">
      <legend>Ontology</legend>
      <p class="help">What labelers mark on each data row. Features keep their ids when you rename them, so labels stay attached.</p>
      <input type="hidden" name="_ontology" value="1" />
      <div class="onto-section">
        <div class="onto-head">
          <H class="onto-title">Tools</H>
          <span class="muted small">Objects drawn on the asset, each with optional questions about it.</span>
        </div>
        <div class="onto-list" id="onto-tools">
          {draft.tools.map((t, i) => (
            <ToolRow i={i} t={t} errors={props.errors} />
          ))}
        </div>
        <p class="onto-hint">No tools yet.</p>
        <AddRowButton kind="tool" next={draft.tools.length} />
      </div>
      <div class="onto-section">
        <div class="onto-head">
          <H class="onto-title">Classifications</H>
          <span class="muted small">Questions about the whole data row. Options are comma-separated; free-text questions have none.</span>
        </div>
        <div class="onto-list" id="onto-classifications">
          {draft.classifications.map((c, i) => (
            <ClassificationRow prefix={`classifications.${i}`} c={c} errors={props.errors} />
          ))}
        </div>
        <p class="onto-hint">No classifications yet.</p>
        <AddRowButton kind="classification" next={draft.classifications.length} />
      </div>
      <script src="/js/ontology-editor.js" defer></script>
    </fieldset>
  )
}
