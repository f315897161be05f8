// The remembered actor (src/auth/optimistic-actor.ts): a GET from a credential this isolate has
// seen confirms its actor in the same D1 round trip as its first reads — and never answers for an
// actor that is no longer who it was. The Worker is called with a D1 binding that counts round
// trips (each statement run alone, each batch).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import worker from '../../src/index'
import { memberships, sessions, users } from '../../src/db/schema'
import { db, makeApiKey, makeOrg, makeUser, unique, type TestOrg, type TestUser } from '../helpers/factories'
import { ORIGIN } from '../helpers/harness'
import { countingD1 } from '../helpers/counting-d1'

/** Env whose DB records every round trip; the statements stay the real ones. */
function counting() {
  const { DB, trips } = countingD1()
  return { trips, env: { ...env, DB } as unknown as typeof env }
}

async function get(path: string, auth: { cookie?: string; key?: string }, e = counting(), headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers }
  if (auth.cookie) h.Cookie = auth.cookie
  if (auth.key) h.Authorization = `Bearer ${auth.key}`
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(ORIGIN + path, { headers: h, redirect: 'manual' }), e.env, ctx)
  const body = await res.text()
  await waitOnExecutionContext(ctx)
  return { res, body, trips: e.trips }
}

let org: TestOrg
let admin: TestUser
let key: string
let projectId: string

beforeAll(async () => {
  org = await makeOrg(unique('Optimistic'))
  admin = await makeUser(org, 'ADMIN')
  key = (await makeApiKey(admin)).key
  const res = await worker.fetch(
    new Request(`${ORIGIN}/api/v1/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: unique('Remembered'), media_type: 'IMAGE' }),
    }),
    env,
    createExecutionContext(),
  )
  projectId = ((await res.json()) as { id: string }).id
})

describe('a remembered actor', () => {
  it('reads the Projects page — actor, projects and Tasks badge — in one D1 round trip', async () => {
    await get('/projects', { cookie: admin.cookie }) // the isolate learns the session
    const { res, body, trips } = await get('/projects', { cookie: admin.cookie })
    expect(res.status).toBe(200)
    expect(body).toContain(projectId)
    expect(trips).toHaveLength(1)
    expect(trips[0]!.kind).toBe('batch')
    expect(trips[0]!.sql[0]).toMatch(/FROM sessions s/) // the confirmation leads the batch
    expect(trips[0]!.sql.some((s) => /from "tasks"/.test(s))).toBe(true) // the badge rides along
    // The page never shows ontologies, so its list reads leave them out (the JSON list has them).
    const lists = trips[0]!.sql.filter((s) => /from "projects"/.test(s))
    expect(lists.length).toBeGreaterThan(0)
    expect(lists.filter((s) => s.includes('"ontology"'))).toEqual([])
  })

  it('reads the JSON list in one round trip, and the dashboard page in one', async () => {
    await get('/api/v1/projects', { key })
    const list = await get('/api/v1/projects', { key })
    expect(list.res.status).toBe(200)
    expect(list.trips.map((t) => t.kind)).toEqual(['batch'])
    expect(list.trips[0]!.sql[0]).toMatch(/FROM api_keys k/)

    await get(`/projects/${projectId}`, { cookie: admin.cookie })
    const page = await get(`/projects/${projectId}`, { cookie: admin.cookie })
    expect(page.res.status).toBe(200)
    expect(page.trips.map((t) => t.kind)).toEqual(['batch'])
  })

  it('serves an uploaded thumbnail in one round trip: the row, its dataset and the confirmation', async () => {
    const call = (method: string, path: string, body: unknown) =>
      worker.fetch(
        new Request(ORIGIN + path, {
          method,
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
        env,
        createExecutionContext(),
      )
    const d = (await (await call('POST', '/api/v1/datasets', { name: unique('Thumbs') })).json()) as { id: string }
    const objectKey = `uploads/${org.id}/${unique('thumb')}.png`
    await env.ASSETS_BUCKET.put(objectKey, new Uint8Array([137, 80, 78, 71]))
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, [{ row_data: `r2://${objectKey}`, media_type: 'IMAGE' }])
    const rowId = ((await res.json()) as { created: { id: string }[] }).created[0]!.id
    await get(`/api/v1/data-rows/${rowId}/content`, { cookie: admin.cookie })
    const thumb = await get(`/api/v1/data-rows/${rowId}/content`, { cookie: admin.cookie })
    expect(thumb.res.status).toBe(200)
    expect(thumb.trips.map((t) => t.kind)).toEqual(['batch'])
    expect(thumb.trips[0]!.sql).toHaveLength(2)
  })

  it('a handler that reads nothing from D1 is still confirmed before it answers', async () => {
    const u = await makeUser(org, 'LABELER')
    expect(JSON.parse((await get('/api/v1/me', { cookie: u.cookie })).body).user.full_name).toBeTruthy()
    const renamed = unique('Renamed')
    await db().update(users).set({ fullName: renamed }).where(eq(users.id, u.id))
    const again = await get('/api/v1/me', { cookie: u.cookie })
    expect(again.res.status).toBe(200)
    expect(again.body).toContain(renamed)
  })

  it('a role changed elsewhere: the answer read for the old role is thrown away and the request runs again', async () => {
    const u = await makeUser(org, 'ADMIN')
    const before = await get('/projects', { cookie: u.cookie })
    expect(before.body).toContain('New project') // admins may create and delete
    expect(before.body).toContain('Delete…')
    await db()
      .update(memberships)
      .set({ role: 'LABELER' })
      .where(and(eq(memberships.userId, u.id), eq(memberships.orgId, org.id)))
    const after = await get('/projects', { cookie: u.cookie })
    expect(after.res.status).toBe(200)
    expect(after.body).not.toContain('New project')
    expect(after.body).not.toContain('Delete…')
    expect(after.body).toContain('· Labeler') // the account menu shows the new role
    // The stale batch, then the fresh run: the plain lookup and its reads.
    expect(after.trips[0]!.kind).toBe('batch')
    expect(after.trips[1]).toMatchObject({ kind: 'query' })
    expect(after.trips[1]!.sql[0]).toMatch(/FROM sessions s/)
    // From then on the new role is the remembered one.
    const next = await get('/projects', { cookie: u.cookie })
    expect(next.trips).toHaveLength(1)
    expect(next.body).not.toContain('New project')
  })

  it('a session ended elsewhere signs the person out; a removed member and a revoked key lose access', async () => {
    const u = await makeUser(org, 'ADMIN')
    await get('/projects', { cookie: u.cookie })
    await db().delete(sessions).where(eq(sessions.userId, u.id))
    const gone = await get('/projects', { cookie: u.cookie })
    expect(gone.res.status).toBe(303)
    expect(gone.res.headers.get('Location')).toMatch(/^\/login/)

    const v = await makeUser(org, 'ADMIN')
    const k = (await makeApiKey(v)).key
    expect((await get('/api/v1/projects', { key: k })).res.status).toBe(200)
    await db().delete(memberships).where(eq(memberships.userId, v.id))
    const removed = await get('/api/v1/projects', { key: k })
    expect(removed.res.status).toBe(401)
    expect(removed.body).not.toContain(projectId)
  })

  it('only GETs are optimistic: a POST confirms its actor before anything else', async () => {
    await get('/api/v1/projects', { key })
    const e = counting()
    const ctx = createExecutionContext()
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/v1/projects`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: unique('Posted'), media_type: 'TEXT' }),
      }),
      e.env,
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(res.status).toBe(201)
    expect(e.trips[0]).toMatchObject({ kind: 'query' })
    expect(e.trips[0]!.sql[0]).toMatch(/FROM api_keys k/)
  })
})
