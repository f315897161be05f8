/** @module Organizations, people and their membership (one organization per person). */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn, ORG_ROLES, timestamp } from './columns'
import { randomToken } from '../../lib/crypto'

export const organizations = sqliteTable('organizations', {
  id: idColumn(),
  name: text().notNull(),
  /** Members + pending invitations may not exceed this; null = unlimited. */
  seatLimit: integer(),
  /** Random, stable id AWS roles name in their trust policy (the confused-deputy guard), shared by
   * every integration of the organization. Made with the organization (here, for every insert
   * through drizzle), so that reading it never needs a write; organizations made before that got
   * theirs in migrations/0020_org_external_ids.sql. Still nullable: src/modules/integrations/
   * service.ts `orgExternalId` makes one for a row inserted some other way. */
  awsExternalId: text().$defaultFn(() => `ld-${randomToken(18)}`),
  createdAt: timestamp().notNull(),
})

export const users = sqliteTable(
  'users',
  {
    id: idColumn(),
    /** Stored lower-cased; unique across the platform. */
    email: text().notNull(),
    fullName: text().notNull(),
    /** `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>` */
    passwordHash: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [uniqueIndex('users_email_uq').on(t.email)],
)

export const memberships = sqliteTable(
  'memberships',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: ORG_ROLES }).notNull(),
    createdAt: timestamp().notNull(),
  },
  (t) => [uniqueIndex('memberships_user_uq').on(t.userId), index('memberships_org_idx').on(t.orgId, t.id)],
)
