import { beforeAll, describe, expect, it } from 'vitest'
import { call, json } from '../helpers/harness'
import { seedTwoOrgs } from '../helpers/factories'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

describe('API foundation', () => {
  it('GET /api/v1/me answers the contract shape', async () => {
    const u = orgs.orgA.TEAM_MANAGER
    const res = await call('GET', '/api/v1/me', { cookie: u.cookie })
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({
      user: { id: u.id, email: u.email, full_name: u.fullName },
      organization: { id: orgs.a.id, name: orgs.a.name },
      role: 'TEAM_MANAGER',
    })
  })

  it('without credentials is a 401 problem+json with a request id', async () => {
    const res = await call('GET', '/api/v1/me', undefined)
    expect(res.status).toBe(401)
    expect(res.headers.get('Content-Type')).toContain('application/problem+json')
    const p = await json(res)
    expect(p).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
    expect(p.request_id).toBe(res.headers.get('X-Request-Id'))
  })

  it('keeps a sane caller request id', async () => {
    const res = await call('GET', '/api/v1/me', undefined, { headers: { 'X-Request-Id': 'client-abc-12345' } })
    expect(res.headers.get('X-Request-Id')).toBe('client-abc-12345')
  })

  it('malformed JSON is a 400 VALIDATION, never a 500', async () => {
    const res = await call(
      'PATCH',
      '/api/v1/me',
      { cookie: orgs.orgA.LABELER.cookie },
      { body: '{"full_name": ', headers: { 'Content-Type': 'application/json' } },
    )
    expect(res.status).toBe(400)
    const p = await json(res)
    expect(p.code).toBe('VALIDATION')
    expect(p.detail).toMatch(/^body: not valid JSON at position \d+/)
  })

  it('a JSON body sent without Content-Type: application/json is a 415 that names the header', async () => {
    const body = JSON.stringify({ name: 'Cars' })
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      const res = await call('POST', '/api/v1/datasets', { cookie: orgs.orgA.ADMIN.cookie }, { body, headers: { 'Content-Type': type } })
      expect(res.status).toBe(415)
      expect(res.headers.get('Content-Type')).toContain('application/problem+json')
      const p = await json(res)
      expect(p.detail).toContain('Content-Type: application/json')
      expect(p.detail).toContain(type.split(';')[0])
      expect(p.detail).not.toMatch(/Invalid key/)
    }
    // No body at all: the fields are still named, after the hint about the header.
    const empty = await call('POST', '/api/v1/datasets', { cookie: orgs.orgA.ADMIN.cookie }, {})
    expect(empty.status).toBe(400)
    const p = await json(empty)
    expect(p.detail).toMatch(/^The request has no JSON body\. Send the body as JSON with the header Content-Type: application\/json/)
    expect(p.errors[0].path).toBe('name')
  })

  it('validates PATCH /me and names the field', async () => {
    const res = await call('PATCH', '/api/v1/me', { cookie: orgs.orgA.LABELER.cookie }, { json: { full_name: '   ' } })
    expect(res.status).toBe(400)
    expect((await json(res)).errors[0]).toEqual({ path: 'full_name', message: 'Full name is required' })
    const ok = await call('PATCH', '/api/v1/me', { cookie: orgs.orgA.LABELER.cookie }, { json: { full_name: 'Grace Hopper' } })
    expect((await json(ok)).user.full_name).toBe('Grace Hopper')
  })

  it('cookie-authenticated unsafe API calls need a same-origin Origin (CSRF)', async () => {
    const res = await call(
      'PATCH',
      '/api/v1/me',
      { cookie: orgs.orgA.LABELER.cookie },
      { json: { full_name: 'Evil' }, origin: 'https://evil.example' },
    )
    expect(res.status).toBe(403)
    expect((await json(res)).code).toBe('FORBIDDEN')
  })

  it('an unknown API route is a 404 problem', async () => {
    const res = await call('GET', '/api/v1/nope', { cookie: orgs.orgA.ADMIN.cookie })
    expect(res.status).toBe(404)
    expect((await json(res)).code).toBe('NOT_FOUND')
  })

  it('serves OpenAPI 3.1 and an offline docs page', async () => {
    const spec = await json(await call('GET', '/api/openapi.json', undefined))
    expect(spec.openapi).toBe('3.1.0')
    expect(Object.keys(spec.paths)).toContain('/api/v1/me')
    expect(spec.paths['/api/v1/me'].patch.requestBody).toBeTruthy()
    const docs = await (await call('GET', '/api/docs', undefined)).text()
    expect(docs).toContain('/vendor/swagger-ui/swagger-ui-bundle.js')
    expect(docs).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)/)
  })
})
