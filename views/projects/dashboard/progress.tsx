/** @module Progress cards: data rows, labeled, remaining, skipped, and % complete with a bar —
 * for everyone's work (Overall) or the caller's own (Mine). */
import { formatNumber } from '../../format'
import { Progress } from '../../components/ui'
import { DatabaseIcon } from '../../components/icons'
import type { DashboardData } from './shared'
import { PlayIcon } from './shared'

function Stat(props: { label: string; value: number; hint?: string; tone?: string }) {
  return (
    <div class={`stat${props.tone ? ` stat-${props.tone}` : ''}`}>
      <div class="label">{props.label}</div>
      <div class="value">{formatNumber(props.value)}</div>
      {props.hint ? <div class="muted small">{props.hint}</div> : null}
    </div>
  )
}

const pctOf = (n: number, total: number) => (total ? `${Math.round((n / total) * 1000) / 10}% of rows` : '—')

export function ProgressCards({ d }: { d: DashboardData }) {
  const o = d.overview
  const mine = d.scope === 'mine'
  const done = mine ? o.labeled : o.labeled + o.skipped
  const complete = o.data_rows > 0 && done >= o.data_rows
  return (
    <div class="dash-progress">
      <div class="stats">
        <Stat label="Data rows" value={o.data_rows} hint="in the project" />
        <Stat
          label={mine ? 'Labeled by you' : 'Labeled'}
          value={o.labeled}
          hint={mine ? (o.labeled === 1 ? 'label' : 'labels') : pctOf(o.labeled, o.data_rows)}
          tone="green"
        />
        <Stat label="Remaining" value={o.remaining} hint={mine ? 'for the whole team' : 'waiting in the queue'} tone="amber" />
        <Stat
          label={mine ? 'Skipped by you' : 'Skipped'}
          value={o.skipped}
          hint={mine ? 'rows you skipped' : pctOf(o.skipped, o.data_rows)}
        />
      </div>
      <div class="card card-tight progress-card">
        <div class="progress-head">
          <strong>{o.percent_complete}% complete</strong>
          <span class="muted small">{mine ? 'share of the data rows labeled by you' : 'data rows labeled or skipped'}</span>
        </div>
        <Progress
          percent={o.percent_complete}
          done={done}
          total={o.data_rows}
          unit="rows"
          status={complete ? 'complete' : undefined}
          label={mine ? 'Your progress' : 'Project progress'}
        />
      </div>
      {o.data_rows === 0 ? (
        <div class="card card-tight callout">
          <DatabaseIcon />
          <div>
            <strong>No data rows yet.</strong>{' '}
            <span class="muted">
              {d.perms.canManageData
                ? 'Attach data rows in batches, by dataset, data row IDs or global keys.'
                : 'A team manager or admin attaches data to this project.'}
            </span>
          </div>
          {d.perms.canManageData ? (
            <a class="btn btn-primary btn-sm" href={`/projects/${d.p.id}/settings/data`}>
              Attach data
            </a>
          ) : null}
        </div>
      ) : o.remaining > 0 && d.perms.canLabel && d.p.label_count + d.p.skipped_count === 0 ? (
        <div class="card card-tight callout">
          <PlayIcon />
          <div>
            <strong>Ready to label.</strong>{' '}
            <span class="muted">
              {formatNumber(o.remaining)} data row{o.remaining === 1 ? ' is' : 's are'} waiting in the queue.
            </span>
          </div>
          <a class="btn btn-primary btn-sm" href={`/projects/${d.p.id}/label`}>
            Start labeling
          </a>
        </div>
      ) : null}
    </div>
  )
}
