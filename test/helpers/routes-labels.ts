/**
 * Route cases for labels, reviews, the labeling and review pages, exports, label imports and
 * tasks (same shape as routes.ts). Each prepare builds what it needs in the given organization
 * through its admin: a project with one data row in a batch, and where needed a label made by a
 * fresh labeler (so "someone else's label" rules apply) or a task started by the admin.
 */
import type { Action } from '../../src/auth/permissions'
import { makeUser, unique, type TestOrg, type TestUser } from './factories'
import { call } from './harness'
import type { RouteCase } from './routes'

type Setup = { projectId: string; dataRowId: string }

async function projectWithRow(admin: TestUser): Promise<Setup> {
  const c = { cookie: admin.cookie }
  const d = (await (await call('POST', '/api/v1/datasets', c, { json: { name: unique('ds') } })).json()) as { id: string }
  const r = (await (
    await call('POST', `/api/v1/datasets/${d.id}/data-rows`, c, { json: [{ row_data: 'https://x.test/a.jpg' }] })
  ).json()) as { created: { id: string }[] }
  const p = (await (
    await call('POST', '/api/v1/projects', c, {
      json: { name: unique('P'), media_type: 'IMAGE', ontology: { classifications: [{ name: 'Q', type: 'text' }] } },
    })
  ).json()) as { id: string }
  const b = await call('POST', `/api/v1/projects/${p.id}/batches`, c, { json: { name: 'b', data_row_ids: [r.created[0]!.id] } })
  if (b.status !== 201) throw new Error(`setup failed: ${b.status}`)
  return { projectId: p.id, dataRowId: r.created[0]!.id }
}

/** A label by a fresh labeler of the org (someone else's label for every caller). */
async function someonesLabel(org: TestOrg, admin: TestUser): Promise<Setup & { labelId: string; authorId: string }> {
  const s = await projectWithRow(admin)
  const author = await makeUser(org, 'LABELER')
  const res = await call(
    'POST',
    `/api/v1/projects/${s.projectId}/labels`,
    { cookie: author.cookie },
    { json: { data_row_id: s.dataRowId, annotations: { classifications: [{ name: 'Q', text_answer: { content: 'x' } }] } } },
  )
  if (res.status !== 201) throw new Error(`label setup failed: ${res.status} ${await res.text()}`)
  return { ...s, labelId: ((await res.json()) as { id: string }).id, authorId: author.id }
}

// One task per admin, reused: every task has its own Durable Object, and the test pool's DO
// wrapper grows with each instance a test file creates (see notes in permission-suite.ts).
const tasksByAdmin = new Map<string, Promise<string>>()
function adminsTask(admin: TestUser): Promise<string> {
  let t = tasksByAdmin.get(admin.id)
  if (!t) {
    t = (async () => {
      const s = await projectWithRow(admin)
      const res = await call('POST', `/api/v1/projects/${s.projectId}/exports`, { cookie: admin.cookie }, { json: {} })
      return ((await res.json()) as { id: string }).id
    })()
    tasksByAdmin.set(admin.id, t)
  }
  return t
}

const act = (a: Action) => () => a

export const LABEL_ROUTES: RouteCase[] = [
  {
    name: 'POST /api/v1/projects/{id}/labels',
    surface: 'api',
    method: 'POST',
    action: act('label.create'),
    hasTarget: true,
    prepare: async ({ admin }) => {
      const s = await projectWithRow(admin)
      return {
        path: `/api/v1/projects/${s.projectId}/labels`,
        json: { data_row_id: s.dataRowId, annotations: { classifications: [{ name: 'Q', text_answer: { content: 'y' } }] } },
      }
    },
  },
  {
    name: 'GET /api/v1/projects/{id}/labels',
    surface: 'api',
    method: 'GET',
    action: act('project.view'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/projects/${(await projectWithRow(admin)).projectId}/labels` }),
  },
  {
    name: 'GET /api/v1/projects/{id}/overview',
    surface: 'api',
    method: 'GET',
    action: act('project.view'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/projects/${(await projectWithRow(admin)).projectId}/overview` }),
  },
  {
    name: 'GET /api/v1/projects/{id}/label-series',
    surface: 'api',
    method: 'GET',
    action: act('project.view'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/projects/${(await projectWithRow(admin)).projectId}/label-series` }),
  },
  // Someone else's label is visible only to reviewers and up (label.view_all): others get 404.
  {
    name: "GET /api/v1/labels/{someone else's}",
    surface: 'api',
    method: 'GET',
    action: act('label.view_all'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => ({ path: `/api/v1/labels/${(await someonesLabel(org, admin)).labelId}` }),
  },
  {
    name: "PATCH /api/v1/labels/{someone else's}",
    surface: 'api',
    method: 'PATCH',
    action: act('label.edit_any'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => ({
      path: `/api/v1/labels/${(await someonesLabel(org, admin)).labelId}`,
      json: { seconds_to_create: 5 },
    }),
  },
  {
    name: "DELETE /api/v1/labels/{someone else's}",
    surface: 'api',
    method: 'DELETE',
    action: act('label.edit_any'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => ({ path: `/api/v1/labels/${(await someonesLabel(org, admin)).labelId}` }),
  },
  {
    name: 'POST /api/v1/labels/{id}/reviews',
    surface: 'api',
    method: 'POST',
    action: act('label.review'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => ({
      path: `/api/v1/labels/${(await someonesLabel(org, admin)).labelId}/reviews`,
      json: { score: 1 },
    }),
  },
  {
    name: 'GET /projects/{id}/label',
    surface: 'html',
    method: 'GET',
    action: act('label.create'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/projects/${(await projectWithRow(admin)).projectId}/label` }),
  },
  {
    name: 'GET /projects/{id}/review',
    surface: 'html',
    method: 'GET',
    action: act('label.review'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/projects/${(await projectWithRow(admin)).projectId}/review` }),
  },
  {
    name: "POST /projects/{someone else's label's project}/review",
    surface: 'html',
    method: 'POST',
    action: act('label.review'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => {
      const l = await someonesLabel(org, admin)
      return { path: `/projects/${l.projectId}/review`, form: { label_id: l.labelId, score: '1' } }
    },
  },
  {
    name: 'POST /projects/{id}/label',
    surface: 'html',
    method: 'POST',
    action: act('label.create'),
    hasTarget: true,
    prepare: async ({ admin }) => {
      const s = await projectWithRow(admin)
      return {
        path: `/projects/${s.projectId}/label`,
        form: { data_row_id: s.dataRowId, started_at: String(Date.now()), objects: '[]', skip: '1' },
      }
    },
  },
  // The labeling page's edit mode (someone else's label: reviewers and up, like PATCH /labels/{id}).
  {
    name: "GET /projects/{id}/labels/{someone else's}/edit",
    surface: 'html',
    method: 'GET',
    action: act('label.edit_any'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => {
      const s = await someonesLabel(org, admin)
      return { path: `/projects/${s.projectId}/labels/${s.labelId}/edit` }
    },
  },
  {
    name: "POST /projects/{id}/labels/{someone else's}/edit",
    surface: 'html',
    method: 'POST',
    action: act('label.edit_any'),
    seeAction: 'label.view_all',
    hasTarget: true,
    prepare: async ({ org, admin }) => {
      const s = await someonesLabel(org, admin)
      return { path: `/projects/${s.projectId}/labels/${s.labelId}/edit`, form: { objects: '[]' } }
    },
  },
]

/** Routes that start or read tasks (each task has a Durable Object: kept in their own file). */
export const TASK_ROUTES: RouteCase[] = [
  {
    name: 'POST /api/v1/projects/{id}/exports',
    surface: 'api',
    method: 'POST',
    action: act('export.create'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/projects/${(await projectWithRow(admin)).projectId}/exports`, json: {} }),
  },
  {
    name: 'POST /api/v1/projects/{id}/label-imports',
    surface: 'api',
    method: 'POST',
    action: act('label.import'),
    hasTarget: true,
    prepare: async ({ admin }) => ({
      path: `/api/v1/projects/${(await projectWithRow(admin)).projectId}/label-imports`,
      body: '{"dataRow":{"id":"dr_none"},"answer":"x","name":"Q"}\n',
      headers: { 'Content-Type': 'application/x-ndjson' },
    }),
  },
  {
    name: "GET /api/v1/tasks/{admin's}",
    surface: 'api',
    method: 'GET',
    action: act('task.view'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/tasks/${await adminsTask(admin)}`, ownerId: admin.id }),
  },
  {
    name: "GET /api/v1/tasks/{admin's}/errors",
    surface: 'api',
    method: 'GET',
    action: act('task.view'),
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/tasks/${await adminsTask(admin)}/errors`, ownerId: admin.id }),
  },
]
