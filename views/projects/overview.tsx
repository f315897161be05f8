/**
 * @module A project's dashboard: progress with an Overall / Mine switch, labels
 * created over time, reviews, objects and answers, performance per member, the latest activity,
 * and the actions (label, review, export, settings, pin). The state is in the address
 * (`?scope=mine&bucket=week`): links work without JavaScript; htmx swaps `#dashboard` (scope) or
 * `#labels-chart` (bucket) and keeps the address bar in step (HX-Replace-Url).
 */
import type { BatchView } from '../../src/modules/projects/batches'
import { ProjectHeader, PinButton } from './parts'
import { ProgressCards } from './dashboard/progress'
import { LabelsChartCard } from './dashboard/labels-chart'
import { ReviewsCard } from './dashboard/reviews'
import { AnswersCard, ObjectsCard } from './dashboard/features'
import { ActivityCard, PeopleCard } from './dashboard/people'
import { OntologySummary } from './dashboard/ontology'
import { ExportDialog } from '../exports/form'
import { CheckIcon, DownloadIcon, PlayIcon, ScopeToggle, type DashboardData } from './dashboard/shared'

export type { DashboardData } from './dashboard/shared'

/** Everything that changes with `?scope=`: the htmx fragment of GET /projects/{id}. */
export function Dashboard({ d }: { d: DashboardData }) {
  const mine = d.scope === 'mine'
  return (
    <div id="dashboard" class="dashboard" data-scope={d.scope}>
      <div class="dash-toolbar">
        <div class="dash-toolbar-title">
          <h2 id="progress-title">Progress</h2>
          <span class="muted small">{mine ? 'Your labels' : 'Overall · all members'}</span>
        </div>
        <ScopeToggle id={d.p.id} scope={d.scope} bucket={d.bucket} />
      </div>
      <ProgressCards d={d} />
      <div class="dash-grid-main">
        <LabelsChartCard
          projectId={d.p.id}
          series={d.series}
          scope={d.scope}
          bucket={d.bucket}
          canLabel={d.perms.canLabel}
          hasRows={d.overview.data_rows > 0}
        />
        <ReviewsCard d={d} />
      </div>
      <div class="dash-grid-2">
        <ObjectsCard d={d} />
        <AnswersCard d={d} />
      </div>
      <PeopleCard d={d} />
      <ActivityCard d={d} />
    </div>
  )
}

export function ProjectOverviewPage(props: { d: DashboardData; batches: BatchView[] }) {
  const { d } = props
  const { p, perms } = d
  return (
    <div class="dash-page">
      <ProjectHeader
        p={p}
        current="overview"
        canEdit={perms.canEdit}
        actions={
          <>
            {perms.canLabel ? (
              <a class="btn btn-primary" href={`/projects/${p.id}/label`}>
                <PlayIcon />
                Start labeling
              </a>
            ) : null}
            {perms.canReview ? (
              <a class="btn" href={`/projects/${p.id}/review`}>
                <CheckIcon />
                Review
              </a>
            ) : null}
            {perms.canExport ? (
              <a class="btn" id="export-open" href={`/projects/${p.id}/export`} data-dialog-open="export-dialog" hx-boost="false">
                <DownloadIcon />
                Generate export
              </a>
            ) : null}
            <PinButton p={p} next={`/projects/${p.id}`} />
            {perms.canEdit ? (
              <a class="btn" href={`/projects/${p.id}/settings`}>
                Settings
              </a>
            ) : null}
          </>
        }
      />
      <Dashboard d={d} />
      <OntologySummary p={p} canEdit={perms.canEdit} />
      {perms.canExport ? (
        <>
          <ExportDialog p={p} batches={props.batches} />
          <script src="/js/export-dialog.js" defer></script>
        </>
      ) : null}
    </div>
  )
}
