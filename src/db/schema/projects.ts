/** @module Projects and per-project roles of project-based members. */
import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { idColumn, PROJECT_ROLES, timestamp } from './columns'
import { organizations, users } from './orgs'

export const MEDIA_TYPES = ['IMAGE', 'VIDEO', 'TEXT', 'AUDIO', 'PDF', 'HTML', 'CONVERSATIONAL', 'GEOSPATIAL', 'DICOM'] as const
export type MediaType = (typeof MEDIA_TYPES)[number]

export const projects = sqliteTable(
  'projects',
  {
    id: idColumn(),
    orgId: text().notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    description: text().notNull().default(''),
    mediaType: text({ enum: MEDIA_TYPES }).notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
    /** Set when deletion starts: the project leaves every list at once while a task removes its rows. */
    deletedAt: timestamp(),
  },
  (t) => [index('projects_org_idx').on(t.orgId, t.deletedAt, t.id)],
)

/** Roles of project-based members (org role NONE). Kept when the member's org role changes, so
 * switching to NONE and back restores them. */
export const projectMembers = sqliteTable(
  'project_members',
  {
    projectId: text().notNull().references(() => projects.id, { onDelete: 'cascade' }),
    userId: text().notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: PROJECT_ROLES }).notNull(),
    createdAt: timestamp().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId, t.projectId)],
)
