/** @module Prefixed ids that sort by creation time (`prj_01JD…`): 48 bits of milliseconds in
 * Crockford base32, then 80 random bits. Sorting by id therefore sorts newest/oldest first,
 * which keyset pagination relies on. */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export type IdPrefix =
  | 'org' | 'usr' | 'mem' | 'inv' | 'key' | 'prj' | 'ds' | 'dr' | 'lbl' | 'ann' | 'rev'
  | 'tsk' | 'whk' | 'evt' | 'dlv' | 'int' | 'bat' | 'fs' | 'req' | 'pm' | 'att'

let lastTime = 0
let lastRandom: number[] = []

/** Monotonic within one isolate: two ids made in the same millisecond still sort in order. */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  let random: number[]
  if (now === lastTime) {
    random = [...lastRandom]
    for (let i = random.length - 1; i >= 0; i--) {
      if (random[i]! < 31) { random[i]!++; break }
      random[i] = 0
    }
  } else {
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    random = Array.from(bytes, (b) => b & 31)
  }
  lastTime = now
  lastRandom = random
  let time = ''
  let t = now
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  return `${prefix}_${time}${random.map((n) => ALPHABET[n]).join('')}`
}

/** The creation time encoded in an id made by `newId`. */
export function idTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11)
  let t = 0
  for (const ch of body) t = t * 32 + ALPHABET.indexOf(ch)
  return t
}
