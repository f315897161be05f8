/**
 * @module Cloud-storage integrations (AWS IAM delegated access). The organization's external id
 * lives on `organizations` (one per org, stable across its integrations); each integration names
 * the role LabelDesk assumes and remembers its last validation.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { idColumn, timestamp } from './columns'
import { organizations } from './orgs'

export const INTEGRATION_PROVIDERS = ['AWS'] as const
export type IntegrationProvider = (typeof INTEGRATION_PROVIDERS)[number]

export type IntegrationCheck = { name: string; success: boolean; message: string }

export const integrations = sqliteTable(
  'integrations',
  {
    id: idColumn(),
    orgId: text()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    provider: text({ enum: INTEGRATION_PROVIDERS }).notNull(),
    name: text().notNull(),
    roleArn: text(),
    /** null until validated; reset to null when the role changes. */
    valid: integer({ mode: 'boolean' }),
    /** When the last validation ran, and when one last passed. */
    validatedAt: timestamp(),
    lastValidAt: timestamp(),
    /** The named checks of the last validation, shown on the page. */
    checks: text({ mode: 'json' }).$type<IntegrationCheck[]>(),
    isOrgDefault: integer({ mode: 'boolean' }).notNull().default(false),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [
    index('integrations_org_idx').on(t.orgId, t.id),
    // At most one default per organization, enforced by the database rather than by care.
    uniqueIndex('integrations_org_default_uq').on(t.orgId).where(sql`${t.isOrgDefault} = 1`),
  ],
)
