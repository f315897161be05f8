/** @module Usage rollups: what the cron makes of the append-only `usage_facts` (labels.ts). The
 * usage page, `GET /api/v1/usage` and GraphQL read only these tables, never raw annotations. */
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { timestamp } from './columns'

/** Per organization, GMT day, asset type and source: the billable counts. */
export const usageDaily = sqliteTable(
  'usage_daily',
  {
    orgId: text().notNull(),
    /** 'YYYY-MM-DD', GMT. */
    day: text().notNull(),
    assetType: text({ enum: ['IMAGE', 'VIDEO', 'TEXT', 'OTHER'] }).notNull(),
    source: text({ enum: ['human', 'imported'] }).notNull(),
    annotations: integer().notNull().default(0),
    labels: integer().notNull().default(0),
    secondsTotal: real().notNull().default(0),
    /** When a rollup run last added to this row. */
    computedAt: timestamp().notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.assetType, t.source] })],
)

/** Per organization, GMT day, project and member: the Labeling breakdown. */
export const usageDailyBreakdown = sqliteTable(
  'usage_daily_breakdown',
  {
    orgId: text().notNull(),
    day: text().notNull(),
    projectId: text().notNull(),
    userId: text().notNull(),
    annotations: integer().notNull().default(0),
    labels: integer().notNull().default(0),
    secondsTotal: real().notNull().default(0),
    computedAt: timestamp().notNull(),
  },
  // The key's (org, day) prefix serves range reads.
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.projectId, t.userId] })],
)

/** The rollup watermark: every fact with `id <= last_fact_id` has been added to the rollups.
 * One global row (`id = 'global'`), because facts of every organization share one id sequence. */
export const usageRollupState = sqliteTable('usage_rollup_state', {
  id: text().primaryKey(),
  lastFactId: integer().notNull().default(0),
  updatedAt: timestamp().notNull(),
})

/**
 * Per organization and GMT day: the data rows, members and projects created that day, deleted ones
 * included (usage never goes down, as for annotations). The Organization usage table reads these
 * instead of counting the base tables, so it reads a row per day of the range whatever the data
 * size. Kept exact as things are created (src/modules/usage/created.ts): projects and memberships
 * by triggers (one row each per statement anyway), data rows once per INSERT statement by the
 * statement's own change count (an import's 500-row INSERT adds one upsert, not 500).
 */
export const usageCreatedDaily = sqliteTable(
  'usage_created_daily',
  {
    orgId: text().notNull(),
    /** 'YYYY-MM-DD', GMT. */
    day: text().notNull(),
    dataRows: integer().notNull().default(0),
    members: integer().notNull().default(0),
    projects: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] })],
)
