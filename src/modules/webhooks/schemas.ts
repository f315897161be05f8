/** @module Webhook inputs (JSON and the HTML form share these rules), and the shapes of webhook
 * answers (their TS types are inferred here). */
import * as v from 'valibot'
import { WEBHOOK_STATUSES } from '../../db/schema'

/** Topics a webhook can subscribe to. `PING` is only ever sent by the Ping button / endpoint. */
export const WEBHOOK_TOPICS = [
  'LABEL_CREATED',
  'LABEL_UPDATED',
  'LABEL_DELETED',
  'REVIEW_CREATED',
  'REVIEW_UPDATED',
  'TASK_COMPLETED',
  'TASK_FAILED',
] as const
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number]

const Url = v.pipe(
  v.string('url is required'),
  v.trim(),
  v.minLength(1, 'url is required'),
  v.maxLength(2000, 'url must be at most 2000 characters'),
)
const Topics = v.pipe(
  v.array(v.picklist(WEBHOOK_TOPICS, `Unknown topic; use ${WEBHOOK_TOPICS.join(', ')}`), 'topics must be a list of topics'),
  v.minLength(1, 'Choose at least one topic'),
  v.transform((t) => [...new Set(t)]),
)
const Secret = v.pipe(
  v.string('secret must be a string'),
  v.minLength(16, 'secret must be at least 16 characters'),
  v.maxLength(200, 'secret must be at most 200 characters'),
  v.regex(/^[\x21-\x7e]+$/, 'secret must be printable ASCII without spaces'),
)
const ProjectId = v.nullable(v.pipe(v.string('project_id must be a string'), v.maxLength(100, 'project_id is invalid')))

export const CreateWebhookInput = v.object({
  url: Url,
  /** Omitted or empty: generated and shown once. */
  secret: v.optional(v.nullable(v.union([v.literal(''), Secret], 'secret must be at least 16 printable characters'))),
  topics: Topics,
  project_id: v.optional(ProjectId),
})
export type CreateWebhookInput = v.InferOutput<typeof CreateWebhookInput>

export const UpdateWebhookInput = v.object({
  url: v.optional(Url),
  topics: v.optional(Topics),
  project_id: v.optional(ProjectId),
  status: v.optional(v.picklist(['ACTIVE', 'INACTIVE'], 'status must be ACTIVE or INACTIVE')),
  /** A new given secret (the old one keeps signing alongside for 24 h). */
  secret: v.optional(Secret),
  /** Generate a new secret (shown once in the answer); the old one keeps signing for 24 h. */
  rotate_secret: v.optional(v.boolean('rotate_secret must be true or false')),
})
export type UpdateWebhookInput = v.InferOutput<typeof UpdateWebhookInput>

/** The HTML form sends strings (topics as repeated fields). */
export function fromForm(f: Record<string, string[]>): Record<string, unknown> {
  const one = (k: string) => f[k]?.[0] ?? ''
  return {
    url: one('url'),
    secret: one('secret') || null,
    topics: f.topics ?? [],
    project_id: one('project_id') || null,
  }
}

/** A webhook as answers show it: never its secret. */
export const WebhookView = v.object({
  id: v.string(),
  url: v.string(),
  topics: v.array(v.string()),
  project_id: v.nullable(v.string()),
  status: v.picklist(WEBHOOK_STATUSES),
  disabled_reason: v.nullable(v.string()),
  consecutive_failures: v.number(),
  secret_rotation_ends_at: v.nullable(v.string()),
  created_at: v.string(),
  updated_at: v.string(),
})
export type WebhookView = v.InferOutput<typeof WebhookView>

/** Creating a webhook or rotating its secret: the only answers that carry the secret. */
export const WebhookWithSecret = v.object({ ...WebhookView.entries, secret: v.optional(v.string()) })
export type WebhookWithSecret = v.InferOutput<typeof WebhookWithSecret>

/** One attempt in the delivery log. */
export const DeliveryView = v.object({
  id: v.string(),
  event_id: v.string(),
  topic: v.string(),
  attempt: v.number(),
  status_code: v.nullable(v.number()),
  duration_ms: v.nullable(v.number()),
  response_excerpt: v.nullable(v.string()),
  error: v.nullable(v.string()),
  next_attempt_at: v.nullable(v.string()),
  created_at: v.string(),
})
export type DeliveryView = v.InferOutput<typeof DeliveryView>

/** A ping or redelivery: the event queued. */
export const QueuedView = v.object({ event_id: v.string() })
