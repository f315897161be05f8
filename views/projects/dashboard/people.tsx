/** @module Labels by collaborator and performance per member, and the latest activity. People
 * who may not see everyone's work (labelers) get their own line and their own labels only — the
 * services filter; these partials only say so. */
import { formatNumber } from '../../format'
import { Badge, Time, type Tone } from '../../components/ui'
import type { Activity, DashboardData } from './shared'
import { Card, formatDuration, HBar } from './shared'

export function PeopleCard({ d }: { d: DashboardData }) {
  const rows = d.overview.collaborators
  const max = Math.max(0, ...rows.map((r) => r.labels))
  return (
    <Card
      id="people"
      title={d.perms.seeAll ? 'Labels by collaborator' : 'Your performance'}
      titleId="people-title"
      note={
        !d.perms.seeAll
          ? 'only your own work is shown'
          : rows.length
            ? `${formatNumber(rows.length)} ${rows.length === 1 ? 'person has' : 'people have'} labeled`
            : undefined
      }
    >
      {rows.length ? (
        <div class="table-scroll">
          <table class="table people-table" aria-labelledby="people-title">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col" class="num">
                  Labels
                </th>
                <th scope="col" class="bar-col">
                  <span class="visually-hidden">Share of labels</span>
                </th>
                <th scope="col" class="num">
                  Skips
                </th>
                <th scope="col" class="num">
                  Total time
                </th>
                <th scope="col" class="num" title="Average seconds per label">
                  Avg / label
                </th>
                <th scope="col">Last label</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr data-user-id={m.user_id}>
                  <td class="primary-cell">
                    <div class="person">
                      <span class="avatar avatar-sm" aria-hidden="true">
                        {initials(m.full_name || m.email)}
                      </span>
                      <div>
                        <div class="person-name">
                          {m.full_name || m.email}
                          {m.user_id === d.selfId ? (
                            <>
                              {' '}
                              <Badge tone="accent">You</Badge>
                            </>
                          ) : null}
                        </div>
                        <div class="sub">{m.email}</div>
                      </div>
                    </div>
                  </td>
                  <td class="num">{formatNumber(m.labels)}</td>
                  <td class="bar-col">
                    <HBar value={m.labels} max={max} />
                  </td>
                  <td class="num">{formatNumber(m.skips)}</td>
                  <td class="num" title={`${formatNumber(m.seconds_total)} s`}>
                    {formatDuration(m.seconds_total)}
                  </td>
                  <td class="num">{m.labels ? `${m.seconds_per_label.toFixed(1)} s` : '—'}</td>
                  <td>
                    <Time value={m.last_label_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted small card-empty">
          {d.perms.seeAll ? 'No one has labeled in this project yet.' : 'You have not labeled in this project yet.'}
        </p>
      )}
    </Card>
  )
}

const initials = (name: string) =>
  name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?'

const STATE: Record<string, { label: string; tone: Tone }> = {
  UNREVIEWED: { label: 'Un-reviewed', tone: 'neutral' },
  ACCEPTED: { label: 'Accepted', tone: 'green' },
  DECLINED: { label: 'Declined', tone: 'red' },
  AMBIGUOUS: { label: 'Ambiguous', tone: 'amber' },
}

/** A data row by the name people gave it (external id, else global key), linked to its page at this
 * label (drawn there over the asset: views/datasets/data-row.tsx); the id only when the row has
 * neither. */
function RowName({ a, link }: { a: Activity; link: boolean }) {
  const name = a.externalId || a.globalKey
  const text = name ? <span class="ds-break">{name}</span> : <code class="muted">{a.dataRowId}</code>
  return link && a.datasetId ? (
    <a href={`/datasets/${a.datasetId}/rows/${a.dataRowId}#label-${a.id}`} title={a.dataRowId}>
      {text}
    </a>
  ) : (
    text
  )
}

export function ActivityCard({ d }: { d: DashboardData }) {
  const rows = d.activity
  return (
    <Card
      id="activity"
      title="Latest activity"
      titleId="activity-title"
      note={
        !rows.length
          ? undefined
          : d.perms.seeAll
            ? `the last ${rows.length === 1 ? 'label' : `${rows.length} labels`} of all members`
            : 'your latest labels'
      }
    >
      {rows.length ? (
        <div class="table-scroll">
          <table class="table activity-table" aria-labelledby="activity-title">
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col" class="col-row">
                  Data row
                </th>
                <th scope="col">When</th>
                <th scope="col" class="num">
                  Time spent
                </th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const s = STATE[a.reviewState] ?? STATE.UNREVIEWED!
                return (
                  <tr data-label-id={a.id}>
                    <td>{a.fullName ?? a.email ?? 'Deleted user'}</td>
                    <td class="col-row">
                      <RowName a={a} link={!!d.perms.canViewDatasets} />
                    </td>
                    <td>
                      <Time value={a.createdAt} />
                    </td>
                    <td class="num">{formatDuration(a.seconds)}</td>
                    <td>{a.skipped ? <Badge tone="neutral">Skipped</Badge> : <Badge tone={s.tone}>{s.label}</Badge>}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted small card-empty">
          {d.perms.seeAll
            ? 'No labels yet. Submitted and skipped labels show up here as they happen.'
            : 'You have not submitted or skipped anything here yet.'}
        </p>
      )}
    </Card>
  )
}
