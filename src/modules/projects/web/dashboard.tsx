/** @module A project's dashboard (/projects/{id}): numbers, the labels chart, reviews, features,
 * people and activity, read in one D1 round trip; htmx asks for the body alone (Overall / Mine) or
 * the chart alone (daily / weekly / monthly). */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../../env'
import { ctxOf } from '../../../lib/ctx'
import { renderPage, wantsFragment } from '../../../lib/render'
import { can } from '../../../auth/permissions'
import { Dashboard, ProjectOverviewPage, type DashboardData } from '../../../../views/projects/overview'
import { LabelsChartCard } from '../../../../views/projects/dashboard/labels-chart'
import { dashUrl, ScopeToggle, type DashboardPerms, type Scope } from '../../../../views/projects/dashboard/shared'
import { loadProject, loadProjectWith, projectView, type LoadedProject } from '../service'
import { listBatchesRead, type BatchView } from '../batches'
import {
  labelSeriesRead,
  overviewRead,
  recentActivityRead,
  type ActivityRow,
  type Bucket,
  type Overview,
  type SeriesPoint,
} from '../dashboard'

export const dashboardWeb = new Hono<AppEnv>()

const DashQuery = v.object({
  // A mistyped value in an address shows the default view rather than an error page.
  scope: v.fallback(v.optional(v.picklist(['all', 'mine']), 'all'), 'all'),
  bucket: v.fallback(v.optional(v.picklist(['day', 'week', 'month']), 'day'), 'day'),
})

const dashPerms = (ctx: Ctx, l: LoadedProject): DashboardPerms => ({
  canLabel: can(ctx.actor, 'label.create', { projectRole: l.role }),
  canReview: can(ctx.actor, 'label.review', { projectRole: l.role }),
  canExport: can(ctx.actor, 'export.create', { projectRole: l.role }),
  canEdit: can(ctx.actor, 'project.edit', { projectRole: l.role }),
  canManageData: can(ctx.actor, 'batch.manage', { projectRole: l.role }),
  seeAll: can(ctx.actor, 'project.view_performance', { projectRole: l.role }),
  // The data row page lives under its dataset (GET /datasets/{id}/rows/{row}), which needs this.
  canViewDatasets: can(ctx.actor, 'dataset.view'),
})

/**
 * The project and everything its dashboard shows (and, for the page's export dialog, the batches),
 * in one D1 round trip (`loadProjectWith`; two for a project-based member).
 */
async function dashboardData(
  ctx: Ctx,
  id: string,
  scope: Scope,
  bucket: Bucket,
  fragment: boolean,
): Promise<{ l: LoadedProject; d: DashboardData; batches: BatchView[] }> {
  const [l, overview, series, activity, batches] = await loadProjectWith<[Overview, SeriesPoint[], ActivityRow[], BatchView[]]>(
    ctx,
    id,
    'project.view',
    (l) => [
      overviewRead(ctx, l, scope),
      labelSeriesRead(ctx, l, bucket, scope),
      recentActivityRead(ctx, l),
      // The export dialog (full page only) lists the batches.
      !fragment && can(ctx.actor, 'export.create', { projectRole: l.role }) ? listBatchesRead(ctx, l) : { stmts: [], done: () => [] },
    ],
  )
  return {
    l,
    d: {
      p: projectView(l.project, l.pinned),
      overview,
      series,
      activity,
      scope,
      bucket,
      perms: dashPerms(ctx, l),
      selfId: ctx.actor.userId,
    },
    batches,
  }
}

/** The page; asked for by htmx (the Overall / Mine switch), the dashboard body alone. */
dashboardWeb.get('/:id', async (c) => {
  const ctx = ctxOf(c)
  const q = v.parse(DashQuery, c.req.query())
  const fragment = wantsFragment(c)
  const { l, d, batches } = await dashboardData(ctx, c.req.param('id'), q.scope, q.bucket, fragment)
  if (fragment) {
    c.header('Vary', 'HX-Request')
    c.header('HX-Replace-Url', dashUrl(l.project.id, q.scope, q.bucket))
    return c.html(<Dashboard d={d} />)
  }
  return renderPage(c, { title: d.p.name, section: 'projects', body: <ProjectOverviewPage d={d} batches={batches} /> })
})

/** The "Labels created" card alone (the daily / weekly / monthly switch), and the Overall / Mine
 * switch again so its links carry the new bucket. Without htmx: the page. */
dashboardWeb.get('/:id/labels-chart', async (c) => {
  const ctx = ctxOf(c)
  const q = v.parse(DashQuery, c.req.query())
  if (!wantsFragment(c)) return c.redirect(dashUrl((await loadProject(ctx, c.req.param('id'))).project.id, q.scope, q.bucket), 303)
  const [l, series] = await loadProjectWith<[SeriesPoint[]]>(ctx, c.req.param('id'), 'project.view', (l) => [
    labelSeriesRead(ctx, l, q.bucket, q.scope),
  ])
  c.header('Vary', 'HX-Request')
  c.header('HX-Replace-Url', dashUrl(l.project.id, q.scope, q.bucket))
  return c.html(
    <>
      <LabelsChartCard
        projectId={l.project.id}
        series={series}
        scope={q.scope}
        bucket={q.bucket}
        canLabel={dashPerms(ctx, l).canLabel}
        hasRows={l.project.dataRowCount > 0}
      />
      <ScopeToggle id={l.project.id} scope={q.scope} bucket={q.bucket} oob />
    </>,
  )
})
