import { describe, expect, it } from 'vitest'
import {
  axisNumber,
  BarChart,
  fillGaps,
  nextBucket,
  niceStep,
  niceTicks,
  thinEvery,
  type BarChartProps,
} from '../../views/components/chart'
import { chartSeries, MAX_BARS } from '../../views/projects/dashboard/labels-chart'
import { bucketName, bucketTick, dashUrl, formatDuration } from '../../views/projects/dashboard/shared'

const render = async (props: Partial<BarChartProps> & Pick<BarChartProps, 'data'>) =>
  String(await (<BarChart id="c" title="Labels created per day" unit={['label', 'labels']} {...props} />).toString())

const bars = (html: string) =>
  [...html.matchAll(/<rect class="bar"[^>]*?y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*><title>([^<]*)<\/title><\/rect>/g)].map(
    (m) => ({ y: Number(m[1]), width: Number(m[2]), height: Number(m[3]), title: m[4]! }),
  )
const yTicks = (html: string) =>
  [...html.matchAll(/<text x="[\d.]+" y="[\d.]+" dy="0.32em" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]!)
const xLabels = (html: string) => [...html.matchAll(/<text class="x-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!)

function isRoundStep(step: number) {
  const exp = 10 ** Math.floor(Math.log10(step))
  return [1, 2, 5, 10].some((f) => Math.abs(step / exp - f) < 1e-9)
}

describe('scales', () => {
  it('ticks are round (1-2-5 steps), start at 0, cover the maximum, and stay few', () => {
    for (const max of [1, 2, 3, 4, 5, 7, 9, 10, 12, 17, 23, 48, 99, 100, 101, 250, 999, 1234, 4321, 98_765, 1_234_567]) {
      const t = niceTicks(max)
      expect(t[0], `max ${max}`).toBe(0)
      expect(t[t.length - 1]!, `max ${max}`).toBeGreaterThanOrEqual(max)
      expect(t.length, `max ${max}: ${t}`).toBeLessThanOrEqual(5)
      expect(t.length, `max ${max}: ${t}`).toBeGreaterThanOrEqual(2)
      const step = t[1]! - t[0]!
      expect(isRoundStep(step), `max ${max}: step ${step}`).toBe(true)
      expect(
        t.every((v, i) => v === i * step),
        `max ${max}: evenly spaced`,
      ).toBe(true)
      expect(t.every(Number.isInteger)).toBe(true)
      // The top tick is the first one at or above the maximum: no empty band above.
      expect(t[t.length - 2]!).toBeLessThan(max)
    }
    expect(niceTicks(12)).toEqual([0, 5, 10, 15])
    expect(niceTicks(3)).toEqual([0, 1, 2, 3])
    expect(niceTicks(1)).toEqual([0, 1])
    expect(niceTicks(0)).toEqual([0, 1])
    expect(niceTicks(0.7, 5, false)).toEqual([0, 0.2, 0.4, 0.6, 0.8])
    expect(niceStep(3)).toBe(5)
    expect(niceStep(0.03)).toBeCloseTo(0.05)
  })

  it('axis numbers stay short', () => {
    expect(axisNumber(950)).toBe('950')
    expect(axisNumber(1200)).toBe('1,200')
    expect(axisNumber(15_000)).toBe('15k')
    expect(axisNumber(250_000)).toBe('250k')
    expect(axisNumber(1_500_000)).toBe('1.5M')
  })
})

describe('buckets', () => {
  it('steps days, weeks and months (across month and year ends)', () => {
    expect(nextBucket('2026-11-30', 'day')).toBe('2026-12-01')
    expect(nextBucket('2026-12-28', 'week')).toBe('2027-01-04')
    expect(nextBucket('2026-12-01', 'month')).toBe('2027-01-01')
    expect(nextBucket('2027-01-01', 'month')).toBe('2027-02-01')
  })

  it('fills the buckets the API omits with zeros, between the first and the last', () => {
    const day = fillGaps(
      [
        { start: '2026-11-20', count: 2 },
        { start: '2026-11-17', count: 1 },
        { start: '2026-11-21', count: 4 },
      ],
      'day',
      (start) => ({ start, count: 0 }),
    )
    expect(day).toEqual([
      { start: '2026-11-17', count: 1 },
      { start: '2026-11-18', count: 0 },
      { start: '2026-11-19', count: 0 },
      { start: '2026-11-20', count: 2 },
      { start: '2026-11-21', count: 4 },
    ])
    const week = fillGaps(
      [
        { start: '2026-11-02', count: 3 },
        { start: '2026-11-23', count: 1 },
      ],
      'week',
      (start) => ({ start, count: 0 }),
    )
    expect(week.map((w) => `${w.start}:${w.count}`)).toEqual(['2026-11-02:3', '2026-11-09:0', '2026-11-16:0', '2026-11-23:1'])
    const month = fillGaps(
      [
        { start: '2026-10-01', count: 3 },
        { start: '2027-02-01', count: 1 },
      ],
      'month',
      (start) => ({ start, count: 0 }),
    )
    expect(month.map((m) => m.start)).toEqual(['2026-10-01', '2026-11-01', '2026-12-01', '2027-01-01', '2027-02-01'])
    expect(month.map((m) => m.count)).toEqual([3, 0, 0, 0, 1])
    // Stacked points too, and nothing to fill.
    expect(
      fillGaps(
        [
          { start: '2026-01-01', values: { a: 1 } },
          { start: '2026-01-03', values: { a: 2 } },
        ],
        'day',
        (start) => ({ start, values: {} }),
      )[1],
    ).toEqual({ start: '2026-01-02', values: {} })
    expect(fillGaps([], 'day', (start) => ({ start, count: 0 }))).toEqual([])
  })

  it('the dashboard keeps the latest bars of a long history', () => {
    const { points, cut } = chartSeries(
      [
        { start: '2026-01-01', count: 1 },
        { start: '2026-12-31', count: 2 },
      ],
      'day',
    )
    expect(points).toHaveLength(MAX_BARS.day)
    expect(points[points.length - 1]).toEqual({ start: '2026-12-31', count: 2 })
    expect(cut).toBe(365 - MAX_BARS.day)
    expect(chartSeries([{ start: '2026-11-02', count: 1 }], 'week')).toEqual({ points: [{ start: '2026-11-02', count: 1 }], cut: 0 })
  })

  it('labels buckets for people, and the address keeps only what differs from the default', () => {
    expect(bucketTick('day', '2026-11-20')).toBe('Nov 20')
    expect(bucketTick('month', '2026-11-01')).toBe('Nov 2026')
    expect(bucketName('week', '2026-11-16')).toBe('Week of 2026-11-16')
    expect(bucketName('month', '2026-11-01')).toBe('November 2026')
    expect(dashUrl('prj_1', 'all', 'day')).toBe('/projects/prj_1')
    expect(dashUrl('prj_1', 'mine', 'week')).toBe('/projects/prj_1?scope=mine&bucket=week')
    expect(formatDuration(4.5)).toBe('4.5 s')
    expect(formatDuration(125)).toBe('2 min 5 s')
    expect(formatDuration(3 * 3600 + 20 * 60)).toBe('3 h 20 min')
  })
})

describe('<BarChart>', () => {
  const data = [
    { start: '2026-11-18', count: 5 },
    { start: '2026-11-19', count: 0 },
    { start: '2026-11-20', count: 12 },
    { start: '2026-11-21', count: 6 },
  ]

  it('draws bars in proportion, on round ticks, with a <title> on every bar', async () => {
    const html = await render({ data })
    expect(html).toContain('<svg class="chart"')
    expect(html).toContain('role="img"')
    expect(html).toContain('<title id="c-title">Labels created per day</title>')
    expect(html).toMatch(/<desc id="c-desc">From 2026-11-18 to 2026-11-21: 23 labels in total; the most, 12, in 2026-11-20\.<\/desc>/)
    const b = bars(html)
    expect(b.map((x) => x.title)).toEqual(['2026-11-18: 5 labels', '2026-11-20: 12 labels', '2026-11-21: 6 labels'])
    expect(b[1]!.height / b[0]!.height).toBeCloseTo(12 / 5, 1)
    expect(b[1]!.height / b[2]!.height).toBeCloseTo(2, 1)
    // Bars stand on the same baseline.
    const base = b.map((x) => Math.round(x.y + x.height))
    expect(new Set(base).size).toBe(1)
    expect(yTicks(html)).toEqual(['0', '5', '10', '15'])
    // Every bucket, the empty one too, answers hover with its value.
    const hits = [...html.matchAll(/<rect class="hit"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1])
    expect(hits).toEqual(['2026-11-18: 5 labels', '2026-11-19: 0 labels', '2026-11-20: 12 labels', '2026-11-21: 6 labels'])
    expect(html).toContain('<summary>Show numbers</summary>')
    expect(html).toMatch(/<th scope="row">2026-11-19<\/th><td class="num">0<\/td>/)
    expect(html).toMatch(/<tfoot><tr><th scope="row">Total<\/th><td class="num">23<\/td>/)
  })

  it('says 1 label, formats buckets, and has a legend when keys are given', async () => {
    const html = await render({
      data: [{ start: '2026-11-20', count: 1 }],
      keys: [{ key: 'count', label: 'Labels', color: 'var(--accent)' }],
      formatBucket: (s) => `Day ${s}`,
      formatX: (s) => s.slice(5),
    })
    expect(bars(html).map((b) => b.title)).toEqual(['Day 2026-11-20: 1 label'])
    expect(html).toContain('<span style="--swatch:var(--accent)">Labels</span>')
    expect(xLabels(html)).toEqual(['11-20'])
    expect(html).toContain('style="fill:var(--accent)"')
  })

  it('shows an empty state when there is nothing to draw', async () => {
    for (const d of [[], [{ start: '2026-11-20', count: 0 }]]) {
      const html = await render({ data: d, empty: <strong>No labels yet</strong> })
      expect(html).toContain('class="chart-empty"')
      expect(html).toContain('No labels yet')
      expect(html).not.toContain('<svg')
      expect(html).not.toContain('Show numbers')
    }
  })

  it('stacks series bottom first, each segment with its title, the table per key', async () => {
    const html = await render({
      data: [
        { start: '2026-11-20', values: { image: 3, video: 1 } },
        { start: '2026-11-21', values: { image: 2, text: 4 } },
      ],
      keys: [
        { key: 'image', label: 'Images', color: 'var(--c-image)' },
        { key: 'video', label: 'Video', color: 'var(--c-video)' },
        { key: 'text', label: 'Text', color: 'var(--c-text)' },
      ],
      unit: ['annotation', 'annotations'],
    })
    const b = bars(html)
    expect(b.map((x) => x.title)).toEqual([
      '2026-11-20: 4 annotations — Images 3',
      '2026-11-20: 4 annotations — Video 1',
      '2026-11-21: 6 annotations — Images 2',
      '2026-11-21: 6 annotations — Text 4',
    ])
    // The video segment sits on top of the image segment.
    expect(b[1]!.y + b[1]!.height).toBeCloseTo(b[0]!.y, 0)
    expect(html).toContain('style="fill:var(--c-video)"')
    for (const l of ['Images', 'Video', 'Text']) expect(html).toContain(`>${l}</span>`)
    expect(html).toMatch(
      /<th scope="col" class="num">Images<\/th><th scope="col" class="num">Video<\/th><th scope="col" class="num">Text<\/th><th scope="col" class="num">Total<\/th>/,
    )
    expect(html).toContain('(Images 5, Video 1, Text 4)')
  })

  it('thins x labels to fit, always labelling the latest bucket', async () => {
    const start = Date.UTC(2026, 0, 1)
    const many = Array.from({ length: 90 }, (_, i) => ({
      start: new Date(start + i * 86_400_000).toISOString().slice(0, 10),
      count: (i * 7) % 11,
    }))
    const html = await render({ data: many, width: 600, formatX: (s) => s.slice(5) })
    const labels = xLabels(html)
    expect(labels.length).toBeGreaterThan(3)
    expect(labels.length).toBeLessThanOrEqual(15)
    // Never overlapping: centres at least a label's width apart.
    const xs = [...html.matchAll(/<text class="x-label" x="([\d.]+)"/g)].map((m) => Number(m[1]))
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(5 * 6.4)
    expect(labels[labels.length - 1]).toBe(many[89]!.start.slice(5))
    expect(bars(html).length).toBe(many.filter((m) => m.count > 0).length)
    expect(thinEvery(10, 45)).toBe(5)
    expect(thinEvery(100, 45)).toBe(1)
  })
})
