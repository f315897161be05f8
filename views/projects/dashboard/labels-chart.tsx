/** @module The "Labels created" card: a bar chart per day, week or month (empty buckets filled
 * with zero bars), the bucket switch (htmx swaps this card only), and the numbers in a table. */
import { BarChart, fillGaps } from '../../components/chart'
import type { Bucket, Scope } from './shared'
import { bucketName, bucketTick, Card, chartUrl, dashUrl, Segmented, ChartIcon } from './shared'

/** The most bars one chart shows; older buckets stay in the weekly / monthly views. */
export const MAX_BARS: Record<Bucket, number> = { day: 90, week: 104, month: 120 }
const UNIT: Record<Bucket, [string, string]> = { day: ['day', 'days'], week: ['week', 'weeks'], month: ['month', 'months'] }

export type ChartCardProps = {
  projectId: string
  series: { start: string; count: number }[]
  scope: Scope
  bucket: Bucket
  canLabel: boolean
  hasRows: boolean
}

/** The API omits empty buckets: fill them, then keep the latest `MAX_BARS`. */
export function chartSeries(series: { start: string; count: number }[], bucket: Bucket) {
  const filled = fillGaps(series, bucket, (start) => ({ start, count: 0 }))
  return { points: filled.slice(-MAX_BARS[bucket]), cut: Math.max(0, filled.length - MAX_BARS[bucket]) }
}

export function LabelsChartCard(props: ChartCardProps) {
  const { projectId: id, scope, bucket } = props
  const { points, cut } = chartSeries(props.series, bucket)
  const opt = (key: Bucket, label: string) => ({
    key,
    label,
    href: dashUrl(id, scope, key),
    hxGet: chartUrl(id, scope, key),
    current: bucket === key,
  })
  const per = bucket === 'day' ? 'day' : bucket === 'week' ? 'week' : 'month'
  const mine = scope === 'mine'
  return (
    <Card
      id="labels-chart"
      class="chart-card"
      title="Labels created"
      titleId="labels-chart-title"
      note={mine ? `your labels, per ${per}` : `all members, per ${per}`}
      control={
        <Segmented
          id="bucket-toggle"
          label="Group by"
          target="#labels-chart"
          indicator="#labels-chart"
          options={[opt('day', 'Daily'), opt('week', 'Weekly'), opt('month', 'Monthly')]}
        />
      }
    >
      <BarChart
        id="labels-chart-svg"
        title={`Labels created per ${per}${mine ? ' by you' : ''}`}
        data={points}
        keys={[{ key: 'count', label: mine ? 'Your labels' : 'Labels', color: 'var(--accent)' }]}
        width={600}
        narrowWidth={340}
        height={220}
        unit={['label', 'labels']}
        formatX={(s) => bucketTick(bucket, s)}
        formatBucket={(s) => bucketName(bucket, s)}
        bucketLabel={bucket === 'day' ? 'Day' : bucket === 'week' ? 'Week' : 'Month'}
        note={
          cut
            ? `Showing the last ${points.length} ${UNIT[bucket][1]}; ${bucket === 'month' ? 'older months are not shown' : `switch to ${bucket === 'day' ? 'weekly or monthly' : 'monthly'} for the whole history`}.`
            : undefined
        }
        empty={
          <div class="chart-empty-body">
            <ChartIcon />
            <strong>No labels yet</strong>
            <p class="muted small">
              {mine
                ? `Labels you submit show up here, counted per ${per}.`
                : `Labels submitted by the team show up here, counted per ${per}.`}
            </p>
            {props.canLabel && props.hasRows ? (
              <a class="btn btn-sm" href={`/projects/${id}/label`}>
                Start labeling
              </a>
            ) : null}
          </div>
        }
      />
    </Card>
  )
}
