/** @module API key inputs, and the shape of a key in answers (its TS type is inferred here). */
import * as v from 'valibot'
import { Name } from '../../lib/validate'
import { ORG_ROLES } from '../../db/schema/columns'

const KeyRole = v.picklist(['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER'], 'role must be one of ADMIN, TEAM_MANAGER, REVIEWER, LABELER')

export const CreateApiKeyInput = v.object({
  name: Name,
  expires_in_days: v.optional(
    v.pipe(
      v.number('expires_in_days must be a number'),
      v.integer('expires_in_days must be a whole number'),
      v.minValue(1, 'expires_in_days must be between 1 and 365'),
      v.maxValue(365, 'expires_in_days must be between 1 and 365 (a key lives at most a year)'),
    ),
    90,
  ),
  role: v.optional(v.nullable(KeyRole)),
  read_only: v.optional(v.boolean('read_only must be true or false'), false),
})
export type CreateApiKeyInput = v.InferOutput<typeof CreateApiKeyInput>

/** The HTML form sends strings; they are converted, then the same rules apply as for JSON. */
export function fromForm(f: Record<string, string>): unknown {
  const days = f.expires_in_days ?? '90'
  return {
    name: f.name ?? '',
    expires_in_days: /^\s*-?\d+\s*$/.test(days) ? Number(days) : days,
    role: f.role ? f.role : null,
    read_only: f.read_only === 'on' || f.read_only === 'true',
  }
}

/** A key as lists show it: never its secret. */
export const ApiKeyView = v.object({
  id: v.string(),
  name: v.string(),
  prefix: v.string(),
  /** A narrower role than its owner's, or null for the owner's own. */
  role: v.nullable(v.picklist(ORG_ROLES)),
  read_only: v.boolean(),
  created_at: v.string(),
  last_used_at: v.nullable(v.string()),
  expires_at: v.string(),
  revoked_at: v.nullable(v.string()),
  status: v.picklist(['ACTIVE', 'EXPIRED', 'REVOKED']),
  owner: v.object({ id: v.string(), email: v.string() }),
})
export type ApiKeyView = v.InferOutput<typeof ApiKeyView>

/** The answer to creating a key: the only one that carries the secret, `key`. */
export const CreatedApiKey = v.object({ ...ApiKeyView.entries, key: v.string() })
export type CreatedApiKey = v.InferOutput<typeof CreatedApiKey>
