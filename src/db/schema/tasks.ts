/** @module Tasks: the durable record of every background job (lists, history, downloads). The
 * live status of a running task lives in its TaskStatus Durable Object. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { idColumn, timestamp } from './columns'
import { organizations } from './orgs'

export const TASK_TYPES = [
  'export-data-rows',
  'import-data-rows',
  'import-labels',
  'delete-project',
  'delete-dataset',
  'read-media-attributes',
] as const
export type TaskType = (typeof TASK_TYPES)[number]
export const TASK_STATUSES = ['QUEUED', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELED'] as const
export type TaskStatusValue = (typeof TASK_STATUSES)[number]
/** A task still at work (the Tasks badge counts these; only these may move on). */
export const RUNNING: TaskStatusValue[] = ['QUEUED', 'IN_PROGRESS']

export const tasks = sqliteTable(
  'tasks',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdBy: text().notNull(),
    type: text({ enum: TASK_TYPES }).notNull(),
    name: text().notNull(),
    status: text({ enum: TASK_STATUSES }).notNull(),
    completionPercentage: integer().notNull().default(0),
    /** What the task works on, e.g. the project id, and its parameters. */
    subjectId: text(),
    params: text({ mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Counts and figures shown with the task (rows done, errors …). */
    metadata: text({ mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Same work asked again while this runs returns this task. */
    dedupeKey: text(),
    resultKey: text(),
    errorsKey: text(),
    failureReason: text(),
    /** Revivals since the task last made progress (src/modules/tasks/service.ts). */
    attempts: integer().notNull().default(0),
    /** The one queue message allowed to run the next slice: a new token is drawn whenever a slice
     * ends or the cron revives the task, so duplicates and stale chains find it changed and stop. */
    sliceToken: text(),
    /** A slice is running until then (its lease); nobody else runs one, and the cron leaves the
     * task alone, before it passes. */
    leaseUntil: timestamp(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
    finishedAt: timestamp(),
  },
  (t) => [
    index('tasks_creator_idx').on(t.orgId, t.createdBy, t.id),
    index('tasks_org_idx').on(t.orgId, t.id),
    index('tasks_dedupe_idx').on(t.orgId, t.dedupeKey, t.status),
    index('tasks_status_idx').on(t.status, t.updatedAt),
    index('tasks_running_idx').on(t.createdBy, t.status),
  ],
)
