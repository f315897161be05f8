// Time-sortable ids: the one Crockford base32 encoder (src/lib/ids.ts) behind new ids, the id
// floor of retention deletes and the deterministic ids of imported data rows.
import { describe, expect, it } from 'vitest'
import { base32, idFloor, idTime, importRowId, newId } from '../../src/lib/ids'

describe('ids', () => {
  it('encodes fixed-width Crockford base32 that sorts like the numbers', () => {
    expect(base32(0, 3)).toBe('000')
    expect(base32(31, 2)).toBe('0Z')
    expect(base32(32, 2)).toBe('10')
    expect(base32(1_700_000_000_000, 10)).toBe('01HF7YAT00')
    const nums = [0, 5, 31, 32, 1000, 32 ** 5, 2 ** 40]
    expect(nums.map((n) => base32(n, 10)).sort()).toEqual(nums.map((n) => base32(n, 10)))
  })

  it('puts the floor of a time between the ids made before and at it', () => {
    const t = 1_700_000_000_123
    expect(idTime(newId('evt', t))).toBe(t)
    expect(newId('evt', t - 1) < idFloor('evt', t)).toBe(true)
    expect(idFloor('evt', t) <= newId('evt', t)).toBe(true)
  })

  it('gives the row of one (task, line) the same id every time, sorted by line', () => {
    const task = newId('tsk')
    expect(importRowId(task, 7)).toBe(importRowId(task, 7))
    expect(importRowId(task, 7) < importRowId(task, 8)).toBe(true)
    expect(importRowId(task, 7)).not.toBe(importRowId(newId('tsk'), 7))
    expect(importRowId(task, 7)).toMatch(/^dr_[0-9A-HJKMNP-TV-Z]{26}$/)
  })
})
