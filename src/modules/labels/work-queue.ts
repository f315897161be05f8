/**
 * @module The labeling and review work queues (not the Cloudflare Queue: that is
 * src/handlers/queue.ts). The labeling queue hands out the next unlabeled data row
 * of a project by batch priority (1 first), reserving it for a few minutes so two people never get
 * the same row; a person who comes back gets their reservation again. The review queue hands out
 * the oldest label nobody has reviewed yet.
 *
 * Each queue's page is one D1 round trip (src/db/reads.ts): the project, the next item and its
 * data row are read in one batch, and the labeling queue's reservation is written in that batch too.
 */
import { and, asc, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import { dataRows, labels, memberships, projectDataRows, projectMembers, projects, reviews, sessions, users } from '../../db/schema'
import { ORG_ROLES, PROJECT_ROLES } from '../../db/schema/columns'
import type { Ctx } from '../../env'
import { can, type Action } from '../../auth/permissions'
import { loadProjectWith, type LoadedProject } from '../projects/service'
import { dataRowView, type DataRowView } from '../datasets/data-rows'
import { labelView, mayEditLabel, type LabelView } from './service'
import { guardedWrite, type Read } from '../../db/reads'

export const RESERVATION_MS = 10 * 60_000

export type QueueItem = { loaded: LoadedProject; dataRow: DataRowView; remaining: number }

/**
 * True in SQL only while the caller, as the database knows them now, may do `action` in the
 * project: their session is live, the project is their organization's and not deleted, and their
 * org role (or, project-based, their project role) passes the permission table. A write that rides
 * in the batch confirming a remembered actor (src/auth/optimistic-actor.ts) carries it, so that
 * a stale actor's batch writes only what the fresh actor would write too. (The pages that use it
 * take sessions only; an actor without one would be checked by membership alone.)
 */
function mayInProject(ctx: Ctx, projectId: string, action: Action, now: number): SQL {
  const a = ctx.actor
  const orgRoles = ORG_ROLES.filter((r) => r !== 'NONE' && can({ ...a, role: r }, action, { projectRole: r }))
  const projectRoles = PROJECT_ROLES.filter((r) => can({ ...a, role: 'NONE' }, action, { projectRole: r }))
  const none = sql`0`
  const live = a.sessionId
    ? sql`EXISTS (SELECT 1 FROM ${sessions} WHERE ${sessions.id} = ${a.sessionId} AND ${sessions.userId} = ${a.userId} AND ${sessions.orgId} = ${a.orgId} AND ${sessions.expiresAt} > ${now})`
    : sql`1`
  const inProject = projectRoles.length
    ? sql`EXISTS (SELECT 1 FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.userId} = ${a.userId} AND ${inArray(projectMembers.role, projectRoles)})`
    : none
  return sql`EXISTS (SELECT 1 FROM ${memberships} JOIN ${projects} ON ${projects.id} = ${projectId} AND ${projects.orgId} = ${memberships.orgId} AND ${projects.deletedAt} IS NULL WHERE ${memberships.userId} = ${a.userId} AND ${memberships.orgId} = ${a.orgId} AND ${live} AND (${orgRoles.length ? inArray(memberships.role, orgRoles) : none} OR (${memberships.role} = 'NONE' AND ${inProject})))`
}

/**
 * The caller's next data row to label, reserved for them (null when the queue is empty), and the
 * project: one round trip. The reservation is one UPDATE that picks the row itself — the caller's
 * own live reservation first (a reload gives the same row), else the best free row — so two people
 * racing for a row cannot both get it (SQLite runs the statement alone). It writes 1 row
 * (`project_data_rows`; reserved_by/reserved_until are in no index and fire no trigger). The data
 * row is then read by the reservation just written, in the same batch (a transaction).
 */
export async function nextToLabel(
  ctx: Ctx,
  projectId: string,
  now = Date.now(),
): Promise<{ loaded: LoadedProject; item: QueueItem | null }> {
  const me = ctx.actor.userId
  const until = now + RESERVATION_MS
  const q = projectDataRows
  const open = and(eq(q.projectId, projectId), eq(q.labelCount, 0), eq(q.skipCount, 0))
  const free = or(isNull(q.reservedUntil), lt(q.reservedUntil, now), eq(q.reservedBy, me))
  const mine = ctx.db
    .select({ id: q.dataRowId })
    .from(q)
    .where(and(open, eq(q.reservedBy, me), gt(q.reservedUntil, now)))
    .limit(1)
  const best = ctx.db.select({ id: q.dataRowId }).from(q).where(and(open, free)).orderBy(asc(q.priority), asc(q.dataRowId)).limit(1)
  const claim = ctx.db
    .update(q)
    .set({ reservedBy: me, reservedUntil: until })
    .where(and(open, eq(q.dataRowId, sql`coalesce((${mine}), (${best}))`), mayInProject(ctx, projectId, 'label.create', now)))
  const reserved = ctx.db
    .select({ id: q.dataRowId })
    .from(q)
    .where(and(open, eq(q.reservedBy, me), eq(q.reservedUntil, until)))
    .limit(1)
  const [loaded, , row] = await loadProjectWith<[void, typeof dataRows.$inferSelect | undefined]>(ctx, projectId, 'label.create', () => [
    guardedWrite(claim),
    {
      stmts: [
        ctx.db
          .select()
          .from(dataRows)
          .where(and(eq(dataRows.orgId, ctx.actor.orgId), eq(dataRows.id, reserved)))
          .limit(1),
      ],
      done: ([rows]) => (rows as (typeof dataRows.$inferSelect)[])[0],
    },
  ])
  if (!row) return { loaded, item: null }
  const p = loaded.project
  // The rows still open, from the project's trigger-kept counters (migrations/0003_label_counters.sql):
  // a row is labeled or skipped-only or open, so this is exact without counting the queue's rows.
  const remaining = Math.max(0, p.dataRowCount - p.labeledCount - p.skippedCount)
  return { loaded, item: { loaded, dataRow: dataRowView(row), remaining } }
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

type ReviewRow = { l: typeof labels.$inferSelect; authorEmail: string | null; reviewedSkips: number }

/**
 * The oldest label the caller has not reviewed and nobody has settled, after `after` (to pass one),
 * with its data row and the project: one round trip (the data row through the same label, as a
 * subquery, so that it need not wait for the label's answer).
 */
export async function nextToReview(
  ctx: Ctx,
  projectId: string,
  after?: string,
): Promise<{ loaded: LoadedProject; item: ReviewItem | null }> {
  const next = (guard: SQL | undefined) =>
    // Literal 0 and 'UNREVIEWED' (not parameters) so labels_review_idx serves both statements. A label
    // with any review is no longer UNREVIEWED (reviewLabel), so the caller has reviewed none of these.
    and(
      eq(labels.projectId, projectId),
      sql`${labels.skipped} = 0 AND ${labels.reviewState} = 'UNREVIEWED'`,
      sql`NOT EXISTS (SELECT 1 FROM ${reviews} WHERE ${reviews.labelId} = ${labels.id} AND ${reviews.createdBy} = ${ctx.actor.userId})`,
      after ? gt(labels.id, after) : undefined,
      guard,
    )
  const read = (loaded: LoadedProject): Read<{ row: ReviewRow | undefined; dr: typeof dataRows.$inferSelect | undefined }> => ({
    stmts: [
      ctx.db
        .select({
          l: labels,
          // Aliased: batch rows are keyed by column name.
          authorEmail: sql<string | null>`${users.email}`.as('author_email'),
          // Reviewed skipped labels: the project's review counters count them, its label_count does not.
          reviewedSkips:
            sql<number>`(SELECT count(*) FROM ${labels} s WHERE s.project_id = ${projectId} AND s.skipped = 1 AND s.review_state IN ('ACCEPTED', 'DECLINED', 'AMBIGUOUS'))`.as(
              'reviewed_skips',
            ),
        })
        .from(labels)
        .leftJoin(users, eq(users.id, labels.createdBy))
        .where(next(loaded.guard))
        .orderBy(asc(labels.id))
        .limit(1),
      ctx.db
        .select()
        .from(dataRows)
        .where(
          and(
            eq(dataRows.orgId, ctx.actor.orgId),
            eq(
              dataRows.id,
              ctx.db.select({ id: labels.dataRowId }).from(labels).where(next(loaded.guard)).orderBy(asc(labels.id)).limit(1),
            ),
          ),
        )
        .limit(1),
    ],
    done: ([rs, ds]) => ({ row: (rs as ReviewRow[])[0], dr: (ds as (typeof dataRows.$inferSelect)[])[0] }),
  })
  const [loaded, { row, dr }] = await loadProjectWith<[{ row: ReviewRow | undefined; dr: typeof dataRows.$inferSelect | undefined }]>(
    ctx,
    projectId,
    'label.review',
    (l) => [read(l)],
  )
  if (!row || !dr) return { loaded, item: null }
  const p = loaded.project
  // Submitted labels nobody has reviewed, from the project's trigger-kept counters
  // (migrations/0003_label_counters.sql) instead of a count of its labels.
  const reviewed = p.reviewsAccepted + p.reviewsDeclined + p.reviewsAmbiguous - Number(row.reviewedSkips)
  const waiting = Math.max(0, p.labelCount - reviewed)
  return {
    loaded,
    item: {
      loaded,
      label: labelView(row.l),
      author: row.authorEmail ?? row.l.createdBy,
      dataRow: dataRowView(dr),
      waiting,
      canFix: mayEditLabel(ctx.actor, row.l.createdBy, loaded.role),
    },
  }
}
