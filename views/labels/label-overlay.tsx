/** @module A label drawn over its asset, server-rendered: every geometry kind as SVG in the original
 * image's pixels (the SVG's viewBox is the image's size, so the drawing scales with the image), text
 * entities highlighted in the text, and the answers — global, nested and per video frame. Used by
 * the data-row page and the review page; no script is needed when the size is known
 * (public/js/label-overlay.js only fills in the viewBox of images whose size was never read). */
import type { Child } from 'hono/jsx'
import type { LabelAnnotations } from '../../src/db/schema'

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)
const pts = (x: unknown): { x: number; y: number }[] =>
  Array.isArray(x) ? x.filter((p): p is { x: number; y: number } => isObj(p) && num(p.x) !== null && num(p.y) !== null) : []

/** What the overlay needs of the ontology: each tool's color. */
export type OverlayTool = { feature_schema_id: string; color?: string | undefined }

/** Stored annotations, plus the video frames a label import or the labeling page may keep. */
export type OverlayAnnotations = LabelAnnotations & { frames?: Record<string, { classifications?: unknown[] }> }

const FALLBACK_COLOR = '#3b5bdb'
const safeColor = (c: unknown) => (typeof c === 'string' && /^#[0-9a-f]{3,8}$/i.test(c) ? c : FALLBACK_COLOR)

/** Export kinds (src/modules/labels/annotations.ts) in people's words. */
export const KIND_LABELS: Record<string, string> = {
  ImageBoundingBox: 'Bounding box',
  ImagePolygon: 'Polygon',
  ImagePoint: 'Point',
  ImagePolyline: 'Line',
  TextEntity: 'Text entity',
  ImageSegmentationMask: 'Mask',
}

/** One object's geometry in words, in original pixels (the list under the drawing, and the
 * fallback when nothing can be drawn). */
export function geometryText(o: Obj): string {
  const r = (n: number) => String(Math.round(n * 10) / 10)
  if (isObj(o.bounding_box)) {
    const b = o.bounding_box
    return `left ${r(num(b.left) ?? 0)}, top ${r(num(b.top) ?? 0)}, ${r(num(b.width) ?? 0)} × ${r(num(b.height) ?? 0)} px`
  }
  if (Array.isArray(o.polygon)) return `${o.polygon.length} points`
  if (Array.isArray(o.line)) return `${o.line.length} points`
  if (isObj(o.point)) return `x ${r(num(o.point.x) ?? 0)}, y ${r(num(o.point.y) ?? 0)}`
  if (isObj(o.location)) return `characters ${String(o.location.start)}–${String(o.location.end)}`
  if (isObj(o.mask)) return 'mask image'
  return ''
}

function Shape({ o, color, size }: { o: Obj; color: string; size: number }) {
  const name = String(o.name ?? '')
  const kind = String(o.annotation_kind ?? '')
  const stroke = { stroke: color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }
  const title = <title>{name}</title>
  if (isObj(o.bounding_box)) {
    const b = o.bounding_box
    return (
      <rect
        data-kind={kind}
        x={num(b.left) ?? 0}
        y={num(b.top) ?? 0}
        width={num(b.width) ?? 0}
        height={num(b.height) ?? 0}
        fill={color}
        fill-opacity="0.15"
        {...stroke}
      >
        {title}
      </rect>
    )
  }
  if (Array.isArray(o.polygon))
    return (
      <polygon
        data-kind={kind}
        points={pts(o.polygon)
          .map((p) => `${p.x},${p.y}`)
          .join(' ')}
        fill={color}
        fill-opacity="0.2"
        {...stroke}
      >
        {title}
      </polygon>
    )
  if (Array.isArray(o.line))
    return (
      <polyline
        data-kind={kind}
        points={pts(o.line)
          .map((p) => `${p.x},${p.y}`)
          .join(' ')}
        fill="none"
        {...stroke}
      >
        {title}
      </polyline>
    )
  if (isObj(o.point))
    return (
      <circle
        data-kind={kind}
        cx={num(o.point.x) ?? 0}
        cy={num(o.point.y) ?? 0}
        r={Math.max(3, size / 150)}
        fill={color}
        fill-opacity="0.8"
        {...stroke}
      >
        {title}
      </circle>
    )
  return null
}

/** The answers of a list of classifications, nested answers under theirs. */
export function AnswerList({ classifications }: { classifications: unknown[] }) {
  const list = classifications.filter(isObj)
  if (!list.length) return null
  return (
    <ul class="answer-list">
      {list.map((c) => {
        const answers: Obj[] = isObj(c.radio_answer)
          ? [c.radio_answer]
          : Array.isArray(c.checklist_answers)
            ? c.checklist_answers.filter(isObj)
            : []
        const text = isObj(c.text_answer) ? String(c.text_answer.content ?? '') : null
        return (
          <li>
            <span class="answer-q">{String(c.name ?? '')}</span>{' '}
            {text !== null ? (
              <q class="answer-a">{text}</q>
            ) : (
              answers.map((a, i) => (
                <>
                  {i ? ', ' : null}
                  <strong class="answer-a">{String(a.name ?? '')}</strong>
                  {Array.isArray(a.classifications) && a.classifications.length ? <AnswerList classifications={a.classifications} /> : null}
                </>
              ))
            )}
          </li>
        )
      })}
    </ul>
  )
}

/** The text with its entities marked. Offsets are characters (UTF-16 code units, as JavaScript
 * and the labeling page count them); `end` is inclusive, as in Labelbox's TextEntity. */
function MarkedText({ text, entities }: { text: string; entities: { start: number; end: number; name: string }[] }) {
  const sorted = entities.filter((e) => e.start < text.length).sort((a, b) => a.start - b.start || b.end - a.end)
  const parts: Child[] = []
  let at = 0
  for (const e of sorted) {
    // Overlapping entities: the part already marked is not marked twice.
    const start = Math.max(e.start, at)
    const end = Math.min(e.end + 1, text.length)
    if (end <= start) continue
    if (start > at) parts.push(text.slice(at, start))
    parts.push(
      <mark class="entity" data-kind="TextEntity" title={e.name}>
        {text.slice(start, end)}
      </mark>,
    )
    at = end
  }
  if (at < text.length) parts.push(text.slice(at))
  return <pre class="asset-text overlay-text">{parts}</pre>
}

export type LabelOverlayProps = {
  /** The asset's media type (the data row's). */
  mediaType: string
  /** Where the image is served from (the content route). */
  src: string
  alt: string
  /** The image's size as displayed (media_attributes); null when never read. */
  width?: number | null | undefined
  height?: number | null | undefined
  /** The raw text of a text row, when the page has it. */
  text?: string | null | undefined
  annotations: OverlayAnnotations
  tools: OverlayTool[]
  /** The level of the overlay's own headings ("Answers"), after the page's (default 4). */
  headingLevel?: 2 | 3 | 4
}

/**
 * The label over its asset, then its objects and answers in words. An image of unknown size gets
 * its viewBox from the image once loaded (the script); without it, the list says where each object
 * is in pixels.
 */
export function LabelOverlay(p: LabelOverlayProps) {
  const objects = (p.annotations.objects ?? []).filter(isObj)
  const colorOf = (fs: unknown) => safeColor(p.tools.find((t) => t.feature_schema_id === fs)?.color)
  const w = num(p.width)
  const h = num(p.height)
  const known = w !== null && h !== null && w > 0 && h > 0
  const masks = objects.filter((o) => isObj(o.mask) && typeof o.mask.url === 'string')
  const drawable = objects.filter((o) => !isObj(o.mask) && !isObj(o.location))
  const entities = objects
    .filter((o) => isObj(o.location))
    .map((o) => {
      const l = o.location as Obj
      return { start: num(l.start) ?? 0, end: num(l.end) ?? 0, name: String(o.name ?? '') }
    })
  const frames = isObj(p.annotations.frames)
    ? Object.entries(p.annotations.frames)
        .filter(([, f]) => isObj(f) && Array.isArray(f.classifications) && f.classifications.length)
        .sort(([a], [b]) => Number(a) - Number(b))
    : []
  const H = (props: { children: Child }) =>
    p.headingLevel === 2 ? (
      <h2 class="overlay-h">{props.children}</h2>
    ) : p.headingLevel === 3 ? (
      <h3 class="overlay-h">{props.children}</h3>
    ) : (
      <h4 class="overlay-h">{props.children}</h4>
    )
  return (
    <div class="label-overlay">
      {p.mediaType === 'IMAGE' ? (
        <div class="overlay-frame">
          <img class="overlay-image" src={p.src} alt={p.alt} {...(known ? { width: w, height: h } : {})} loading="lazy" />
          <svg
            class="overlay-svg"
            xmlns="http://www.w3.org/2000/svg"
            role="img"
            aria-label={`${objects.length} object${objects.length === 1 ? '' : 's'} drawn over the image`}
            preserveAspectRatio="none"
            {...(known ? { viewBox: `0 0 ${w} ${h}` } : { 'data-natural-size': '', hidden: true })}
          >
            {masks.map((o) => (
              <image
                data-kind="ImageSegmentationMask"
                href={String((o.mask as Obj).url)}
                x="0"
                y="0"
                width={known ? w! : '100%'}
                height={known ? h! : '100%'}
                preserveAspectRatio="none"
                opacity="0.5"
              >
                <title>{String(o.name ?? '')}</title>
              </image>
            ))}
            {drawable.map((o) => (
              <Shape o={o} color={colorOf(o.feature_schema_id)} size={known ? Math.max(w!, h!) : 600} />
            ))}
          </svg>
        </div>
      ) : null}
      {typeof p.text === 'string' ? <MarkedText text={p.text} entities={entities} /> : null}
      {objects.length ? (
        <ul class="overlay-objects">
          {objects.map((o) => (
            <li>
              <span class="swatch" aria-hidden="true">
                <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
                  <rect width="10" height="10" fill={colorOf(o.feature_schema_id)} />
                </svg>
              </span>{' '}
              <strong>{String(o.name ?? '')}</strong>{' '}
              <span class="muted small">
                {KIND_LABELS[String(o.annotation_kind ?? '')] ?? String(o.annotation_kind ?? '')} · {geometryText(o)}
              </span>
              {Array.isArray(o.classifications) && o.classifications.length ? <AnswerList classifications={o.classifications} /> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">No objects.</p>
      )}
      {p.annotations.classifications?.length ? (
        <div class="overlay-answers">
          <H>Answers</H>
          <AnswerList classifications={p.annotations.classifications} />
        </div>
      ) : null}
      {frames.length ? (
        <div class="overlay-answers">
          <H>Answers by frame</H>
          <dl class="frame-answers">
            {frames.map(([n, f]) => (
              <>
                <dt>Frame {n}</dt>
                <dd>
                  <AnswerList classifications={(f as { classifications: unknown[] }).classifications} />
                </dd>
              </>
            ))}
          </dl>
        </div>
      ) : null}
    </div>
  )
}
