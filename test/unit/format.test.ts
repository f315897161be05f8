import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
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
  it('integers are grouped by hand exactly as Intl en-US groups them; anything else is Intl', () => {
    const intl = new Intl.NumberFormat('en-US')
    const edges = [
      0,
      -0,
      1,
      -1,
      999,
      1000,
      -1000,
      100_000,
      1_000_000,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 53,
      1e21,
      1.5,
      -2.25,
      0.0004,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]
    for (const n of edges) expect(formatNumber(n)).toBe(intl.format(n))
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.maxSafeInteger(), fc.double()),
        (n) => formatNumber(n) === intl.format(n),
      ),
    )
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
