/**
 * @module Usage reads for the page, `GET /api/v1/usage` and GraphQL. Annotation, label and time
 * counts come only from the cron's rollups (`usage_daily`, `usage_daily_breakdown`), never from raw
 * annotations; data rows, members and projects created per day from `usage_created_daily`, never
 * from their own tables. Every function is for admins (`usage.view`) and scoped to `ctx.actor.orgId`.
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm'
import type { Ctx } from '../../env'
import { authorize } from '../../auth/permissions'
import { projects, usageCreatedDaily, usageDaily, usageDailyBreakdown, users } from '../../db/schema'
import { iso } from '../../lib/iso'
import { runReads, type Read } from '../../db/reads'
import type { UsageRange, UsageView } from './schemas'

export type AssetCounts = { image: number; video: number; text: number; other: number; total: number }
export type UsageDay = AssetCounts & { date: string; updated_at: string | null }

const ASSET_KEY = { IMAGE: 'image', VIDEO: 'video', TEXT: 'text', OTHER: 'other' } as const
const zero = (): AssetCounts => ({ image: 0, video: 0, text: 0, other: 0, total: 0 })
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`)

/** Days of the range with at least one annotation, oldest first, each with when its rollup rows
 * were last computed. Start inclusive, end exclusive. */
export async function usageDayRows(ctx: Ctx, range: UsageRange): Promise<UsageDay[]> {
  return (await runReads(ctx, usageDayRowsRead(ctx, range)))[0]
}

/** `usageDayRows` as a read, to share a round trip with a page's other reads (src/db/reads.ts). */
export function usageDayRowsRead(ctx: Ctx, range: UsageRange): Read<UsageDay[]> {
  authorize(ctx.actor, 'usage.view')
  const query = ctx.db
    .select({
      day: usageDaily.day,
      assetType: usageDaily.assetType,
      annotations: sql<number>`sum(${usageDaily.annotations})`,
      computedAt: sql<number>`max(${usageDaily.computedAt})`,
    })
    .from(usageDaily)
    .where(and(eq(usageDaily.orgId, ctx.actor.orgId), gte(usageDaily.day, range.start_date), lt(usageDaily.day, range.end_date)))
    .groupBy(usageDaily.day, usageDaily.assetType)
    .orderBy(asc(usageDaily.day))
  return { stmts: [query], done: ([rows]) => dayRows(rows as Awaited<typeof query>) }
}

function dayRows(rows: { day: string; assetType: keyof typeof ASSET_KEY; annotations: number; computedAt: number }[]): UsageDay[] {
  const byDay = new Map<string, UsageDay & { at: number }>()
  for (const r of rows) {
    let d = byDay.get(r.day)
    if (!d) byDay.set(r.day, (d = { date: r.day, ...zero(), updated_at: null, at: 0 }))
    const n = Number(r.annotations ?? 0)
    d[ASSET_KEY[r.assetType]] += n
    d.total += n
    d.at = Math.max(d.at, Number(r.computedAt ?? 0))
  }
  return [...byDay.values()].filter((d) => d.total > 0).map(({ at, ...d }) => ({ ...d, updated_at: at ? iso(at) : null }))
}

/** When the organization's rollups were last computed (null before the first run). */
export async function usageUpdatedAt(ctx: Ctx): Promise<string | null> {
  return (await runReads(ctx, usageUpdatedAtRead(ctx)))[0]
}

export function usageUpdatedAtRead(ctx: Ctx): Read<string | null> {
  authorize(ctx.actor, 'usage.view')
  return {
    stmts: [
      ctx.db
        .select({ at: sql<number | null>`max(${usageDaily.computedAt})` })
        .from(usageDaily)
        .where(eq(usageDaily.orgId, ctx.actor.orgId)),
    ],
    done: ([rows]) => {
      const r = (rows as { at: number | null }[])[0]
      return r?.at ? iso(Number(r.at)) : null
    },
  }
}

/** `GET /api/v1/usage`: annotation counts per day and asset type, totals, last update. */
export async function usageDays(ctx: Ctx, range: UsageRange): Promise<UsageView> {
  const [days, updatedAt] = await runReads(ctx, usageDayRowsRead(ctx, range), usageUpdatedAtRead(ctx))
  const totals = zero()
  for (const d of days) for (const k of ['image', 'video', 'text', 'other', 'total'] as const) totals[k] += d[k]
  return {
    days: days.map(({ date, image, video, text, other, total }) => ({ date, image, video, text, other, total })),
    totals,
    updated_at: updatedAt,
  }
}

export type MonthUsage = { month: string; annotations: number; labels: number; data_rows: number; members: number; projects: number }

/** The Organization usage table: one row per calendar month (GMT) touched by the range, newest
 * first. Annotations and labels from the rollups; data rows, members and projects created that
 * month (deleted ones included: they were used) from `usage_created_daily`, kept exact as they are
 * created (src/modules/usage/created.ts). Both read one row per day of the range at most. */
export async function monthlyUsage(ctx: Ctx, range: UsageRange): Promise<MonthUsage[]> {
  return (await runReads(ctx, monthlyUsageRead(ctx, range)))[0]
}

export function monthlyUsageRead(ctx: Ctx, range: UsageRange): Read<MonthUsage[]> {
  authorize(ctx.actor, 'usage.view')
  const org = ctx.actor.orgId
  const stmts = [
    ctx.db
      .select({
        m: sql<string>`substr(${usageDaily.day}, 1, 7)`,
        annotations: sql<number>`sum(${usageDaily.annotations})`,
        labels: sql<number>`sum(${usageDaily.labels})`,
      })
      .from(usageDaily)
      .where(and(eq(usageDaily.orgId, org), gte(usageDaily.day, range.start_date), lt(usageDaily.day, range.end_date)))
      .groupBy(sql`1`),
    ctx.db
      .select({
        m: sql<string>`substr(${usageCreatedDaily.day}, 1, 7)`,
        dataRows: sql<number>`sum(${usageCreatedDaily.dataRows})`,
        members: sql<number>`sum(${usageCreatedDaily.members})`,
        projects: sql<number>`sum(${usageCreatedDaily.projects})`,
      })
      .from(usageCreatedDaily)
      .where(and(eq(usageCreatedDaily.orgId, org), gte(usageCreatedDaily.day, range.start_date), lt(usageCreatedDaily.day, range.end_date)))
      .groupBy(sql`1`),
  ] as const
  return { stmts: [...stmts], done: (rows) => months(msOf(range.start_date), msOf(range.end_date), rows as never) }
}

type Created = { m: string; dataRows: number; members: number; projects: number }
function months(
  from: number,
  to: number,
  [usage, created]: [{ m: string; annotations: number; labels: number }[], Created[]],
): MonthUsage[] {
  const months = new Map<string, MonthUsage>()
  const get = (m: string) => {
    let r = months.get(m)
    if (!r) months.set(m, (r = { month: m, annotations: 0, labels: 0, data_rows: 0, members: 0, projects: 0 }))
    return r
  }
  // Every month of the range gets a row, quiet ones included.
  for (let d = new Date(from); d.getTime() < to; d.setUTCMonth(d.getUTCMonth() + 1, 1)) get(d.toISOString().slice(0, 7))
  for (const u of usage) Object.assign(get(u.m), { annotations: Number(u.annotations), labels: Number(u.labels) })
  for (const c of created)
    Object.assign(get(c.m), { data_rows: Number(c.dataRows), members: Number(c.members), projects: Number(c.projects) })
  return [...months.values()].sort((a, b) => (a.month < b.month ? 1 : -1))
}

export type BreakdownRow = { id: string; name: string; email?: string; labels: number; annotations: number; seconds_total: number }
export type LabelingBreakdown = { projects: BreakdownRow[]; members: BreakdownRow[] }

/** The Labeling breakdown table: per project and per member, labels, annotations and labeling
 * time within the range, most annotations first. */
export async function labelingBreakdown(ctx: Ctx, range: UsageRange): Promise<LabelingBreakdown> {
  return (await runReads(ctx, labelingBreakdownRead(ctx, range)))[0]
}

export function labelingBreakdownRead(ctx: Ctx, range: UsageRange): Read<LabelingBreakdown> {
  authorize(ctx.actor, 'usage.view')
  const where = and(
    eq(usageDailyBreakdown.orgId, ctx.actor.orgId),
    gte(usageDailyBreakdown.day, range.start_date),
    lt(usageDailyBreakdown.day, range.end_date),
  )
  const sums = {
    labels: sql<number>`sum(${usageDailyBreakdown.labels})`,
    annotations: sql<number>`sum(${usageDailyBreakdown.annotations})`,
    seconds: sql<number>`sum(${usageDailyBreakdown.secondsTotal})`,
  }
  const stmts = [
    ctx.db
      .select({ id: usageDailyBreakdown.projectId, name: projects.name, ...sums })
      .from(usageDailyBreakdown)
      .leftJoin(projects, and(eq(projects.id, usageDailyBreakdown.projectId), eq(projects.orgId, ctx.actor.orgId)))
      .where(where)
      .groupBy(usageDailyBreakdown.projectId),
    ctx.db
      .select({ id: usageDailyBreakdown.userId, name: users.fullName, email: users.email, ...sums })
      .from(usageDailyBreakdown)
      .leftJoin(users, eq(users.id, usageDailyBreakdown.userId))
      .where(where)
      .groupBy(usageDailyBreakdown.userId),
  ] as const
  return { stmts: [...stmts], done: (rows) => breakdown(rows as never) }
}

type Summed = { id: string; name: string | null; email?: string | null; labels: number; annotations: number; seconds: number }
function breakdown([byProject, byMember]: [Summed[], Summed[]]): LabelingBreakdown {
  const view = (
    r: { id: string; name: string | null; email?: string | null; labels: number; annotations: number; seconds: number },
    fallback: string,
  ): BreakdownRow => ({
    id: r.id,
    name: r.name ?? fallback,
    ...(r.email !== undefined ? { email: r.email ?? '' } : {}),
    labels: Number(r.labels ?? 0),
    annotations: Number(r.annotations ?? 0),
    seconds_total: Math.round(Number(r.seconds ?? 0) * 10) / 10,
  })
  const order = (a: BreakdownRow, b: BreakdownRow) => b.annotations - a.annotations || b.labels - a.labels || a.name.localeCompare(b.name)
  return {
    projects: byProject.map((r) => view(r, '(deleted project)')).sort(order),
    members: byMember.map((r) => view(r, '(former member)')).sort(order),
  }
}
