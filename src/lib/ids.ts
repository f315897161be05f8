/** @module Prefixed ids that sort by creation time (`prj_01JD…`): 48 bits of milliseconds in
 * Crockford base32, then 80 random bits. Sorting by id therefore sorts newest/oldest first,
 * which keyset pagination relies on. */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** `n` (a non-negative integer) in `len` Crockford base32 digits, most significant first: equal
 * lengths sort like the numbers. */
export function base32(n: number, len: number): string {
  let s = ''
  for (let i = 0; i < len; i++, n = Math.floor(n / 32)) s = ALPHABET[n % 32] + s
  return s
}

export type IdPrefix =
  | 'org'
  | 'usr'
  | 'mem'
  | 'inv'
  | 'key'
  | 'prj'
  | 'ds'
  | 'dr'
  | 'lbl'
  | 'ann'
  | 'rev'
  | 'tsk'
  | 'whk'
  | 'evt'
  | 'dlv'
  | 'int'
  | 'bat'
  | 'fs'
  | 'req'
  | 'pm'
  | 'att'

let lastTime = 0
let lastRandom: number[] = []

/** Monotonic within one isolate: two ids made in the same millisecond still sort in order. */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let random: number[]
  if (now === lastTime) {
    random = [...lastRandom]
    for (let i = random.length - 1; i >= 0; i--) {
      if (random[i]! < 31) {
        random[i]!++
        break
      }
      random[i] = 0
    }
  } else {
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    random = Array.from(bytes, (b) => b & 31)
  }
  lastTime = now
  lastRandom = random
  return `${prefix}_${base32(now, 10)}${random.map((n) => ALPHABET[n]).join('')}`
}

/** The smallest id `newId(prefix)` can make at `ms`: every id made earlier sorts below it, so
 * "older than" becomes a primary-key range. */
export function idFloor(prefix: string, ms: number): string {
  return `${prefix}_${base32(Math.max(0, Math.floor(ms)), 10)}`
}

/** Deterministic, time-sortable id of the data row imported from `line` by task `taskId` (the task
 * id's time, a hash of the task id, the line): a slice that runs twice makes the same ids. */
export function importRowId(taskId: string, line: number): string {
  let h = 0x811c9dc5
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193) >>> 0
  return `dr_${taskId.slice(4, 14)}${base32(h >>> 2, 6)}${base32(line, 10)}`
}

/** The creation time encoded in an id made by `newId`. */
export function idTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11)
  let t = 0
  for (const ch of body) t = t * 32 + ALPHABET.indexOf(ch)
  return t
}
