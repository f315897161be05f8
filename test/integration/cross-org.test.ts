/**
 * @module Cross-organization probe, generated from the route table (test/helpers/routes*.ts), the
 * served OpenAPI document and the app's HTML routes: every route called by an admin of one
 * organization with another organization's ids (path, query and body) is refused, never answers
 * with the other organization's data, and a route without a case fails the suite.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { makeApiKey, seedTwoOrgs, unique } from '../helpers/factories'
import { call, type Auth } from '../helpers/harness'
import { apiRouteKeys, coveredKeys, htmlRouteKeys, idsIn, openApi, routeKey } from '../helpers/probes'
import { ALL_ROUTES, isOk, type RouteCase, type Target } from '../helpers/routes'
import { WEBHOOK_CASES } from '../helpers/routes-webhooks'

/**
 * Routes that have no case in the route table yet. Shrink-only: the suite fails when an entry is
 * covered or gone (remove it then), and when a route is in neither the table nor this list.
 * Public routes (sign-in, sign-up, invitation links, health) act on no organization's data.
 */
const PUBLIC = new Set([
  'GET /',
  'GET /login',
  'POST /login',
  'GET /signup',
  'POST /signup',
  'POST /logout',
  'GET /invitations/{}',
  'POST /invitations/{}',
  'GET /healthz',
  'GET /favicon.ico',
  'GET /docs/permissions',
])
const NO_CASE_YET = new Set<string>([])

const CASES = [...ALL_ROUTES, ...WEBHOOK_CASES]

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let keyA: string
/** Strings only organization B's data contains: seen in an answer to A, they are a leak. */
let secrets: string[]

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  keyA = (await makeApiKey(orgs.orgA.ADMIN)).key
  const b = { cookie: orgs.orgB.ADMIN.cookie }
  const project = unique('canary-project')
  const dataset = unique('canary-dataset')
  const p = await call('POST', '/api/v1/projects', b, { json: { name: project, media_type: 'IMAGE' } })
  const d = await call('POST', '/api/v1/datasets', b, { json: { name: dataset } })
  expect([p.status, d.status]).toEqual([201, 201])
  const ids = [((await p.json()) as { id: string }).id, ((await d.json()) as { id: string }).id]
  secrets = [orgs.b.id, orgs.b.name, project, dataset, ...ids, ...Object.values(orgs.orgB).flatMap((u) => [u.id, u.email, u.fullName])]
})

describe('every route has a case', () => {
  it('every OpenAPI path × method is in the route table', async () => {
    const doc = await openApi({ cookie: orgs.orgA.ADMIN.cookie })
    const api = apiRouteKeys(doc)
    expect(api.length).toBeGreaterThan(20)
    const covered = coveredKeys(CASES.filter((r) => r.surface === 'api'))
    expect(api.filter((k) => !covered.has(k) && !NO_CASE_YET.has(k))).toEqual([])
  })

  it('every HTML route is in the route table or public', () => {
    const html = htmlRouteKeys()
    expect(html.length).toBeGreaterThan(20)
    const covered = coveredKeys(CASES.filter((r) => r.surface === 'html'))
    expect(html.filter((k) => !covered.has(k) && !PUBLIC.has(k) && !NO_CASE_YET.has(k))).toEqual([])
  })

  it('the lists of exceptions name only routes that exist and still have no case', async () => {
    const all = new Set([...apiRouteKeys(await openApi({ cookie: orgs.orgA.ADMIN.cookie })), ...htmlRouteKeys()])
    const covered = coveredKeys(CASES)
    expect([...PUBLIC, ...NO_CASE_YET].filter((k) => !all.has(k) || covered.has(k))).toEqual([])
  })
})

/** The answer to A, checked: never a 5xx, never B's data. */
async function probe(rc: RouteCase, auth: Auth, t: Target, refused: boolean, what: string) {
  const res = await call(rc.method, t.path, auth, { json: t.json, form: t.form, body: t.body, headers: t.headers })
  const text = await res.text()
  const where = `${rc.name} (${what}) → ${res.status} ${text.slice(0, 300)}`
  expect(res.status, where).toBeLessThan(500)
  if (refused) {
    expect(isOk(res.status), where).toBe(false)
    expect(res.status, where).toBeGreaterThanOrEqual(400)
    if (rc.surface === 'api') expect(res.headers.get('Content-Type'), where).toContain('application/problem+json')
  }
  // An id the caller sent may be echoed in a refusal ("project prj_… not found"); nothing else of B's.
  const sent = new Set(idsIn(JSON.stringify([t.path, t.json ?? null, t.form ?? null, t.body ?? null])))
  const leaked = secrets.filter((s) => text.includes(s) && !(sent.has(s) && !isOk(res.status)))
  expect(leaked, where).toEqual([])
  for (const loc of [res.headers.get('Location') ?? ''])
    expect(
      idsIn(loc).filter((id) => sent.has(id) && !isOk(res.status)),
      where,
    ).toEqual([])
}

for (const rc of CASES) {
  it(`${rc.name} with the other organization's ids`, async () => {
    const tB = await rc.prepare({ org: orgs.b, admin: orgs.orgB.ADMIN, actor: orgs.orgB.ADMIN })
    const bodyIds = idsIn(JSON.stringify([tB.json ?? null, tB.form ?? null, tB.body ?? null]))
    const pathIds = idsIn(tB.path)
    // B's ids are secrets too from here on: A must never be answered with them.
    secrets.push(...pathIds, ...bodyIds)
    const refused = rc.hasTarget || pathIds.length > 0 || bodyIds.length > 0
    const auths: [Auth, string][] = [[{ cookie: orgs.orgA.ADMIN.cookie }, 'session']]
    if (rc.surface === 'api') auths.push([{ key: keyA }, 'API key'])
    for (const [auth, via] of auths) await probe(rc, auth, tB, refused, `B's path and body, ${via}`)
    // A's own target with B's references in the body (a batch of B's data rows, a member of B…).
    if (bodyIds.length && (rc.hasTarget || pathIds.length)) {
      const tA = await rc.prepare({ org: orgs.a, admin: orgs.orgA.ADMIN, actor: orgs.orgA.ADMIN })
      await probe(rc, auths[0]![0], { ...tA, json: tB.json, form: tB.form, body: tB.body }, true, "A's path, B's body")
    }
  })
}

// routeKey keeps this file honest about what "the same route" means.
it('route keys erase parameters and queries', () => {
  expect(routeKey('get', '/projects/{id}?scope=mine')).toBe(routeKey('GET', '/projects/:id'))
})
