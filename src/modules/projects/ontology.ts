/**
 * @module The ontology: tools (bounding box, polygon, point, line, text entity, mask) and
 * classifications (radio, checklist, text) with options, nested under tools, under options, or
 * global. Every feature gets a `feature_schema_id` (kept when given, so Labelbox ontologies keep
 * their ids, and kept across edits by matching name at the same place).
 */
import * as v from 'valibot'
import { newId } from '../../lib/ids'
import { AppError, type FieldError } from '../../lib/errors'

export const TOOL_KINDS = ['bounding_box', 'polygon', 'point', 'line', 'text_entity', 'mask', 'relationship'] as const
export type ToolKind = (typeof TOOL_KINDS)[number]
export const CLASSIFICATION_TYPES = ['radio', 'checklist', 'text'] as const
export type ClassificationType = (typeof CLASSIFICATION_TYPES)[number]

export type OntologyOption = { feature_schema_id: string; name: string; value: string; classifications: OntologyClassification[] }
export type OntologyClassification = {
  feature_schema_id: string
  name: string
  type: ClassificationType
  required: boolean
  options: OntologyOption[]
}
export type OntologyTool = {
  feature_schema_id: string
  name: string
  tool: ToolKind
  color: string
  classifications: OntologyClassification[]
}
export type Ontology = { tools: OntologyTool[]; classifications: OntologyClassification[] }

/** An ontology as answers carry it. Recursive, so its types are written above and the schema is
 * checked against them (valibot cannot infer a recursive type). */
const OptionView: v.GenericSchema<OntologyOption> = v.object({
  feature_schema_id: v.string(),
  name: v.string(),
  value: v.string(),
  classifications: v.array(v.lazy(() => ClassificationView)),
})
const ClassificationView: v.GenericSchema<OntologyClassification> = v.object({
  feature_schema_id: v.string(),
  name: v.string(),
  type: v.picklist(CLASSIFICATION_TYPES),
  required: v.boolean(),
  options: v.array(OptionView),
})
const ToolView = v.object({
  feature_schema_id: v.string(),
  name: v.string(),
  tool: v.picklist(TOOL_KINDS),
  color: v.string(),
  classifications: v.array(ClassificationView),
})
export const OntologyView: v.GenericSchema<Ontology> = v.object({ tools: v.array(ToolView), classifications: v.array(ClassificationView) })

export const EMPTY_ONTOLOGY: Ontology = { tools: [], classifications: [] }
const MAX_DEPTH = 4
const PALETTE = ['#3b5bdb', '#d9480f', '#2b8a3e', '#ae3ec9', '#f08c00', '#1098ad', '#e03131', '#5c940d', '#7048e8', '#c2255c']

const FeatureName = v.pipe(
  v.string('name is required'),
  v.trim(),
  v.minLength(1, 'name is required'),
  v.maxLength(200, 'name must be at most 200 characters'),
)
const FeatureId = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100, 'feature_schema_id is too long')))

type OptionIn = { feature_schema_id?: string; name: string; value?: string; classifications?: ClassificationIn[] }
type ClassificationIn = { feature_schema_id?: string; name: string; type: ClassificationType; required?: boolean; options?: OptionIn[] }

const OptionSchema: v.GenericSchema<OptionIn> = v.object({
  feature_schema_id: FeatureId,
  name: FeatureName,
  value: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  classifications: v.optional(v.array(v.lazy(() => ClassificationSchema))),
})
const ClassificationSchema: v.GenericSchema<ClassificationIn> = v.object({
  feature_schema_id: FeatureId,
  name: FeatureName,
  type: v.picklist(CLASSIFICATION_TYPES, `type must be one of ${CLASSIFICATION_TYPES.join(', ')}`),
  required: v.optional(v.boolean('required must be true or false')),
  options: v.optional(v.pipe(v.array(OptionSchema), v.maxLength(500, 'at most 500 options'))),
})
const ToolSchema = v.object({
  feature_schema_id: FeatureId,
  name: FeatureName,
  tool: v.picklist(TOOL_KINDS, `tool must be one of ${TOOL_KINDS.join(', ')}`),
  color: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, 'color must be like #1a2b3c'))),
  classifications: v.optional(v.pipe(v.array(ClassificationSchema), v.maxLength(100, 'at most 100 nested classifications'))),
})
export const OntologyInput = v.object({
  tools: v.optional(v.pipe(v.array(ToolSchema, 'tools must be a list'), v.maxLength(200, 'at most 200 tools')), []),
  classifications: v.optional(
    v.pipe(v.array(ClassificationSchema, 'classifications must be a list'), v.maxLength(200, 'at most 200 classifications')),
    [],
  ),
})
export type OntologyInput = v.InferOutput<typeof OntologyInput>

const slug = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'value'

/**
 * Checks the rules valibot cannot express (unique names per level, options only where they make
 * sense, depth, unique ids) and gives every feature its id: the given one, the previous
 * ontology's id for a feature with the same name at the same place, or a new one.
 */
export function normalizeOntology(input: OntologyInput, previous: Ontology = EMPTY_ONTOLOGY): Ontology {
  const errors: FieldError[] = []
  const ids = new Set<string>()
  const useId = (path: string, given: string | undefined, prior: string | undefined) => {
    const id = given ?? prior ?? newId('fs')
    if (ids.has(id)) errors.push({ path: `${path}.feature_schema_id`, message: `feature_schema_id ${id} is used twice` })
    ids.add(id)
    return id
  }
  const uniqueNames = (path: string, names: string[], what: string) => {
    const seen = new Set<string>()
    names.forEach((n, i) => {
      const k = n.toLowerCase()
      if (seen.has(k)) errors.push({ path: `${path}.${i}.name`, message: `${what} “${n}” appears twice` })
      seen.add(k)
    })
  }
  const classification = (
    c: ClassificationIn,
    path: string,
    prior: OntologyClassification[] | undefined,
    depth: number,
  ): OntologyClassification => {
    const before = prior?.find((p) => p.name.toLowerCase() === c.name.toLowerCase() && p.type === c.type)
    const options = c.options ?? []
    if (depth > MAX_DEPTH) errors.push({ path, message: `classifications may be nested at most ${MAX_DEPTH} levels deep` })
    if (c.type === 'text' && options.length) errors.push({ path: `${path}.options`, message: 'a text classification has no options' })
    if (c.type !== 'text' && !options.length)
      errors.push({ path: `${path}.options`, message: `a ${c.type} classification needs at least one option` })
    uniqueNames(
      `${path}.options`,
      options.map((o) => o.name),
      'Option',
    )
    return {
      feature_schema_id: useId(path, c.feature_schema_id, before?.feature_schema_id),
      name: c.name,
      type: c.type,
      required: c.required ?? false,
      options: options.map((o, i) => {
        const op = `${path}.options.${i}`
        const ob = before?.options.find((p) => p.name.toLowerCase() === o.name.toLowerCase())
        const nested = o.classifications ?? []
        uniqueNames(
          `${op}.classifications`,
          nested.map((n) => n.name),
          'Classification',
        )
        return {
          feature_schema_id: useId(op, o.feature_schema_id, ob?.feature_schema_id),
          name: o.name,
          value: o.value || slug(o.name),
          classifications: nested.map((n, j) => classification(n, `${op}.classifications.${j}`, ob?.classifications, depth + 1)),
        }
      }),
    }
  }
  uniqueNames(
    'tools',
    input.tools.map((t) => t.name),
    'Tool',
  )
  uniqueNames(
    'classifications',
    input.classifications.map((c) => c.name),
    'Classification',
  )
  const out: Ontology = {
    tools: input.tools.map((t, i) => {
      const path = `tools.${i}`
      const before = previous.tools.find((p) => p.name.toLowerCase() === t.name.toLowerCase() && p.tool === t.tool)
      const nested = t.classifications ?? []
      uniqueNames(
        `${path}.classifications`,
        nested.map((n) => n.name),
        'Classification',
      )
      return {
        feature_schema_id: useId(path, t.feature_schema_id, before?.feature_schema_id),
        name: t.name,
        tool: t.tool,
        color: t.color ?? before?.color ?? PALETTE[i % PALETTE.length]!,
        classifications: nested.map((c, j) => classification(c, `${path}.classifications.${j}`, before?.classifications, 2)),
      }
    }),
    classifications: input.classifications.map((c, i) => classification(c, `classifications.${i}`, previous.classifications, 1)),
  }
  if (errors.length)
    throw new AppError(
      'VALIDATION',
      `ontology: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors.map((e) => ({ ...e, path: `ontology.${e.path}` })),
    )
  return out
}

/** Every feature of an ontology with its path, for lookups by id and for "which features were removed". */
export type FeatureRef = { feature_schema_id: string; name: string; kind: 'tool' | 'classification' | 'option'; path: string }
export function flattenOntology(o: Ontology): FeatureRef[] {
  const out: FeatureRef[] = []
  const cls = (c: OntologyClassification, path: string) => {
    out.push({ feature_schema_id: c.feature_schema_id, name: c.name, kind: 'classification', path })
    for (const op of c.options) {
      out.push({ feature_schema_id: op.feature_schema_id, name: op.name, kind: 'option', path: `${path} › ${op.name}` })
      for (const n of op.classifications) cls(n, `${path} › ${op.name} › ${n.name}`)
    }
  }
  for (const t of o.tools) {
    out.push({ feature_schema_id: t.feature_schema_id, name: t.name, kind: 'tool', path: t.name })
    for (const c of t.classifications) cls(c, `${t.name} › ${c.name}`)
  }
  for (const c of o.classifications) cls(c, c.name)
  return out
}

/** Features of `before` that `after` no longer has. */
export function removedFeatures(before: Ontology, after: Ontology): FeatureRef[] {
  const kept = new Set(flattenOntology(after).map((f) => f.feature_schema_id))
  return flattenOntology(before).filter((f) => !kept.has(f.feature_schema_id))
}
