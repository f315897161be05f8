// The cost meter (src/db/cost-meter.ts) over the test file's real D1: round trips (a batch once),
// statements, and the rows D1 itself reports read and written, whichever way a statement is run;
// the Server-Timing header and log line of a metered request; queue messages and cron runs.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import worker from '../../src/index'
import { costSettings, meterD1, meteredEnv } from '../../src/db/cost-meter'
import { handleQueue } from '../../src/handlers/queue'
import { makeOrg, makeUser, unique, type TestUser } from '../helpers/factories'
import { ORIGIN } from '../helpers/harness'
import { countingD1 } from '../helpers/counting-d1'

const N = 300

beforeAll(async () => {
  await env.DB.exec('CREATE TABLE IF NOT EXISTS meter_probe (id INTEGER PRIMARY KEY, v TEXT)')
  await env.DB.prepare(
    "INSERT INTO meter_probe (id, v) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i, printf('v%d', i) FROM n",
  )
    .bind(N)
    .run()
})

describe('meterD1', () => {
  it('counts a batch as one trip and reads D1 rows counts from all, run, first, raw and batch', async () => {
    const { DB, meter } = meterD1(env.DB)
    const all = await DB.prepare('SELECT * FROM meter_probe').all()
    expect(all.results).toHaveLength(N)
    const first = await DB.prepare('SELECT v FROM meter_probe WHERE id = ?').bind(7).first<{ v: string }>()
    expect(first?.v).toBe('v7')
    const raw = await DB.prepare('SELECT id, id FROM meter_probe WHERE id <= ?').bind(3).raw()
    expect(raw).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]) // raw keeps both same-named columns
    const batch = await DB.batch([
      DB.prepare('SELECT count(v) FROM meter_probe'),
      DB.prepare('UPDATE meter_probe SET v = v || ? WHERE id <= 5').bind('!'),
    ])
    expect(batch).toHaveLength(2)
    const s = meter.summary()
    expect(s.trips).toBe(4)
    expect(s.stmts).toBe(5)
    expect(meter.trips.map((t) => t.kind)).toEqual(['query', 'query', 'query', 'batch'])
    // D1's own counters: a full scan reads every row; a lookup by primary key reads one.
    expect(meter.trips[0]!.read).toEqual([N])
    expect(meter.trips[1]!.read).toEqual([1])
    expect(meter.trips[2]!.read).toEqual([4]) // SQLite steps one row past the range to see it end
    expect(meter.trips[3]!.read![0]).toBe(N)
    expect(meter.trips[3]!.written).toEqual([0, 5])
    expect(s.written).toBe(5)
    expect(s.read).toBe(N + 1 + 4 + N + meter.trips[3]!.read![1]!)
    expect(meter.trips[1]!.params).toEqual([[7]])
    expect(meter.trips[3]!.rows).toEqual([1, 0])
    expect(meter.serverTiming()).toMatch(/^d1;desc="4 trips, 5 stmts, \d+ read, 5 written";dur=[\d.]+, cpu;dur=[\d.]+, total;dur=[\d.]+$/)
  })

  it('counts in both meters when one wraps the other (a request metered inside a metered test)', async () => {
    const inner = meterD1(env.DB)
    const outer = meterD1(inner.DB)
    const raw = await outer.DB.prepare('SELECT v FROM meter_probe WHERE id = ?').bind(9).raw()
    expect(raw).toEqual([['v9']])
    await outer.DB.batch([outer.DB.prepare('SELECT v FROM meter_probe WHERE id = ?').bind(1)])
    for (const m of [inner.meter, outer.meter]) {
      expect(m.trips.map((t) => [t.kind, t.read, t.params])).toEqual([
        ['query', [1], [[9]]],
        ['batch', [1], [[1]]],
      ])
    }
  })

  it('parses its settings: off unless asked, thresholds from COST_METER_LOG', () => {
    expect(costSettings({})).toBeUndefined()
    expect(costSettings({ COST_METER: 'off' })).toBeUndefined()
    expect(costSettings({ COST_METER: 'log' })).toMatchObject({ header: false, log: true, limits: { ms: 1000, trips: 3 } })
    expect(costSettings({ COST_METER: 'header' })).toMatchObject({ header: true, log: false })
    expect(costSettings({ COST_METER: 'on', COST_METER_LOG: 'trips=1 written=0' })).toEqual({
      header: true,
      log: true,
      limits: { ms: 1000, trips: 1, read: 10_000, written: 0 },
    })
  })
})

describe('a metered request', () => {
  let admin: TestUser
  beforeAll(async () => {
    admin = await makeUser(await makeOrg(unique('Metered')), 'ADMIN')
  })

  async function get(path: string, e: Record<string, unknown>) {
    const ctx = createExecutionContext()
    const res = await worker.fetch(
      new Request(ORIGIN + path, { headers: { Cookie: admin.cookie }, redirect: 'manual' }),
      e as unknown as typeof env,
      ctx,
    )
    await res.text()
    await waitOnExecutionContext(ctx)
    return res
  }

  it('answers with Server-Timing: the same trips and statements an outside meter saw, and no extra trip', async () => {
    await get('/api/v1/projects', { ...env }) // the isolate remembers the session: both measured requests are alike
    const outside = countingD1()
    const res = await get('/api/v1/projects', { ...env, DB: outside.DB, COST_METER: 'on' })
    expect(res.status).toBe(200)
    const timing = res.headers.get('Server-Timing')!
    const m = /^d1;desc="(\d+) trips?, (\d+) stmts?, (\d+) read, (\d+) written";dur=[\d.]+, cpu;dur=[\d.]+, total;dur=[\d.]+$/.exec(timing)
    expect(m, timing).not.toBeNull()
    const s = outside.meter.summary()
    expect(s.trips).toBeGreaterThan(0)
    expect(m!.slice(1).map(Number)).toEqual([s.trips, s.stmts, s.read, s.written])
    // Off: no header, and the same number of trips (the meter never adds one).
    const plain = countingD1()
    const off = await get('/api/v1/projects', { ...env, DB: plain.DB, COST_METER: 'off' })
    expect(off.headers.get('Server-Timing')).toBeNull()
    expect(plain.trips.length).toBe(s.trips)
    // "log": logged, no header.
    expect((await get('/api/v1/projects', { ...env, COST_METER: 'log' })).headers.get('Server-Timing')).toBeNull()
  })

  it('logs a request over a threshold, with the costliest statement', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      await get('/api/v1/projects', { ...env, COST_METER: 'on', COST_METER_LOG: 'ms=100000 trips=100 read=100000 written=100000' })
      expect(warn.mock.calls.filter((c) => String(c[0]).startsWith('cost:'))).toEqual([])
      await get('/api/v1/projects', { ...env, COST_METER: 'on', COST_METER_LOG: 'trips=0' })
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('cost:'))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(
        /^cost: GET \/api\/v1\/projects 200 \[req_[^\]]+\]: \d+ trips?, \d+ stmts?, \d+ read, \d+ written, \d+ ms \(D1 \d+ ms\)/,
      )
    } finally {
      warn.mockRestore()
    }
  })
})

describe('queue messages and cron runs', () => {
  it('meters each queue message and logs a costly one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const acked: string[] = []
      const message = { id: 'm1', body: { kind: 'no-such-job' }, attempts: 1, ack: () => acked.push('m1'), retry: () => undefined }
      await handleQueue(
        { queue: 'labeldesk-tasks', messages: [message] } as unknown as MessageBatch<never>,
        { ...env, COST_METER: 'on', COST_METER_LOG: 'trips=0' } as typeof env,
      )
      expect(acked).toEqual(['m1']) // an unknown kind is dropped before any D1 work: nothing to log
      expect(warn.mock.calls.filter((c) => String(c[0]).startsWith('cost:'))).toEqual([])
      const { env: e, done } = meteredEnv({ ...env, COST_METER: 'on', COST_METER_LOG: 'written=0' })
      await e.DB.prepare('UPDATE meter_probe SET v = v WHERE id = 1').run()
      done('queue probe')
      expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(
        expect.stringMatching(/^cost: queue probe: 1 trip, 1 stmt, \d+ read, 1 written/),
      )
    } finally {
      warn.mockRestore()
    }
  })

  it('logs a cron run as one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const ctx = createExecutionContext()
      await worker.scheduled!(
        createScheduledController({ scheduledTime: new Date(), cron: '*/15 * * * *' }),
        { ...env, COST_METER: 'log', COST_METER_LOG: 'trips=0' } as typeof env,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('cost: cron'))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^cost: cron \*\/15 \* \* \* \*: \d+ trips, \d+ stmts/)
    } finally {
      warn.mockRestore()
    }
  })
})
