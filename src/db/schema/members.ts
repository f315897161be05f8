/** @module Invitations (single-use, expiring accept links) and API keys. */
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn, ORG_ROLES, timestamp } from './columns'
import { organizations, users } from './orgs'

export const invitations = sqliteTable(
  'invitations',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text().notNull(),
    role: text({ enum: ORG_ROLES }).notNull(),
    /** JSON `[{"project_id","role"}]`, applied on acceptance when `role` is NONE. */
    projectRoles: text({ mode: 'json' }).$type<{ project_id: string; role: string }[]>().notNull(),
    /** SHA-256 of the accept token; replaced on resend, so the old link dies. */
    tokenHash: text().notNull(),
    invitedBy: text().notNull(),
    createdAt: timestamp().notNull(),
    expiresAt: timestamp().notNull(),
    acceptedAt: timestamp(),
    revokedAt: timestamp(),
  },
  (t) => [
    uniqueIndex('invitations_token_uq').on(t.tokenHash),
    index('invitations_org_idx').on(t.orgId, t.email),
    // Pending invitations only (accepted and revoked ones leave them): the list pages through the
    // first, newest first; the seat count subtracts the expired ones through the second.
    index('invitations_pending_idx').on(t.orgId, t.id).where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
    index('invitations_pending_expiry_idx').on(t.orgId, t.expiresAt).where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
  ],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** The first characters of the secret, shown in lists so people can tell keys apart. */
    prefix: text().notNull(),
    /** SHA-256 (hex) of the secret. The secret itself is shown once and never stored. */
    hash: text().notNull(),
    /** A narrower role for the key; null = the owner's role. */
    role: text({ enum: ORG_ROLES }),
    readOnly: integer({ mode: 'boolean' }).notNull().default(false),
    createdAt: timestamp().notNull(),
    expiresAt: timestamp().notNull(),
    lastUsedAt: timestamp(),
    revokedAt: timestamp(),
    /** The key that created this one (null: created in a signed-in session). Its revocation and
     * expiry bound this key: src/modules/api-keys/service.ts checks the chain on every lookup. */
    parentKeyId: text(),
  },
  (t) => [
    uniqueIndex('api_keys_hash_uq').on(t.hash),
    index('api_keys_parent_idx').on(t.parentKeyId),
    index('api_keys_org_idx').on(t.orgId, t.id),
    index('api_keys_user_idx').on(t.userId),
  ],
)
