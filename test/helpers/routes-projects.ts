/**
 * Every project route, HTML and JSON, for the generated permission tests (same shape as
 * `ROUTES` in routes.ts). Each `prepare` makes a fresh project in the given organization through
 * its admin (`POST /api/v1/projects`), so the caller's org role is their role in it: org roles see
 * every project, a project-based member (NONE) has no role in a fresh project and gets 404.
 *
 * `action` is the permission the service checks. Lists and the editor-row fragment need none
 * beyond being signed in (a list is filtered, not refused): they use `account.view`.
 */
import { dataRows, datasets } from '../../src/db/schema'
import { newId } from '../../src/lib/ids'
import { db, makeUser, unique, type TestOrg, type TestUser } from './factories'
import { call } from './harness'
import type { RouteCase, Target } from './routes'

/** A project made by the org's admin through the JSON API. */
export async function freshProject(admin: TestUser, body: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const res = await call(
    'POST',
    '/api/v1/projects',
    { cookie: admin.cookie },
    { json: { name: unique('Project'), media_type: 'IMAGE', ...body } },
  )
  if (res.status !== 201) throw new Error(`project setup failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string; name: string }
}

/** A dataset with `n` data rows (global keys `{prefix}-{i}.jpg`), inserted directly. */
export async function makeDataRows(org: TestOrg, createdBy: string, n: number, prefix = unique('key')) {
  const now = new Date()
  const datasetId = newId('ds')
  await db()
    .insert(datasets)
    .values({
      id: datasetId,
      orgId: org.id,
      name: unique('Dataset'),
      description: '',
      rowCount: 0,
      createdBy,
      createdAt: now,
      updatedAt: now,
    })
  const rows = Array.from({ length: n }, (_, i) => {
    const globalKey = `${prefix}-${i}.jpg`
    return {
      id: newId('dr'),
      orgId: org.id,
      datasetId,
      rowData: `https://example.com/${globalKey}`,
      globalKey,
      globalKeyLower: globalKey.toLowerCase(),
      externalId: null,
      mediaType: 'IMAGE' as const,
      metadataFields: [],
      attachments: [],
      createdBy,
      createdAt: now,
      updatedAt: now,
    }
  })
  // 13 columns per row: stay under D1's 100 bound parameters per statement.
  // datasets.row_count follows by itself (trigger in migrations/0001_counters.sql).
  for (let i = 0; i < rows.length; i += 7)
    await db()
      .insert(dataRows)
      .values(rows.slice(i, i + 7))
  return { datasetId, ids: rows.map((r) => r.id), keys: rows.map((r) => r.globalKey) }
}

/** A batch of two fresh data rows attached by the admin. */
async function freshBatch(org: TestOrg, admin: TestUser, projectId: string): Promise<string> {
  const { ids } = await makeDataRows(org, admin.id, 2)
  const res = await call(
    'POST',
    `/api/v1/projects/${projectId}/batches`,
    { cookie: admin.cookie },
    { json: { name: unique('Batch'), data_row_ids: ids } },
  )
  if (res.status !== 201) throw new Error(`batch setup failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** A project-based member (org role NONE) of `org`, optionally with a role in the project. */
async function projectBased(org: TestOrg, grant?: { admin: TestUser; projectId: string }): Promise<string> {
  const u = await makeUser(org, 'NONE')
  if (grant) {
    const res = await call(
      'PUT',
      `/api/v1/projects/${grant.projectId}/members/${u.id}`,
      { cookie: grant.admin.cookie },
      { json: { role: 'LABELER' } },
    )
    if (res.status !== 200) throw new Error(`project member setup failed: ${res.status} ${await res.text()}`)
  }
  return u.id
}

type Prep = RouteCase['prepare']
const onProject =
  (f: (p: { id: string; name: string }, o: Parameters<Prep>[0]) => Promise<Target> | Target): Prep =>
  async (o) =>
    f(await freshProject(o.admin), o)

export const PROJECT_ROUTES: RouteCase[] = [
  // JSON API -------------------------------------------------------------------------------------
  {
    name: 'GET /api/v1/projects',
    surface: 'api',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/projects' }),
  },
  {
    name: 'POST /api/v1/projects',
    surface: 'api',
    method: 'POST',
    action: () => 'project.create',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/projects', json: { name: unique('API project'), media_type: 'IMAGE' } }),
  },
  {
    name: 'GET /api/v1/projects/{id}',
    surface: 'api',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}` })),
  },
  {
    name: 'PATCH /api/v1/projects/{id}',
    surface: 'api',
    method: 'PATCH',
    action: () => 'project.edit',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}`, json: { name: 'Renamed project' } })),
  },
  {
    name: 'DELETE /api/v1/projects/{id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'project.delete',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}` })),
  },
  {
    name: 'PUT /api/v1/projects/{id}/pin',
    surface: 'api',
    method: 'PUT',
    action: () => 'project.pin',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}/pin` })),
  },
  {
    name: 'DELETE /api/v1/projects/{id}/pin',
    surface: 'api',
    method: 'DELETE',
    action: () => 'project.pin',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}/pin` })),
  },
  {
    name: 'GET /api/v1/projects/{id}/members',
    surface: 'api',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}/members` })),
  },
  {
    name: 'PUT /api/v1/projects/{id}/members/{user_id}',
    surface: 'api',
    method: 'PUT',
    action: () => 'project.manage_members',
    hasTarget: true,
    prepare: onProject(async (p, { org }) => ({
      path: `/api/v1/projects/${p.id}/members/${await projectBased(org)}`,
      json: { role: 'REVIEWER' },
    })),
  },
  {
    name: 'DELETE /api/v1/projects/{id}/members/{user_id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'project.manage_members',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({
      path: `/api/v1/projects/${p.id}/members/${await projectBased(org, { admin, projectId: p.id })}`,
    })),
  },
  {
    name: 'GET /api/v1/projects/{id}/batches',
    surface: 'api',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/api/v1/projects/${p.id}/batches` })),
  },
  {
    name: 'POST /api/v1/projects/{id}/batches',
    surface: 'api',
    method: 'POST',
    action: () => 'batch.manage',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({
      path: `/api/v1/projects/${p.id}/batches`,
      json: { name: unique('Batch'), data_row_ids: (await makeDataRows(org, admin.id, 2)).ids },
    })),
  },
  {
    name: 'DELETE /api/v1/projects/{id}/batches/{batch_id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'batch.manage',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({ path: `/api/v1/projects/${p.id}/batches/${await freshBatch(org, admin, p.id)}` })),
  },

  // HTML pages -----------------------------------------------------------------------------------
  {
    name: 'GET /projects',
    surface: 'html',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/projects' }),
  },
  {
    name: 'GET /projects/rows',
    surface: 'html',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/projects/rows?search=a' }),
  },
  {
    name: 'GET /projects/new',
    surface: 'html',
    method: 'GET',
    action: () => 'project.create',
    hasTarget: false,
    prepare: async () => ({ path: '/projects/new' }),
  },
  {
    name: 'GET /projects/new/ontology-row',
    surface: 'html',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/projects/new/ontology-row?kind=tool&i=0' }),
  },
  {
    name: 'POST /projects',
    surface: 'html',
    method: 'POST',
    action: () => 'project.create',
    hasTarget: false,
    prepare: async () => ({
      path: '/projects',
      form: {
        name: unique('Web project'),
        media_type: 'IMAGE',
        description: '',
        _ontology: '1',
        'tools.0.name': 'Box',
        'tools.0.tool': 'bounding_box',
      },
    }),
  },
  {
    name: 'GET /projects/{id}',
    surface: 'html',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}` })),
  },
  {
    name: 'POST /projects/{id}/pin',
    surface: 'html',
    method: 'POST',
    action: () => 'project.pin',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/pin`, form: {} })),
  },
  {
    name: 'POST /projects/{id}/unpin',
    surface: 'html',
    method: 'POST',
    action: () => 'project.pin',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/unpin`, form: { from: 'list' } })),
  },
  {
    name: 'POST /projects/{id}/delete',
    surface: 'html',
    method: 'POST',
    action: () => 'project.delete',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/delete`, form: {} })),
  },
  {
    name: 'GET /projects/{id}/settings',
    surface: 'html',
    method: 'GET',
    action: () => 'project.edit',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings` })),
  },
  {
    name: 'POST /projects/{id}/settings',
    surface: 'html',
    method: 'POST',
    action: () => 'project.edit',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings`, form: { name: 'Renamed in the browser', description: 'New words' } })),
  },
  {
    name: 'GET /projects/{id}/settings/members',
    surface: 'html',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings/members` })),
  },
  {
    name: 'GET /projects/{id}/settings/members/addable',
    surface: 'html',
    method: 'GET',
    action: () => 'project.manage_members',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings/members/addable?member_search=lab` })),
  },
  {
    name: 'POST /projects/{id}/settings/members',
    surface: 'html',
    method: 'POST',
    action: () => 'project.manage_members',
    hasTarget: true,
    prepare: onProject(async (p, { org }) => ({
      path: `/projects/${p.id}/settings/members`,
      form: { user_id: await projectBased(org), role: 'REVIEWER' },
    })),
  },
  {
    name: 'POST /projects/{id}/settings/members/{user_id}/remove',
    surface: 'html',
    method: 'POST',
    action: () => 'project.manage_members',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({
      path: `/projects/${p.id}/settings/members/${await projectBased(org, { admin, projectId: p.id })}/remove`,
      form: {},
    })),
  },
  {
    name: 'GET /projects/{id}/settings/data',
    surface: 'html',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings/data` })),
  },
  {
    name: 'POST /projects/{id}/settings/data',
    surface: 'html',
    method: 'POST',
    action: () => 'batch.manage',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({
      path: `/projects/${p.id}/settings/data`,
      form: { name: unique('Batch'), priority: '2', data_row_ids: (await makeDataRows(org, admin.id, 2)).ids.join('\n') },
    })),
  },
  {
    // Needs both: attaching data to the project and creating a dataset (the stricter, admin-only one).
    name: 'POST /projects/{id}/settings/data/upload',
    surface: 'html',
    method: 'POST',
    action: () => 'dataset.manage',
    seeAction: 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/settings/data/upload`, form: { name: unique('Uploads'), priority: '2' } })),
  },
  {
    name: 'POST /projects/{id}/settings/data/{batch_id}/detach',
    surface: 'html',
    method: 'POST',
    action: () => 'batch.manage',
    hasTarget: true,
    prepare: onProject(async (p, { org, admin }) => ({
      path: `/projects/${p.id}/settings/data/${await freshBatch(org, admin, p.id)}/detach`,
      form: {},
    })),
  },

  // The dashboard's fragments (Overall / Mine, daily / weekly / monthly) and "Generate export" ----------------
  {
    name: 'GET /projects/{id}?scope=mine&bucket=week',
    surface: 'html',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}?scope=mine&bucket=week` })),
  },
  {
    name: 'GET /projects/{id}/labels-chart',
    surface: 'html',
    method: 'GET',
    action: () => 'project.view',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/labels-chart?bucket=month&scope=all` })),
  },
  {
    name: 'GET /projects/{id}/export',
    surface: 'html',
    method: 'GET',
    action: () => 'export.create',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/export` })),
  },
  {
    name: 'POST /projects/{id}/export',
    surface: 'html',
    method: 'POST',
    action: () => 'export.create',
    hasTarget: true,
    prepare: onProject((p) => ({ path: `/projects/${p.id}/export`, form: { params: 'data_row_details', workflow_status: 'ToLabel' } })),
  },
]
