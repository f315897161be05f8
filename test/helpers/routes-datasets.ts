/**
 * The Datasets routes (HTML pages of src/modules/datasets/web.tsx and the JSON routes of
 * src/modules/datasets/api.ts) for the generated permission tests, in the shape of `ROUTES`.
 *
 * Some routes take a body that is neither JSON nor a urlencoded form (a manifest, multipart files,
 * the bytes of an upload part): their targets carry it as `body` with its `headers`.
 */
import type { RouteCase, Target } from './routes'
import type { TestOrg, TestUser } from './factories'
import { unique } from './factories'
import { call } from './harness'
import { freshProject } from './routes-projects'

const as = (u: TestUser) => ({ cookie: u.cookie })

async function ok<T = any>(res: Response, what: string): Promise<T> {
  if (res.status >= 300) throw new Error(`${what} setup failed: ${res.status} ${await res.text()}`)
  return (res.status === 204 ? null : await res.json()) as T
}

/** A fresh dataset in the admin's organization. */
async function freshDataset(admin: TestUser): Promise<string> {
  return (await ok<{ id: string }>(await call('POST', '/api/v1/datasets', as(admin), { json: { name: unique('perm-ds') } }), 'dataset')).id
}

/** A fresh dataset holding one raw-text row with a global key. */
async function freshRow(admin: TestUser): Promise<{ datasetId: string; rowId: string; globalKey: string }> {
  const datasetId = await freshDataset(admin)
  const globalKey = unique('perm-gk')
  const r = await ok<{ created: { id: string }[] }>(
    await call('POST', `/api/v1/datasets/${datasetId}/data-rows`, as(admin), {
      json: [{ row_data: 'permission test row', global_key: globalKey }],
    }),
    'data row',
  )
  return { datasetId, rowId: r.created[0]!.id, globalKey }
}

/** A started chunked upload (one part of 16 bytes to send). */
async function freshUpload(admin: TestUser, datasetId: string) {
  return ok<{ key: string; upload_id: string }>(
    await call('POST', `/api/v1/datasets/${datasetId}/uploads`, as(admin), { json: { filename: 'big.bin', size: 16 } }),
    'upload',
  )
}

const PART = 'sixteen bytes!!!'
const partHeaders = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(PART.length) }
const NDJSON = '{"row_data": "first"}\n{"row_data": "second", "external_id": "two"}\n'

/** A multipart/form-data body with one file part. */
export function multipart(
  field: string,
  filename: string,
  type: string,
  content: string,
): { body: string; headers: Record<string, string> } {
  const boundary = `----labeldesk-${unique('b')}`
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${boundary}--\r\n`
  return { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } }
}

type Prep = (o: { org: TestOrg; admin: TestUser; actor: TestUser }) => Promise<Target>

const route = (name: string, surface: 'api' | 'html', action: RouteCase['action'], hasTarget: boolean, prepare: Prep): RouteCase => {
  const [method] = name.split(' ') as [RouteCase['method']]
  return { name, surface, method, action, hasTarget, prepare }
}
const VIEW: RouteCase['action'] = () => 'dataset.view'
const MANAGE: RouteCase['action'] = () => 'dataset.manage'
/** Seeing the dataset comes first (a project-based member cannot), then attaching data. */
const ADD: RouteCase['action'] = (actor) => (actor.role === 'NONE' ? 'dataset.view' : 'batch.manage')

export const DATASET_ROUTES: RouteCase[] = [
  // HTML pages
  route('GET /datasets', 'html', VIEW, false, async () => ({ path: '/datasets' })),
  route('GET /datasets/new', 'html', MANAGE, false, async () => ({ path: '/datasets/new' })),
  route('POST /datasets', 'html', MANAGE, false, async () => ({
    path: '/datasets',
    form: { name: unique('web-ds'), description: 'from a form' },
  })),
  route('GET /datasets/{id}', 'html', VIEW, true, async ({ admin }) => ({ path: `/datasets/${await freshDataset(admin)}` })),
  route('GET /datasets/{id}/rows/{row_id}', 'html', VIEW, true, async ({ admin }) => {
    const r = await freshRow(admin)
    return { path: `/datasets/${r.datasetId}/rows/${r.rowId}` }
  }),
  route('GET /datasets/{id}/delete', 'html', MANAGE, true, async ({ admin }) => ({
    path: `/datasets/${await freshDataset(admin)}/delete`,
  })),
  route('POST /datasets/{id}/delete', 'html', MANAGE, true, async ({ admin }) => ({
    path: `/datasets/${await freshDataset(admin)}/delete`,
    form: {},
  })),
  route('POST /datasets/{id}/files', 'html', MANAGE, true, async ({ admin }) => ({
    path: `/datasets/${await freshDataset(admin)}/files`,
    ...multipart('file', 'note.txt', 'text/plain', 'hello from a form'),
  })),
  route('POST /datasets/{id}/imports', 'html', MANAGE, true, async ({ admin }) => ({
    path: `/datasets/${await freshDataset(admin)}/imports`,
    ...multipart('manifest', 'rows.ndjson', 'application/x-ndjson', NDJSON),
  })),
  route('POST /datasets/{id}/media-attributes', 'html', MANAGE, true, async ({ admin }) => ({
    path: `/datasets/${await freshDataset(admin)}/media-attributes`,
    form: {},
  })),
  // "Add to project…": the dataset must be visible (datasets: an org role), then the rows go to a
  // project, which needs batch.manage there (an org role of team manager or more).
  route('GET /datasets/{id}/add-to-project', 'html', ADD, true, async ({ admin }) => {
    const r = await freshRow(admin)
    return { path: `/datasets/${r.datasetId}/add-to-project?data_row_ids=${r.rowId}` }
  }),
  route('POST /datasets/{id}/add-to-project', 'html', ADD, true, async ({ admin }) => {
    const r = await freshRow(admin)
    const p = await freshProject(admin, { media_type: 'TEXT' })
    return { path: `/datasets/${r.datasetId}/add-to-project`, form: { data_row_ids: r.rowId, project_id: p.id, name: unique('picked') } }
  }),
  // The import card follows the task's own rule: its creator (an admin here) or an admin.
  route(
    'GET /datasets/{id}/imports/{task_id}',
    'html',
    () => 'task.view',
    true,
    async ({ admin }) => {
      const datasetId = await freshDataset(admin)
      const task = await ok<{ id: string }>(
        await call('POST', `/api/v1/datasets/${datasetId}/imports`, as(admin), {
          body: NDJSON,
          headers: { 'Content-Type': 'application/x-ndjson' },
        }),
        'import',
      )
      return { path: `/datasets/${datasetId}/imports/${task.id}`, ownerId: admin.id }
    },
  ),

  // JSON API: datasets
  route('GET /api/v1/datasets', 'api', VIEW, false, async () => ({ path: '/api/v1/datasets' })),
  route('POST /api/v1/datasets', 'api', MANAGE, false, async () => ({ path: '/api/v1/datasets', json: { name: unique('api-ds') } })),
  route('GET /api/v1/datasets/{id}', 'api', VIEW, true, async ({ admin }) => ({ path: `/api/v1/datasets/${await freshDataset(admin)}` })),
  route('PATCH /api/v1/datasets/{id}', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}`,
    json: { description: 'changed' },
  })),
  route('DELETE /api/v1/datasets/{id}', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}`,
  })),
  route('GET /api/v1/datasets/{id}/data-rows', 'api', VIEW, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${(await freshRow(admin)).datasetId}/data-rows`,
  })),
  route('POST /api/v1/datasets/{id}/data-rows', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}/data-rows`,
    json: [{ row_data: 'created by the permission tests' }],
  })),
  route('POST /api/v1/datasets/{id}/media-attributes', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}/media-attributes`,
  })),
  route('POST /api/v1/datasets/{id}/imports', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}/imports?filename=rows.ndjson`,
    body: NDJSON,
    headers: { 'Content-Type': 'application/x-ndjson' },
  })),
  route('POST /api/v1/datasets/{id}/files', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}/files`,
    ...multipart('file', 'note.txt', 'text/plain', 'hello from the API'),
  })),
  route('POST /api/v1/datasets/{id}/uploads', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/datasets/${await freshDataset(admin)}/uploads`,
    json: { filename: 'video.mp4', size: 60 * 1024 * 1024 },
  })),
  route('PUT /api/v1/datasets/{id}/uploads/parts', 'api', MANAGE, true, async ({ admin }) => {
    const datasetId = await freshDataset(admin)
    const up = await freshUpload(admin, datasetId)
    const q = new URLSearchParams({ key: up.key, upload_id: up.upload_id, part: '1' })
    return { path: `/api/v1/datasets/${datasetId}/uploads/parts?${q}`, body: PART, headers: partHeaders }
  }),
  route('POST /api/v1/datasets/{id}/uploads/complete', 'api', MANAGE, true, async ({ admin }) => {
    const datasetId = await freshDataset(admin)
    const up = await freshUpload(admin, datasetId)
    const q = new URLSearchParams({ key: up.key, upload_id: up.upload_id, part: '1' })
    const part = await ok<{ part_number: number; etag: string }>(
      await call('PUT', `/api/v1/datasets/${datasetId}/uploads/parts?${q}`, as(admin), { body: PART, headers: partHeaders }),
      'upload part',
    )
    return {
      path: `/api/v1/datasets/${datasetId}/uploads/complete`,
      json: { key: up.key, upload_id: up.upload_id, filename: 'big.bin', parts: [part] },
    }
  }),

  // JSON API: data rows
  // A data row is visible like its content: project-based members only see rows of their projects.
  route(
    'GET /api/v1/data-rows?global_key=',
    'api',
    (actor) => (actor.role === 'NONE' ? 'project.view' : 'dataset.view'),
    true,
    async ({ admin }) => ({
      path: `/api/v1/data-rows?global_key=${encodeURIComponent((await freshRow(admin)).globalKey)}`,
    }),
  ),
  route(
    'GET /api/v1/data-rows/{id}',
    'api',
    (actor) => (actor.role === 'NONE' ? 'project.view' : 'dataset.view'),
    true,
    async ({ admin }) => ({ path: `/api/v1/data-rows/${(await freshRow(admin)).rowId}` }),
  ),
  route('DELETE /api/v1/data-rows/{id}', 'api', MANAGE, true, async ({ admin }) => ({
    path: `/api/v1/data-rows/${(await freshRow(admin)).rowId}`,
  })),
  // The asset is also served to project-based members through a project that holds the row; one
  // without such a project may not even know the row exists, so they get 404 (the rule of
  // `project.view`), not the 403 of `dataset.view`.
  route(
    'GET /api/v1/data-rows/{id}/content',
    'api',
    (actor) => (actor.role === 'NONE' ? 'project.view' : 'dataset.view'),
    true,
    async ({ admin }) => ({
      path: `/api/v1/data-rows/${(await freshRow(admin)).rowId}/content`,
    }),
  ),
]
