/**
 * @module The labeling and review work queues (not the Cloudflare Queue: that is
 * src/handlers/queue.ts). The labeling queue hands out the next unlabeled data row
 * of a project by batch priority (1 first), reserving it for a few minutes so two people never get
 * the same row; a person who comes back gets their reservation again. The review queue hands out
 * the oldest label nobody has reviewed yet.
 */
import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm'
import { dataRows, labels, projectDataRows, reviews, users } from '../../db/schema'
import type { Ctx } from '../../env'
import { authorize } from '../../auth/permissions'
import { loadProject, type LoadedProject } from '../projects/service'
import { dataRowView, type DataRowView } from '../datasets/data-rows'
import { labelView, mayEditLabel, type LabelView } from './service'

export const RESERVATION_MS = 10 * 60_000

export type QueueItem = { loaded: LoadedProject; dataRow: DataRowView; remaining: number }

/** The caller's next data row to label, reserved for them; null when the queue is empty. */
export async function nextToLabel(ctx: Ctx, projectId: string, now = Date.now()): Promise<QueueItem | null> {
  const loaded = await loadProject(ctx, projectId, 'label.create')
  const p = loaded.project
  const me = ctx.actor.userId
  const open = and(eq(projectDataRows.projectId, p.id), eq(projectDataRows.labelCount, 0), eq(projectDataRows.skipCount, 0))
  const free = or(isNull(projectDataRows.reservedUntil), lt(projectDataRows.reservedUntil, now), eq(projectDataRows.reservedBy, me))
  for (let attempt = 0; attempt < 5; attempt++) {
    // My own live reservation first (a reload gives the same row), then the best free row.
    const mine = await ctx.db
      .select({ id: projectDataRows.dataRowId })
      .from(projectDataRows)
      .where(and(open, eq(projectDataRows.reservedBy, me), gt(projectDataRows.reservedUntil, now)))
      .limit(1)
    const candidate =
      mine[0] ??
      (
        await ctx.db
          .select({ id: projectDataRows.dataRowId })
          .from(projectDataRows)
          .where(and(open, free))
          .orderBy(asc(projectDataRows.priority), asc(projectDataRows.dataRowId))
          .limit(1)
      )[0]
    if (!candidate) return null
    // Claim it only if still free: two people racing for one row cannot both win.
    const claimed = await ctx.db
      .update(projectDataRows)
      .set({ reservedBy: me, reservedUntil: now + RESERVATION_MS })
      .where(and(eq(projectDataRows.projectId, p.id), eq(projectDataRows.dataRowId, candidate.id), open, free))
      .returning({ id: projectDataRows.dataRowId })
    if (!claimed.length) continue
    const row = await ctx.db.select().from(dataRows).where(eq(dataRows.id, candidate.id)).get()
    // The rows still open, from the project's trigger-kept counters (migrations/0003_label_counters.sql):
    // a row is labeled or skipped-only or open, so this is exact without counting the queue's rows.
    const remaining = Math.max(0, p.dataRowCount - p.labeledCount - p.skippedCount)
    return { loaded, dataRow: dataRowView(row!), remaining }
  }
  return null
}

export type ReviewItem = {
  loaded: LoadedProject
  label: LabelView
  author: string
  dataRow: DataRowView
  waiting: number
  /** The reviewer may fix the label in the editor before accepting it (updateLabel's rule). */
  canFix: boolean
}

/** The oldest label the caller has not reviewed and nobody has settled, after `after` (to pass one). */
export async function nextToReview(ctx: Ctx, projectId: string, after?: string): Promise<ReviewItem | null> {
  const loaded = await loadProject(ctx, projectId)
  authorize(ctx.actor, 'label.review', { projectRole: loaded.role }, 'Project')
  const p = loaded.project
  // Literal 0 and 'UNREVIEWED' (not parameters) so labels_review_idx serves both statements. A label
  // with any review is no longer UNREVIEWED (reviewLabel), so the caller has reviewed none of these.
  const row = await ctx.db
    .select({
      l: labels,
      email: users.email,
      // Reviewed skipped labels: the project's review counters count them, its label_count does not.
      reviewedSkips: sql<number>`(SELECT count(*) FROM ${labels} s WHERE s.project_id = ${p.id} AND s.skipped = 1 AND s.review_state IN ('ACCEPTED', 'DECLINED', 'AMBIGUOUS'))`,
    })
    .from(labels)
    .leftJoin(users, eq(users.id, labels.createdBy))
    .where(
      and(
        eq(labels.projectId, p.id),
        sql`${labels.skipped} = 0 AND ${labels.reviewState} = 'UNREVIEWED'`,
        sql`NOT EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.labelId} = ${labels.id} AND ${reviews.createdBy} = ${ctx.actor.userId})`,
        after ? gt(labels.id, after) : undefined,
      ),
    )
    .orderBy(asc(labels.id))
    .limit(1)
    .get()
  if (!row) return null
  const dr = await ctx.db.select().from(dataRows).where(eq(dataRows.id, row.l.dataRowId)).get()
  // Submitted labels nobody has reviewed, from the project's trigger-kept counters
  // (migrations/0003_label_counters.sql) instead of a count of its labels.
  const reviewed = p.reviewsAccepted + p.reviewsDeclined + p.reviewsAmbiguous - Number(row.reviewedSkips)
  const waiting = Math.max(0, p.labelCount - reviewed)
  return {
    loaded,
    label: labelView(row.l),
    author: row.email ?? row.l.createdBy,
    dataRow: dataRowView(dr!),
    waiting,
    canFix: mayEditLabel(ctx.actor, row.l.createdBy, loaded.role),
  }
}
