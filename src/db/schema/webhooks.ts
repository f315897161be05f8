/**
 * @module Webhooks: subscriptions of an organization's own endpoints to outbox events, the log of
 * every delivery attempt, and the dispatcher's watermark over the `events` outbox.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { idColumn, timestamp } from './columns'

export const WEBHOOK_STATUSES = ['ACTIVE', 'INACTIVE'] as const
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number]

export const webhooks = sqliteTable(
  'webhooks',
  {
    id: idColumn(),
    orgId: text().notNull(),
    url: text().notNull(),
    /** Signing secret (`whsec_<base64>` when generated; any given string otherwise). */
    secret: text().notNull(),
    /** After a rotation the old secret keeps signing alongside the new one until it expires. */
    previousSecret: text(),
    previousSecretExpiresAt: timestamp(),
    topics: text({ mode: 'json' }).$type<string[]>().notNull(),
    /** null = every project of the organization. */
    projectId: text(),
    status: text({ enum: WEBHOOK_STATUSES }).notNull().default('ACTIVE'),
    disabledReason: text(),
    /** Events in a row whose delivery finally failed; reset by a success. */
    consecutiveFailures: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: timestamp().notNull(),
    updatedAt: timestamp().notNull(),
  },
  (t) => [index('webhooks_org_idx').on(t.orgId, t.id)],
)

/** One row per attempt (first try, retries, redeliveries). */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: idColumn(),
    webhookId: text()
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: text().notNull(),
    topic: text().notNull(),
    attempt: integer().notNull(),
    /** null when no answer came (network error, timeout, refused target). */
    statusCode: integer(),
    durationMs: integer(),
    /** At most 4 KB of the answer's body. */
    responseExcerpt: text(),
    error: text(),
    /** When the next retry is due, when one was scheduled. */
    nextAttemptAt: timestamp(),
    createdAt: timestamp().notNull(),
  },
  (t) => [index('webhook_deliveries_webhook_idx').on(t.webhookId, t.id), index('webhook_deliveries_event_idx').on(t.webhookId, t.eventId)],
)

/** Events (by id, which sorts by time) up to `lastEventId` have been fanned out to deliveries. */
export const webhookDispatch = sqliteTable('webhook_dispatch', {
  id: text().primaryKey(),
  lastEventId: text().notNull(),
  updatedAt: timestamp().notNull(),
})
