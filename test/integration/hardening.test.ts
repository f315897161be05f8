// What an outside probe found (issue 22), kept as tests: keys minting keys, CSRF with a decoy
// Authorization header, open redirects, 500s on hostile input, errors that were not problem+json,
// and the smaller hygiene points (invitation oracle, Secure cookie, no-store).
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { createExecutionContext } from 'cloudflare:test'
import { app } from '../../src/app'
import { eq } from 'drizzle-orm'
import { apiKeys, projectPins, users } from '../../src/db/schema'
import { newId } from '../../src/lib/ids'
import { sha256Hex } from '../../src/lib/crypto'
import { RANKED_ROLES, ROLE_RANK } from '../../src/auth/permissions'
import { db, makeApiKey, makeUser, PASSWORD, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { safeNext } from '../../src/lib/forms'
import { encodeCursor } from '../../src/lib/pagination'
import { jsonErrorPosition } from '../../src/lib/validate'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const DAY = 86_400_000
const mint = (key: string, body: Record<string, unknown>) =>
  call('POST', '/api/v1/api-keys', { key }, { json: { name: unique('minted'), ...body } })
const newProject = (key: string) => call('POST', '/api/v1/projects', { key }, { json: { name: unique('P'), media_type: 'IMAGE' } })
const keyCount = async (userId: string) => (await db().select().from(apiKeys).where(eq(apiKeys.userId, userId)).all()).length

describe('a key never mints a key stronger than itself', () => {
  for (const role of RANKED_ROLES) {
    it(`a key narrowed to ${role} (owner ADMIN) mints keys of at most ${role}`, async () => {
      const parent = await makeApiKey(orgs.orgA.ADMIN, { role, expires_in_days: 1 })
      // No role asked for: the parent's role, not the owner's.
      const res = await mint(parent.key, { expires_in_days: 365 })
      expect(res.status).toBe(201)
      const child = await json(res)
      expect(child.role).toBe(role)
      expect(child.read_only).toBe(false)
      // Expiry capped at the parent's.
      expect(Date.parse(child.expires_at)).toBeLessThanOrEqual(Date.parse(parent.expires_at))
      expect(Date.parse(child.expires_at) - Date.now()).toBeLessThan(1.01 * DAY)
      const me = await json(await call('GET', '/api/v1/me', { key: child.key }))
      expect(me.role).toBe(role)
      // Creating a project needs ADMIN: the child can do it only if the parent could.
      const [p1, p2] = [await newProject(parent.key), await newProject(child.key)]
      expect(p2.status).toBe(p1.status)
      expect(p2.status).toBe(role === 'ADMIN' ? 201 : 403)
      // A wider role than the key's is refused, and nothing is created.
      if (role !== 'ADMIN') {
        const before = await keyCount(orgs.orgA.ADMIN.id)
        const wider = await mint(parent.key, { role: 'ADMIN' })
        expect(wider.status).toBe(400)
        expect((await json(wider)).errors[0].path).toBe('role')
        expect(await keyCount(orgs.orgA.ADMIN.id)).toBe(before)
      }
      // A narrower one is fine.
      if (role !== 'LABELER') {
        const narrower = await json(await mint(parent.key, { role: 'LABELER' }))
        expect(narrower.role).toBe('LABELER')
      }
    })

    it(`an unnarrowed key of a ${role} mints keys acting as the ${role} at most`, async () => {
      const owner = orgs.orgA[role]
      const parent = await makeApiKey(owner, { expires_in_days: 2 })
      const child = await json(await mint(parent.key, { expires_in_days: 300 }))
      expect(child.role).toBe(null)
      expect(Date.parse(child.expires_at)).toBeLessThanOrEqual(Date.parse(parent.expires_at))
      expect((await json(await call('GET', '/api/v1/me', { key: child.key }))).role).toBe(role)
      for (const higher of RANKED_ROLES.filter((r) => ROLE_RANK[r] > ROLE_RANK[role])) {
        expect((await mint(parent.key, { role: higher })).status).toBe(400)
      }
    })

    it(`a read-only key of a ${role} mints nothing`, async () => {
      const owner = orgs.orgA[role]
      const parent = await makeApiKey(owner, { read_only: true })
      const before = await keyCount(owner.id)
      const res = await mint(parent.key, { read_only: false })
      expect(res.status).toBe(403)
      expect(await keyCount(owner.id)).toBe(before)
    })
  }

  it('revoking a key stops the keys it minted, and theirs (the list says so too)', async () => {
    const u = orgs.orgA.LABELER
    const a = await makeApiKey(u, { role: 'LABELER', expires_in_days: 1 })
    const b = await json(await mint(a.key, {}))
    const c = await json(await mint(b.key, {}))
    const other = await makeApiKey(u)
    expect((await call('GET', '/api/v1/me', { key: c.key })).status).toBe(200)
    expect((await call('DELETE', `/api/v1/api-keys/${a.id}`, { key: other.key })).status).toBe(204)
    for (const k of [a, b, c]) expect((await call('GET', '/api/v1/me', { key: k.key })).status).toBe(401)
    expect((await call('GET', '/api/v1/me', { key: other.key })).status).toBe(200)
    const list = await json(await call('GET', '/api/v1/api-keys', { key: other.key }))
    const status = Object.fromEntries(list.items.map((k: any) => [k.id, k.status]))
    expect([status[a.id], status[b.id], status[c.id], status[other.id]]).toEqual(['REVOKED', 'REVOKED', 'REVOKED', 'ACTIVE'])
  })

  it('the lookup itself refuses a key whose ancestor is revoked or expired (not only the cascade)', async () => {
    const u = orgs.orgA.REVIEWER
    const a = await makeApiKey(u)
    const b = await json(await mint(a.key, {}))
    const c = await json(await mint(b.key, {}))
    // Written straight to the table, as any other code path revoking a key would.
    await db().update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, a.id))
    expect((await call('GET', '/api/v1/me', { key: c.key })).status).toBe(401)
    const d = await makeApiKey(u)
    const e = await json(await mint(d.key, {}))
    await db()
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, d.id))
    expect((await call('GET', '/api/v1/me', { key: e.key })).status).toBe(401)
  })

  it("a narrowed key caps a project-based member's project role", async () => {
    const admin = orgs.orgA.ADMIN
    const member = orgs.orgA.NONE
    const project = await json(
      await call('POST', '/api/v1/projects', { cookie: admin.cookie }, { json: { name: unique('P'), media_type: 'IMAGE' } }),
    )
    expect(
      (
        await call(
          'PUT',
          `/api/v1/projects/${project.id}/members/${member.id}`,
          { cookie: admin.cookie },
          { json: { role: 'TEAM_MANAGER' } },
        )
      ).status,
    ).toBe(200)
    // A LABELER key made while the member still had an org role, then made project-based.
    const secret = `ld_${unique('capped').replace(/[^a-z0-9]/gi, '')}`
    await db()
      .insert(apiKeys)
      .values({
        id: newId('key'),
        orgId: admin.org.id,
        userId: member.id,
        name: 'old',
        prefix: secret.slice(0, 11),
        hash: await sha256Hex(secret),
        role: 'LABELER',
        readOnly: false,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + DAY),
      })
    const full = await makeApiKey(member)
    const edit = (key: string) => call('PATCH', `/api/v1/projects/${project.id}`, { key }, { json: { description: 'x' } })
    expect((await edit(full.key)).status).toBe(200)
    expect((await edit(secret)).status).toBe(403)
    expect((await call('GET', `/api/v1/projects/${project.id}`, { key: secret })).status).toBe(200)
  })
})

describe('CSRF follows the credential actually used, not the headers present', () => {
  const FOREIGN = 'https://evil.example'
  const decoy = (cookie: string) => ({ cookie, key: 'junk-not-a-key' })

  it('POST /account with a foreign Origin, a junk Bearer and a valid cookie is refused; nothing changes', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    const res = await call('POST', '/account', decoy(u.cookie), { origin: FOREIGN, form: { full_name: 'Pwned' } })
    expect(res.status).toBe(403)
    expect((await db().select().from(users).where(eq(users.id, u.id)).get())!.fullName).toBe(u.fullName)
  })

  it('POST /account/api (create a key) is refused; no key is made', async () => {
    const u = await makeUser(orgs.a, 'ADMIN')
    const res = await call('POST', '/account/api', decoy(u.cookie), { origin: FOREIGN, form: { name: 'stolen' } })
    expect(res.status).toBe(403)
    expect(await keyCount(u.id)).toBe(0)
  })

  it('POST /projects/{id}/pin is refused; nothing is pinned', async () => {
    const u = orgs.orgA.ADMIN
    const p = await json(await call('POST', '/api/v1/projects', { cookie: u.cookie }, { json: { name: unique('P'), media_type: 'IMAGE' } }))
    const res = await call('POST', `/projects/${p.id}/pin`, decoy(u.cookie), { origin: FOREIGN, form: {} })
    expect(res.status).toBe(403)
    expect(await db().select().from(projectPins).where(eq(projectPins.projectId, p.id)).all()).toHaveLength(0)
    // The same request from our own origin works (the test can fail).
    expect((await call('POST', `/projects/${p.id}/pin`, decoy(u.cookie), { form: {} })).status).toBe(303)
    expect(await db().select().from(projectPins).where(eq(projectPins.projectId, p.id)).all()).toHaveLength(1)
  })

  it('POST /logout is refused; the session still works', async () => {
    const u = await makeUser(orgs.a, 'REVIEWER')
    const res = await call('POST', '/logout', decoy(u.cookie), { origin: FOREIGN, form: {} })
    expect(res.status).toBe(403)
    expect((await call('GET', '/api/v1/me', { cookie: u.cookie })).status).toBe(200)
  })

  it('a cookie-authenticated API write with a foreign Origin is refused; a real key with a foreign Origin is not', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    expect((await call('PATCH', '/api/v1/me', { cookie: u.cookie }, { origin: FOREIGN, json: { full_name: 'X' } })).status).toBe(403)
    const k = await makeApiKey(u)
    expect(
      (await call('PATCH', '/api/v1/me', { cookie: u.cookie, key: k.key }, { origin: FOREIGN, json: { full_name: 'Via key' } })).status,
    ).toBe(200)
  })
})

describe('open redirect: next goes only to same-origin paths', () => {
  const HOSTILE = [
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\nSet-Cookie: x=1',
    '/\r/evil.example',
    '\t//evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    'https://evil.example',
    'http:/evil.example',
    'javascript:alert(1)',
    '/..//evil.example',
    '/./\t/evil.example',
    '/\u0000/evil.example',
    '/\u0085/evil.example',
    'evil.example',
    '',
    ' /projects',
    `/${'a'.repeat(3000)}`,
  ]
  // The raw query: the first one is exactly what the probe sent (%09 = tab).
  const RAW = [
    '/%09/evil.example',
    '/%0d%0aLocation:%20https://evil.example',
    '%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%5C/evil.example',
  ]

  it('safeNext refuses each hostile value and keeps good ones (normalized)', () => {
    for (const v of HOSTILE) expect(safeNext(v), JSON.stringify(v)).toBe('/projects')
    expect(safeNext('/projects/p1?tab=data#top')).toBe('/projects/p1?tab=data#top')
    expect(safeNext('/a b')).toBe('/a%20b')
    expect(safeNext('/x/../projects')).toBe('/projects')
  })

  it('GET /login?next=… when signed in, and POST /login with next, never leave the origin', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    for (const raw of [...RAW, ...HOSTILE.map(encodeURIComponent)]) {
      const res = await call('GET', `/login?next=${raw}`, { cookie: u.cookie })
      expect(res.status, raw).toBe(303)
      expect(res.headers.get('Location'), raw).toBe('/projects')
    }
    const ok = await call('GET', `/login?next=${encodeURIComponent('/members?x=1')}`, { cookie: u.cookie })
    expect(ok.headers.get('Location')).toBe('/members?x=1')
    for (const next of ['/\t/evil.example', '/\r\n/evil.example', '//evil.example', '/members']) {
      const res = await call('POST', '/login', undefined, { form: { email: u.email, password: PASSWORD, next } })
      expect(res.status, next).toBe(303)
      expect(res.headers.get('Location'), next).toBe(next === '/members' ? '/members' : '/projects')
    }
  })
})

describe('hostile input is a clear 4xx, never a 500, and changes nothing', () => {
  let admin: Awaited<ReturnType<typeof makeUser>>
  let projectId: string
  let datasetId: string
  let dataRowId: string
  let integrationId: string
  beforeAll(async () => {
    admin = orgs.orgA.ADMIN
    const c = { cookie: admin.cookie }
    datasetId = (await json(await call('POST', '/api/v1/datasets', c, { json: { name: unique('ds') } }))).id
    dataRowId = (
      await json(await call('POST', `/api/v1/datasets/${datasetId}/data-rows`, c, { json: [{ row_data: 'https://x.test/a.jpg' }] }))
    ).created[0].id
    projectId = (
      await json(
        await call('POST', '/api/v1/projects', c, {
          json: { name: unique('P'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } },
        }),
      )
    ).id
    expect(
      (await call('POST', `/api/v1/projects/${projectId}/batches`, c, { json: { name: 'b', data_row_ids: [dataRowId] } })).status,
    ).toBe(201)
    integrationId = (await json(await call('POST', '/api/v1/integrations', c, { json: { provider: 'AWS', name: unique('S3') } }))).id
  })

  const raw = (
    method: string,
    path: string,
    type: string | undefined,
    body: BodyInit | undefined,
    auth: { cookie?: string; key?: string } = { cookie: admin.cookie },
  ) => call(method, path, auth, { body, headers: type ? { 'Content-Type': type } : {} })

  /** A 4xx; the API answers problem+json naming a field, a page answers HTML. */
  async function refused(res: Response, what: string, field?: string) {
    expect(res.status, `${what}: ${res.status}`).toBeGreaterThanOrEqual(400)
    expect(res.status, `${what}: ${res.status}`).toBeLessThan(500)
    const type = res.headers.get('Content-Type') ?? ''
    const text = await res.text()
    if (what.includes('/api/')) {
      expect(type, what).toContain('application/problem+json')
      const p = JSON.parse(text)
      expect(p.errors?.length, `${what}: ${text}`).toBeGreaterThan(0)
      if (field)
        expect(
          p.errors.map((e: any) => e.path),
          what,
        ).toContain(field)
    } else {
      expect(type, what).toContain('text/html')
    }
    expect(text, what).not.toMatch(/at \w+ \(|stack/i)
  }

  it('cursors of the wrong shape and NUL bytes in search', async () => {
    const bad = [
      'WyJwIiwge31d',
      encodeCursor(['u', 5]),
      encodeCursor([{}]),
      encodeCursor(['p', ['x']]),
      encodeCursor(['x', 'y']),
      encodeCursor([]),
      'bm90IGpzb24',
    ]
    for (const cur of bad) {
      await refused(await call('GET', `/api/v1/projects?cursor=${cur}`, { cookie: admin.cookie }), `/api/ projects ${cur}`, 'cursor')
      await refused(await call('GET', `/projects?cursor=${cur}`, { cookie: admin.cookie }), `/projects ${cur}`)
      await refused(await call('GET', `/projects/rows?cursor=${cur}`, { cookie: admin.cookie }, { htmx: true }), `/projects/rows ${cur}`)
      for (const list of ['/api/v1/datasets', '/api/v1/api-keys', '/api/v1/members', `/api/v1/projects/${projectId}/labels`]) {
        await refused(await call('GET', `${list}?cursor=${encodeURIComponent(cur)}`, { cookie: admin.cookie }), `${list} ${cur}`, 'cursor')
      }
    }
    for (const s of ['a%00b', '%00', 'abc%00', '%00%00%00']) {
      await refused(await call('GET', `/api/v1/projects?search=${s}`, { cookie: admin.cookie }), `/api/ search ${s}`, 'search')
      await refused(await call('GET', `/projects?search=${s}`, { cookie: admin.cookie }), `/projects search ${s}`)
      await refused(await call('GET', `/projects/rows?search=${s}`, { cookie: admin.cookie }, { htmx: true }), `/projects/rows search ${s}`)
    }
  })

  const MP = (parts: string, boundary = 'XyZ') => `--${boundary}\r\n${parts}`
  const filePart = (name: string, data = 'hello', field = 'file') =>
    `Content-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${data}\r\n`
  const multipartCases: [string, string | undefined, string][] = [
    ['no boundary', 'multipart/form-data', `${MP(filePart('a.txt'))}--XyZ--\r\n`],
    ['empty boundary', 'multipart/form-data; boundary=', `${MP(filePart('a.txt'))}--XyZ--\r\n`],
    ['wrong boundary', 'multipart/form-data; boundary=other', `${MP(filePart('a.txt'))}--XyZ--\r\n`],
    [
      'overlong boundary',
      `multipart/form-data; boundary=${'b'.repeat(200)}`,
      `${MP(filePart('a.txt'), 'b'.repeat(200))}--${'b'.repeat(200)}--\r\n`,
    ],
    ['truncated part', 'multipart/form-data; boundary=XyZ', MP(filePart('a.txt')).slice(0, 60)],
    ['truncated body', 'multipart/form-data; boundary=XyZ', MP(filePart('a.txt', 'x'.repeat(1000)))],
    ['NUL in a file name', 'multipart/form-data; boundary=XyZ', `${MP(filePart('a\u0000b.txt'))}--XyZ--\r\n`],
    [
      'NUL in a field name',
      'multipart/form-data; boundary=XyZ',
      `${MP(`Content-Disposition: form-data; name="a\u0000"\r\n\r\nx\r\n`)}--XyZ--\r\n`,
    ],
    ['garbage', 'multipart/form-data; boundary=XyZ', '\u0000\u0001garbage'],
  ]

  it('multipart bodies with no or a bad boundary, truncated parts, NUL in names', async () => {
    const before = (await json(await call('GET', `/api/v1/datasets/${datasetId}/data-rows`, { cookie: admin.cookie }))).items.length
    const webhookId =
      (
        await json(
          await call(
            'POST',
            '/api/v1/webhooks',
            { cookie: admin.cookie },
            { json: { url: 'https://hooks.example.com/x', events: ['LABEL_CREATED'] } },
          ),
        )
      ).id ?? 'wh_missing'
    for (const [label, type, body] of multipartCases) {
      await refused(await raw('POST', `/api/v1/datasets/${datasetId}/files`, type, body), `/api/ files: ${label}`)
      for (const path of [
        '/account/webhooks',
        `/account/webhooks/${webhookId}`,
        `/projects/${projectId}/label`,
        `/projects/${projectId}/review`,
        `/account/integrations/${integrationId}/datasets`,
        '/account',
      ]) {
        await refused(await raw('POST', path, type, body), `${path}: ${label}`)
      }
    }
    expect((await json(await call('GET', `/api/v1/datasets/${datasetId}/data-rows`, { cookie: admin.cookie }))).items.length).toBe(before)
  })

  it('/projects/{id}/label with an empty body, bad percent-encoding, a 5 MB body, deep indexes', async () => {
    const path = `/projects/${projectId}/label`
    const form = 'application/x-www-form-urlencoded'
    const cases: [string, string][] = [
      ['empty', ''],
      ['bad percent-encoding', `data_row_id=${dataRowId}&objects=%E0%A4%A&cls.Q=%`],
      ['bad percent-encoding in a name', `%ZZ=1&data_row_id=${dataRowId}`],
      ['5 MB body', `data_row_id=${dataRowId}&objects=${'%5B'.repeat(10)}${'a'.repeat(5 * 1024 * 1024)}`],
      ['deep indexes', `data_row_id=${dataRowId}&${`a${'[0]'.repeat(5000)}`}=1`],
      ['many fields', Array.from({ length: 20000 }, (_, i) => `f${i}=1`).join('&')],
      ['NUL in a value', `data_row_id=${dataRowId}%00&skip=1`],
    ]
    for (const [label, body] of cases) await refused(await raw('POST', path, form, body), `${path}: ${label}`)
    const labels = await json(await call('GET', `/api/v1/projects/${projectId}/labels`, { cookie: admin.cookie }))
    expect(labels.items).toHaveLength(0)
  })

  it('a 5 MB form field used as an id', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024)
    await refused(
      await call('POST', `/account/integrations/${integrationId}/datasets`, { cookie: admin.cookie }, { form: { dataset_id: big } }),
      'integrations datasets',
    )
    await refused(
      await call('POST', `/projects/${projectId}/review`, { cookie: admin.cookie }, { form: { label_id: big, score: '1' } }),
      'review',
    )
    await refused(
      await call(
        'POST',
        `/api/v1/datasets/${datasetId}/uploads/complete`,
        { cookie: admin.cookie },
        { json: { key: big, upload_id: big, filename: 'a', parts: [] } },
      ),
      '/api/ uploads complete',
    )
  })

  it('PUT /api/v1/datasets/{id}/uploads/parts with an unknown upload_id', async () => {
    const c = { cookie: admin.cookie }
    const up = await json(await call('POST', `/api/v1/datasets/${datasetId}/uploads`, c, { json: { filename: 'v.mp4', size: 100 } }))
    for (const uploadId of ['nope', '', 'x'.repeat(5000)]) {
      const res = await call(
        'PUT',
        `/api/v1/datasets/${datasetId}/uploads/parts?key=${encodeURIComponent(up.key)}&upload_id=${encodeURIComponent(uploadId)}&part=1`,
        c,
        { body: 'abc', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '3' } },
      )
      await refused(res, `/api/ uploads/parts ${uploadId.slice(0, 10)}`, 'upload_id')
    }
  })
})

describe('every API error is problem+json naming what was wrong', () => {
  async function problemOf(res: Response, status: number, field: string) {
    expect(res.status).toBe(status)
    expect(res.headers.get('Content-Type')).toContain('application/problem+json')
    const p = await json(res)
    expect(p.status).toBe(status)
    expect(p.errors.map((e: any) => e.path)).toContain(field)
    return p
  }

  it('416 on …/content and …/result is problem+json naming Range', async () => {
    const admin = orgs.orgA.ADMIN
    const c = { cookie: admin.cookie }
    const d = await json(await call('POST', '/api/v1/datasets', c, { json: { name: unique('ds') } }))
    const form = new FormData()
    form.append('file', new File(['hello world'], 'a.txt', { type: 'text/plain' }))
    const up = await json(await call('POST', `/api/v1/datasets/${d.id}/files`, c, { body: form }))
    const rowId = up.created[0].id
    for (const range of ['bytes=100-200', 'bytes=abc', 'lines=1-2', 'bytes=5-2']) {
      const p = await problemOf(await call('GET', `/api/v1/data-rows/${rowId}/content`, c, { headers: { Range: range } }), 416, 'Range')
      expect(p.detail).toMatch(/Range/)
    }
    const ok = await call('GET', `/api/v1/data-rows/${rowId}/content`, c, { headers: { Range: 'bytes=0-4' } })
    expect(ok.status).toBe(206)
    expect(await ok.text()).toBe('hello')
    const p = await json(await call('POST', '/api/v1/projects', c, { json: { name: unique('P'), media_type: 'TEXT' } }))
    const task = await json(await call('POST', `/api/v1/projects/${p.id}/exports`, c, { json: {} }))
    await waitForTask(task.id, c)
    await problemOf(await call('GET', `/api/v1/tasks/${task.id}/result`, c, { headers: { Range: 'bytes=999999-' } }), 416, 'Range')
    expect((await call('GET', `/api/v1/tasks/${task.id}/result`, c)).status).toBe(200)
  })

  it('a refused /api/v1/tasks/{id}/events is problem+json', async () => {
    const admin = orgs.orgA.ADMIN
    const c = { cookie: admin.cookie }
    const p = await json(await call('POST', '/api/v1/projects', c, { json: { name: unique('P'), media_type: 'TEXT' } }))
    const task = await json(await call('POST', `/api/v1/projects/${p.id}/exports`, c, { json: {} }))
    // What the runtime itself would refuse as a bare text/plain 400 (no key, wrong version).
    await problemOf(
      await call('GET', `/api/v1/tasks/${task.id}/events`, c, { headers: { Upgrade: 'websocket' } }),
      400,
      'Sec-WebSocket-Key',
    )
    await problemOf(
      await call('GET', `/api/v1/tasks/${task.id}/events`, c, {
        headers: { Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '8' },
      }),
      400,
      'Sec-WebSocket-Key',
    )
    const ok = await call('GET', `/api/v1/tasks/${task.id}/events`, c, {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' },
    })
    expect(ok.status).toBe(101)
    ok.webSocket!.accept()
    ok.webSocket!.close()
  })

  it('jsonErrorPosition finds where a text stops being JSON', () => {
    for (const [text, pos] of [
      ['{"a": tru}', 9],
      ['[1, 2,]', 6],
      ['{"a" 1}', 5],
      ['"abc', 4],
      ['{"a": "\u0001"}', 7],
      ['[01]', 2],
      ['{} x', 3],
      ['{"a": "\\q"}', 8],
      ['-', 0],
      ['['.repeat(2000), 1001],
    ] as const) {
      expect(() => JSON.parse(text)).toThrow()
      expect(jsonErrorPosition(text), text).toBe(pos)
    }
  })

  it('malformed JSON says where, and root-level errors name the body', async () => {
    const u = orgs.orgA.LABELER
    for (const [body, pos] of [
      ['{"full_name": ', 14],
      ['{"full_name": "x",}', 18],
      ['nope', 1],
      ['', 0],
    ] as const) {
      const p = await problemOf(
        await call('PATCH', '/api/v1/me', { cookie: u.cookie }, { body, headers: { 'Content-Type': 'application/json' } }),
        400,
        'body',
      )
      expect(p.detail).toMatch(/^body: not valid JSON at position \d+/)
      expect(p.detail, body).toContain(`position ${pos}`)
    }
    await problemOf(await call('PATCH', '/api/v1/me', { cookie: u.cookie }, { json: 42 }), 400, 'body')
    await problemOf(await call('POST', '/api/v1/api-keys', { cookie: u.cookie }, { json: 'x' }), 400, 'body')
  })
})

describe('smaller hygiene', () => {
  it("inviting another organization's member answers as for an unknown address; the invitee is told on accepting", async () => {
    const admin = orgs.orgA.ADMIN
    const foreign = orgs.orgB.REVIEWER
    const unknown = `${unique('new')}@example.com`
    const a = await call('POST', '/api/v1/invitations', { cookie: admin.cookie }, { json: { email: foreign.email, role: 'LABELER' } })
    const b = await call('POST', '/api/v1/invitations', { cookie: admin.cookie }, { json: { email: unknown, role: 'LABELER' } })
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    const inv = await json(a)
    expect(Object.keys(inv).sort()).toEqual(Object.keys(await json(b)).sort())
    // The HTML form says the same as for anyone.
    const other = await makeUser(orgs.b, 'LABELER')
    const page = await call(
      'POST',
      '/members/invitations',
      { cookie: admin.cookie },
      { form: { email: other.email.toUpperCase(), role: 'LABELER' } },
    )
    expect(page.status).toBeLessThan(400)
    expect(await page.text()).not.toMatch(/another organization/i)
    // Accepting: whoever holds the link without the account's password learns nothing more…
    const token = inv.accept_url.split('/').pop()
    const res = await call('POST', `/invitations/${token}`, undefined, {
      form: { full_name: 'Taken Over', password: 'another-password-1' },
    })
    expect(res.status).toBe(422)
    expect(await res.text()).not.toMatch(/another organization/)
    // …the person themselves is refused, saying why, and nothing changes for them.
    const own = await call('POST', `/invitations/${token}`, undefined, { form: { full_name: 'Taken Over', password: PASSWORD } })
    expect(own.status).toBe(422)
    expect(await own.text()).toMatch(/already belongs to another organization/)
    const login = await call('POST', '/login', undefined, { form: { email: foreign.email, password: PASSWORD } })
    expect(login.status).toBe(303)
    expect((await json(await call('GET', '/api/v1/me', { cookie: foreign.cookie }))).organization.id).toBe(orgs.b.id)
  })

  it('the session cookie is Secure by the deployment setting, not the request URL', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    const login = (vars: Record<string, string>) =>
      app.fetch(
        new Request('http://localhost/login', {
          method: 'POST',
          headers: { Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email: u.email, password: PASSWORD }).toString(),
          redirect: 'manual',
        }),
        { ...env, ...vars },
        createExecutionContext(),
      )
    // wrangler.toml says "true": Secure even though this request came over http.
    expect(env.SECURE_COOKIES).toBe('true')
    expect((await login({})).headers.get('Set-Cookie')).toMatch(/;\s*Secure/i)
    expect((await login({ SECURE_COOKIES: 'false' })).headers.get('Set-Cookie')).not.toMatch(/Secure/i)
    const noSetting = { ...env } as Record<string, unknown>
    delete noSetting.SECURE_COOKIES
    const res = await app.fetch(
      new Request('http://localhost/login', {
        method: 'POST',
        headers: { Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: u.email, password: PASSWORD }).toString(),
        redirect: 'manual',
      }),
      noSetting as never,
      createExecutionContext(),
    )
    expect(res.headers.get('Set-Cookie')).toMatch(/;\s*Secure/i)
  })

  it('signed-in answers are Cache-Control: no-store (pages, fragments, JSON, errors)', async () => {
    const u = orgs.orgA.LABELER
    const key = await makeApiKey(u)
    for (const [path, auth, htmx] of [
      ['/projects', { cookie: u.cookie }, false],
      ['/projects/rows', { cookie: u.cookie }, true],
      ['/account', { cookie: u.cookie }, false],
      ['/members', { cookie: u.cookie }, false],
      ['/api/v1/me', { cookie: u.cookie }, false],
      ['/api/v1/projects', { key: key.key }, false],
      ['/api/v1/projects/prj_missing', { key: key.key }, false],
      ['/projects/prj_missing', { cookie: u.cookie }, false],
    ] as const) {
      const res = await call('GET', path, auth, { htmx })
      expect(res.headers.get('Cache-Control'), path).toBe('no-store')
    }
  })
})
