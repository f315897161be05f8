/**
 * @module Fuzz probe of the HTML forms: every POST route of the route table (test/helpers/routes*.ts)
 * gets hostile urlencoded and multipart bodies from fast-check with a fixed seed: huge values, NUL
 * bytes, repeated and unknown fields, wrong media types, broken multipart. No answer is a 5xx.
 */
import fc from 'fast-check'
import { beforeAll, it } from 'vitest'
import { seedTwoOrgs } from '../helpers/factories'
import { call } from '../helpers/harness'
import { pct } from '../helpers/probes'
import { ALL_ROUTES, type RouteCase, type Target } from '../helpers/routes'
import { WEBHOOK_CASES } from '../helpers/routes-webhooks'

const SEED = 20261205
const RUNS = 16

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>

beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const value: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '-1',
    '1e999',
    'NaN',
    '99999999999999999999',
    '<script>x</script>',
    "' OR 1=1 --",
  ),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 2000 }).map((n) => Array.from({ length: n }, (_, i) => `dr_${String(i).padStart(26, '0')}`).join('\n')),
)

type Body = { body: BodyInit; type: string; what: string }

function urlencoded(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')
}

function multipart(pairs: [string, string][], boundary: string, withFile: boolean): string {
  const parts = pairs.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  if (withFile)
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a\u0000.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG garbage\r\n`,
    )
  return `${parts.join('')}--${boundary}--\r\n`
}

function bodies(target: Target): fc.Arbitrary<Body> {
  const fields = [...Object.keys(target.form ?? {}), 'name', 'role', 'email', 'files', 'data_row_ids', 'priority', 'x']
  const pairs = fc
    .tuple(fc.array(fc.tuple(fc.constantFrom(...fields), value), { maxLength: 6 }), fc.boolean())
    .map(([hostile, keep]) => [...(keep ? Object.entries(target.form ?? {}) : []), ...hostile] as [string, string][])
  return fc.oneof(
    pairs.map((p) => ({
      body: urlencoded(p),
      type: 'application/x-www-form-urlencoded',
      what: `urlencoded ${JSON.stringify(p).slice(0, 200)}`,
    })),
    fc.tuple(pairs, fc.boolean()).map(([p, file]) => ({
      body: multipart(p, 'XyZ', file),
      type: 'multipart/form-data; boundary=XyZ',
      what: `multipart ${JSON.stringify(p).slice(0, 200)}`,
    })),
    fc
      .tuple(
        pairs,
        fc.constantFrom(
          'multipart/form-data',
          'multipart/form-data; boundary=',
          'multipart/form-data; boundary=other',
          `multipart/form-data; boundary=${'b'.repeat(100)}`,
        ),
      )
      .map(([p, type]) => ({
        body: multipart(p, 'XyZ', false),
        type,
        what: `multipart with ${type}`,
      })),
    fc
      .tuple(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('multipart/form-data; boundary=XyZ', 'application/x-www-form-urlencoded', 'application/json', 'text/plain', ''),
      )
      .map(([text, type]) => ({
        body: text,
        type,
        what: `raw ${type} ${JSON.stringify(text).slice(0, 100)}`,
      })),
    fc
      .nat({ max: 4000 })
      .map((n) => ({ body: `${'%'.repeat(n)}=&&==`, type: 'application/x-www-form-urlencoded', what: `broken escapes ×${n}` })),
  )
}

async function send(rc: RouteCase, target: Target, b: Body, htmx: boolean) {
  const res = await call(
    rc.method,
    target.path,
    { cookie: orgs.orgA.ADMIN.cookie },
    { body: b.body, headers: b.type ? { 'Content-Type': b.type } : {}, htmx },
  )
  if (res.status >= 500)
    throw new Error(`5xx: ${rc.name} with ${b.what}${htmx ? ' (htmx)' : ''} → ${res.status} ${(await res.text()).slice(0, 300)}`)
  await res.body?.cancel()
}

for (const rc of [...ALL_ROUTES, ...WEBHOOK_CASES].filter((r) => r.surface === 'html' && r.method === 'POST')) {
  it(`${rc.name}: hostile form bodies`, async () => {
    const target = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
    await fc.assert(
      fc.asyncProperty(bodies(target), fc.boolean(), async (b, htmx) => send(rc, target, b, htmx)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
  })
}
