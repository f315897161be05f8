/**
 * @module Labels, reviews, the dashboard's aggregates, usage facts and the event outbox.
 * A label's annotations are stored as one JSON document in Labelbox export v2 shape (objects and
 * classifications, each with its feature_id), which is exactly what exports write out.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn, timestamp } from './columns'
import { projects } from './projects'

/** A VIDEO label's frame ("1", "2", …): its objects (feature_id → object) and classifications. */
export type LabelFrame = { objects: Record<string, Record<string, unknown>>; classifications: Record<string, unknown>[] }
export type LabelAnnotations = {
  objects: Record<string, unknown>[]
  classifications: Record<string, unknown>[]
  relationships: unknown[]
  /** VIDEO labels: per frame ("1", "2", …) its objects (feature_id → object) and classifications. */
  frames?: Record<string, LabelFrame>
  /** VIDEO labels: each object's frame ranges, [[start, end], …]. */
  segments?: Record<string, [number, number][]>
  /** VIDEO labels: each object's key frames ("<n>" → true). */
  key_frame_feature_map?: Record<string, Record<string, boolean>>
}
export const REVIEW_STATES = ['UNREVIEWED', 'ACCEPTED', 'DECLINED', 'AMBIGUOUS'] as const
export type ReviewState = (typeof REVIEW_STATES)[number]

export const labels = sqliteTable(
  'labels',
  {
    id: idColumn(),
    orgId: text().notNull(),
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    dataRowId: text().notNull(),
    createdBy: text().notNull(),
    annotations: text({ mode: 'json' }).$type<LabelAnnotations>().notNull(),
    /** Objects + classification answers, nested ones included (what usage bills). */
    annotationCount: integer().notNull().default(0),
    secondsToCreate: real().notNull().default(0),
    skipped: integer({ mode: 'boolean' }).notNull().default(false),
    /** Made by a label import; `importKey` identifies its content so re-importing never doubles it. */
    imported: integer({ mode: 'boolean' }).notNull().default(false),
    importKey: text(),
    reviewState: text({ enum: REVIEW_STATES }).notNull().default('UNREVIEWED'),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [
    index('labels_project_idx').on(t.projectId, t.id),
    // No index on (project_id, data_row_id) of its own: labels_import_uq starts with it and serves
    // those lookups; each index is a row written with every label (BENCHMARKS.md, rows written).
    index('labels_author_idx').on(t.projectId, t.createdBy, t.id),
    uniqueIndex('labels_import_uq').on(t.projectId, t.dataRowId, t.importKey),
    // The review queue (src/modules/labels/work-queue.ts): the oldest unreviewed submitted label is
    // its first entry, and the few reviewed skipped labels a range of it (for the "waiting" count).
    index('labels_review_idx').on(t.projectId, t.skipped, t.reviewState, t.id),
  ],
)

export const reviews = sqliteTable(
  'reviews',
  {
    id: idColumn(),
    orgId: text().notNull(),
    labelId: text()
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
    projectId: text().notNull(),
    /** +1 accepted, -1 declined. One review per reviewer per label (a second one updates it). */
    score: integer().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [uniqueIndex('reviews_label_reviewer_uq').on(t.labelId, t.createdBy)],
)

/**
 * Earlier versions of labels: an edit keeps the annotations it replaces here (one row per edit, in
 * the edit's batch), so a label's history survives "Open in editor" and `PATCH /api/v1/labels/{id}`.
 * An integer key (SQLite's rowid) and one index by label: two rows written per edit.
 */
export const labelVersions = sqliteTable(
  'label_versions',
  {
    id: integer().primaryKey(),
    labelId: text()
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
    orgId: text().notNull(),
    /** The annotations as they were before this edit. */
    annotations: text({ mode: 'json' }).$type<LabelAnnotations>().notNull(),
    /** Who made the edit, and when (the label's current annotations are theirs from then). */
    editedBy: text().notNull(),
    editedAt: timestamp().notNull(),
  },
  (t) => [index('label_versions_label_idx').on(t.labelId, t.id)],
)

/** Objects per tool and answers per classification, kept exact in the same batch as label writes. */
export const projectFeatureCounts = sqliteTable(
  'project_feature_counts',
  {
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** The tool or classification. */
    featureSchemaId: text().notNull(),
    /** The answer ('' for objects and text answers). */
    answerSchemaId: text().notNull(),
    /** Whose labels (so "Mine" needs no scan either). */
    userId: text().notNull(),
    kind: text({ enum: ['object', 'answer'] }).notNull(),
    name: text().notNull(),
    answer: text().notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.featureSchemaId, t.answerSchemaId, t.userId] })],
)

/** Per person per project: labels, skips, time spent (kept by triggers on labels). */
export const projectMemberStats = sqliteTable(
  'project_member_stats',
  {
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: text().notNull(),
    labels: integer().notNull().default(0),
    skips: integer().notNull().default(0),
    secondsTotal: real().notNull().default(0),
    lastLabelAt: integer(),
    /** This person's submitted (not skipped) labels by review state, so the dashboard's "Mine"
     * reviews never count labels. Kept by triggers like the counters above
     * (migrations/0009_member_review_triggers.sql). */
    reviewsAccepted: integer().notNull().default(0),
    reviewsDeclined: integer().notNull().default(0),
    reviewsAmbiguous: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
)

/** Labels created per day (UTC) per project and author (kept by triggers), for the chart and "Mine". */
export const projectLabelDays = sqliteTable(
  'project_label_days',
  {
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    day: text().notNull(),
    userId: text().notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.day, t.userId] })],
)

/**
 * Append-only facts for usage metering, written in the same batch as the annotations they count.
 * Deleting a label never touches them, so past usage never goes down.
 */
export const usageFacts = sqliteTable(
  'usage_facts',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    orgId: text().notNull(),
    projectId: text().notNull(),
    userId: text().notNull(),
    /** GMT day the annotations were created. */
    day: text().notNull(),
    assetType: text({ enum: ['IMAGE', 'VIDEO', 'TEXT', 'OTHER'] }).notNull(),
    imported: integer({ mode: 'boolean' }).notNull(),
    annotations: integer().notNull(),
    labels: integer().notNull(),
    secondsTotal: real().notNull(),
    createdAt: timestamp().notNull(),
  },
  // No index by organization: the rollup reads facts by id (src/modules/usage/rollup.ts), and an
  // index entry is a row written with every label.
)

/** Outbox of domain events (label and review changes, task endings) for webhooks to deliver. */
export const events = sqliteTable(
  'events',
  {
    id: idColumn(),
    orgId: text().notNull(),
    projectId: text(),
    topic: text().notNull(),
    payload: text({ mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp().notNull(),
    /** When the event was fanned out to webhook deliveries (right after it was recorded, or by the
     * cron's safety net); null = not yet, or no webhook wanted it. Keeps the two from doubling up. */
    dispatchedAt: timestamp(),
  },
  (t) => [index('events_org_idx').on(t.orgId, t.id)],
)

/** Annotation-import lines of a running label import, staged so that all lines of one data row —
 * wherever they are in the file — become one label in the second phase
 * (src/modules/labels/import/staging.ts): a slice's lines as a few chunk rows, not a row per line.
 * Cleared when the import ends. */
export const labelImportChunks = sqliteTable(
  'label_import_chunks',
  {
    taskId: text().notNull(),
    /** The number of its first line in the file. */
    chunk: integer().notNull(),
    /** The data rows its lines name: a sorted JSON array of refs (`id:<data row id>` or
     * `key:<lower-cased global key>` as written in the file). */
    refs: text().notNull(),
    /** Its lines: a JSON array of [line number, data row ref, the line's JSON]. */
    lines: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.chunk] })],
)

/** Each data row a running label import's staged lines name, and the chunks naming it (a JSON
 * array, in file order): what lets phase "group" find a data row's lines however far apart. */
export const labelImportRefs = sqliteTable(
  'label_import_refs',
  {
    taskId: text().notNull(),
    dataRowRef: text().notNull(),
    chunks: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.dataRowRef] })],
)
