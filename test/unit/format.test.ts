import { describe, expect, it } from 'vitest'
import { formatBytes, formatNumber, timeAgo } from '../../views/format'
import { idTime, newId } from '../../src/lib/ids'

describe('formatting for people', () => {
  it('relative times, past and future', () => {
    const now = Date.UTC(2026, 10, 28, 12)
    expect(timeAgo(now - 10_000, now)).toBe('just now')
    expect(timeAgo(now - 3 * 60_000, now)).toBe('3 min ago')
    expect(timeAgo(now + 7 * 86_400_000, now)).toBe('in 7 d')
    expect(timeAgo(now - 5 * 3600_000, now)).toBe('5 h ago')
    expect(timeAgo(now - 400 * 86_400_000, now)).toBe('2025-10-24')
  })
  it('numbers and bytes', () => {
    expect(formatNumber(12400)).toBe('12,400')
    expect(formatBytes(1_250_000)).toBe('1.2 MB')
    expect(formatBytes(512)).toBe('512 B')
  })
})

describe('ids', () => {
  it('are prefixed and sort by creation time, even within one millisecond', () => {
    const t = Date.now()
    const ids = Array.from({ length: 50 }, () => newId('prj', t))
    expect(ids.every((id) => /^prj_[0-9A-Z]{26}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
    expect(newId('prj', t + 1) > ids[49]!).toBe(true)
    expect(idTime(ids[0]!)).toBe(t)
  })
})
