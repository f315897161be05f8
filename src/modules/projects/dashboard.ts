/**
 * @module The project dashboard's numbers, all read from aggregates kept exact at write time
 * (project counters, feature counts, member stats with review states, per-day counts), never from
 * scanning labels. Scope "mine" reads the same aggregates filtered to the caller.
 *
 * Each function takes the project's id (it then loads the project and checks access itself, in
 * the same round trip: `loadProjectWith`) or a project the caller already loaded. Each `…Read`
 * ANDs the project's `guard` into its statements, for reads sent before the project is loaded.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import { dataRows, labels, projectFeatureCounts, projectLabelDays, projectMemberStats, users } from '../../db/schema'
import type { Ctx } from '../../env'
import { can } from '../../auth/permissions'
import { iso } from '../../lib/iso'
import { percentComplete, readProject, type LoadedProject, type ProjectRef } from './service'
import type { Read } from '../../db/reads'

export type Overview = {
  scope: 'all' | 'mine'
  data_rows: number
  labeled: number
  remaining: number
  skipped: number
  percent_complete: number
  reviews: { unreviewed: number; accepted: number; declined: number; ambiguous: number; coverage: number }
  objects: { name: string; feature_schema_id: string; count: number }[]
  classifications: { name: string; answer: string; count: number }[]
  collaborators: {
    user_id: string
    email: string
    full_name: string
    labels: number
    skips: number
    seconds_total: number
    seconds_per_label: number
    last_label_at: string | null
  }[]
}

export async function projectOverview(ctx: Ctx, ref: ProjectRef, scope: 'all' | 'mine'): Promise<Overview> {
  return readProject(ctx, ref, (loaded) => overviewRead(ctx, loaded, scope))
}

type FeatureRow = { fs: string; kind: string; name: string; answer: string; count: number }
type StatsRow = { s: typeof projectMemberStats.$inferSelect; email: string; fullName: string }

/** The overview's two statements (feature counts, member stats) and the numbers made from them. */
export function overviewRead(ctx: Ctx, loaded: LoadedProject, scope: 'all' | 'mine'): Read<Overview> {
  const { project: p, role } = loaded
  const me = ctx.actor.userId
  const mine = scope === 'mine'
  const stmts = [
    ctx.db
      .select({
        fs: projectFeatureCounts.featureSchemaId,
        kind: projectFeatureCounts.kind,
        name: projectFeatureCounts.name,
        answer: projectFeatureCounts.answer,
        count: sql<number>`sum(${projectFeatureCounts.count})`,
      })
      .from(projectFeatureCounts)
      .where(and(eq(projectFeatureCounts.projectId, p.id), mine ? eq(projectFeatureCounts.userId, me) : undefined, loaded.guard))
      .groupBy(projectFeatureCounts.featureSchemaId, projectFeatureCounts.answerSchemaId),
    ctx.db
      .select({ s: projectMemberStats, email: users.email, fullName: users.fullName })
      .from(projectMemberStats)
      .innerJoin(users, eq(users.id, projectMemberStats.userId))
      .where(and(eq(projectMemberStats.projectId, p.id), loaded.guard))
      .orderBy(desc(projectMemberStats.labels)),
  ]
  return { stmts, done: ([features, stats]) => overview(ctx, p, role, scope, features as FeatureRow[], stats as StatsRow[]) }
}

function overview(
  ctx: Ctx,
  p: LoadedProject['project'],
  role: LoadedProject['role'],
  scope: 'all' | 'mine',
  features: FeatureRow[],
  stats: StatsRow[],
): Overview {
  const me = ctx.actor.userId
  const mine = scope === 'mine'
  const self = stats.find((s) => s.s.userId === me)?.s
  const labeled = mine ? (self?.labels ?? 0) : p.labeledCount
  const skipped = mine ? (self?.skips ?? 0) : p.skippedCount
  const totalLabels = mine ? (self?.labels ?? 0) : p.labelCount
  // The caller's own submitted labels by review state come from their member-stats row.
  const accepted = mine ? (self?.reviewsAccepted ?? 0) : p.reviewsAccepted
  const declined = mine ? (self?.reviewsDeclined ?? 0) : p.reviewsDeclined
  const ambiguous = mine ? (self?.reviewsAmbiguous ?? 0) : p.reviewsAmbiguous
  const reviewed = accepted + declined + ambiguous
  // Managers see everyone's performance; others see their own line only.
  const seeAll = can(ctx.actor, 'project.view_performance', { projectRole: role })
  return {
    scope,
    data_rows: p.dataRowCount,
    labeled,
    skipped,
    remaining: Math.max(0, p.dataRowCount - p.labeledCount - p.skippedCount),
    percent_complete: mine ? (p.dataRowCount ? Math.round((labeled / p.dataRowCount) * 1000) / 10 : 0) : percentComplete(p),
    reviews: {
      unreviewed: Math.max(0, totalLabels - reviewed),
      accepted,
      declined,
      ambiguous,
      coverage: totalLabels ? Math.round((reviewed / totalLabels) * 1000) / 10 : 0,
    },
    objects: features
      .filter((f) => f.kind === 'object' && Number(f.count) > 0)
      .map((f) => ({ name: f.name, feature_schema_id: f.fs, count: Number(f.count) })),
    classifications: features
      .filter((f) => f.kind === 'answer' && Number(f.count) > 0)
      .map((f) => ({ name: f.name, answer: f.answer, count: Number(f.count) })),
    collaborators: stats
      .filter((s) => seeAll || s.s.userId === me)
      .filter((s) => s.s.labels + s.s.skips > 0)
      .map((s) => ({
        user_id: s.s.userId,
        email: s.email,
        full_name: s.fullName,
        labels: s.s.labels,
        skips: s.s.skips,
        seconds_total: Math.round(s.s.secondsTotal * 10) / 10,
        seconds_per_label: s.s.labels ? Math.round((s.s.secondsTotal / s.s.labels) * 10) / 10 : 0,
        last_label_at: s.s.lastLabelAt ? iso(s.s.lastLabelAt) : null,
      })),
  }
}

export type Bucket = 'day' | 'week' | 'month'

/** Labels created per day, week (starting Monday) or month, oldest first, empty buckets omitted. */
export type SeriesPoint = { start: string; count: number }

export async function labelSeries(ctx: Ctx, ref: ProjectRef, bucket: Bucket, scope: 'all' | 'mine' = 'all'): Promise<SeriesPoint[]> {
  return readProject(ctx, ref, (loaded) => labelSeriesRead(ctx, loaded, bucket, scope))
}

export function labelSeriesRead(
  ctx: Ctx,
  { project: p, guard }: LoadedProject,
  bucket: Bucket,
  scope: 'all' | 'mine' = 'all',
): Read<SeriesPoint[]> {
  const key =
    bucket === 'day'
      ? sql<string>`${projectLabelDays.day}`
      : bucket === 'week'
        ? sql<string>`date(${projectLabelDays.day}, '-' || ((CAST(strftime('%w', ${projectLabelDays.day}) AS INTEGER) + 6) % 7) || ' days')`
        : sql<string>`strftime('%Y-%m-01', ${projectLabelDays.day})`
  const stmt = ctx.db
    .select({ start: key, count: sql<number>`sum(${projectLabelDays.count})` })
    .from(projectLabelDays)
    .where(and(eq(projectLabelDays.projectId, p.id), scope === 'mine' ? eq(projectLabelDays.userId, ctx.actor.userId) : undefined, guard))
    .groupBy(key)
    .orderBy(key)
  return {
    stmts: [stmt],
    done: ([rows]) => (rows as SeriesPoint[]).filter((r) => Number(r.count) > 0).map((r) => ({ start: r.start, count: Number(r.count) })),
  }
}

/** The latest labels (labelers: their own), for the activity list. */
export async function recentActivity(ctx: Ctx, ref: ProjectRef, limit = 10): Promise<ActivityRow[]> {
  return readProject(ctx, ref, (loaded) => recentActivityRead(ctx, loaded, limit))
}

const activityQuery = (ctx: Ctx, projectId: string, own: boolean, limit: number, guard?: SQL) =>
  ctx.db
    .select({
      id: labels.id,
      dataRowId: labels.dataRowId,
      // What people call the row (its external id or global key), and where its page is.
      datasetId: dataRows.datasetId,
      externalId: dataRows.externalId,
      globalKey: dataRows.globalKey,
      createdAt: labels.createdAt,
      seconds: labels.secondsToCreate,
      skipped: labels.skipped,
      reviewState: labels.reviewState,
      email: users.email,
      fullName: users.fullName,
    })
    .from(labels)
    .leftJoin(users, eq(users.id, labels.createdBy))
    .leftJoin(dataRows, and(eq(dataRows.id, labels.dataRowId), eq(dataRows.orgId, ctx.actor.orgId)))
    .where(and(eq(labels.projectId, projectId), own ? eq(labels.createdBy, ctx.actor.userId) : undefined, guard))
    .orderBy(desc(labels.id))
    .limit(limit)
export type ActivityRow = Awaited<ReturnType<typeof activityQuery>>[number]

export function recentActivityRead(ctx: Ctx, { project: p, role, guard }: LoadedProject, limit = 10): Read<ActivityRow[]> {
  const own = !can(ctx.actor, 'label.view_all', { projectRole: role })
  return { stmts: [activityQuery(ctx, p.id, own, limit, guard)], done: ([rows]) => rows as ActivityRow[] }
}
