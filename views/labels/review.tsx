/** @module The review queue: the asset with the label's boxes drawn over it, its answers, and
 * Accept / Decline / Next. */
import type { ReviewItem } from '../../src/modules/labels/work-queue'
import { Badge, EmptyState, PageHeader, Time } from '../components/ui'
import { Asset } from './asset'
import { TOOL_LABELS } from '../projects/ontology-editor'

type Obj = Record<string, unknown>

function answerText(c: Obj): string {
  if (c.radio_answer) return String((c.radio_answer as Obj).name)
  if (Array.isArray(c.checklist_answers)) return c.checklist_answers.map((a) => String((a as Obj).name)).join(', ')
  if (c.text_answer) return String((c.text_answer as Obj).content)
  return ''
}

/** Export kinds (src/modules/labels/annotations.ts) in people's words, for tools since removed. */
const KIND_LABELS: Record<string, string> = {
  ImageBoundingBox: 'Bounding box',
  ImagePolygon: 'Polygon',
  ImagePoint: 'Point',
  ImagePolyline: 'Line',
  TextEntity: 'Text entity',
  ImageSegmentationMask: 'Mask',
}

export function ReviewPage({ item }: { item: ReviewItem }) {
  const p = item.loaded.project
  const l = item.label
  const boxes = l.annotations.objects.filter((o) => (o as Obj).bounding_box)
  const colorOf = (fs: unknown) => p.ontology.tools.find((t) => t.feature_schema_id === fs)?.color ?? '#3b5bdb'
  const kindOf = (o: Obj) => {
    const tool = p.ontology.tools.find((t) => t.feature_schema_id === o.feature_schema_id)
    const kind = String(o.annotation_kind ?? '')
    return tool ? TOOL_LABELS[tool.tool] : (KIND_LABELS[kind] ?? kind)
  }
  return (
    <>
      <PageHeader
        title={`Review · ${p.name}`}
        subtitle={
          <>
            {item.waiting.toLocaleString('en-US')} labels waiting · labeled by {item.author} <Time value={l.created_at} /> in{' '}
            {l.seconds_to_create}s
          </>
        }
        actions={
          <a class="btn" href={`/projects/${p.id}`}>
            Back to dashboard
          </a>
        }
      />
      <div class="labeling">
        <div class="labeling-asset card card-tight">
          <div
            data-boxes={JSON.stringify(
              boxes.map((b) => ({
                ...((b as Obj).bounding_box as Obj),
                name: (b as Obj).name,
                color: colorOf((b as Obj).feature_schema_id),
              })),
            )}
          >
            <Asset row={item.dataRow} />
          </div>
        </div>
        <aside class="labeling-side card card-tight">
          <h2>Objects</h2>
          {l.annotations.objects.length ? (
            <ul class="plain-list">
              {l.annotations.objects.map((o) => (
                <li>
                  <Badge>{kindOf(o as Obj)}</Badge> {String((o as Obj).name)}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None</p>
          )}
          <h2>Classifications</h2>
          {l.annotations.classifications.length ? (
            <dl class="details">
              {l.annotations.classifications.map((c) => (
                <>
                  <dt>{String((c as Obj).name)}</dt>
                  <dd>{answerText(c as Obj)}</dd>
                </>
              ))}
            </dl>
          ) : (
            <p class="muted">None</p>
          )}
          <form class="form-actions labeling-actions" method="post" action={`/projects/${p.id}/review`} hx-boost="false">
            <input type="hidden" name="label_id" value={l.id} />
            <a class="btn btn-ghost" href={`/projects/${p.id}/review?after=${l.id}`}>
              Next
            </a>
            <button class="btn btn-danger" type="submit" name="score" value="-1">
              Decline
            </button>
            <button class="btn btn-primary" type="submit" name="score" value="1">
              Accept
            </button>
          </form>
        </aside>
      </div>
    </>
  )
}

export function ReviewEmpty({ projectId, name }: { projectId: string; name: string }) {
  return (
    <>
      <PageHeader
        title={`Review · ${name}`}
        actions={
          <a class="btn" href={`/projects/${projectId}`}>
            Back to dashboard
          </a>
        }
      />
      <EmptyState
        title="Nothing to review"
        action={
          <a class="btn" href={`/projects/${projectId}`}>
            See the dashboard
          </a>
        }
      >
        Every submitted label has been reviewed, or you have reviewed the rest already.
      </EmptyState>
    </>
  )
}
