/**
 * @module The export formats other than NDJSON — COCO, YOLO, Pascal VOC, CSV — as writers the
 * export engine (service.ts) drives page by page. A writer never holds more than a page: it emits
 * bytes of the file (`main`), bytes of side streams that the engine keeps in R2 and appends after
 * the last row (COCO's `images` array, YOLO's images.txt, a zip's central directory), and errors
 * for rows it leaves out. Its state is a small JSON value (counters, CRCs, offsets) saved in the
 * task's cursor after each slice, so a slice that runs again writes the same bytes.
 *
 * Choices (the endpoint's OpenAPI description in api.ts says them to users):
 * - COCO: `categories` are the ontology's object tools, ids 1… in ontology order. Boxes and
 *   polygons become `annotations` (polygons with `segmentation` [[x1, y1, …]] and their shoelace
 *   `area`; boxes with `segmentation: []`). Masks are not rasterized to RLE: they are URLs to
 *   PNGs, kept with points and lines in the image's `labeldesk_objects`. Classifications go in
 *   `labeldesk_classifications` (the image's, and an object's nested ones on its annotation).
 * - YOLO: class index = the tool's position among the ontology's tools (data.yaml `names`).
 * - Rows without a known width and height are left out of COCO, YOLO and VOC and reported.
 * - Boxes and polygons are clipped to the image in COCO, YOLO and VOC (clipShape); an object with
 *   nothing inside the image is left out of YOLO and VOC, and in COCO it stays, as drawn, in the
 *   image's `labeldesk_objects` with `outside_image: true`. CSV (like NDJSON) keeps what was drawn.
 */
import type { Ontology } from '../projects/ontology'
import { centralRecord, crc32, dosDateTime, localHeader, zipEnd, zipEntry } from '../../lib/zip'
import { exportedMediaAttributes } from './lines'
import type { PageItem } from './page-labels'
import type { ExportFormat } from './schemas'

export type Emit = {
  main(b: string | Uint8Array): void
  side(stream: number, b: string | Uint8Array): void
  error(rowId: string, message: string): void
  /** A data row was written. */
  row(): void
  /** Bytes of the file emitted so far (where the next `main` bytes start). */
  offset(): number
}

export type FormatCtx = { project: { id: string; name: string; ontology: Ontology }; startedAt: Date }

/** Claims unique file names for a page's rows (tasks/status-object.ts claimNames): each row's
 * name and its claim number, the same in every run of a slice. */
export type Names = (entries: { id: string; name: string }[]) => Promise<{ name: string; n: number }[]>

export interface Writer<S> {
  /** Side streams, appended to the file in order after the last row. */
  sides: number
  init(ctx: FormatCtx): S
  head(s: S, ctx: FormatCtx, emit: Emit): void
  rows(items: PageItem[], s: S, ctx: FormatCtx, emit: Emit, names: Names): Promise<void>
  /** Around side stream `stream` when it is appended. */
  side(stream: number, at: 'before' | 'after', s: S, emit: Emit): void
  tail(s: S, emit: Emit): void
}

type Obj = Record<string, unknown>
type Pt = { x: number; y: number }
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const num = (n: number) => String(n)
const enc = new TextEncoder()

// Names ------------------------------------------------------------------------------------------

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i
const MIME_EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/avif': 'avif',
  'image/heic': 'heic',
}

const IMAGE_EXT = new Set([...Object.values(MIME_EXT), 'jpeg', 'tif'])

/**
 * A row's file name before uniqueness: its global key, else external id, else id, with the
 * extension split off and every character outside [A-Za-z0-9._-] (path separators included)
 * replaced by `_`. The task's claimNames (tasks/status-object.ts) then makes it unique, so rows
 * named `a/b.png` and `a_b.png` get `a_b` and `a_b-2`. A name without an extension takes the
 * image's (its mime type, else its URL's): YOLO readers (Ultralytics, labelformat) list images by
 * extension, so `images/cat-1` saved from `…/1.jpg` would be skipped, its labels with it.
 */
export function baseName(r: {
  id: string
  globalKey: string | null
  externalId: string | null
  mediaAttributes: Record<string, unknown> | null
  rowData?: string
}): { stem: string; ext: string } {
  const source = r.globalKey || r.externalId || r.id
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(source)
  const mime = exportedMediaAttributes(r.mediaAttributes).mime_type
  const fromUrl = /\.([A-Za-z0-9]{1,5})(?:[?#]|$)/.exec(r.rowData ?? '')?.[1]?.toLowerCase()
  const ext = m ? m[1]!.toLowerCase() : (typeof mime === 'string' && MIME_EXT[mime]) || (fromUrl && IMAGE_EXT.has(fromUrl) ? fromUrl : '')
  let stem = (m ? source.slice(0, -m[0].length) : source)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[.-]/, '_')
    .replace(/\.$/, '_')
    .slice(0, 120)
  if (!stem) stem = r.id
  if (RESERVED.test(stem)) stem = `_${stem}`
  return { stem, ext }
}

// Geometry ---------------------------------------------------------------------------------------

export type Shape = { kind: 'box'; left: number; top: number; width: number; height: number } | { kind: 'polygon'; points: Pt[] }

/** A box or polygon object's geometry, or null for other kinds (or malformed values). */
function shapeOf(o: Obj): Shape | null {
  const b = o.bounding_box as Obj | undefined
  if (b && isNum(b.left) && isNum(b.top) && isNum(b.width) && isNum(b.height))
    return { kind: 'box', left: b.left, top: b.top, width: b.width, height: b.height }
  const p = o.polygon
  if (Array.isArray(p) && p.length >= 3 && p.every((q) => isNum((q as Pt)?.x) && isNum((q as Pt)?.y)))
    return { kind: 'polygon', points: p as Pt[] }
  return null
}

function extent(s: Shape): { left: number; top: number; width: number; height: number } {
  if (s.kind === 'box') return s
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity
  for (const p of s.points) {
    x0 = Math.min(x0, p.x)
    y0 = Math.min(y0, p.y)
    x1 = Math.max(x1, p.x)
    y1 = Math.max(y1, p.y)
  }
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 }
}

/**
 * A shape cut to the image (0…W × 0…H), or null when nothing of it is inside (or only a line).
 * Labels may reach past the image (drawn to the edge and beyond, or imported), but COCO, YOLO and
 * VOC readers expect coordinates inside it (YOLO's must be 0…1). A box becomes its part inside the
 * image; a polygon is clipped edge by edge (Sutherland–Hodgman), which keeps a polygon that is
 * wholly inside exactly as it was, point for point.
 */
export function clipShape(s: Shape, W: number, H: number): Shape | null {
  if (s.kind === 'box') {
    const x0 = Math.max(s.left, 0)
    const y0 = Math.max(s.top, 0)
    const x1 = Math.min(s.left + s.width, W)
    const y1 = Math.min(s.top + s.height, H)
    if (x1 <= x0 || y1 <= y0) return null
    if (x0 === s.left && y0 === s.top && x1 - x0 === s.width && y1 - y0 === s.height) return s
    return { kind: 'box', left: x0, top: y0, width: x1 - x0, height: y1 - y0 }
  }
  let pts = s.points
  const edges: [(p: Pt) => boolean, (a: Pt, b: Pt) => Pt][] = [
    [(p) => p.x >= 0, (a, b) => ({ x: 0, y: a.y + ((b.y - a.y) * (0 - a.x)) / (b.x - a.x) })],
    [(p) => p.x <= W, (a, b) => ({ x: W, y: a.y + ((b.y - a.y) * (W - a.x)) / (b.x - a.x) })],
    [(p) => p.y >= 0, (a, b) => ({ x: a.x + ((b.x - a.x) * (0 - a.y)) / (b.y - a.y), y: 0 })],
    [(p) => p.y <= H, (a, b) => ({ x: a.x + ((b.x - a.x) * (H - a.y)) / (b.y - a.y), y: H })],
  ]
  for (const [inside, cut] of edges) {
    if (pts.every(inside)) continue
    const out: Pt[] = []
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i]!
      const prev = pts[(i + pts.length - 1) % pts.length]!
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur))
        out.push(cur)
      } else if (inside(prev)) out.push(cut(prev, cur))
    }
    pts = out
    if (pts.length < 3) return null
  }
  if (pts === s.points) return s
  const e = extent({ kind: 'polygon', points: pts })
  return e.width > 0 && e.height > 0 ? { kind: 'polygon', points: pts } : null
}

function polygonArea(points: Pt[]): number {
  let a = 0
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!,
      q = points[(i + 1) % points.length]!
    a += p.x * q.y - q.x * p.y
  }
  return Math.abs(a) / 2
}

/**
 * The classes of the image formats: the ontology's tools that draw on an image, in ontology order
 * (relationships and text entities are not objects on an image, so they get no class id).
 */
function imageClasses(ontology: Ontology) {
  return ontology.tools.filter((t) => t.tool !== 'relationship' && t.tool !== 'text_entity')
}

/** The class index of an object: by feature_schema_id, else by name. */
function toolIndex(ontology: Ontology) {
  const classes = imageClasses(ontology)
  const byId = new Map(classes.map((t, i) => [t.feature_schema_id, i]))
  const byName = new Map(classes.map((t, i) => [t.name.toLowerCase(), i]))
  return (o: Obj) => byId.get(o.feature_schema_id as string) ?? byName.get(String(o.name ?? '').toLowerCase()) ?? null
}

/** Width and height when known and the row is an image; else the reason it is left out. */
function imageSize(item: PageItem): { width: number; height: number } | string {
  if (item.row.mediaType !== 'IMAGE') return `not an image (media type ${item.row.mediaType}); left out`
  const m = exportedMediaAttributes(item.row.mediaAttributes)
  if (typeof m.width !== 'number' || typeof m.height !== 'number')
    return 'the image’s width and height are unknown (run “Read image sizes” on its dataset); left out rather than written with a wrong size'
  return { width: m.width, height: m.height }
}

/** Rows that have a size, named uniquely; the others are reported. */
async function namedImages(items: PageItem[], emit: Emit, names: Names) {
  const ok: { item: PageItem; size: { width: number; height: number }; stem: string; file: string; n: number }[] = []
  const wanted: { id: string; name: string }[] = []
  const exts: string[] = []
  for (const item of items) {
    const size = imageSize(item)
    if (typeof size === 'string') {
      emit.error(item.row.id, size)
      continue
    }
    const b = baseName(item.row)
    ok.push({ item, size, stem: '', file: '', n: 0 })
    wanted.push({ id: item.row.id, name: b.stem })
    exts.push(b.ext)
  }
  const got = wanted.length ? await names(wanted) : []
  ok.forEach((o, i) => {
    o.stem = got[i]!.name
    o.n = got[i]!.n
    o.file = exts[i] ? `${o.stem}.${exts[i]}` : o.stem
  })
  return ok
}

const objectsOf = (item: PageItem) => item.labels.flatMap((l) => (l.annotations.objects ?? []).map((o) => ({ label: l, o: o as Obj })))

// CSV --------------------------------------------------------------------------------------------

const CSV_HEADER = [
  'data_row_id',
  'global_key',
  'external_id',
  'row_data',
  'label_id',
  'labeled_by',
  'created_at',
  'kind',
  'feature_name',
  'answer_value',
  'box_left',
  'box_top',
  'box_width',
  'box_height',
  'points',
]

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export const csvField = (v: unknown) => {
  const s = v == null ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
const csvLine = (cells: unknown[]) => `${cells.map(csvField).join(',')}\r\n`

/** Answers of a classification list as [feature path, kind, value], nested ones after their parent. */
function answers(cs: unknown, path: string[]): [string, string, string][] {
  const out: [string, string, string][] = []
  for (const c of (Array.isArray(cs) ? cs : []) as Obj[]) {
    const name = [...path, String(c.name ?? '')]
    const feature = name.join(' > ')
    const ra = c.radio_answer as Obj | undefined
    if (ra) {
      out.push([feature, 'radio_answer', String(ra.name ?? '')])
      out.push(...answers(ra.classifications, [...name, String(ra.name ?? '')]))
    }
    for (const a of (Array.isArray(c.checklist_answers) ? c.checklist_answers : []) as Obj[]) {
      out.push([feature, 'checklist_answer', String(a.name ?? '')])
      out.push(...answers(a.classifications, [...name, String(a.name ?? '')]))
    }
    const ta = c.text_answer as Obj | undefined
    if (ta) out.push([feature, 'text_answer', String(ta.content ?? '')])
  }
  return out
}

const csv: Writer<Record<string, never>> = {
  sides: 0,
  init: () => ({}),
  head: (_s, _c, emit) => emit.main(csvLine(CSV_HEADER)),
  async rows(items, _s, _c, emit) {
    let text = ''
    for (const { row: r, url, labels } of items) {
      const base = [r.id, r.globalKey, r.externalId, url]
      for (const l of labels) {
        const who = [l.id, l.createdBy, l.createdAt.toISOString()]
        for (const o of (l.annotations.objects ?? []) as Obj[]) {
          const b = o.bounding_box as Obj | undefined
          const geometry = o.polygon ?? o.line ?? (o.point ? [o.point] : undefined) ?? o.location ?? o.mask
          text += csvLine([
            ...base,
            ...who,
            o.annotation_kind,
            o.name,
            '',
            b?.left,
            b?.top,
            b?.width,
            b?.height,
            b || geometry === undefined ? '' : JSON.stringify(geometry),
          ])
          for (const [f, k, v] of answers(o.classifications, [String(o.name ?? '')]))
            text += csvLine([...base, ...who, k, f, v, '', '', '', '', ''])
        }
        for (const [f, k, v] of answers(l.annotations.classifications, [])) text += csvLine([...base, ...who, k, f, v, '', '', '', '', ''])
      }
      emit.row()
    }
    if (text) emit.main(text)
  },
  side() {},
  tail() {},
}

// COCO -------------------------------------------------------------------------------------------

/** Annotations and images written so far (their ids, and whether a comma goes first). */
type CocoState = { images: number; annotations: number }

const coco: Writer<CocoState> = {
  sides: 1, // the `images` array, appended after `annotations`
  init: () => ({ images: 0, annotations: 0 }),
  head(_s, ctx, emit) {
    const categories = imageClasses(ctx.project.ontology).map((t, i) => ({ id: i + 1, name: t.name, supercategory: t.tool }))
    const info = {
      description: `LabelDesk export of “${ctx.project.name}”`,
      version: '1.0',
      year: ctx.startedAt.getUTCFullYear(),
      contributor: 'LabelDesk',
      date_created: ctx.startedAt.toISOString(),
    }
    emit.main(`{"info":${JSON.stringify(info)},"licenses":[],"categories":${JSON.stringify(categories)},"annotations":[`)
  },
  async rows(items, s, ctx, emit, names) {
    const tool = toolIndex(ctx.project.ontology)
    let ann = ''
    let img = ''
    for (const { item, size, file } of await namedImages(items, emit, names)) {
      const id = ++s.images
      const other: Obj[] = []
      for (const { label, o } of objectsOf(item)) {
        const t = tool(o)
        const drawn = shapeOf(o)
        const shape = drawn && clipShape(drawn, size.width, size.height)
        if (t === null || !shape) {
          other.push({
            ...o,
            label_id: label.id,
            ...(t === null ? {} : { category_id: t + 1 }),
            ...(drawn && !shape ? { outside_image: true } : {}),
          })
          continue
        }
        const e = extent(shape)
        const a = {
          id: ++s.annotations,
          image_id: id,
          category_id: t + 1,
          bbox: [e.left, e.top, e.width, e.height],
          area: shape.kind === 'box' ? e.width * e.height : polygonArea(shape.points),
          iscrowd: 0,
          segmentation: shape.kind === 'polygon' ? [shape.points.flatMap((p) => [p.x, p.y])] : [],
          label_id: label.id,
          feature_id: o.feature_id,
          labeldesk_classifications: o.classifications ?? [],
        }
        ann += (s.annotations > 1 ? ',' : '') + JSON.stringify(a)
      }
      const image: Obj = { id, file_name: file, width: size.width, height: size.height, coco_url: item.url, data_row_id: item.row.id }
      if (item.row.globalKey) image.global_key = item.row.globalKey
      if (item.row.externalId) image.external_id = item.row.externalId
      image.labeldesk_classifications = item.labels.flatMap((l) =>
        (l.annotations.classifications ?? []).map((c) => ({ ...c, label_id: l.id })),
      )
      image.labeldesk_objects = other
      img += (id > 1 ? ',' : '') + JSON.stringify(image)
      emit.row()
    }
    if (ann) emit.main(ann)
    if (img) emit.side(0, img)
  },
  side(_stream, at, _s, emit) {
    if (at === 'before') emit.main('],"images":[')
  },
  tail: (_s, emit) => emit.main(']}'),
}

// Zip formats ------------------------------------------------------------------------------------

/** A zip being written: entry count, the central directory's size, and for each side stream that
 * is a zip entry its CRC and size so far; central records of those entries wait in `late`. */
type ZipState = { entries: number; time: number; date: number; crc: number[]; size: number[]; late: string[]; cdOffset: number }

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))

function zipWriter(o: {
  /** Side streams that are zip entries (named); the central directory is the stream after them. */
  entries: string[]
  head(ctx: FormatCtx, add: (name: string, data: string) => void, side: (i: number, text: string) => void): void
  rows(
    items: PageItem[],
    ctx: FormatCtx,
    emit: Emit,
    add: (name: string, data: string) => void,
    side: (i: number, text: string) => void,
    names: Names,
  ): Promise<void>
}): Writer<ZipState> {
  const cd = o.entries.length
  const tools = (s: ZipState, emit: Emit) => {
    const when = { time: s.time, date: s.date }
    const add = (name: string, data: string) => {
      const z = zipEntry(name, enc.encode(data), emit.offset(), when)
      emit.main(z.local)
      emit.side(cd, z.central)
      s.size[cd]! += z.central.length
      s.entries++
    }
    const side = (i: number, text: string) => {
      const b = enc.encode(text)
      s.crc[i] = crc32(b, s.crc[i])
      s.size[i]! += b.length
      emit.side(i, b)
    }
    return { add, side }
  }
  return {
    sides: cd + 1,
    init: (ctx) => ({
      entries: 0,
      ...dosDateTime(ctx.startedAt),
      crc: Array(cd + 1).fill(0),
      size: Array(cd + 1).fill(0),
      late: [],
      cdOffset: 0,
    }),
    head(s, ctx, emit) {
      const t = tools(s, emit)
      o.head(ctx, t.add, t.side)
    },
    async rows(items, s, ctx, emit, names) {
      const t = tools(s, emit)
      await o.rows(items, ctx, emit, t.add, t.side, names)
    },
    side(stream, at, s, emit) {
      if (at !== 'before') return
      if (stream === cd) {
        s.cdOffset = emit.offset()
        return
      }
      const e = { name: o.entries[stream]!, crc: s.crc[stream]!, size: s.size[stream]! }
      const when = { time: s.time, date: s.date }
      s.late.push(b64(centralRecord({ ...e, offset: emit.offset() }, when)))
      emit.main(localHeader(e, when))
      s.entries++
    },
    tail(s, emit) {
      let size = s.size[cd]!
      for (const l of s.late) {
        const b = unb64(l)
        emit.main(b)
        size += b.length
      }
      emit.main(zipEnd(s.entries, s.cdOffset, size))
    },
  }
}

const IMAGES_CSV_HEADER = csvLine(['file_name', 'url', 'data_row_id', 'global_key', 'external_id'])

const yolo = zipWriter({
  entries: ['images.txt', 'images.csv'],
  head(ctx, add, side) {
    const classes = imageClasses(ctx.project.ontology)
    const names = classes.map((t, i) => `  ${i}: ${JSON.stringify(t.name)}`).join('\n')
    add(
      'data.yaml',
      `# LabelDesk export of ${JSON.stringify(ctx.project.name)} (YOLO, Ultralytics format).\n` +
        '# labels/<stem>.txt hold the labels of each image; images.txt lists the images’ URLs and\n' +
        '# images.csv which file name each URL should be saved as (images/<stem>.<ext>).\n' +
        // No classes is `names: {}`: a bare `names:` is YAML null, which YOLO readers fail on.
        `path: .\ntrain: images\nval: images\nnc: ${classes.length}\nnames:${names ? `\n${names}` : ' {}'}\n`,
    )
    side(1, IMAGES_CSV_HEADER)
  },
  async rows(items, ctx, emit, add, side, names) {
    const tool = toolIndex(ctx.project.ontology)
    let list = ''
    let map = ''
    for (const { item, size, stem, file } of await namedImages(items, emit, names)) {
      const { width: W, height: H } = size
      let text = ''
      for (const { o } of objectsOf(item)) {
        const t = tool(o)
        const drawn = shapeOf(o)
        const shape = drawn && clipShape(drawn, W, H)
        if (t === null || !shape) continue
        if (shape.kind === 'box')
          text += `${t} ${num((shape.left + shape.width / 2) / W)} ${num((shape.top + shape.height / 2) / H)} ${num(shape.width / W)} ${num(shape.height / H)}\n`
        else text += `${t} ${shape.points.map((p) => `${num(p.x / W)} ${num(p.y / H)}`).join(' ')}\n`
      }
      add(`labels/${stem}.txt`, text)
      list += `${item.url}\n`
      map += csvLine([`images/${file}`, item.url, item.row.id, item.row.globalKey, item.row.externalId])
      emit.row()
    }
    if (list) side(0, list)
    if (map) side(1, map)
  },
})

const xml = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)

const voc = zipWriter({
  entries: [],
  head() {},
  async rows(items, ctx, emit, add, _side, names) {
    const tool = toolIndex(ctx.project.ontology)
    const classes = imageClasses(ctx.project.ontology)
    for (const { item, size, stem, file } of await namedImages(items, emit, names)) {
      let objects = ''
      for (const { o } of objectsOf(item)) {
        const t = tool(o)
        const drawn = shapeOf(o)
        const shape = drawn && clipShape(drawn, size.width, size.height)
        if (t === null || !shape) continue
        const e = extent(shape)
        objects +=
          `  <object>\n    <name>${xml(classes[t]!.name)}</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n` +
          `    <bndbox>\n      <xmin>${num(e.left)}</xmin>\n      <ymin>${num(e.top)}</ymin>\n      <xmax>${num(e.left + e.width)}</xmax>\n      <ymax>${num(e.top + e.height)}</ymax>\n    </bndbox>\n  </object>\n`
      }
      const r = item.row
      add(
        `Annotations/${stem}.xml`,
        `<?xml version="1.0" encoding="UTF-8"?>\n<annotation>\n  <folder>JPEGImages</folder>\n  <filename>${xml(file)}</filename>\n  <path>${xml(item.url)}</path>\n` +
          `  <source>\n    <database>LabelDesk</database>\n    <data_row_id>${xml(r.id)}</data_row_id>\n` +
          (r.globalKey ? `    <global_key>${xml(r.globalKey)}</global_key>\n` : '') +
          (r.externalId ? `    <external_id>${xml(r.externalId)}</external_id>\n` : '') +
          `  </source>\n  <size>\n    <width>${size.width}</width>\n    <height>${size.height}</height>\n  </size>\n  <segmented>0</segmented>\n${objects}</annotation>\n`,
      )
      emit.row()
    }
  },
})

// biome-ignore lint/suspicious/noExplicitAny: each writer has its own state type
export const WRITERS: Record<Exclude<ExportFormat, 'ndjson'>, Writer<any>> = { csv, coco, yolo, voc }
