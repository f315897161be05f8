/**
 * @module Signed, expiring links to uploaded assets, for exports: an `r2://` row means nothing
 * outside LabelDesk, so export lines carry `{base}/api/v1/data-rows/{id}/content?expires=…&signature=…`
 * instead, which anyone holding the export can open until it expires (as Labelbox does for files
 * in its own storage). The signature is an HMAC-SHA256 over the row id and the expiry with the
 * `ASSET_URL_SECRET` secret; the content route checks it without a session. Rotating the secret
 * revokes every link handed out. Without the secret, exports link the same route unsigned (it
 * then needs an API key of the organization) and say so in the task's metadata.
 */
import type { Env } from '../../env'
import { toBase64Url } from '../../lib/crypto'

/** How long an export's asset links work, from the moment the export was started. */
export const ASSET_URL_TTL_SECONDS = 7 * 24 * 3600

const enc = new TextEncoder()
const message = (rowId: string, expires: number) => enc.encode(`labeldesk-asset:v1:${rowId}:${expires}`)

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage])

/** The base of links handed out: the `PUBLIC_URL` setting, else the origin of the request that asked. */
export function publicBase(env: Pick<Env, 'PUBLIC_URL'>, requestOrigin: string | undefined): string | null {
  const set = env.PUBLIC_URL?.trim().replace(/\/+$/, '')
  return set || requestOrigin?.replace(/\/+$/, '') || null
}

/** How an export writes the links of uploaded assets (kept in the task's params and metadata). */
export type AssetLinks = { base: string; signed: boolean; expires: number | null }

export function assetLinks(
  env: Pick<Env, 'PUBLIC_URL' | 'ASSET_URL_SECRET'>,
  requestOrigin: string | undefined,
  now = Date.now(),
): AssetLinks | null {
  const base = publicBase(env, requestOrigin)
  if (!base) return null
  const signed = !!env.ASSET_URL_SECRET
  return { base, signed, expires: signed ? Math.floor(now / 1000) + ASSET_URL_TTL_SECONDS : null }
}

/** What the export's metadata says about the links. */
export function assetLinksNote(l: AssetLinks): Record<string, unknown> {
  return l.signed
    ? {
        kind: 'signed',
        expires_at: new Date(l.expires! * 1000).toISOString(),
        note: 'Uploaded assets are linked by signed URLs that anyone holding them can open until expires_at; export again for fresh links.',
      }
    : {
        kind: 'api',
        expires_at: null,
        note: 'Uploaded assets are linked by the API content route; send an API key of the organization (Authorization: Bearer) to open them.',
      }
}

/** Signs links for many rows with one imported key. */
export async function assetUrlSigner(env: Pick<Env, 'ASSET_URL_SECRET'>, l: AssetLinks): Promise<(rowId: string) => Promise<string>> {
  const plain = (rowId: string) => `${l.base}/api/v1/data-rows/${rowId}/content`
  if (!l.signed || !env.ASSET_URL_SECRET || l.expires === null) return async (rowId) => plain(rowId)
  const key = await hmacKey(env.ASSET_URL_SECRET, 'sign')
  const expires = l.expires
  return async (rowId) => {
    const sig = toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, message(rowId, expires))))
    return `${plain(rowId)}?expires=${expires}&signature=${sig}`
  }
}

function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(s)) return null
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)
  try {
    return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))
  } catch {
    return null
  }
}

/** Why a signed link is refused, or null when it is good (constant-time check). */
export async function assetLinkProblem(
  env: Pick<Env, 'ASSET_URL_SECRET'>,
  rowId: string,
  expires: string,
  signature: string,
  now = Date.now(),
): Promise<string | null> {
  if (!env.ASSET_URL_SECRET) return 'Signed links are not enabled on this installation'
  const exp = /^\d{1,12}$/.test(expires) ? Number(expires) : NaN
  const sig = fromBase64Url(signature)
  if (!Number.isFinite(exp) || !sig) return 'The link is malformed'
  if (exp * 1000 < now) return 'The link has expired; export again for a fresh one'
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(env.ASSET_URL_SECRET, 'verify'), sig, message(rowId, exp))
  return ok ? null : 'The link’s signature does not match'
}
