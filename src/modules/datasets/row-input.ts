/**
 * @module One data-row input checked by hand, field by field, so that a bad row yields exact
 * per-row errors (field + reason) while the good rows of the same request or import go through.
 * Used by the synchronous API, the import task and the browser upload alike.
 */
import * as v from 'valibot'
import { DATA_MEDIA_TYPES, type Attachment, type DataMediaType, type MetadataField } from '../../db/schema'

export type RowError = { field: string; message: string }
export type ValidRow = {
  rowData: string
  globalKey: string | null
  externalId: string | null
  mediaType: DataMediaType
  metadataFields: MetadataField[]
  attachments: Attachment[]
  /** Labelbox's media attributes as given (width, height, mime_type, exif_rotation …); null when not given. */
  mediaAttributes: Record<string, unknown> | null
}

export const MAX_TEXT = 65_536
export const MAX_URL = 4_096
export const MAX_GLOBAL_KEY = 200
const ATTACHMENT_TYPES = ['IMAGE', 'VIDEO', 'RAW_TEXT', 'TEXT_URL', 'HTML', 'IMAGE_OVERLAY', 'PDF_URL', 'CSV_URL'] as const

/**
 * Global keys follow Labelbox's rules: at most 200 characters, no surrounding spaces, no control
 * characters, none of \ " < > { } | ^ ` [ ] (characters that break URLs and CSV/JSON tooling).
 * Unique per organization, case-insensitively (enforced by the database).
 */
export function globalKeyProblem(key: string): string | null {
  if (key.length === 0) return 'global_key must not be empty (omit it instead)'
  if (key.length > MAX_GLOBAL_KEY) return `global_key must be at most ${MAX_GLOBAL_KEY} characters (got ${key.length})`
  if (key.trim() !== key) return 'global_key must not start or end with spaces'
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'global_key must not contain control characters (tabs, newlines…)'
  const bad = key.match(/[\\"<>{}|^`[\]]/)
  if (bad) return `global_key must not contain the character ${JSON.stringify(bad[0])}`
  return null
}

const EXT: [RegExp, DataMediaType][] = [
  [/\.(jpe?g|png|gif|webp|bmp|tiff?|avif|heic|svg)$/i, 'IMAGE'],
  [/\.(mp4|mov|webm|avi|mkv|m4v|mpe?g)$/i, 'VIDEO'],
  [/\.(mp3|wav|ogg|oga|flac|m4a|aac)$/i, 'AUDIO'],
  [/\.pdf$/i, 'PDF'],
  [/\.html?$/i, 'HTML'],
  [/\.(txt|md|csv|tsv)$/i, 'TEXT'],
  [/\.dcm$/i, 'DICOM'],
  [/\.(tif|geojson)$/i, 'GEOSPATIAL'],
]

/** Media type from a URL's path extension; TEXT for raw text; OTHER when nothing tells.
 * `parsed` is the URL when the caller has parsed it already (an import checks ~50k rows a second). */
export function guessMediaType(rowData: string, isUrl: boolean, parsed?: URL): DataMediaType {
  if (!isUrl) return 'TEXT'
  let path = rowData
  try {
    path = (parsed ?? new URL(rowData)).pathname
  } catch {
    /* s3:// and r2:// parse too; fall back to the string */
  }
  for (const [re, t] of EXT) if (re.test(path)) return t
  return 'OTHER'
}

export type RowContext = {
  /** The dataset uses a cloud integration, so s3:// row data is servable. */
  s3Allowed: boolean
  /** R2 keys of uploads belong to the organization under this prefix. */
  r2Prefix: string
}

const Side = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number of pixels'),
  v.minValue(1, 'must be positive'),
  v.maxValue(1 << 24, 'is too large'),
)

/**
 * `media_attributes` of a data-row input, as Labelbox writes them in export v2 lines: width and
 * height (positive whole pixels), mime_type, exif_rotation (Labelbox writes "1"–"8" as a string;
 * a number is accepted and stored as that string). Other keys (a video's frame_rate, a text's
 * content_length …) are kept as given, as Labelbox keeps them, within 8 KB of JSON. `header_error`
 * is LabelDesk's own note of why an image's header could not be read, never an input.
 */
export const MediaAttributesInput = v.pipe(
  v.looseObject(
    {
      width: v.optional(v.nullable(Side)),
      height: v.optional(v.nullable(Side)),
      mime_type: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.maxLength(200, 'must be at most 200 characters')))),
      exif_rotation: v.optional(
        v.nullable(
          v.pipe(
            v.union([v.string(), v.number()], 'must be an EXIF orientation, "1" to "8"'),
            v.transform((x) => String(x)),
            v.regex(/^[0-8]$/, 'must be an EXIF orientation, "1" to "8"'),
          ),
        ),
      ),
      header_error: v.optional(v.never('is set by LabelDesk, not by an input')),
    },
    'media_attributes must be an object such as {"width": 640, "height": 480, "mime_type": "image/jpeg"}',
  ),
  v.check((o) => JSON.stringify(o).length <= 8192, 'media_attributes must be at most 8 KB of JSON'),
)

/** Problems of a `media_attributes` value as row errors, or the value to store. */
export function checkMediaAttributes(input: unknown): { value: Record<string, unknown> } | { errors: RowError[] } {
  // valibot's objects take arrays too.
  if (Array.isArray(input))
    return {
      errors: [
        {
          field: 'media_attributes',
          message: 'media_attributes must be an object such as {"width": 640, "height": 480, "mime_type": "image/jpeg"}',
        },
      ],
    }
  const r = v.safeParse(MediaAttributesInput, input)
  if (r.success) return { value: r.output }
  return {
    errors: r.issues.map((i) => {
      const path = v.getDotPath(i)
      return {
        field: path ? `media_attributes.${path}` : 'media_attributes',
        message: path ? `media_attributes.${path} ${i.message}` : i.message,
      }
    }),
  }
}

/** The media type a mime type names, when the input gives none and the URL does not tell. */
function mediaTypeOfMime(mime: unknown): DataMediaType | null {
  if (typeof mime !== 'string') return null
  if (/^image\//i.test(mime)) return 'IMAGE'
  if (/^video\//i.test(mime)) return 'VIDEO'
  if (/^audio\//i.test(mime)) return 'AUDIO'
  if (/^application\/pdf/i.test(mime)) return 'PDF'
  if (/^text\/html/i.test(mime)) return 'HTML'
  if (/^text\//i.test(mime)) return 'TEXT'
  return null
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
const KNOWN_FIELDS = new Set(['row_data', 'global_key', 'external_id', 'media_type', 'metadata_fields', 'attachments', 'media_attributes'])

/**
 * A Labelbox export v2 line as a data-row input, so a manifest may be an export file: the
 * data_row's row_data, global_key and external_id, and the line's media_attributes, attachments
 * and metadata_fields (Labelbox names a metadata field `schema_name`). Labels (`projects`) are
 * label imports' business and are ignored here. Anything else is returned as it is.
 */
export function fromExportLine(input: Record<string, unknown>): Record<string, unknown> {
  const d = input.data_row
  if (!isObject(d)) return input
  const out: Record<string, unknown> = { row_data: d.row_data }
  if (d.global_key !== undefined) out.global_key = d.global_key
  if (d.external_id !== undefined) out.external_id = d.external_id
  if (input.media_attributes !== undefined) out.media_attributes = input.media_attributes
  if (input.attachments !== undefined)
    out.attachments = Array.isArray(input.attachments)
      ? input.attachments.map((a) =>
          isObject(a) ? { type: a.type, value: a.value, ...(a.name !== undefined && a.name !== null ? { name: a.name } : {}) } : a,
        )
      : input.attachments
  if (input.metadata_fields !== undefined) {
    out.metadata_fields = Array.isArray(input.metadata_fields)
      ? input.metadata_fields.map((f) =>
          isObject(f) && f.name === undefined && typeof f.schema_name === 'string'
            ? { name: f.schema_name, value: f.value, ...(typeof f.schema_id === 'string' ? { schema_id: f.schema_id } : {}) }
            : f,
        )
      : input.metadata_fields
  }
  return out
}

/** Checks one input (a data-row input, or an export v2 line). Returns the normalized row or every
 * problem found (never throws). */
export function checkRow(raw: unknown, rc: RowContext): { row: ValidRow } | { errors: RowError[] } {
  const errors: RowError[] = []
  if (!isObject(raw)) return { errors: [{ field: 'row', message: 'each data row must be a JSON object' }] }
  const input = fromExportLine(raw)
  for (const k of Object.keys(input)) if (!KNOWN_FIELDS.has(k)) errors.push({ field: k, message: `unknown field ${JSON.stringify(k)}` })

  let rowData = ''
  let isUrl = false
  let url: URL | undefined
  const rd = input.row_data
  if (typeof rd !== 'string' || rd.length === 0) errors.push({ field: 'row_data', message: 'row_data is required (a URL or raw text)' })
  else {
    rowData = rd
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rd)?.[1]?.toLowerCase()
    if (scheme) {
      isUrl = true
      if (rd.length > MAX_URL) errors.push({ field: 'row_data', message: `a URL must be at most ${MAX_URL} characters` })
      else if (scheme === 'http' || scheme === 'https') {
        try {
          url = new URL(rd)
          if (!url.hostname) errors.push({ field: 'row_data', message: 'the URL has no host' })
        } catch {
          errors.push({ field: 'row_data', message: 'row_data is not a valid URL' })
        }
      } else if (scheme === 's3') {
        if (!rc.s3Allowed) errors.push({ field: 'row_data', message: 's3:// row data needs a dataset that uses an AWS integration' })
        else if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(rd))
          errors.push({ field: 'row_data', message: 'an s3:// URL must be s3://bucket/key' })
      } else if (scheme === 'r2') {
        if (!rd.startsWith(`r2://${rc.r2Prefix}`))
          errors.push({ field: 'row_data', message: 'an r2:// key must be one of this organization’s uploads' })
      } else {
        errors.push({
          field: 'row_data',
          message: `unsupported URL scheme ${scheme}:// (use https://, http://, or s3:// with an integration)`,
        })
      }
    } else if (rd.length > MAX_TEXT) {
      errors.push({
        field: 'row_data',
        message: `raw text must be at most ${MAX_TEXT.toLocaleString('en-US')} characters (got ${rd.length.toLocaleString('en-US')})`,
      })
    }
  }

  let globalKey: string | null = null
  if (input.global_key !== undefined && input.global_key !== null) {
    if (typeof input.global_key !== 'string') errors.push({ field: 'global_key', message: 'global_key must be a string' })
    else {
      const p = globalKeyProblem(input.global_key)
      if (p) errors.push({ field: 'global_key', message: p })
      else globalKey = input.global_key
    }
  }

  let externalId: string | null = null
  if (input.external_id !== undefined && input.external_id !== null) {
    if (typeof input.external_id !== 'string') errors.push({ field: 'external_id', message: 'external_id must be a string' })
    else if (input.external_id.length > 500) errors.push({ field: 'external_id', message: 'external_id must be at most 500 characters' })
    else externalId = input.external_id
  }

  let mediaType: DataMediaType | null = null
  if (input.media_type !== undefined && input.media_type !== null && input.media_type !== '') {
    const m = typeof input.media_type === 'string' ? input.media_type.toUpperCase() : ''
    if (!(DATA_MEDIA_TYPES as readonly string[]).includes(m))
      errors.push({ field: 'media_type', message: `media_type must be one of ${DATA_MEDIA_TYPES.join(', ')}` })
    else mediaType = m as DataMediaType
  }

  const metadataFields: MetadataField[] = []
  if (input.metadata_fields !== undefined && input.metadata_fields !== null) {
    if (!Array.isArray(input.metadata_fields))
      errors.push({ field: 'metadata_fields', message: 'metadata_fields must be a list of {name, value}' })
    else if (input.metadata_fields.length > 100) errors.push({ field: 'metadata_fields', message: 'at most 100 metadata fields' })
    else
      input.metadata_fields.forEach((f, i) => {
        const field = `metadata_fields.${i}`
        if (!isObject(f) || typeof f.name !== 'string' || !f.name.trim() || f.name.length > 200)
          return errors.push({ field: `${field}.name`, message: 'each metadata field needs a name (1–200 characters)' })
        const val = f.value
        if (!(val === null || typeof val === 'number' || typeof val === 'boolean' || (typeof val === 'string' && val.length <= 4096))) {
          return errors.push({
            field: `${field}.value`,
            message: 'a metadata value must be a string (≤ 4,096 characters), a number, a boolean or null',
          })
        }
        metadataFields.push({
          name: f.name.trim(),
          value: val as MetadataField['value'],
          ...(typeof f.schema_id === 'string' ? { schema_id: f.schema_id } : {}),
        })
      })
  }

  const attachments: Attachment[] = []
  if (input.attachments !== undefined && input.attachments !== null) {
    if (!Array.isArray(input.attachments))
      errors.push({ field: 'attachments', message: 'attachments must be a list of {type, value, name?}' })
    else if (input.attachments.length > 50) errors.push({ field: 'attachments', message: 'at most 50 attachments' })
    else
      input.attachments.forEach((a, i) => {
        const field = `attachments.${i}`
        if (!isObject(a)) return errors.push({ field, message: 'an attachment must be an object' })
        const type = typeof a.type === 'string' ? a.type.toUpperCase() : ''
        if (!(ATTACHMENT_TYPES as readonly string[]).includes(type))
          return errors.push({ field: `${field}.type`, message: `attachment type must be one of ${ATTACHMENT_TYPES.join(', ')}` })
        if (typeof a.value !== 'string' || !a.value || a.value.length > MAX_TEXT)
          return errors.push({ field: `${field}.value`, message: 'an attachment value must be 1–65,536 characters' })
        if (a.name !== undefined && (typeof a.name !== 'string' || a.name.length > 200))
          return errors.push({ field: `${field}.name`, message: 'an attachment name must be at most 200 characters' })
        attachments.push({ type, value: a.value, ...(typeof a.name === 'string' ? { name: a.name } : {}) })
      })
  }

  let mediaAttributes: Record<string, unknown> | null = null
  if (input.media_attributes !== undefined && input.media_attributes !== null) {
    const m = checkMediaAttributes(input.media_attributes)
    if ('errors' in m) errors.push(...m.errors)
    else if (Object.keys(m.value).length) mediaAttributes = m.value
  }

  if (errors.length) return { errors }
  let guessed = mediaType ?? guessMediaType(rowData, isUrl, url)
  if (guessed === 'OTHER') guessed = mediaTypeOfMime(mediaAttributes?.mime_type) ?? guessed
  return { row: { rowData, globalKey, externalId, mediaType: guessed, metadataFields, attachments, mediaAttributes } }
}
