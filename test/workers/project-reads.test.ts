// A project and the reads about it in one D1 round trip (`loadProjectWith` in
// src/modules/projects/service.ts). The reads go to D1 before anyone has seen the project, so each
// of their statements carries a guard: for another organization's project or a deleted one they
// must come back empty, not read and thrown away. The Worker is called with a D1 binding that
// records every round trip and how many rows each statement of a batch returned.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { ctxFor, seedTwoOrgs, unique, type TestUser } from '../helpers/factories'
import { loadProjectWith } from '../../src/modules/projects/service'
import { call, json, ORIGIN } from '../helpers/harness'
import { countingD1, type Trip } from '../helpers/counting-d1'

async function get(path: string, who: TestUser, headers: Record<string, string> = {}) {
  const { DB, trips } = countingD1()
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(ORIGIN + path, { headers: { Cookie: who.cookie, ...headers }, redirect: 'manual' }),
    { ...env, DB } as typeof env,
    ctx,
  )
  const body = await res.text()
  await waitOnExecutionContext(ctx)
  return { res, body, trips }
}

/** Twice: the first request teaches the isolate the session, the second is the one measured. */
async function warm(path: string, who: TestUser, headers: Record<string, string> = {}) {
  await get(path, who, headers)
  return get(path, who, headers)
}

/** Statements that read a project's own data (not the session, the project lookup or the Tasks badge). */
const PROJECT_DATA = /from "(project_feature_counts|project_member_stats|project_label_days|labels|batches)"/
const dataRows = (trips: Trip[]) =>
  trips.flatMap((t) => t.sql.map((sql, i) => ({ sql, rows: t.rows?.[i] }))).filter((s) => PROJECT_DATA.test(s.sql))

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const projects: Record<'a' | 'b' | 'deleted' | 'other', string> = { a: '', b: '', deleted: '', other: '' }

/** A project with 4 data rows in a batch, a label by the admin and one by the labeler (reviewed). */
async function labeledProject(org: Record<string, TestUser>): Promise<string> {
  const admin = org.ADMIN!
  const d = await json(await call('POST', '/api/v1/datasets', admin, { json: { name: unique('ds') } }))
  const rows = (
    await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin, {
        json: Array.from({ length: 4 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg` })),
      }),
    )
  ).created
  const ontology = { tools: [{ name: 'Sign', tool: 'point' }], classifications: [] }
  const p = await json(await call('POST', '/api/v1/projects', admin, { json: { name: unique('Guarded'), media_type: 'IMAGE', ontology } }))
  await call('POST', `/api/v1/projects/${p.id}/batches`, admin, {
    json: { name: 'all', data_row_ids: rows.map((r: { id: string }) => r.id) },
  })
  for (const [who, i] of [
    [admin, 0],
    [org.LABELER!, 1],
  ] as const) {
    const res = await call('POST', `/api/v1/projects/${p.id}/labels`, who, {
      json: { data_row_id: rows[i].id, annotations: { objects: [{ name: 'Sign', point: { x: i, y: 1 } }] } },
    })
    expect(res.status, await res.clone().text()).toBe(201)
    if (who === org.LABELER)
      expect((await call('POST', `/api/v1/labels/${(await json(res)).id}/reviews`, admin, { json: { score: 1 } })).status).toBe(201)
  }
  return p.id
}

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  projects.a = await labeledProject(orgs.orgA)
  projects.b = await labeledProject(orgs.orgB)
  projects.deleted = await labeledProject(orgs.orgA)
  projects.other = (
    await json(await call('POST', '/api/v1/projects', orgs.orgA.ADMIN, { json: { name: unique('Not theirs'), media_type: 'IMAGE' } }))
  ).id
  // Deleted the way a big project is while its purge task is still queued: marked, data still there.
  await env.DB.prepare('UPDATE projects SET deleted_at = ? WHERE id = ?').bind(Date.now(), projects.deleted).run()
  // A project-based member (no org role) who labels in project a only.
  const put = await call('PUT', `/api/v1/projects/${projects.a}/members/${orgs.orgA.NONE.id}`, orgs.orgA.ADMIN, {
    json: { role: 'LABELER' },
  })
  expect(put.status, await put.clone().text()).toBe(200)
})

const dashboardPaths = (id: string): { path: string; headers: Record<string, string> }[] => [
  { path: `/projects/${id}`, headers: {} },
  { path: `/projects/${id}?scope=mine&bucket=week`, headers: { 'HX-Request': 'true' } },
  { path: `/projects/${id}/labels-chart?bucket=month`, headers: { 'HX-Request': 'true' } },
  { path: `/api/v1/projects/${id}/overview`, headers: {} },
  { path: `/api/v1/projects/${id}/overview?scope=mine`, headers: {} },
  { path: `/api/v1/projects/${id}/label-series?bucket=week`, headers: {} },
  { path: `/api/v1/projects/${id}/batches`, headers: {} },
]

describe('a project and its dashboard reads in one round trip', () => {
  it('serves the dashboard page — actor, project, numbers, chart, activity, batches — in one trip', async () => {
    const { res, body, trips } = await warm(`/projects/${projects.a}`, orgs.orgA.ADMIN)
    expect(res.status).toBe(200)
    expect(trips).toHaveLength(1)
    const [trip] = trips
    expect(trip!.sql[0]).toMatch(/FROM sessions s/)
    for (const table of ['project_feature_counts', 'project_member_stats', 'project_label_days', 'labels', 'batches'])
      expect(
        trip!.sql.some((s) => s.includes(`from "${table}"`)),
        table,
      ).toBe(true)
    // Read, not just asked for: the guarded statements found the project's data.
    expect(dataRows(trips).every((s) => s.rows! > 0)).toBe(true)
    expect(body).toContain(orgs.orgA.LABELER.email) // a collaborator, from the member stats
  })

  it('answers every dashboard route of an organization member in one trip, with the right numbers', async () => {
    for (const { path, headers } of dashboardPaths(projects.a)) {
      const { res, trips } = await warm(path, orgs.orgA.TEAM_MANAGER, headers)
      expect(res.status, path).toBe(200)
      expect(
        trips.map((t) => t.kind),
        path,
      ).toEqual(['batch'])
      // Every read about the project that rides with its lookup carries the guard.
      const reads = dataRows(trips)
      expect(reads.length, path).toBeGreaterThan(0)
      for (const r of reads) expect(r.sql, path).toContain('EXISTS (SELECT 1 FROM "projects" WHERE "projects"."id" = ?')
    }
    const overview = JSON.parse((await get(`/api/v1/projects/${projects.a}/overview`, orgs.orgA.TEAM_MANAGER)).body)
    expect(overview).toMatchObject({ data_rows: 4, labeled: 2, remaining: 2, reviews: { accepted: 1, unreviewed: 1 } })
    expect(overview.collaborators.map((c: { email: string }) => c.email).sort()).toEqual(
      [orgs.orgA.ADMIN.email, orgs.orgA.LABELER.email].sort(),
    )
    // A labeler sees their own line only, worked out from their role before the project was read.
    const own = JSON.parse((await warm(`/api/v1/projects/${projects.a}/overview`, orgs.orgA.LABELER)).body)
    expect(own.collaborators.map((c: { email: string }) => c.email)).toEqual([orgs.orgA.LABELER.email])
  })

  it("finds nothing for another organization's project: 404, and every guarded read came back empty", async () => {
    for (const { path, headers } of dashboardPaths(projects.b)) {
      const { res, body, trips } = await warm(path, orgs.orgA.ADMIN, headers)
      expect(res.status, path).toBe(404)
      expect(body, path).not.toContain(orgs.orgB.LABELER.email)
      const reads = dataRows(trips)
      expect(reads.length, path).toBeGreaterThan(0)
      expect(
        reads.map((s) => s.rows),
        path,
      ).toEqual(reads.map(() => 0))
    }
    // The same routes for orgB's own admin read those rows: the guard, not a missing row, emptied them.
    const theirs = await warm(`/projects/${projects.b}`, orgs.orgB.ADMIN)
    expect(theirs.res.status).toBe(200)
    expect(dataRows(theirs.trips).every((s) => s.rows! > 0)).toBe(true)
  })

  it('finds nothing for a deleted project whose data is not purged yet', async () => {
    for (const { path, headers } of dashboardPaths(projects.deleted)) {
      const { res, trips } = await warm(path, orgs.orgA.ADMIN, headers)
      expect(res.status, path).toBe(404)
      const reads = dataRows(trips)
      expect(reads.length, path).toBeGreaterThan(0)
      expect(
        reads.map((s) => s.rows),
        path,
      ).toEqual(reads.map(() => 0))
    }
  })

  it("loads a project-based member's project first (their role is the project's), then its reads", async () => {
    const member = orgs.orgA.NONE
    const page = await warm(`/projects/${projects.a}`, member)
    expect(page.res.status).toBe(200)
    expect(page.trips.map((t) => t.kind)).toEqual(['batch', 'batch'])
    expect(page.trips[0]!.sql.some((s) => PROJECT_DATA.test(s))).toBe(false) // only the project (and chrome) first
    const overview = JSON.parse((await warm(`/api/v1/projects/${projects.a}/overview`, member)).body)
    expect(overview.collaborators).toEqual([]) // a labeler with no labels yet sees no one else's line
    for (const { path, headers } of dashboardPaths(projects.other)) expect((await warm(path, member, headers)).res.status, path).toBe(404)
  })

  it('refuses a read that looks at the project before it is loaded (only its id is known then)', async () => {
    const ctx = ctxFor(orgs.orgA.ADMIN.actor)
    await expect(loadProjectWith(ctx, projects.a, 'project.view', (l) => (void l.project.name, []))).rejects.toThrow(
      /project\.name read before the project is loaded/,
    )
    const [l] = await loadProjectWith(ctx, projects.a, 'project.view', (l) => (void l.project.id, []))
    expect(l.project).toMatchObject({ id: projects.a, dataRowCount: 4, labeledCount: 2 })
  })
})
