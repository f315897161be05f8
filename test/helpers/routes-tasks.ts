/**
 * Route cases for the task pages and the task files (same shape as routes.ts): the Tasks page, its
 * rows and menu fragments, one task's item, its live events and its result. The result and the
 * events are read from a finished task (an unfinished one answers 409, and its event stream would
 * stay open), so each organization's admin gets one small export, awaited once and shared: every
 * task has its own Durable Object (see the notes in permission-suite.ts).
 */
import { waitForTask, call } from './harness'
import type { TestUser } from './factories'
import { freshProject, makeDataRows } from './routes-projects'
import type { RouteCase } from './routes'

const finished = new Map<string, Promise<string>>()
/** A COMPLETE export of a one-row project, started by `admin`. */
function adminsFinishedTask(admin: TestUser): Promise<string> {
  let t = finished.get(admin.id)
  if (!t) {
    t = (async () => {
      const c = { cookie: admin.cookie }
      const p = await freshProject(admin)
      const rows = await makeDataRows(admin.org, admin.id, 1)
      const b = await call('POST', `/api/v1/projects/${p.id}/batches`, c, { json: { name: 'b', data_row_ids: rows.ids } })
      if (b.status !== 201) throw new Error(`batch setup failed: ${b.status} ${await b.text()}`)
      const res = await call('POST', `/api/v1/projects/${p.id}/exports`, c, { json: {} })
      if (res.status !== 202) throw new Error(`export setup failed: ${res.status} ${await res.text()}`)
      const task = await waitForTask(((await res.json()) as { id: string }).id, c, 60_000)
      if (task.status !== 'COMPLETE') throw new Error(`export setup failed: ${task.status} ${task.failure_reason}`)
      return task.id as string
    })()
    finished.set(admin.id, t)
  }
  return t
}

/** Lists of one's own tasks need no permission: every member (and every key) sees their own. */
const own = () => 'account.view' as const

export const TASK_PAGE_ROUTES: RouteCase[] = [
  {
    name: 'GET /api/v1/tasks',
    surface: 'api',
    method: 'GET',
    action: own,
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/tasks' }),
  },
  {
    name: "GET /api/v1/tasks/{admin's}/result",
    surface: 'api',
    method: 'GET',
    action: () => 'task.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/tasks/${await adminsFinishedTask(admin)}/result`, ownerId: admin.id }),
  },
  {
    name: "GET /api/v1/tasks/{admin's}/result/metadata",
    surface: 'api',
    method: 'GET',
    action: () => 'task.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/tasks/${await adminsFinishedTask(admin)}/result/metadata`, ownerId: admin.id }),
  },
  {
    name: "GET /api/v1/tasks/{admin's}/events",
    surface: 'api',
    method: 'GET',
    action: () => 'task.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/tasks/${await adminsFinishedTask(admin)}/events`, ownerId: admin.id }),
  },
  {
    name: 'GET /tasks',
    surface: 'html',
    method: 'GET',
    action: own,
    hasTarget: false,
    prepare: async () => ({ path: '/tasks' }),
  },
  {
    name: 'GET /tasks/rows',
    surface: 'html',
    method: 'GET',
    action: own,
    hasTarget: false,
    prepare: async () => ({ path: '/tasks/rows' }),
  },
  {
    name: 'GET /tasks/menu',
    surface: 'html',
    method: 'GET',
    action: own,
    hasTarget: false,
    prepare: async () => ({ path: '/tasks/menu' }),
  },
  {
    name: "GET /tasks/{admin's}/item",
    surface: 'html',
    method: 'GET',
    action: () => 'task.view',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/tasks/${await adminsFinishedTask(admin)}/item`, ownerId: admin.id }),
  },
]

/** Account and member fragments that have no JSON twin in the table. */
export const ACCOUNT_EXTRA_ROUTES: RouteCase[] = [
  {
    name: 'GET /account/usage.csv',
    surface: 'html',
    method: 'GET',
    action: () => 'usage.view',
    hasTarget: false,
    prepare: async () => ({ path: '/account/usage.csv' }),
  },
  {
    name: 'GET /members/rows',
    surface: 'html',
    method: 'GET',
    action: () => 'member.view',
    hasTarget: false,
    prepare: async () => ({ path: '/members/rows?search=a' }),
  },
  {
    // Outside /api, so an HTML route by the table's count; a session may call it like a key.
    name: 'POST /graphql',
    surface: 'html',
    method: 'POST',
    action: () => 'usage.view',
    hasTarget: false,
    prepare: async () => ({
      path: '/graphql',
      json: { query: '{ annotationCounts(where: { startDate: "2026-01-01", endDate: "2026-01-08" }) { image creationDate } }' },
    }),
  },
]
