/** @module Server-side sessions and the login rate-limit counters. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { timestamp } from './columns'
import { organizations, users } from './orgs'

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 (hex) of the cookie token: the token itself is never stored. */
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: timestamp().notNull(),
    expiresAt: timestamp().notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
)

/** Fixed-window counters (per email, per IP) kept in D1 so every isolate sees the same count. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text().primaryKey(),
  windowStart: integer().notNull(),
  count: integer().notNull(),
})
