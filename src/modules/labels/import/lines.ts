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

/** A prediction's scores (Labelbox's confidence and customMetrics), passed on to be checked. */
const scoresOf = (x: Obj): Obj => ({
  ...(x.confidence !== undefined ? { confidence: x.confidence } : {}),
  ...(x.customMetrics !== undefined ? { customMetrics: x.customMetrics } : {}),
})

/** An annotation-import classification ({schemaId|name, answer}) in our shape. */
export function importClassification(c: Obj): Obj {
  const a = c.answer
  const base = { ...ref(c), ...scoresOf(c) }
  if (typeof a === 'string') return { ...base, text_answer: { content: a } }
  if (Array.isArray(a))
    return {
      ...base,
      checklist_answers: a.map((x) =>
        isObj(x)
          ? {
              ...ref(x),
              ...scoresOf(x),
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
        ...scoresOf(a),
        classifications: (Array.isArray(a.classifications) ? a.classifications : []).map((n) => importClassification(n as Obj)),
      },
    }
  return { ...base }
}

export type AnnotationLine =
  | { kind: 'object'; value: Obj }
  | { kind: 'classification'; value: Obj }
  | { kind: 'relationship'; value: Obj }
  /** A video object: its key frames (frame → object) and segments. */
  | { kind: 'video-object'; id: string; frames: [number, Obj][]; segments: [number, number][] }
  /** A video classification answered on frame ranges. */
  | { kind: 'frame-classification'; value: Obj; ranges: [number, number][] }
  | { kind: 'error'; field?: string; message: string }

/** Frames one video line may name (its ranges expanded): beyond it the line is its own error. */
const MAX_LINE_FRAMES = 20_000

/** A geometry of an annotation-import line in our shape (masks: instanceURI or png, colorRGB). */
function geometryOf(x: Obj): [string, unknown] | undefined {
  for (const [k, ours] of GEOMETRY_KEYS) {
    if (x[k] === undefined) continue
    let geometry = x[k]
    if (k === 'mask' && isObj(geometry)) {
      const url =
        geometry.instanceURI ?? geometry.url ?? (typeof geometry.png === 'string' ? `data:image/png;base64,${geometry.png}` : undefined)
      geometry = { url, ...(geometry.colorRGB !== undefined ? { colorRGB: geometry.colorRGB } : {}) }
    }
    return [ours, geometry]
  }
  return undefined
}

/** One annotation-import line as an object, a classification or a relationship of our annotation
 * input, or a video line (objects over key frames, classifications over frame ranges). */
export function fromAnnotationImport(line: Obj): AnnotationLine {
  // An annotation's uuid is its identity: a re-import of it updates it in place (./write.ts).
  const id = typeof line.uuid === 'string' && line.uuid ? { feature_id: line.uuid } : {}
  const nested = (Array.isArray(line.classifications) ? line.classifications : []).map((c) => (isObj(c) ? importClassification(c) : c))
  if (line.segments !== undefined) {
    if (!id.feature_id) return { kind: 'error', field: 'uuid', message: 'a video object line needs a uuid' }
    if (!Array.isArray(line.segments) || !line.segments.length)
      return { kind: 'error', field: 'segments', message: 'segments must be a non-empty list of {keyframes: [...]}' }
    const frames: [number, Obj][] = []
    const segments: [number, number][] = []
    for (const [i, s] of line.segments.entries()) {
      const kfs = isObj(s) && Array.isArray(s.keyframes) ? s.keyframes : undefined
      if (!kfs?.length) return { kind: 'error', field: `segments.${i}.keyframes`, message: 'a segment needs a non-empty keyframes list' }
      const nums: number[] = []
      for (const [j, kf] of kfs.entries()) {
        const g = isObj(kf) ? geometryOf(kf) : undefined
        if (!isObj(kf) || !Number.isInteger(kf.frame) || (kf.frame as number) < 1 || !g)
          return {
            kind: 'error',
            field: `segments.${i}.keyframes.${j}`,
            message: 'a key frame is {frame (from 1), bbox|point|line|polygon|mask, classifications?}',
          }
        const kcls = (Array.isArray(kf.classifications) ? kf.classifications : []).map((c) => (isObj(c) ? importClassification(c) : c))
        frames.push([
          kf.frame as number,
          { ...ref(line), ...id, ...scoresOf(line), [g[0]]: g[1], classifications: kcls.length ? kcls : nested },
        ])
        nums.push(kf.frame as number)
      }
      segments.push([Math.min(...nums), Math.max(...nums)])
    }
    if (frames.length > MAX_LINE_FRAMES)
      return { kind: 'error', field: 'segments', message: `at most ${MAX_LINE_FRAMES} key frames a line` }
    return { kind: 'video-object', id: id.feature_id, frames, segments }
  }
  if (line.frames !== undefined) {
    const ranges: [number, number][] = []
    let total = 0
    for (const [i, r] of (Array.isArray(line.frames) ? line.frames : [null]).entries()) {
      if (
        !isObj(r) ||
        !Number.isInteger(r.start) ||
        !Number.isInteger(r.end) ||
        (r.start as number) < 1 ||
        (r.end as number) < (r.start as number)
      )
        return {
          kind: 'error',
          field: `frames.${i}`,
          message: 'frames must be a list of {start, end} with frame numbers from 1, start ≤ end',
        }
      ranges.push([r.start as number, r.end as number])
      total += (r.end as number) - (r.start as number) + 1
    }
    if (total > MAX_LINE_FRAMES)
      return { kind: 'error', field: 'frames', message: `at most ${MAX_LINE_FRAMES} frames a line (got ${total})` }
    if (line.answer === undefined) return { kind: 'error', field: 'answer', message: 'a frame classification line needs an answer' }
    return { kind: 'frame-classification', value: { ...importClassification(line), ...id }, ranges }
  }
  if (isObj(line.relationship))
    return { kind: 'relationship', value: { ...ref(line), ...id, ...scoresOf(line), relationship: line.relationship } }
  const g = geometryOf(line)
  if (g) return { kind: 'object', value: { ...ref(line), ...id, ...scoresOf(line), [g[0]]: g[1], classifications: nested } }
  if (line.answer !== undefined) return { kind: 'classification', value: { ...importClassification(line), ...id } }
  return { kind: 'error', message: 'the line has no geometry (bbox, polygon, line, point, location, mask), relationship or answer' }
}

/** The lines of one data row as one label's annotation input, and which line each path came from. */
export function assembleLabel(
  lines: { line: number; a: AnnotationLine }[],
  fallback: number,
): { input: Obj; lineFor: (path: string) => number; lines: number[] } {
  const objects: Obj[] = []
  const classifications: Obj[] = []
  const relationships: Obj[] = []
  const at: Record<string, number[]> = { objects: [], classifications: [], relationships: [] }
  const byId = new Map<string, number>()
  const frameCls = new Map<string, number[]>()
  const frames: Record<string, { objects: Record<string, Obj>; classifications: Obj[] }> = {}
  const segments: Record<string, [number, number][]> = {}
  const frame = (n: number) => (frames[String(n)] ??= { objects: {}, classifications: [] })
  for (const { line, a } of lines) {
    if (a.kind === 'object') objects.push(a.value), at.objects!.push(line)
    else if (a.kind === 'classification') classifications.push(a.value), at.classifications!.push(line)
    else if (a.kind === 'relationship') relationships.push(a.value), at.relationships!.push(line)
    else if (a.kind === 'video-object') {
      byId.set(a.id, line)
      for (const [n, o] of a.frames) frame(n).objects[a.id] = o
      segments[a.id] = [...(segments[a.id] ?? []), ...a.segments]
    } else if (a.kind === 'frame-classification') {
      for (const [s, e] of a.ranges)
        for (let n = s; n <= e; n++) {
          const f = frame(n)
          frameCls.set(String(n), [...(frameCls.get(String(n)) ?? []), line])
          f.classifications.push(a.value)
        }
    }
    if ((a.kind === 'object' || a.kind === 'relationship') && typeof a.value.feature_id === 'string') byId.set(a.value.feature_id, line)
  }
  const input: Obj = { objects, classifications, relationships }
  if (Object.keys(frames).length) Object.assign(input, { frames, segments })
  const lineFor = (path: string) => {
    const m = /^annotations\.(objects|classifications|relationships)\.(\d+)/.exec(path)
    if (m) return at[m[1]!]![Number(m[2])] ?? fallback
    const f = /^annotations\.frames\.(\d+)\.(objects|classifications)\.([^.]+)/.exec(path)
    if (f) return f[2] === 'objects' ? (byId.get(f[3]!) ?? fallback) : (frameCls.get(f[1]!)?.[Number(f[3])] ?? fallback)
    const s = /^annotations\.segments\.([^.]+)/.exec(path)
    if (s) return byId.get(s[1]!) ?? fallback
    return fallback
  }
  return { input, lineFor, lines: lines.map((l) => l.line) }
}

/** Export v2 annotations as our input: names are what match; feature ids are kept (an annotation's
 * identity: a re-import of the same export updates its labels in place, ./write.ts). */
export function fromExportV2(annotations: unknown): Obj {
  const strip = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(strip)
    if (!isObj(x)) return x
    const out: Obj = {}
    for (const [k, v] of Object.entries(x)) {
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
  const out: Obj = {
    objects: strip(a.objects ?? []),
    classifications: strip(a.classifications ?? []),
    relationships: strip(a.relationships ?? []),
  }
  // Video labels: frames keep their objects keyed by feature_id; segments and key frames as given.
  for (const k of ['frames', 'segments', 'key_frame_feature_map'] as const)
    if (a[k] !== undefined) out[k] = k === 'frames' ? strip(a[k]) : a[k]
  return out
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
    const at = /^annotations\.(objects|frames|relationships)\./.test(path) && !path.endsWith('.classifications') ? path : `${path}.${i}`
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
  // Objects of the label and of each video frame, and relationships (a tool of kind relationship).
  const objects: [string, unknown][] = (Array.isArray(annotations.objects) ? annotations.objects : []).map((o, i) => [
    `annotations.objects.${i}`,
    o,
  ])
  const frameCls: [string, unknown][] = []
  if (isObj(annotations.frames))
    for (const [n, f] of Object.entries(annotations.frames)) {
      if (!isObj(f)) continue
      if (isObj(f.objects)) for (const [id, o] of Object.entries(f.objects)) objects.push([`annotations.frames.${n}.objects.${id}`, o])
      if (Array.isArray(f.classifications)) frameCls.push([`annotations.frames.${n}.classifications`, f.classifications])
    }
  for (const [i, r] of (Array.isArray(annotations.relationships) ? annotations.relationships : []).entries())
    if (isObj(r)) objects.push([`annotations.relationships.${i}`, { ...r, relationship: true }])
  for (const [at, obj] of objects) {
    if (!isObj(obj) || typeof obj.name !== 'string') continue
    const tool = obj.relationship !== undefined ? 'relationship' : toolFor(obj)
    if (!tool) continue
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
  for (const [at, cls] of frameCls) if (addClassifications(input.classifications as ClsIn[], cls, ids, at)) changed = true
  return { input: input as OntologyInput, changed, replaced: ids.replaced }
}
