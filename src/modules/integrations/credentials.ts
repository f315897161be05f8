/**
 * @module Assumed-role credentials, cached per integration inside this isolate until shortly before
 * they expire, so serving a page of thumbnails costs one STS call an hour rather than one per image.
 * Concurrent requests for the same integration share one in-flight AssumeRole. A change of role or
 * external id changes the cache key, so stale credentials are never reused for a new role.
 */
import { assumeRole, type AwsConfig, type TempCredentials } from './aws'

/** Refresh this long before expiry, so a URL signed now stays valid for its full 15 minutes. */
export const REFRESH_BEFORE_MS = 20 * 60_000

const cache = new Map<string, Promise<TempCredentials>>()

export async function roleCredentials(
  cfg: AwsConfig,
  i: { id: string; roleArn: string; externalId: string; accountId?: string },
  now = Date.now(),
): Promise<TempCredentials> {
  const key = `${i.id}\n${i.roleArn}\n${i.externalId}\n${cfg.accessKeyId}\n${cfg.endpoint ?? ''}`
  const hit = cache.get(key)
  if (hit) {
    const creds = await hit.catch(() => null)
    if (creds && creds.expiresAt - REFRESH_BEFORE_MS > now) return creds
  }
  const p = assumeRole(cfg, i.roleArn, i.externalId, `labeldesk-${i.id}`.slice(0, 64), i.accountId)
  cache.set(key, p)
  // A failure is never cached: the next request asks STS again.
  p.catch(() => {
    if (cache.get(key) === p) cache.delete(key)
  })
  return p
}

/** Forget an integration's credentials (role changed, integration deleted). */
export function forgetCredentials(integrationId: string) {
  for (const k of cache.keys()) if (k.startsWith(`${integrationId}\n`)) cache.delete(k)
}
