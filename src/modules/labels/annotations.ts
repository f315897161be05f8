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
  relationship: 'Relationship',
}
/** A video frame's objects, as Labelbox exports them (text entities have no video kind). */
export const VIDEO_ANNOTATION_KIND: Partial<Record<ToolKind, string>> = {
  bounding_box: 'VideoBoundingBox',
  polygon: 'VideoPolygon',
  point: 'VideoPoint',
  line: 'VideoPolyline',
  mask: 'VideoSegmentationMask',
}
/** The geometry field each tool writes. */
export const GEOMETRY_FIELD: Record<ToolKind, string> = {
  bounding_box: 'bounding_box',
  polygon: 'polygon',
  point: 'point',
  line: 'line',
  text_entity: 'location',
  mask: 'mask',
  relationship: 'relationship',
}
/** Most frame entries (objects and answers over all frames) one video label may hold. */
export const MAX_FRAME_ENTRIES = 20_000

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const lower = (s: unknown) => (typeof s === 'string' ? s.trim().toLowerCase() : '')

class Checker {
  errors: FieldError[] = []
  count = 0
  deltas = new Map<string, FeatureDelta>()
  /** The id each given feature_id got (the same when ids are kept): relationships refer to it. */
  ids = new Map<string, string>()
  constructor(private keepIds: boolean) {}
  err(path: string, message: string) {
    this.errors.push({ path, message })
  }
  featureId(given: unknown) {
    const ok = typeof given === 'string' && given.length > 0 && given.length <= 100
    if (ok && this.ids.has(given)) return this.ids.get(given)!
    const id = this.keepIds && ok ? given : newId('ann')
    if (ok) this.ids.set(given, id)
    return id
  }

  /** Scores a prediction carries (Labelbox's `confidence` 0–1 and `customMetrics`), kept as given. */
  scores(o: Obj, path: string): Obj | undefined {
    const out: Obj = {}
    if (o.confidence !== undefined && o.confidence !== null) {
      if (!isNum(o.confidence) || o.confidence < 0 || o.confidence > 1)
        return void this.err(`${path}.confidence`, 'confidence must be a number from 0 to 1')
      out.confidence = o.confidence
    }
    const cm = o.custom_metrics ?? o.customMetrics
    if (cm !== undefined && cm !== null) {
      const at = `${path}.${o.custom_metrics !== undefined ? 'custom_metrics' : 'customMetrics'}`
      if (!Array.isArray(cm) || cm.length > 100) return void this.err(at, 'custom metrics must be a list of {name, value} (at most 100)')
      const list: Obj[] = []
      for (const [i, m] of cm.entries()) {
        if (!isObj(m) || typeof m.name !== 'string' || !m.name || m.name.length > 200 || !isNum(m.value))
          return void this.err(`${at}.${i}`, 'a custom metric is {name, value} with a name and a numeric value')
        list.push({ name: m.name, value: m.value })
      }
      out.custom_metrics = list
    }
    return out
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
      case 'mask': {
        if (!isObj(g) || typeof g.url !== 'string' || !/^(https?:\/\/|data:image\/)/.test(g.url))
          return void this.err(gp, 'must be {url} with an http(s) or data:image URL')
        // The mask's colour in a composite mask image (Labelbox's colorRGB): which pixels are this object.
        const rgb = g.colorRGB ?? g.color_rgb
        if (rgb === undefined || rgb === null) return { url: g.url }
        if (!Array.isArray(rgb) || rgb.length !== 3 || !rgb.every((c) => Number.isInteger(c) && c >= 0 && c <= 255))
          return void this.err(`${gp}.colorRGB`, 'colorRGB must be [r, g, b] with whole numbers from 0 to 255')
        return { url: g.url, colorRGB: rgb }
      }
      case 'relationship':
        return void this.err(path, 'a relationship goes in annotations.relationships, not in objects')
    }
  }

  object(o: unknown, tools: OntologyTool[], path: string, video = false): Obj | undefined {
    if (!isObj(o)) return void this.err(path, 'an object annotation must be a JSON object')
    const tool = this.find(tools, o, path, 'tool')
    if (!tool) return undefined
    const g = this.geometry(tool.tool, o, path)
    const nested = this.classifications(o.classifications, tool.classifications, `${path}.classifications`)
    const scores = this.scores(o, path)
    if (!g || !nested || !scores) return undefined
    this.count++
    this.bump({ feature_schema_id: tool.feature_schema_id, answer_schema_id: '', kind: 'object', name: tool.name, answer: '' })
    const field = GEOMETRY_FIELD[tool.tool]
    return {
      feature_id: this.featureId(o.feature_id),
      feature_schema_id: tool.feature_schema_id,
      name: tool.name,
      annotation_kind: (video ? VIDEO_ANNOTATION_KIND : ANNOTATION_KIND)[tool.tool],
      classifications: nested,
      ...scores,
      [field]: 'v' in g ? g.v : g,
    }
  }

  /** A relationship between two objects of the same label, referred to by their feature_id. */
  relationship(x: unknown, tools: OntologyTool[], objectIds: Set<string>, path: string): Obj | undefined {
    if (!isObj(x)) return void this.err(path, 'a relationship must be a JSON object')
    const tool = this.find(
      tools.filter((t) => t.tool === 'relationship'),
      x,
      path,
      'relationship tool',
    )
    if (!tool) return undefined
    // Export v2 writes {source, target, unidirectional}; annotation imports {relationship: {source, target, type}}.
    const r = isObj(x.relationship) ? x.relationship : x
    const ends: Obj = {}
    for (const k of ['source', 'target'] as const) {
      const ref = r[k]
      const id = typeof ref === 'string' ? this.ids.get(ref) : undefined
      if (!id || !objectIds.has(id)) {
        this.err(`${path}.${k}`, `${k} must be the feature_id (uuid) of an object of this label; ${JSON.stringify(ref)} is none`)
        continue
      }
      ends[k] = id
    }
    if (ends.source === undefined || ends.target === undefined) return undefined
    if (ends.source === ends.target) return void this.err(`${path}.target`, 'an object cannot relate to itself')
    const type = r.type ?? (r.unidirectional === false ? 'bidirectional' : 'unidirectional')
    if (type !== 'unidirectional' && type !== 'bidirectional')
      return void this.err(`${path}.type`, 'type must be "unidirectional" or "bidirectional"')
    const scores = this.scores(x, path)
    if (!scores) return undefined
    this.count++
    this.bump({ feature_schema_id: tool.feature_schema_id, answer_schema_id: '', kind: 'object', name: tool.name, answer: '' })
    return {
      feature_id: this.featureId(x.feature_id),
      feature_schema_id: tool.feature_schema_id,
      name: tool.name,
      value: tool.name.toLowerCase().replace(/[^a-z0-9]+/g, '_'),
      unidirectional: type === 'unidirectional',
      source: ends.source,
      target: ends.target,
      ...scores,
    }
  }

  answer(a: unknown, c: OntologyClassification, path: string): Obj | undefined {
    if (!isObj(a)) return void this.err(path, 'an answer must be an object with a name')
    const opt = this.find<OntologyOption>(c.options, a, path, `answer of “${c.name}”`)
    if (!opt) return undefined
    const nested = this.classifications(a.classifications, opt.classifications, `${path}.classifications`)
    const scores = this.scores(a, path)
    if (!nested || !scores) return undefined
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
      ...scores,
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
    // A classification's own scores (Labelbox puts a text answer's confidence here).
    const scores = this.scores(x, path)
    if (!scores) return undefined
    Object.assign(base, scores)
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

const VIDEO_KEYS = ['frames', 'segments', 'key_frame_feature_map'] as const
const frameKey = (k: string) => /^[1-9]\d{0,8}$/.test(k)

/**
 * Checks `input` ({objects, classifications, relationships}, and for VIDEO labels {frames,
 * segments, key_frame_feature_map}) against the ontology. Throws VALIDATION naming the path of
 * every bad annotation. `keepIds` keeps given feature_ids (imports, edits). `mediaType`, when
 * given, allows frames only on VIDEO projects.
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
  const video = VIDEO_KEYS.some((k) => input[k] !== undefined && input[k] !== null)
  let videoPart: Pick<LabelAnnotations, 'frames' | 'segments' | 'key_frame_feature_map'> = {}
  if (video && mediaType !== undefined && mediaType !== 'VIDEO')
    c.err(`${root}.frames`, `frames, segments and key frames are for VIDEO projects (this one is ${mediaType})`)
  else if (video) videoPart = normalizeVideo(c, input, ontology, root)
  const rels = input.relationships ?? []
  let relsOut: Obj[] = []
  if (!Array.isArray(rels)) c.err(`${root}.relationships`, 'relationships must be a list')
  else {
    const objectIds = new Set(objs.map((o) => o.feature_id as string))
    relsOut = rels.map((r, i) => c.relationship(r, ontology.tools, objectIds, `${root}.relationships.${i}`)).filter((r): r is Obj => !!r)
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
  return {
    annotations: { objects: objs, classifications: cls, relationships: relsOut, ...videoPart },
    count: c.count,
    deltas: [...c.deltas.values()],
  }
}

/**
 * A video label in Labelbox's export v2 shape: `frames["<n>"]` holds that frame's objects (a map
 * feature_id → object, `annotation_kind` Video…) and classifications; `segments` gives each
 * object's frame ranges and `key_frame_feature_map` its key frames. Only key frames are stored
 * (frames between them are not interpolated). Every frame object and every frame answer counts
 * as an annotation.
 */
function normalizeVideo(c: Checker, input: Obj, ontology: Ontology, root: string) {
  const out: Record<string, { objects: Record<string, Obj>; classifications: Obj[] }> = {}
  let entries = 0
  const frames = input.frames ?? {}
  if (!isObj(frames)) {
    c.err(`${root}.frames`, 'frames must be an object keyed by frame number ("1", "2", …)')
    return {}
  }
  const seen = new Map<string, string>()
  for (const [k, f] of Object.entries(frames)) {
    const fp = `${root}.frames.${k}`
    if (!frameKey(k)) {
      c.err(fp, 'frame keys are frame numbers from 1')
      continue
    }
    if (!isObj(f)) {
      c.err(fp, 'a frame must be {objects, classifications}')
      continue
    }
    const frame: { objects: Record<string, Obj>; classifications: Obj[] } = { objects: {}, classifications: [] }
    const objs = f.objects ?? {}
    // Export v2 keys a frame's objects by feature_id; a list is accepted too.
    const list: [string, unknown][] = Array.isArray(objs) ? objs.map((o, i) => [String(i), o]) : isObj(objs) ? Object.entries(objs) : []
    if (!Array.isArray(objs) && !isObj(objs)) c.err(`${fp}.objects`, 'objects must be a map of feature_id to object')
    for (const [id, o] of list) {
      const given = isObj(o) && typeof o.feature_id === 'string' && o.feature_id ? o.feature_id : Array.isArray(objs) ? undefined : id
      const n = c.object(isObj(o) ? { ...o, feature_id: given } : o, ontology.tools, `${fp}.objects.${id}`, true)
      if (!n) continue
      if (n.annotation_kind === undefined) {
        c.err(`${fp}.objects.${id}`, `a ${n.name} object cannot be on a video frame`)
        continue
      }
      const fid = n.feature_id as string
      const had = seen.get(fid)
      if (had !== undefined && had !== n.feature_schema_id)
        c.err(`${fp}.objects.${id}.feature_id`, 'one feature_id is used by two different tools')
      seen.set(fid, n.feature_schema_id as string)
      frame.objects[fid] = n
      entries++
    }
    const cls = c.classifications(f.classifications, ontology.classifications, `${fp}.classifications`)
    if (cls) frame.classifications = cls
    entries += frame.classifications.length
    if (Object.keys(frame.objects).length || frame.classifications.length) out[String(Number(k))] = frame
  }
  if (entries > MAX_FRAME_ENTRIES)
    c.err(`${root}.frames`, `a video label holds at most ${MAX_FRAME_ENTRIES} frame objects and answers (got ${entries})`)
  // Segments and key frames follow from the stored frames where the input leaves them out.
  const framesOf = new Map<string, number[]>()
  for (const [k, f] of Object.entries(out))
    for (const id of Object.keys(f.objects)) framesOf.set(id, [...(framesOf.get(id) ?? []), Number(k)])
  const segments: Record<string, [number, number][]> = {}
  const given = isObj(input.segments) ? input.segments : {}
  if (input.segments !== undefined && !isObj(input.segments)) c.err(`${root}.segments`, 'segments must map feature_id to [[start, end], …]')
  for (const [id, fs] of framesOf) {
    fs.sort((a, b) => a - b)
    const g = given[c.ids.get(id) === id ? id : ([...c.ids].find(([, v]) => v === id)?.[0] ?? id)]
    if (
      Array.isArray(g) &&
      g.every((r) => Array.isArray(r) && r.length === 2 && r.every((x) => Number.isInteger(x) && x > 0) && r[0] <= r[1])
    ) {
      segments[id] = (g as [number, number][]).map(([a, b]) => [a, b])
      const outside = fs.filter((f) => !segments[id]!.some(([a, b]) => f >= a && f <= b))
      if (outside.length) c.err(`${root}.segments.${id}`, `frames ${outside.join(', ')} of this object are outside its segments`)
    } else {
      if (g !== undefined) c.err(`${root}.segments.${id}`, 'a segment list is [[start, end], …] with frame numbers, start ≤ end')
      segments[id] = [[fs[0]!, fs[fs.length - 1]!]]
    }
  }
  const key_frame_feature_map: Record<string, Record<string, boolean>> = {}
  for (const [id, fs] of framesOf) key_frame_feature_map[id] = Object.fromEntries(fs.map((f) => [String(f), true]))
  return { frames: out, segments, key_frame_feature_map }
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
