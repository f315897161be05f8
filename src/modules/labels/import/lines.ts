/**
 * @module Turning Labelbox files into our annotation input: export v2 lines (already in our
 * shape, matched by name) and annotation-import lines (`bbox`, `polygon`, `line`, `point`,
 * `location`, `mask`, `answer` …, features by `name` or `schemaId`). Also grows an ontology with
 * the features a file uses, for imports with create_ontology.
 */
import type { OntologyInput } from '../../projects/ontology'
import { flattenOntology, type Ontology } from '../../projects/ontology'

import { isObj, type Obj } from './types'

export const GEOMETRY_KEYS: [string, string, string][] = [
  // [annotation-import key, our key, tool]
  ['bbox', 'bounding_box', 'bounding_box'],
  ['polygon', 'polygon', 'polygon'],
  ['line', 'line', 'line'],
  ['point', 'point', 'point'],
  ['location', 'location', 'text_entity'],
  ['mask', 'mask', 'mask'],
]

/** Feature references in imports: a name wins over a schema id (Labelbox ids mean nothing here). */
function ref(x: Obj): Obj {
  const id = x.schemaId ?? x.feature_schema_id
  // The file's id, for a feature that create_ontology adds (growOntology); never matched on.
  const fileId = typeof id === 'string' && id ? { file_schema_id: id } : {}
  if (typeof x.name === 'string' && x.name) return { name: x.name, ...fileId }
  if (typeof x.value === 'string' && x.value && !x.schemaId && !x.feature_schema_id) return { name: x.value }
  return typeof id === 'string' ? { feature_schema_id: id } : {}
}

/** An annotation-import classification ({schemaId|name, answer}) in our shape. */
export function importClassification(c: Obj): Obj {
  const a = c.answer
  const base = ref(c)
  if (typeof a === 'string') return { ...base, text_answer: { content: a } }
  if (Array.isArray(a))
    return {
      ...base,
      checklist_answers: a.map((x) =>
        isObj(x)
          ? {
              ...ref(x),
              classifications: (Array.isArray(x.classifications) ? x.classifications : []).map((n) => importClassification(n as Obj)),
            }
          : x,
      ),
    }
  if (isObj(a))
    return {
      ...base,
      radio_answer: {
        ...ref(a),
        classifications: (Array.isArray(a.classifications) ? a.classifications : []).map((n) => importClassification(n as Obj)),
      },
    }
  return { ...base }
}

export type AnnotationLine =
  | { kind: 'object'; value: Obj }
  | { kind: 'classification'; value: Obj }
  | { kind: 'error'; field?: string; message: string }

/** One annotation-import line as an object or a classification of our annotation input. */
export function fromAnnotationImport(line: Obj): AnnotationLine {
  if (line.frames !== undefined || line.segments !== undefined)
    return { kind: 'error', field: 'segments', message: 'video (frame-based) annotations are not supported by this importer yet' }
  // An annotation's uuid is its identity: a re-import of it updates it in place (./write.ts).
  const id = typeof line.uuid === 'string' && line.uuid ? { feature_id: line.uuid } : {}
  const nested = (Array.isArray(line.classifications) ? line.classifications : []).map((c) => (isObj(c) ? importClassification(c) : c))
  for (const [k, ours] of GEOMETRY_KEYS) {
    if (line[k] === undefined) continue
    let geometry = line[k]
    if (k === 'mask' && isObj(geometry)) geometry = { url: geometry.instanceURI ?? geometry.url }
    return { kind: 'object', value: { ...ref(line), ...id, [ours]: geometry, classifications: nested } }
  }
  if (line.answer !== undefined) return { kind: 'classification', value: { ...importClassification(line), ...id } }
  return { kind: 'error', message: 'the line has no geometry (bbox, polygon, line, point, location, mask) and no answer' }
}

/** Export v2 annotations as our input: names are what match (feature ids are regenerated). */
export function fromExportV2(annotations: unknown): Obj {
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip)
    if (!isObj(x)) return x
    const out: Obj = {}
    for (const [k, v] of Object.entries(x)) {
      if (k === 'feature_id') continue
      // Matched by name; the file's id is kept aside for a feature create_ontology adds.
      if (k === 'feature_schema_id' && typeof x.name === 'string') {
        if (typeof v === 'string' && v) out.file_schema_id = v
        continue
      }
      out[k] = strip(v)
    }
    return out
  }
  const a = isObj(annotations) ? annotations : {}
  return { objects: strip(a.objects ?? []), classifications: strip(a.classifications ?? []) }
}

// Growing the ontology -----------------------------------------------------------------------

const toolFor = (o: Obj): string | undefined => GEOMETRY_KEYS.find(([, ours]) => o[ours] !== undefined)?.[2]
const typeFor = (c: Obj): 'radio' | 'checklist' | 'text' | undefined =>
  c.radio_answer !== undefined
    ? 'radio'
    : c.checklist_answers !== undefined
      ? 'checklist'
      : c.text_answer !== undefined
        ? 'text'
        : undefined

type ClsIn = {
  feature_schema_id?: string
  name: string
  type: 'radio' | 'checklist' | 'text'
  options?: { feature_schema_id?: string; name: string; value?: string; classifications?: ClsIn[] }[]
}

/** A new feature keeps the file's id unless another feature has it (real exports give one id to
 * several features): then it gets a new one, and the replacement is reported. */
type Ids = { used: Map<string, string>; replaced: { path: string; message: string }[] }
function idFor(ids: Ids, x: Obj, what: string, path: string): { feature_schema_id?: string } {
  const f = x.file_schema_id
  if (typeof f !== 'string' || !f || f.length > 100) return {}
  const had = ids.used.get(f)
  if (had === undefined) {
    ids.used.set(f, what)
    return { feature_schema_id: f }
  }
  ids.replaced.push({ path, message: `feature schema id ${f} is the ${had}'s already: the ${what} got a new id` })
  return {}
}

function addClassifications(list: ClsIn[], inputs: unknown, ids: Ids, path: string): boolean {
  let changed = false
  for (const [i, c] of (Array.isArray(inputs) ? inputs : []).entries()) {
    if (!isObj(c) || typeof c.name !== 'string') continue
    const type = typeFor(c)
    if (!type) continue
    const at = path.startsWith('annotations.objects.') ? path : `${path}.${i}`
    let target = list.find((x) => x.name.toLowerCase() === (c.name as string).toLowerCase())
    if (!target) {
      target = { ...idFor(ids, c, `classification “${c.name}”`, at), name: c.name, type, options: type === 'text' ? undefined : [] }
      list.push(target)
      changed = true
    }
    const answers =
      type === 'radio' ? [c.radio_answer] : type === 'checklist' ? (Array.isArray(c.checklist_answers) ? c.checklist_answers : []) : []
    for (const a of answers) {
      if (!isObj(a) || typeof a.name !== 'string' || !target.options) continue
      let opt = target.options.find((o) => o.name.toLowerCase() === (a.name as string).toLowerCase())
      if (!opt) {
        // Keep Labelbox's answer value ("not_wear" may export as "good").
        opt = {
          ...idFor(ids, a, `answer “${a.name}” of “${target.name}”`, at),
          name: a.name,
          ...(typeof a.value === 'string' && a.value ? { value: a.value } : {}),
          classifications: [],
        }
        target.options.push(opt)
        changed = true
      }
      opt.classifications ??= []
      if (addClassifications(opt.classifications, a.classifications, ids, at)) changed = true
    }
  }
  return changed
}

/** The ontology as input (ids kept), plus any named feature `annotations` uses that it lacks. */
export function growOntology(
  o: Ontology,
  annotations: Obj,
): { input: OntologyInput; changed: boolean; replaced: { path: string; message: string }[] } {
  const ids: Ids = { used: new Map(flattenOntology(o).map((f) => [f.feature_schema_id, `${f.kind} “${f.path}”`])), replaced: [] }
  const input = JSON.parse(JSON.stringify(o)) as OntologyInput & {
    tools: { name: string; tool: string; classifications?: ClsIn[] }[]
    classifications: ClsIn[]
  }
  let changed = false
  for (const [i, obj] of (Array.isArray(annotations.objects) ? annotations.objects : []).entries()) {
    if (!isObj(obj) || typeof obj.name !== 'string') continue
    const tool = toolFor(obj)
    if (!tool) continue
    const at = `annotations.objects.${i}`
    let t = input.tools.find((x) => x.name.toLowerCase() === (obj.name as string).toLowerCase())
    if (!t) {
      t = { ...idFor(ids, obj, `tool “${obj.name}”`, at), name: obj.name, tool, classifications: [] } as (typeof input.tools)[number]
      input.tools.push(t as never)
      changed = true
    }
    t.classifications ??= []
    if (addClassifications(t.classifications as ClsIn[], obj.classifications, ids, at)) changed = true
  }
  if (addClassifications(input.classifications as ClsIn[], annotations.classifications, ids, 'annotations.classifications')) changed = true
  return { input: input as OntologyInput, changed, replaced: ids.replaced }
}
