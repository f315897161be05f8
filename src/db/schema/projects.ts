/** @module Projects, pins, per-project roles, batches and the project's queue of data rows. */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn, PROJECT_ROLES, timestamp } from './columns'
import { organizations, users } from './orgs'
import type { Ontology } from '../../modules/projects/ontology'

export const MEDIA_TYPES = ['IMAGE', 'VIDEO', 'TEXT', 'AUDIO', 'PDF', 'HTML', 'CONVERSATIONAL', 'GEOSPATIAL', 'DICOM'] as const
export type MediaType = (typeof MEDIA_TYPES)[number]

export const WORKFLOW_STATUSES = ['TO_LABEL', 'IN_REVIEW', 'IN_REWORK', 'DONE'] as const
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number]

export const projects = sqliteTable(
  'projects',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** The name case-folded by JavaScript (SQLite's lower() folds ASCII only), for search; null
     * until folded (rows from before migration 0011 are folded by the cron). */
    nameFold: text(),
    description: text().notNull().default(''),
    mediaType: text({ enum: MEDIA_TYPES }).notNull(),
    ontology: text({ mode: 'json' }).$type<Ontology>().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
    /** Set when deletion starts: the project leaves every list at once while a task removes its rows. */
    deletedAt: timestamp(),
    // Counters kept exact in the same db.batch as the writes that change them, so lists and the
    // dashboard never scan rows.
    dataRowCount: integer().notNull().default(0),
    labelCount: integer().notNull().default(0),
    /** Data rows with at least one submitted (not skipped) label. */
    labeledCount: integer().notNull().default(0),
    /** Data rows whose only labels are skips. */
    skippedCount: integer().notNull().default(0),
    reviewsAccepted: integer().notNull().default(0),
    reviewsDeclined: integer().notNull().default(0),
    reviewsAmbiguous: integer().notNull().default(0),
  },
  (t) => [
    index('projects_org_idx').on(t.orgId, t.deletedAt, t.id),
    // Only the projects the cron has still to fold (src/modules/projects/name-fold.ts): its lookup
    // reads those, not every project, and the index is empty once all are folded.
    index('projects_name_fold_pending_idx').on(t.nameFold).where(sql`name_fold IS NULL`),
  ],
)

/** Roles of project-based members (org role NONE). Kept when the member's org role changes, so
 * switching to NONE and back restores them. */
export const projectMembers = sqliteTable(
  'project_members',
  {
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: PROJECT_ROLES }).notNull(),
    createdAt: timestamp().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId, t.projectId)],
)

/** Personal pins. */
export const projectPins = sqliteTable(
  'project_pins',
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdAt: timestamp().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.projectId] })],
)

export const batches = sqliteTable(
  'batches',
  {
    id: idColumn(),
    orgId: text().notNull(),
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** 1 (highest) … 5: the labeling queue serves higher priority first. */
    priority: integer().notNull(),
    size: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
  },
  (t) => [index('batches_project_idx').on(t.projectId, t.id), uniqueIndex('batches_project_name_uq').on(t.projectId, t.name)],
)

/** A data row's place in a project: which batch brought it, its priority and workflow state.
 * A data row is in a project at most once. */
export const projectDataRows = sqliteTable(
  'project_data_rows',
  {
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    dataRowId: text().notNull(),
    batchId: text().notNull(),
    priority: integer().notNull(),
    workflowStatus: text({ enum: WORKFLOW_STATUSES }).notNull().default('TO_LABEL'),
    /** Submitted (non-skip) labels on this row in this project. */
    labelCount: integer().notNull().default(0),
    skipCount: integer().notNull().default(0),
    /** Reserved for a labeler until this time (the queue never hands a row to two people). */
    reservedBy: text(),
    reservedUntil: integer(),
    createdAt: timestamp().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.dataRowId] }),
    index('pdr_batch_idx').on(t.batchId),
    index('pdr_queue_idx').on(t.projectId, t.labelCount, t.skipCount, t.priority, t.dataRowId),
    index('pdr_data_row_idx').on(t.dataRowId),
  ],
)
