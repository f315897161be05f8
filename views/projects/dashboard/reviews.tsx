/** @module The reviews card: accepted, declined, ambiguous and un-reviewed labels as one stacked
 * bar with the numbers beside it, and the review coverage. */
import { formatNumber } from '../../format'
import type { DashboardData } from './shared'
import { Card, plural } from './shared'

const PARTS = [
  { key: 'accepted', label: 'Accepted', color: 'var(--green)', hint: 'every review accepted' },
  { key: 'declined', label: 'Declined', color: 'var(--red)', hint: 'every review declined' },
  { key: 'ambiguous', label: 'Ambiguous', color: 'var(--amber)', hint: 'reviewers disagree' },
  { key: 'unreviewed', label: 'Un-reviewed', color: 'var(--border-strong)', hint: 'no review yet' },
] as const

export function ReviewsCard({ d }: { d: DashboardData }) {
  const r = d.overview.reviews
  const total = r.accepted + r.declined + r.ambiguous + r.unreviewed
  const reviewed = total - r.unreviewed
  const share = (n: number) => (total ? Math.round((n / total) * 1000) / 10 : 0)
  return (
    <Card id="reviews" title="Reviews" titleId="reviews-title" note={d.scope === 'mine' ? 'of your labels' : 'of all labels'}>
      <div class="coverage">
        <span class="coverage-value">{r.coverage}%</span>
        <span class="muted small">
          review coverage · {formatNumber(reviewed)} of {plural(total, 'label')} reviewed
        </span>
      </div>
      <div class="stackbar" role="img" aria-label={PARTS.map((p) => `${p.label} ${formatNumber(r[p.key])}`).join(', ')}>
        {total
          ? PARTS.map((p) =>
              r[p.key] ? (
                <span
                  style={`width:${share(r[p.key])}%;background:${p.color}`}
                  title={`${p.label}: ${formatNumber(r[p.key])} (${share(r[p.key])}%)`}
                />
              ) : null,
            )
          : null}
      </div>
      <ul class="review-list">
        {PARTS.map((p) => (
          <li>
            <span class="dot" style={`--swatch:${p.color}`} aria-hidden="true" />
            <span class="review-label">
              {p.label}
              <span class="muted small"> · {p.hint}</span>
            </span>
            <span class="num review-count" data-review={p.key}>
              {formatNumber(r[p.key])}
            </span>
            <span class="num muted small review-share">{total ? `${share(r[p.key])}%` : '—'}</span>
          </li>
        ))}
      </ul>
      {d.perms.canReview && d.scope === 'all' && r.unreviewed > 0 ? (
        <a class="btn btn-sm review-cta" href={`/projects/${d.p.id}/review`}>
          Review {plural(r.unreviewed, 'label')}
        </a>
      ) : null}
    </Card>
  )
}
