/**
 * @module Annotations checked against the project's ontology and normalized to Labelbox export v2
 * shapes. Every problem is reported with the path of the bad annotation
 * (`annotations.objects.2.bounding_box.width`), never the first one only. Also derives what the
 * dashboard and usage need: per-feature counts and the billable annotation count (every object
 * and every classification answer, nested ones included).
 */
import type { LabelAnnotations } from '../../db/schema'
import { AppError, type FieldError } from '../../lib/errors'
import { newId } from '../../lib/ids'
import type { Ontology, OntologyClassification, OntologyOption, OntologyTool, ToolKind } from '../projects/ontology'

export type FeatureDelta = {
  feature_schema_id: string
  answer_schema_id: string
  kind: 'object' | 'answer'
  name: string
  answer: string
  count: number
}

export const ANNOTATION_KIND: Record<ToolKind, string> = {
  bounding_box: 'ImageBoundingBox',
  polygon: 'ImagePolygon',
  point: 'ImagePoint',
  line: 'ImagePolyline',
  text_entity: 'TextEntity',
  mask: 'ImageSegmentationMask',
}
/** The geometry field each tool writes. */
export const GEOMETRY_FIELD: Record<ToolKind, string> = {
  bounding_box: 'bounding_box',
  polygon: 'polygon',
  point: 'point',
  line: 'line',
  text_entity: 'location',
  mask: 'mask',
}

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const lower = (s: unknown) => (typeof s === 'string' ? s.trim().toLowerCase() : '')

class Checker {
  errors: FieldError[] = []
  count = 0
  deltas = new Map<string, FeatureDelta>()
  constructor(private keepIds: boolean) {}
  err(path: string, message: string) {
    this.errors.push({ path, message })
  }
  featureId(given: unknown) {
    return this.keepIds && typeof given === 'string' && given.length > 0 && given.length <= 100 ? given : newId('ann')
  }
  bump(d: Omit<FeatureDelta, 'count'>) {
    const k = `${d.feature_schema_id}\u0000${d.answer_schema_id}`
    const cur = this.deltas.get(k)
    if (cur) cur.count++
    else this.deltas.set(k, { ...d, count: 1 })
  }

  /** Finds a feature by feature_schema_id, else by name (case-insensitive). */
  find<T extends { feature_schema_id: string; name: string }>(list: T[], input: Obj, path: string, what: string): T | undefined {
    const byId = typeof input.feature_schema_id === 'string' ? list.find((f) => f.feature_schema_id === input.feature_schema_id) : undefined
    if (byId) return byId
    const name = input.name ?? input.value
    const byName = list.find((f) => lower(f.name) === lower(name))
    if (byName) return byName
    if (name === undefined && input.feature_schema_id === undefined)
      this.err(`${path}.name`, `${what}: name (or feature_schema_id) is required`)
    else
      this.err(
        `${path}.name`,
        `unknown ${what} ${JSON.stringify(name ?? input.feature_schema_id)}; the ontology has ${list.map((f) => JSON.stringify(f.name)).join(', ') || 'none'}`,
      )
    return undefined
  }

  points(v: unknown, path: string, min: number): { x: number; y: number }[] | undefined {
    if (!Array.isArray(v)) return void this.err(path, `must be a list of {x, y} points`)
    if (v.length < min) return void this.err(path, `needs at least ${min} points (got ${v.length})`)
    const out: { x: number; y: number }[] = []
    v.forEach((p, i) => {
      if (!isObj(p) || !isNum(p.x) || !isNum(p.y)) this.err(`${path}.${i}`, 'each point needs numeric x and y')
      else out.push({ x: p.x, y: p.y })
    })
    return out.length === v.length ? out : undefined
  }

  geometry(tool: ToolKind, o: Obj, path: string): Obj | undefined {
    const field = GEOMETRY_FIELD[tool]
    const g = o[field]
    const gp = `${path}.${field}`
    if (g === undefined) return void this.err(gp, `a ${tool} object needs ${field}`)
    switch (tool) {
      case 'bounding_box': {
        if (!isObj(g)) return void this.err(gp, 'must be {top, left, height, width}')
        let ok = true
        for (const k of ['top', 'left', 'height', 'width'] as const) {
          if (!isNum(g[k])) {
            this.err(`${gp}.${k}`, `${k} must be a number`)
            ok = false
          }
        }
        for (const k of ['height', 'width'] as const) {
          if (isNum(g[k]) && (g[k] as number) < 0) {
            this.err(`${gp}.${k}`, `${k} must not be negative`)
            ok = false
          }
        }
        return ok ? { top: g.top, left: g.left, height: g.height, width: g.width } : undefined
      }
      case 'polygon': {
        const pts = this.points(g, gp, 3)
        return pts ? { v: pts } : undefined
      }
      case 'line': {
        const pts = this.points(g, gp, 2)
        return pts ? { v: pts } : undefined
      }
      case 'point':
        if (!isObj(g) || !isNum(g.x) || !isNum(g.y)) return void this.err(gp, 'must be {x, y} with numbers')
        return { x: g.x, y: g.y }
      case 'text_entity':
        if (!isObj(g) || !Number.isInteger(g.start) || !Number.isInteger(g.end))
          return void this.err(gp, 'must be {start, end} with whole numbers')
        if ((g.start as number) < 0 || (g.end as number) < (g.start as number)) return void this.err(gp, 'needs 0 ≤ start ≤ end')
        return { start: g.start, end: g.end }
      case 'mask':
        if (!isObj(g) || typeof g.url !== 'string' || !/^(https?:\/\/|data:image\/)/.test(g.url))
          return void this.err(gp, 'must be {url} with an http(s) or data:image URL')
        return { url: g.url }
    }
  }

  object(o: unknown, tools: OntologyTool[], path: string): Obj | undefined {
    if (!isObj(o)) return void this.err(path, 'an object annotation must be a JSON object')
    const tool = this.find(tools, o, path, 'tool')
    if (!tool) return undefined
    const g = this.geometry(tool.tool, o, path)
    const nested = this.classifications(o.classifications, tool.classifications, `${path}.classifications`)
    if (!g || !nested) return undefined
    this.count++
    this.bump({ feature_schema_id: tool.feature_schema_id, answer_schema_id: '', kind: 'object', name: tool.name, answer: '' })
    const field = GEOMETRY_FIELD[tool.tool]
    return {
      feature_id: this.featureId(o.feature_id),
      feature_schema_id: tool.feature_schema_id,
      name: tool.name,
      annotation_kind: ANNOTATION_KIND[tool.tool],
      classifications: nested,
      [field]: 'v' in g ? g.v : g,
    }
  }

  answer(a: unknown, c: OntologyClassification, path: string): Obj | undefined {
    if (!isObj(a)) return void this.err(path, 'an answer must be an object with a name')
    const opt = this.find<OntologyOption>(c.options, a, path, `answer of “${c.name}”`)
    if (!opt) return undefined
    const nested = this.classifications(a.classifications, opt.classifications, `${path}.classifications`)
    if (!nested) return undefined
    this.count++
    this.bump({
      feature_schema_id: c.feature_schema_id,
      answer_schema_id: opt.feature_schema_id,
      kind: 'answer',
      name: c.name,
      answer: opt.name,
    })
    return {
      feature_id: this.featureId(a.feature_id),
      feature_schema_id: opt.feature_schema_id,
      name: opt.name,
      value: opt.value,
      classifications: nested,
    }
  }

  classification(x: unknown, list: OntologyClassification[], path: string): Obj | undefined {
    if (!isObj(x)) return void this.err(path, 'a classification must be a JSON object')
    const c = this.find(list, x, path, 'classification')
    if (!c) return undefined
    const base = {
      feature_id: this.featureId(x.feature_id),
      feature_schema_id: c.feature_schema_id,
      name: c.name,
      value: c.name.toLowerCase().replace(/[^a-z0-9]+/g, '_'),
    }
    const given = ['radio_answer', 'checklist_answers', 'text_answer'].filter((k) => x[k] !== undefined)
    const want = c.type === 'radio' ? 'radio_answer' : c.type === 'checklist' ? 'checklist_answers' : 'text_answer'
    if (given.length !== 1 || given[0] !== want) {
      return void this.err(`${path}.${want}`, `“${c.name}” is a ${c.type} classification: give ${want} only`)
    }
    if (c.type === 'radio') {
      const ra = x.radio_answer
      if (Array.isArray(ra))
        return void this.err(
          `${path}.radio_answer`,
          ra.length === 1
            ? 'radio_answer must be one answer object, not a list'
            : `a radio classification takes exactly one answer (got ${ra.length})`,
        )
      const a = this.answer(ra, c, `${path}.radio_answer`)
      return a ? { ...base, radio_answer: a } : undefined
    }
    if (c.type === 'checklist') {
      const ca = x.checklist_answers
      if (!Array.isArray(ca) || ca.length === 0)
        return void this.err(`${path}.checklist_answers`, 'checklist_answers must be a non-empty list of answers')
      const answers = ca.map((a, i) => this.answer(a, c, `${path}.checklist_answers.${i}`))
      const ids = answers.map((a) => a?.feature_schema_id)
      if (new Set(ids).size !== ids.length) return void this.err(`${path}.checklist_answers`, 'the same answer is given twice')
      return answers.every(Boolean) ? { ...base, checklist_answers: answers } : undefined
    }
    const ta = x.text_answer
    const content = isObj(ta) ? ta.content : ta
    if (typeof content !== 'string' || content.length > 65_536)
      return void this.err(`${path}.text_answer`, 'text_answer must be {content} with at most 65,536 characters')
    this.count++
    this.bump({ feature_schema_id: c.feature_schema_id, answer_schema_id: '', kind: 'answer', name: c.name, answer: '(text)' })
    return { ...base, text_answer: { content } }
  }

  classifications(xs: unknown, list: OntologyClassification[], path: string): Obj[] | undefined {
    if (xs === undefined || xs === null) return []
    if (!Array.isArray(xs)) return void this.err(path, 'classifications must be a list')
    const out = xs.map((x, i) => this.classification(x, list, `${path}.${i}`))
    const ids = out.filter(Boolean).map((c) => c!.feature_schema_id)
    if (new Set(ids).size !== ids.length) this.err(path, 'the same classification is answered twice')
    return out.every(Boolean) ? (out as Obj[]) : undefined
  }
}

export type Normalized = { annotations: LabelAnnotations; count: number; deltas: FeatureDelta[] }

/** Frame numbers as Labelbox writes them: 1-based, decimal, no leading zero. */
const FRAME_KEY = /^[1-9][0-9]{0,8}$/

/**
 * Video frame classifications, export v2's `frames: {"<n>": {classifications: [...]}}`: keys are
 * frame numbers, answers are checked (and counted) like global ones. Frames left with no answer
 * are dropped, so an edit that clears a frame leaves no empty entry behind.
 */
function normalizeFrames(c: Checker, frames: unknown, ontology: Ontology, path: string): LabelAnnotations['frames'] {
  if (!isObj(frames)) return void c.err(path, 'frames must be an object keyed by frame number')
  const out: NonNullable<LabelAnnotations['frames']> = {}
  for (const [key, frame] of Object.entries(frames).sort(([a], [b]) => Number(a) - Number(b))) {
    const fp = `${path}.${key}`
    if (!FRAME_KEY.test(key)) {
      c.err(fp, `frame keys are frame numbers (1, 2, …), not ${JSON.stringify(key)}`)
      continue
    }
    if (!isObj(frame)) {
      c.err(fp, 'a frame must be {classifications: [...]}')
      continue
    }
    for (const k of Object.keys(frame))
      if (k !== 'classifications') c.err(`${fp}.${k}`, `“${k}” is not supported in a frame here (only classifications)`)
    const cls = c.classifications(frame.classifications, ontology.classifications, `${fp}.classifications`)
    if (cls?.length) out[key] = { classifications: cls }
  }
  return out
}

/**
 * Checks `input` ({objects, classifications}, and `frames` for video) against the ontology.
 * Throws VALIDATION naming the path of every bad annotation. `keepIds` keeps given feature_ids
 * (imports, edits). `mediaType`, when the caller knows the data row's, refuses `frames` on a row
 * that is not a video; callers that do not pass it accept them.
 */
export function normalizeAnnotations(input: unknown, ontology: Ontology, keepIds = false, mediaType?: string): Normalized {
  const c = new Checker(keepIds)
  const root = 'annotations'
  if (input === undefined || input === null)
    return { annotations: { objects: [], classifications: [], relationships: [] }, count: 0, deltas: [] }
  if (!isObj(input))
    throw new AppError('VALIDATION', 'annotations must be {objects: [...], classifications: [...]}', [
      { path: root, message: 'must be an object' },
    ])
  const objects = input.objects === undefined ? [] : input.objects
  let objs: Obj[] = []
  if (!Array.isArray(objects)) c.err(`${root}.objects`, 'objects must be a list')
  else objs = objects.map((o, i) => c.object(o, ontology.tools, `${root}.objects.${i}`)).filter((o): o is Obj => !!o)
  const cls = c.classifications(input.classifications, ontology.classifications, `${root}.classifications`) ?? []
  let frames: LabelAnnotations['frames']
  if (input.frames !== undefined && input.frames !== null) {
    if (mediaType !== undefined && mediaType !== 'VIDEO')
      c.err(`${root}.frames`, `frames are for video rows only (this row is ${mediaType})`)
    else frames = normalizeFrames(c, input.frames, ontology, `${root}.frames`)
  }
  if (c.errors.length) {
    throw new AppError(
      'VALIDATION',
      c.errors
        .map((e) => `${e.path}: ${e.message}`)
        .slice(0, 10)
        .join('; '),
      c.errors,
    )
  }
  const annotations: LabelAnnotations = { objects: objs, classifications: cls, relationships: [] }
  if (frames && Object.keys(frames).length) annotations.frames = frames
  return { annotations, count: c.count, deltas: [...c.deltas.values()] }
}

/** Feature counts of already-normalized annotations (to subtract when a label changes or goes). */
export function countFeatures(a: LabelAnnotations, ontology: Ontology): { count: number; deltas: FeatureDelta[] } {
  try {
    const n = normalizeAnnotations(a, ontology, true)
    return { count: n.count, deltas: n.deltas }
  } catch {
    // Stored annotations always matched the ontology when written; features cannot be removed
    // while in use, so this only happens to hand-edited data. Count what still matches nothing.
    return { count: 0, deltas: [] }
  }
}

/** All feature ids in annotations (to tell annotations added by an edit from kept ones). */
export function featureIds(a: LabelAnnotations): Set<string> {
  const ids = new Set<string>()
  const walk = (x: unknown) => {
    if (Array.isArray(x)) return x.forEach(walk)
    if (!isObj(x)) return
    if (typeof x.feature_id === 'string') ids.add(x.feature_id)
    for (const v of Object.values(x)) if (typeof v === 'object') walk(v)
  }
  walk(a)
  return ids
}
