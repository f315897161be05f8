/**
 * @module Webhook signatures over the exact body bytes.
 *
 * Key bytes: a generated secret is `whsec_` + base64 of 32 random bytes; for Standard Webhooks its
 * key is the base64-decoded part (what the `standardwebhooks` library does with a `whsec_` secret).
 * A user-given secret that is not `whsec_…` is used as its raw UTF-8 bytes (verify it with
 * `new Webhook(bytes, { format: 'raw' })`). The Labelbox-compatible `X-Hub-Signature` and
 * `X-Hub-Signature-256` are HMACs keyed with the secret string as shown (its UTF-8 bytes, `whsec_`
 * included), exactly as a Labelbox receiver computes `hmac(secret.encode(), body)`.
 */
import { fromBase64, toBase64, toHex } from '../../lib/crypto'

const enc = new TextEncoder()
export const SECRET_PREFIX = 'whsec_'

export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)))
}

/** The Standard Webhooks key bytes of a secret. */
export function standardKey(secret: string): Uint8Array {
  return secret.startsWith(SECRET_PREFIX) ? fromBase64(secret.slice(SECRET_PREFIX.length)) : enc.encode(secret)
}

export function isValidWhsec(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return true
  try {
    return fromBase64(secret.slice(SECRET_PREFIX.length)).byteLength >= 16
  } catch {
    return false
  }
}

async function hmac(hash: 'SHA-1' | 'SHA-256', key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)))
}

/** Every signature header of one delivery. `previousSecret` (during rotation) adds a second v1. */
export async function signatureHeaders(o: {
  id: string
  timestamp: number
  body: string
  secret: string
  previousSecret?: string | null
}): Promise<Record<string, string>> {
  const signed = `${o.id}.${o.timestamp}.${o.body}`
  const v1 = [`v1,${toBase64(await hmac('SHA-256', standardKey(o.secret), signed))}`]
  if (o.previousSecret) v1.push(`v1,${toBase64(await hmac('SHA-256', standardKey(o.previousSecret), signed))}`)
  const hubKey = enc.encode(o.secret)
  return {
    'X-Hub-Signature': `sha1=${toHex(await hmac('SHA-1', hubKey, o.body))}`,
    'X-Hub-Signature-256': `sha256=${toHex(await hmac('SHA-256', hubKey, o.body))}`,
    'webhook-id': o.id,
    'webhook-timestamp': String(o.timestamp),
    'webhook-signature': v1.join(' '),
  }
}
