/** @module Column helpers shared by every schema file: prefixed text ids and millisecond timestamps. */
import { integer, text } from 'drizzle-orm/sqlite-core'

/** Primary key: a prefixed, time-sortable id made by `newId()` (lib/ids.ts). */
export const idColumn = () => text().primaryKey()

/** Milliseconds since the epoch, stored as INTEGER, read as Date. */
export const timestamp = () => integer({ mode: 'timestamp_ms' })

export const ORG_ROLES = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE'] as const
export type OrgRole = (typeof ORG_ROLES)[number]
export const PROJECT_ROLES = ['TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE'] as const
export type ProjectRole = (typeof PROJECT_ROLES)[number]
