/** @module Passwords (PBKDF2-SHA256 through WebCrypto), random tokens and hashes. */

/** Production Workers refuse more than 100,000 PBKDF2 iterations; local workerd does not, so the
 * cap is enforced here where a local run would otherwise never notice. */
export const MAX_PBKDF2_ITERATIONS = 100_000

const enc = new TextEncoder()

export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}
export function fromBase64(s: string): Uint8Array {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
}

export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', enc.encode(value)))
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be 1..${MAX_PBKDF2_ITERATIONS}`)
  }
  const key = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

/** Returns `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>` with a fresh 16-byte salt. */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(password, salt, iterations)
  return `pbkdf2_sha256$${iterations}$${toBase64(salt)}$${toBase64(hash)}`
}

/** Verifies with the iteration count stored in the hash, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, saltB64, hashB64] = stored.split('$')
  if (scheme !== 'pbkdf2_sha256' || !iter || !saltB64 || !hashB64) return false
  const expected = fromBase64(hashB64)
  const actual = await derive(password, fromBase64(saltB64), Number(iter))
  if (actual.byteLength !== expected.byteLength) return false
  return crypto.subtle.timingSafeEqual(actual, expected)
}

/** A hash that is verified when the email is unknown, so timing does not reveal which emails exist. */
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(iterations: number): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password', iterations)
  return dummyHash
}
