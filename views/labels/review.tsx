/** @module The review queue: the label drawn over its asset (every geometry kind, answers nested
 * and per frame: ./label-overlay.tsx), and Accept / Decline / Fix / Next. Fix opens the label in the
 * editor; saving there accepts it and comes back here. */
import type { ReviewItem } from '../../src/modules/labels/work-queue'
import { PageHeader, EmptyState, Time } from '../components/ui'
import { Asset } from './asset'
import { LabelOverlay } from './label-overlay'

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s)

/** The editor with the review flag: save, accept, back to this queue. */
export const fixHref = (projectId: string, labelId: string) =>
  `/projects/${projectId}/labels/${labelId}/edit?review=1&return=${encodeURIComponent(`/projects/${projectId}/review`)}`

export function ReviewPage({ item }: { item: ReviewItem }) {
  const p = item.loaded.project
  const l = item.label
  const r = item.dataRow
  const size = (k: string) => {
    const v = r.media_attributes?.[k]
    return typeof v === 'number' ? v : null
  }
  // Images and texts are drawn by the overlay; other media keep their player above it.
  const drawn = r.media_type === 'IMAGE' || (r.media_type === 'TEXT' && !isUrl(r.row_data))
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
      <div class="labeling review">
        <div class="labeling-asset card card-tight">
          {drawn ? null : <Asset row={r} />}
          <LabelOverlay
            mediaType={r.media_type}
            src={`/api/v1/data-rows/${r.id}/content`}
            alt={`${r.external_id ?? r.global_key ?? r.id} with the label under review`}
            width={size('width')}
            height={size('height')}
            text={r.media_type === 'TEXT' && !isUrl(r.row_data) ? r.row_data : null}
            annotations={l.annotations}
            tools={p.ontology.tools}
            headingLevel={2}
          />
        </div>
        <aside class="labeling-side card card-tight">
          <h2>This label</h2>
          <p class="small">
            {l.annotations.objects.length.toLocaleString('en-US')} objects · {l.annotations.classifications.length.toLocaleString('en-US')}{' '}
            answers
          </p>
          <form class="form-actions labeling-actions" method="post" action={`/projects/${p.id}/review`} hx-boost="false">
            <input type="hidden" name="label_id" value={l.id} />
            <a class="btn btn-ghost" href={`/projects/${p.id}/review?after=${l.id}`}>
              Next
            </a>
            {item.canFix ? (
              <a class="btn" href={fixHref(p.id, l.id)} title="Correct the label in the editor, then accept it">
                Fix
              </a>
            ) : null}
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
