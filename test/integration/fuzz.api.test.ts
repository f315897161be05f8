/**
 * @module Fuzz probe of the JSON API, generated from the served OpenAPI document: every write
 * route gets hostile bodies and queries (wrong types, huge strings, NUL bytes, deep nesting,
 * unknown fields, bad JSON) from fast-check with a fixed seed, so a run is repeatable. No answer is
 * a 5xx; every 4xx is problem+json, and a 400 names the field it refuses (or `body` / `query`).
 */
import fc from 'fast-check'
import { beforeAll, expect, it } from 'vitest'
import { seedTwoOrgs } from '../helpers/factories'
import { call } from '../helpers/harness'
import { type JsonSchema, METHODS, type OpenApi, openApi, pct, routeKey } from '../helpers/probes'
import { ALL_ROUTES, type RouteCase, type Target } from '../helpers/routes'
import { WEBHOOK_CASES } from '../helpers/routes-webhooks'

const SEED = 20261205
const RUNS = 24

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let doc: OpenApi

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  doc = await openApi({ cookie: orgs.orgA.ADMIN.cookie })
})

/** Values no field expects, or expects within limits no honest client goes past. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.5),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '../../etc/passwd', "' OR 1=1 --", '<script>x</script>', '%00', ' '),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 3000 }).map((depth) => {
    let v: unknown = 1
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
    return v
  }),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.array(fc.integer(), { minLength: 1000, maxLength: 3000 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
)

/** Raw texts that are not the JSON a route expects, some not JSON at all. */
const badJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '{', '{"a":', '[1,2', 'null', 'true', '"str"', '123', '{"a":1}}', '\u0000', '{"a":"\u0000"}', 'NaN', "{'a':1}"),
  fc.string(),
  fc.nat({ max: 5000 }).map((n) => '['.repeat(n)),
  fc.nat({ max: 5000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
)

type Input = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string } | { kind: 'query'; query: string }

function resolve(s: JsonSchema | undefined): JsonSchema | undefined {
  if (!s?.$ref) return s
  const name = s.$ref.split('/').pop()!
  return resolve((doc as unknown as { components?: { schemas?: Record<string, JsonSchema> } }).components?.schemas?.[name])
}

function inputs(target: Target, schema: JsonSchema | undefined, queryNames: string[]): fc.Arbitrary<Input> {
  const base = target.json && typeof target.json === 'object' && !Array.isArray(target.json) ? (target.json as Record<string, unknown>) : {}
  const fields = [...new Set([...Object.keys(resolve(schema)?.properties ?? {}), ...Object.keys(base)])]
  const arbs: fc.Arbitrary<Input>[] = [
    hostile.map((value) => ({ kind: 'json' as const, value })),
    fc
      .dictionary(fc.oneof(fc.string(), fc.constantFrom('', '__proto__', 'constructor', 'a.b', '0')), hostile, { maxKeys: 4 })
      .map((extra) => ({ kind: 'json' as const, value: { ...base, ...extra } })),
    badJson.map((text) => ({ kind: 'raw' as const, text, type: 'application/json' })),
    fc
      .tuple(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data'),
      )
      .map(([text, type]) => ({ kind: 'raw' as const, text, type })),
  ]
  if (fields.length)
    arbs.push(
      fc
        .tuple(fc.subarray(fields, { minLength: 1 }), fc.array(hostile, { minLength: fields.length, maxLength: fields.length }))
        .map(([names, values]) => ({
          kind: 'json' as const,
          value: { ...base, ...Object.fromEntries(names.map((n, i) => [n, values[i]])) },
        })),
    )
  const qNames = [...queryNames, 'limit', 'cursor', 'x']
  arbs.push(
    fc
      .array(fc.tuple(fc.constantFrom(...qNames), fc.oneof(fc.string(), fc.constantFrom('%00', '-1', '1e999', '%ZZ', 'x'.repeat(5000)))), {
        maxLength: 4,
      })
      .map((pairs) => ({
        kind: 'query' as const,
        query: pairs.map(([k, v]) => `${k}=${v.includes('%') ? v : pct(v)}`).join('&'),
      })),
  )
  return fc.oneof(...arbs)
}

async function send(rc: RouteCase, target: Target, input: Input): Promise<Response> {
  const auth = { cookie: orgs.orgA.ADMIN.cookie }
  if (input.kind === 'json') return call(rc.method, target.path, auth, { json: input.value ?? null })
  if (input.kind === 'raw') return call(rc.method, target.path, auth, { body: input.text, headers: { 'Content-Type': input.type } })
  const sep = target.path.includes('?') ? '&' : '?'
  return call(rc.method, `${target.path}${sep}${input.query}`, auth, { json: target.json })
}

async function check(rc: RouteCase, input: Input, res: Response) {
  const text = await res.text()
  const where = `${rc.name} with ${JSON.stringify(input).slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`
  if (res.status >= 500) throw new Error(`5xx: ${where}`)
  if (res.status < 400) return
  if (!(res.headers.get('Content-Type') ?? '').includes('application/problem+json')) throw new Error(`not problem+json: ${where}`)
  if (res.status !== 400) return
  const problem = JSON.parse(text) as { errors?: { path: string; message: string }[] }
  if (!problem.errors?.length || problem.errors.some((e) => !e.path || e.path === '_root')) throw new Error(`400 naming no field: ${where}`)
}

/** API write routes: the OpenAPI document's, each with its route case for a real target. */
const WRITES = [...ALL_ROUTES, ...WEBHOOK_CASES].filter((rc) => rc.surface === 'api' && rc.method !== 'GET')

it('every OpenAPI write route has a route case to fuzz', () => {
  const cased = new Set(WRITES.map((rc) => routeKey(rc.method, rc.name.slice(rc.name.indexOf(' ') + 1))))
  const writes = Object.entries(doc.paths).flatMap(([p, ops]) => METHODS.filter((m) => m !== 'get' && ops[m]).map((m) => routeKey(m, p)))
  expect(writes.filter((k) => !cased.has(k))).toEqual([])
})

for (const rc of WRITES) {
  it(`${rc.name}: hostile bodies and queries`, async () => {
    const target = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
    const key = routeKey(rc.method, rc.name.slice(rc.name.indexOf(' ') + 1))
    const entry = Object.entries(doc.paths).find(([p]) => routeKey(rc.method, p) === key)
    const op = entry?.[1][rc.method.toLowerCase() as (typeof METHODS)[number]]
    const schema = op?.requestBody?.content?.['application/json']?.schema
    const queryNames = (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
    await fc.assert(
      fc.asyncProperty(inputs(target, schema, queryNames), async (input) => {
        await check(rc, input, await send(rc, target, input))
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        endOnFailure: true,
        // Found by this probe once (an unknown key named "" was refused naming no field): kept.
        examples: [[{ kind: 'json', value: { ...(target.json as object), '': 1 } }]],
      },
    )
  })
}
