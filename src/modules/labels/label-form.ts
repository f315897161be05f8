/**
 * @module The labeling page's form read back into annotation input (the labels API's shape), and
 * the checks the page needs on top of the ontology's: required questions (global, nested under a
 * chosen answer, and each object's own) and empty labels. The browser runs the same checks first
 * for speed (public/js/labeling.js); these are the authority.
 *
 * Fields: `cls.<feature_schema_id>` per classification (global ones and those nested under a
 * global answer; a nested one counts only when its answer is chosen), `objects` (JSON list of
 * objects with their nested `classifications`), `frames` (JSON, video rows only).
 */
import type { LabelAnnotations } from '../../db/schema'
import type { Ontology, OntologyClassification } from '../projects/ontology'
import { normalizeAnnotations } from './annotations'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)

export type AnnotationInput = { objects: unknown[]; classifications: Obj[]; frames?: Obj }

/** The classification answers of the form, nested ones under the answers chosen. */
export function answersFromForm(list: OntologyClassification[], form: Record<string, string[]>): Obj[] {
  const out: Obj[] = []
  for (const c of list) {
    const values = [...new Set((form[`cls.${c.feature_schema_id}`] ?? []).map((v) => v.trim()).filter(Boolean))]
    if (!values.length) continue
    const answer = (id: string): Obj => {
      const opt = c.options.find((o) => o.feature_schema_id === id)
      const nested = opt ? answersFromForm(opt.classifications, form) : []
      return { feature_schema_id: id, ...(nested.length ? { classifications: nested } : {}) }
    }
    if (c.type === 'text') out.push({ feature_schema_id: c.feature_schema_id, text_answer: { content: values[0] } })
    else if (c.type === 'radio') out.push({ feature_schema_id: c.feature_schema_id, radio_answer: answer(values[0]!) })
    else out.push({ feature_schema_id: c.feature_schema_id, checklist_answers: values.map(answer) })
  }
  return out
}

/** The form fields that show `classifications` (stored or posted) again: `cls.<id>` → values. */
export function formFromAnswers(classifications: unknown[], into: Record<string, string[]> = {}): Record<string, string[]> {
  for (const c of classifications) {
    if (!isObj(c) || typeof c.feature_schema_id !== 'string') continue
    const key = `cls.${c.feature_schema_id}`
    const answers = isObj(c.radio_answer) ? [c.radio_answer] : Array.isArray(c.checklist_answers) ? c.checklist_answers : []
    if (isObj(c.text_answer) && typeof c.text_answer.content === 'string') into[key] = [c.text_answer.content]
    for (const a of answers) {
      if (!isObj(a) || typeof a.feature_schema_id !== 'string') continue
      ;(into[key] ??= []).push(a.feature_schema_id)
      if (Array.isArray(a.classifications)) formFromAnswers(a.classifications, into)
    }
  }
  return into
}

/** Reads the form into annotation input; `error` when its JSON fields cannot be read. */
export function readLabelForm(
  ontology: Ontology,
  form: Record<string, string[]>,
  mediaType: string,
): { input: AnnotationInput; error?: string } {
  const one = (k: string) => form[k]?.[form[k]!.length - 1] ?? ''
  const input: AnnotationInput = { objects: [], classifications: answersFromForm(ontology.classifications, form) }
  try {
    const objects = JSON.parse(one('objects') || '[]')
    if (!Array.isArray(objects)) throw new Error('not a list')
    input.objects = objects
  } catch {
    return { input, error: 'The drawn objects could not be read; draw them again.' }
  }
  if (mediaType === 'VIDEO' && one('frames')) {
    try {
      const frames = JSON.parse(one('frames'))
      if (!isObj(frames)) throw new Error('not an object')
      input.frames = frames
    } catch {
      return { input, error: 'The frame answers could not be read; answer them again.' }
    }
  }
  return { input }
}

const answered = (list: Obj[], id: string) => list.find((c) => c.feature_schema_id === id)

/** Names (with their path) of required questions without an answer, in `classifications`. */
function missingIn(defs: OntologyClassification[], given: Obj[], prefix: string, out: string[]) {
  for (const d of defs) {
    const c = answered(given, d.feature_schema_id)
    if (!c) {
      if (d.required) out.push(`${prefix}${d.name}`)
      continue
    }
    const chosen = isObj(c.radio_answer) ? [c.radio_answer] : Array.isArray(c.checklist_answers) ? (c.checklist_answers as Obj[]) : []
    for (const a of chosen) {
      const opt = d.options.find((o) => o.feature_schema_id === a.feature_schema_id)
      if (opt?.classifications.length)
        missingIn(opt.classifications, Array.isArray(a.classifications) ? (a.classifications as Obj[]) : [], `${prefix}${d.name} › `, out)
    }
  }
}

/**
 * Required questions left unanswered in normalized annotations: global ones, then each object's
 * ("Car 2 › Color", numbered per tool in drawing order). Frame answers are never required.
 */
export function missingRequired(ontology: Ontology, a: LabelAnnotations): string[] {
  const out: string[] = []
  missingIn(ontology.classifications, a.classifications, '', out)
  const seen = new Map<string, number>()
  for (const o of a.objects) {
    const tool = ontology.tools.find((t) => t.feature_schema_id === o.feature_schema_id)
    if (!tool) continue
    const n = (seen.get(tool.feature_schema_id) ?? 0) + 1
    seen.set(tool.feature_schema_id, n)
    missingIn(tool.classifications, Array.isArray(o.classifications) ? (o.classifications as Obj[]) : [], `${tool.name} ${n} › `, out)
  }
  return out
}

/**
 * An empty label has no object, no answer and no frame answer. It is refused when the ontology
 * has a required global question (the labeler skips instead); with nothing required it is a
 * legitimate "nothing here" label.
 */
export const isEmpty = (a: LabelAnnotations) => !a.objects.length && !a.classifications.length && !Object.keys(a.frames ?? {}).length

/**
 * Checks a submitted label as the page needs: the ontology (throws VALIDATION like the API),
 * then required questions and emptiness. Answers a message for the person, or nothing when the
 * label may be saved.
 */
export function labelProblem(ontology: Ontology, input: AnnotationInput, mediaType: string): string | undefined {
  const n = normalizeAnnotations(input, ontology, true, mediaType)
  const missing = missingRequired(ontology, n.annotations)
  if (isEmpty(n.annotations) && missing.length)
    return `Nothing is labeled. Answer the required question${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (or Skip when there is nothing to label).`
  if (missing.length) return `Answer the required question${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`
  return undefined
}

/**
 * Gives answers of an edit the feature ids they had in the label before (same question, same
 * answer), so saving the page does not make every untouched answer look new (new ids are billed
 * as new annotations). Objects keep their own ids through the page; their answers are matched
 * inside the object with the same id.
 */
export function carryFeatureIds(
  next: AnnotationInput,
  before: Pick<LabelAnnotations, 'objects' | 'classifications'> & { frames?: Record<string, Obj> },
): AnnotationInput {
  const match = (xs: unknown, old: unknown): void => {
    if (!Array.isArray(xs) || !Array.isArray(old)) return
    for (const x of xs) {
      if (!isObj(x)) continue
      const o = old.find((y) => isObj(y) && y.feature_schema_id === x.feature_schema_id)
      if (!isObj(o)) continue
      if (x.feature_id === undefined && typeof o.feature_id === 'string') x.feature_id = o.feature_id
      const answers = (c: Obj) => (isObj(c.radio_answer) ? [c.radio_answer] : Array.isArray(c.checklist_answers) ? c.checklist_answers : [])
      const oldAnswers = answers(o)
      for (const a of answers(x)) {
        if (!isObj(a)) continue
        const oa = oldAnswers.find((y) => isObj(y) && y.feature_schema_id === a.feature_schema_id)
        if (!isObj(oa)) continue
        if (a.feature_id === undefined && typeof oa.feature_id === 'string') a.feature_id = oa.feature_id
        match(a.classifications, oa.classifications)
      }
    }
  }
  match(next.classifications, before.classifications)
  for (const o of next.objects) {
    if (!isObj(o)) continue
    const old = before.objects.find((b) => b.feature_id === o.feature_id)
    if (old) match(o.classifications, old.classifications)
  }
  if (next.frames && before.frames)
    for (const [k, f] of Object.entries(next.frames)) if (isObj(f)) match(f.classifications, before.frames[k]?.classifications)
  return next
}

/**
 * What the page cannot edit, kept from the label being edited: relationships between objects that
 * are still there (the page keeps object ids), and a video's frame objects, segments and key
 * frames (the page edits frame answers only). Without it, saving in the editor would drop them.
 */
export function carryUnedited(next: AnnotationInput, before: LabelAnnotations): AnnotationInput & Obj {
  const out: AnnotationInput & Obj = { ...next }
  const ids = new Set(next.objects.filter(isObj).map((o) => o.feature_id))
  const rels = (before.relationships ?? []).filter((r) => isObj(r) && ids.has(r.source) && ids.has(r.target))
  if (rels.length) out.relationships = rels
  if (before.frames) {
    const frames: Record<string, Obj> = {}
    for (const [k, f] of Object.entries(before.frames))
      if (Object.keys(f.objects ?? {}).length) frames[k] = { objects: f.objects, classifications: [] }
    // The page's answers per frame; any objects it echoed back are ignored (it cannot edit them).
    for (const [k, f] of Object.entries(next.frames ?? {}))
      if (isObj(f)) frames[k] = { ...(frames[k] ?? {}), classifications: Array.isArray(f.classifications) ? f.classifications : [] }
    out.frames = frames
    if (before.segments) out.segments = before.segments
  }
  return out
}
