/** @module The usage date range answers one error per bad field, not one per failed check. */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { UsageRange } from '../../src/modules/usage/schemas'

const issues = (q: Record<string, string>) => (v.safeParse(UsageRange, q).issues ?? []).map((i) => i.message)

describe('UsageRange', () => {
  it('one error for one bad date', () => {
    expect(issues({ start_date: '2026-1-5x', end_date: '2026-03-01' })).toEqual(['start_date must be a date like 2026-01-31 (YYYY-MM-DD)'])
    expect(issues({ start_date: '2026-02-30', end_date: '2026-03-01' })).toEqual(['start_date is not a real calendar date'])
    expect(issues({ start_date: '', end_date: '2026-03-01' })).toEqual(['start_date is required'])
  })
  it('one error per bad field', () => {
    expect(issues({ start_date: 'x', end_date: '' })).toEqual([
      'start_date must be a date like 2026-01-31 (YYYY-MM-DD)',
      'end_date is required',
    ])
  })
  it('a good range passes; a reversed one is one error', () => {
    expect(issues({ start_date: '2026-01-01', end_date: '2026-02-01' })).toEqual([])
    expect(issues({ start_date: '2026-02-01', end_date: '2026-01-01' })).toEqual([
      'end_date must be after start_date (the end is exclusive)',
    ])
  })
})
