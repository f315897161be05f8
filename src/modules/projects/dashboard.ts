/**
 * @module The project dashboard's numbers, all read from aggregates kept exact at write time
 * (project counters, feature counts, member stats, per-day counts), never from scanning labels.
 * Scope "mine" reads the same aggregates filtered to the caller.
 */
import { and, desc, eq, sql } from 'drizzle-orm'
import { labels, projectFeatureCounts, projectLabelDays, projectMemberStats, users } from '../../db/schema'
import type { Ctx } from '../../env'
import { can } from '../../auth/permissions'
import { iso } from '../../lib/format'
import { loadProject, percentComplete } from './service'

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
  collaborators: { user_id: string; email: string; full_name: string; labels: number; skips: number; seconds_total: number; seconds_per_label: number; last_label_at: string | null }[]
}

export async function projectOverview(ctx: Ctx, projectId: string, scope: 'all' | 'mine'): Promise<Overview> {
  const { project: p, role } = await loadProject(ctx, projectId)
  const me = ctx.actor.userId
  const mine = scope === 'mine'
  const [features, stats, myReviews] = await Promise.all([
    ctx.db
      .select({ fs: projectFeatureCounts.featureSchemaId, kind: projectFeatureCounts.kind, name: projectFeatureCounts.name, answer: projectFeatureCounts.answer, count: sql<number>`sum(${projectFeatureCounts.count})` })
      .from(projectFeatureCounts)
      .where(and(eq(projectFeatureCounts.projectId, p.id), mine ? eq(projectFeatureCounts.userId, me) : undefined))
      .groupBy(projectFeatureCounts.featureSchemaId, projectFeatureCounts.answerSchemaId),
    ctx.db
      .select({ s: projectMemberStats, email: users.email, fullName: users.fullName })
      .from(projectMemberStats)
      .innerJoin(users, eq(users.id, projectMemberStats.userId))
      .where(eq(projectMemberStats.projectId, p.id))
      .orderBy(desc(projectMemberStats.labels)),
    // One person's labels by review state: bounded by that person's own work.
    mine
      ? ctx.db.select({ state: labels.reviewState, n: sql<number>`count(*)` }).from(labels).where(and(eq(labels.projectId, p.id), eq(labels.createdBy, me), eq(labels.skipped, false))).groupBy(labels.reviewState)
      : Promise.resolve([]),
  ])
  const self = stats.find((s) => s.s.userId === me)?.s
  const labeled = mine ? self?.labels ?? 0 : p.labeledCount
  const skipped = mine ? self?.skips ?? 0 : p.skippedCount
  const byState = (s: string) => Number(myReviews.find((r) => r.state === s)?.n ?? 0)
  const totalLabels = mine ? self?.labels ?? 0 : p.labelCount
  const accepted = mine ? byState('ACCEPTED') : p.reviewsAccepted
  const declined = mine ? byState('DECLINED') : p.reviewsDeclined
  const ambiguous = mine ? byState('AMBIGUOUS') : p.reviewsAmbiguous
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
    reviews: { unreviewed: Math.max(0, totalLabels - reviewed), accepted, declined, ambiguous, coverage: totalLabels ? Math.round((reviewed / totalLabels) * 1000) / 10 : 0 },
    objects: features.filter((f) => f.kind === 'object' && Number(f.count) > 0).map((f) => ({ name: f.name, feature_schema_id: f.fs, count: Number(f.count) })),
    classifications: features.filter((f) => f.kind === 'answer' && Number(f.count) > 0).map((f) => ({ name: f.name, answer: f.answer, count: Number(f.count) })),
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
export async function labelSeries(ctx: Ctx, projectId: string, bucket: Bucket, scope: 'all' | 'mine' = 'all'): Promise<{ start: string; count: number }[]> {
  const { project: p } = await loadProject(ctx, projectId)
  const key =
    bucket === 'day'
      ? sql<string>`${projectLabelDays.day}`
      : bucket === 'week'
        ? sql<string>`date(${projectLabelDays.day}, '-' || ((CAST(strftime('%w', ${projectLabelDays.day}) AS INTEGER) + 6) % 7) || ' days')`
        : sql<string>`strftime('%Y-%m-01', ${projectLabelDays.day})`
  const rows = await ctx.db
    .select({ start: key, count: sql<number>`sum(${projectLabelDays.count})` })
    .from(projectLabelDays)
    .where(and(eq(projectLabelDays.projectId, p.id), scope === 'mine' ? eq(projectLabelDays.userId, ctx.actor.userId) : undefined))
    .groupBy(key)
    .orderBy(key)
  return rows.filter((r) => Number(r.count) > 0).map((r) => ({ start: r.start, count: Number(r.count) }))
}

/** The latest labels (labelers: their own), for the activity list. */
export async function recentActivity(ctx: Ctx, projectId: string, limit = 10) {
  const { project: p, role } = await loadProject(ctx, projectId)
  const own = !can(ctx.actor, 'label.view_all', { projectRole: role })
  return ctx.db
    .select({ id: labels.id, dataRowId: labels.dataRowId, createdAt: labels.createdAt, seconds: labels.secondsToCreate, skipped: labels.skipped, reviewState: labels.reviewState, email: users.email, fullName: users.fullName })
    .from(labels)
    .leftJoin(users, eq(users.id, labels.createdBy))
    .where(and(eq(labels.projectId, p.id), own ? eq(labels.createdBy, ctx.actor.userId) : undefined))
    .orderBy(desc(labels.id))
    .limit(limit)
}
