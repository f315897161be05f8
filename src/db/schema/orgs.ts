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
  /** Memberships of the organization, kept exact by triggers (migrations/0021_member_counters.sql):
   * the seat count reads this instead of counting members. */
  memberCount: integer().notNull().default(0),
  /** Invitations neither accepted nor revoked (expired ones included: the seat count subtracts
   * those through invitations_pending_expiry_idx), kept exact by the same triggers. */
  openInvitationCount: integer().notNull().default(0),
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
  (t) => [
    uniqueIndex('memberships_user_uq').on(t.userId),
    index('memberships_org_idx').on(t.orgId, t.id),
    // A project's members with an org role, without reading the project-based ones who have no
    // role in it (src/modules/projects/members.ts). One more index entry per membership written.
    index('memberships_org_role_idx').on(t.orgId, t.role),
  ],
)
