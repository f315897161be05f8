/** @module Who is acting: the one type every layer passes around (kept apart from env.ts so that
 * auth code can name it without importing the bindings). */
import type { OrgRole } from '../db/schema/columns'

/** Who is acting. Built from a session cookie or an API key; `system` for queue/cron work. */
export type Actor = {
  userId: string
  email: string
  fullName: string
  orgId: string
  orgName: string
  /** The member's org role (for API keys: already narrowed to the key's role). */
  role: OrgRole
  via: 'session' | 'api_key' | 'system'
  sessionId?: string
  apiKeyId?: string
  /** The API key's own narrower role, if any: it also caps a project-based member's project roles. */
  keyRole?: OrgRole | null
  /** A read-only API key may only read. */
  readOnly: boolean
}
