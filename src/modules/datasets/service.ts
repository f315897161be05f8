/**
 * @module Datasets: create, list (newest first, search, cursor paging), read, edit, delete. Row
 * counts are kept by database triggers on data_rows, so every path that adds or removes rows
 * (API, upload, import task, slice delete) keeps them exact.
 */
import { runReads, type Read } from '../../db/reads'
import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { datasets, integrations, memberships, users } from '../../db/schema'
import type { Ctx } from '../../env'
import { authorize } from '../../auth/permissions'
import { notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import type { CreateDatasetInput, DatasetView, UpdateDatasetInput } from './schemas'

export type DatasetRow = typeof datasets.$inferSelect
export type { DatasetView }

export const datasetView = (d: DatasetRow): DatasetView => ({
  id: d.id,
  name: d.name,
  description: d.description,
  row_count: d.rowCount,
  created_at: iso(d.createdAt)!,
  updated_at: iso(d.updatedAt)!,
  created_by: d.createdBy,
  integration_id: d.integrationId,
})

/** A live dataset of the caller's organization (404 otherwise), then the permission check. */
export async function loadDataset(ctx: Ctx, id: string, action: 'dataset.view' | 'dataset.manage' = 'dataset.view'): Promise<DatasetRow> {
  return (await runReads(ctx, datasetRead(ctx, id, action)))[0]
}

/** `loadDataset` as a read, to share a round trip with what a route reads beside it (src/db/reads.ts). */
export function datasetRead(ctx: Ctx, id: string, action: 'dataset.view' | 'dataset.manage' = 'dataset.view'): Read<DatasetRow> {
  return {
    stmts: [
      ctx.db
        .select()
        .from(datasets)
        .where(and(eq(datasets.id, id), eq(datasets.orgId, ctx.actor.orgId), isNull(datasets.deletedAt)))
        .limit(1),
    ],
    done: ([rows]) => {
      const d = (rows as DatasetRow[])[0]
      if (!d) throw notFound('Dataset')
      authorize(ctx.actor, action)
      return d
    },
  }
}

export async function createDataset(ctx: Ctx, input: CreateDatasetInput): Promise<DatasetView> {
  authorize(ctx.actor, 'dataset.manage')
  const now = new Date()
  // New datasets use the organization's default AWS integration if it passed its last validation,
  // as in Labelbox.
  const integrationId =
    (
      await ctx.db
        .select({ id: integrations.id })
        .from(integrations)
        .where(and(eq(integrations.orgId, ctx.actor.orgId), eq(integrations.isOrgDefault, true), eq(integrations.valid, true)))
        .get()
    )?.id ?? null
  const row: DatasetRow = {
    id: newId('ds'),
    orgId: ctx.actor.orgId,
    name: input.name,
    description: input.description,
    rowCount: 0,
    integrationId,
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  }
  await ctx.db.insert(datasets).values(row)
  return datasetView(row)
}

export async function listDatasets(
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; search?: string | undefined },
): Promise<Page<DatasetView>> {
  // Alone, the permission is checked first (403 before a bad cursor's 400), as it always was.
  authorize(ctx.actor, 'dataset.view')
  return (await runReads(ctx, datasetsPageRead(ctx, q)))[0]
}

/** `listDatasets` as a read, to share a round trip with a page's other reads (src/db/reads.ts). */
export function datasetsPageRead(
  ctx: Ctx,
  q: { limit: number; cursor?: string | undefined; search?: string | undefined },
): Read<Page<DatasetView>> {
  const after = decodeCursor(q.cursor)
  const where: (SQL | undefined)[] = [eq(datasets.orgId, ctx.actor.orgId), isNull(datasets.deletedAt)]
  if (after) where.push(lt(datasets.id, String(after[0])))
  // SQLite lower() folds ASCII only: fold the term the same way so non-ASCII names match exactly.
  if (q.search) where.push(sql`instr(lower(${datasets.name}), lower(${q.search})) > 0`)
  return {
    stmts: [
      ctx.db
        .select()
        .from(datasets)
        .where(and(...where))
        .orderBy(desc(datasets.id))
        .limit(q.limit + 1),
    ],
    // Checked when the rows are in, not before: in a batch after another read (an integration's
    // page), that read's 404 comes first, as it would alone.
    done: ([rows]) => {
      authorize(ctx.actor, 'dataset.view')
      return toPage(rows as DatasetRow[], q.limit, (r) => [r.id], datasetView)
    },
  }
}

/** A dataset as a choice in a picker (the project's "Attach data" form). */
export type DatasetChoice = { id: string; name: string; row_count: number }

/** The organization's live datasets for pickers, newest first (the index order, so the rows read
 * stay bounded by `limit` however many datasets there are), and whether more exist. */
export async function datasetChoices(ctx: Ctx, limit = 100): Promise<{ items: DatasetChoice[]; more: boolean }> {
  return (await runReads(ctx, datasetChoicesRead(ctx, limit)))[0]
}

/** `datasetChoices` as a read, to share a page's batch (src/db/reads.ts). */
export function datasetChoicesRead(ctx: Ctx, limit = 100): Read<{ items: DatasetChoice[]; more: boolean }> {
  authorize(ctx.actor, 'dataset.view')
  return {
    stmts: [
      ctx.db
        .select({ id: datasets.id, name: datasets.name, row_count: datasets.rowCount })
        .from(datasets)
        .where(and(eq(datasets.orgId, ctx.actor.orgId), isNull(datasets.deletedAt)))
        .orderBy(desc(datasets.id))
        .limit(limit + 1),
    ],
    done: ([r]) => {
      const rows = r as DatasetChoice[]
      return { items: rows.slice(0, limit), more: rows.length > limit }
    },
  }
}

/** Who a `created_by` id is, for pages: a member of the caller's organization, or null (someone
 * who has left it, or an id from elsewhere: never another organization's names). */
export async function memberName(ctx: Ctx, userId: string): Promise<{ name: string; email: string } | null> {
  const u = await ctx.db
    .select({ name: users.fullName, email: users.email })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, ctx.actor.orgId)))
    .where(eq(users.id, userId))
    .get()
  return u ?? null
}

export async function getDataset(ctx: Ctx, id: string): Promise<DatasetView> {
  return datasetView(await loadDataset(ctx, id))
}

export async function updateDataset(ctx: Ctx, id: string, input: UpdateDatasetInput): Promise<DatasetView> {
  const d = await loadDataset(ctx, id, 'dataset.manage')
  const next: Partial<DatasetRow> = { updatedAt: new Date() }
  if (input.name !== undefined) next.name = input.name
  if (input.description !== undefined) next.description = input.description
  await ctx.db.update(datasets).set(next).where(eq(datasets.id, d.id))
  return datasetView({ ...d, ...next })
}
