/** @module Datasets and data rows. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn, timestamp } from './columns'
import { organizations } from './orgs'

export const DATA_MEDIA_TYPES = [
  'IMAGE',
  'VIDEO',
  'TEXT',
  'AUDIO',
  'PDF',
  'HTML',
  'CONVERSATIONAL',
  'GEOSPATIAL',
  'DICOM',
  'OTHER',
] as const
export type DataMediaType = (typeof DATA_MEDIA_TYPES)[number]

export const datasets = sqliteTable(
  'datasets',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    description: text().notNull().default(''),
    rowCount: integer().notNull().default(0),
    integrationId: text(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
    deletedAt: timestamp(),
  },
  (t) => [index('datasets_org_idx').on(t.orgId, t.deletedAt, t.id)],
)

export type MetadataField = { name: string; value: string | number | boolean | null; schema_id?: string }
export type Attachment = { type: string; value: string; name?: string }

export const dataRows = sqliteTable(
  'data_rows',
  {
    id: idColumn(),
    orgId: text().notNull(),
    datasetId: text()
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    rowData: text().notNull(),
    globalKey: text(),
    /** Lower-cased global key: unique per organization, case-insensitive. */
    globalKeyLower: text(),
    externalId: text(),
    mediaType: text({ enum: DATA_MEDIA_TYPES }).notNull(),
    metadataFields: text({ mode: 'json' }).$type<MetadataField[]>().notNull(),
    attachments: text({ mode: 'json' }).$type<Attachment[]>().notNull(),
    /** mime type, width, height … when known. */
    mediaAttributes: text({ mode: 'json' }).$type<Record<string, unknown>>(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [index('data_rows_dataset_idx').on(t.datasetId, t.id), uniqueIndex('data_rows_global_key_uq').on(t.orgId, t.globalKeyLower)],
)
