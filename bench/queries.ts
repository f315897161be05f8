// The exact SQL (and parameters) that the Projects list, the search and the dashboard overview send
// to D1, captured by running the real service functions against a recording stand-in for D1.
// bench/explain.mjs bundles this file with esbuild (tsc checks it too) and runs
// EXPLAIN QUERY PLAN for each statement with sqlite3 on the benchmark's database, so the plans in
// BENCHMARKS.md follow the code instead of a hand-copied query.
import { makeDb } from '../src/db/client'
import { listProjects } from '../src/modules/projects/service'
import { labelSeries, projectOverview, recentActivity } from '../src/modules/projects/dashboard'
import { listBatches } from '../src/modules/projects/batches'
import { runningTasksRead } from '../src/lib/task-badge'
import { runReads } from '../src/db/reads'
import { actorFromSession } from '../src/auth/session'
import { handleQueue } from '../src/handlers/queue'
import { buildLines, People } from '../src/modules/exports/lines'

export type Captured = { name: string; sql: string; params: unknown[] }
export type Ids = { userId: string; orgId: string; projectId: string; search: string; common?: string; pins?: string[] }

/** A D1 stand-in that records every statement; `rows(sql)` says what a read returns (arrays of
 * column values, in schema order, as drizzle reads them with raw()). */
function recorder(rows: (sql: string) => unknown[][]) {
  const out: Captured[] = []
  let step = ''
  let n = 0
  const prepare = (sql: string) => {
    let params: unknown[] = []
    const record = () => out.push({ name: `${step} #${++n}`, sql, params })
    const st = {
      bind: (...p: unknown[]) => ((params = p), st),
      all: async () => (record(), { results: [], success: true, meta: {} }),
      raw: async () => (record(), rows(sql)),
      first: async () => (record(), null),
      run: async () => (record(), { results: [], success: true, meta: {} }),
      // What a D1 batch hands back per statement: row objects (drizzle maps them back to arrays).
      batched: () => (record(), { results: rows(sql).map((r) => Object.fromEntries(r.map((v, i) => [i, v]))), success: true, meta: {} }),
    }
    return st
  }
  // A batch is one round trip to D1 but several statements: each is recorded (and explained).
  const batch = async (stmts: { batched: () => unknown }[]) => stmts.map((st) => st.batched())
  const d1 = { prepare, batch, exec: async () => ({}) } as unknown as D1Database
  return { out, d1, db: makeDb(d1), at: (name: string) => ((step = name), (n = 0)) }
}

/** A projects row in schema order (id, org_id, name, name_fold, description, media_type, ontology, …; + member role and pin time for loadProject). */
const projectRow = (ids: { projectId: string; orgId: string; userId: string }) => [
  ids.projectId,
  ids.orgId,
  'bench',
  'bench',
  '',
  'IMAGE',
  '{"tools":[],"classifications":[]}',
  ids.userId,
  0,
  0,
  null,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]

export async function captureQueries(ids: Ids): Promise<Captured[]> {
  // loadProject() needs one row back or it throws 404; every other read may come back empty
  // (listProjects then simply asks its next query).
  const { out, db, at } = recorder((sql) =>
    sql.includes('left join "project_members"')
      ? [[...projectRow(ids), null, null]]
      : // The person's pins, so that the list asks for the pinned projects as it does for real.
        /^select "project_id" from "project_pins"/.test(sql)
        ? (ids.pins ?? []).map((id) => [id])
        : [],
  )
  const ctx = {
    db,
    actor: { userId: ids.userId, orgId: ids.orgId, role: 'ADMIN', readOnly: false, email: 'bench@example.test', via: 'session' },
  } as never

  at('list: first page')
  await listProjects(ctx, { limit: 50 })
  at('list: first page, HTML (no ontology)')
  await listProjects(ctx, { limit: 50 }, 'summary')
  at('list: search')
  await listProjects(ctx, { limit: 50, search: ids.search })
  if (ids.common) {
    // The same statements with a term that matches many projects: the other one does the work.
    at('list: common search')
    await listProjects(ctx, { limit: 50, search: ids.common })
  }
  if (ids.search.length >= 3) {
    // A short term does not use the trigram index: the walk with instr() (as the first page does).
    at('list: short search')
    await listProjects(ctx, { limit: 50, search: ids.search.slice(0, 2) })
  }
  at('overview (all)')
  await projectOverview(ctx, ids.projectId, 'all')
  at('overview (mine)')
  await projectOverview(ctx, ids.projectId, 'mine')
  at('label series (day)')
  await labelSeries(ctx, ids.projectId, 'day')
  // The dashboard page loads the project once and hands it to every part.
  // The page sends these with the project lookup and the overview and series above, in one batch.
  at('dashboard page')
  await recentActivity(ctx, ids.projectId)
  await listBatches(ctx, ids.projectId)
  at('every request: session lookup')
  await actorFromSession(db, 'bench-session-token')
  at('every page: running tasks badge')
  await runReads({ db }, runningTasksRead(db, { orgId: ids.orgId, userId: ids.userId }))
  return out
}

/**
 * The statements of one export slice (src/modules/exports/service.ts), as a queue message runs it
 * past its first page: the task and project reads, readPage() with its keyset cursor, and
 * buildLines()' label read for a page of rows.
 */
export async function captureExportQueries(ids: {
  userId: string
  orgId: string
  projectId: string
  dataRowIds: string[]
}): Promise<Captured[]> {
  const taskId = 'tsk_01BENCHBENCHBENCHBENCHBENC'
  // Columns follow src/db/schema/tasks.ts.
  const taskRow = [
    taskId,
    ids.orgId,
    ids.userId,
    'export-data-rows',
    'Export',
    'IN_PROGRESS',
    10,
    ids.projectId,
    JSON.stringify({ params: {}, filters: {} }),
    '{}',
    null,
    null,
    null,
    null,
    0,
    0,
    0,
    null,
  ]
  const { out, d1, db, at } = recorder((sql) =>
    /^select .* from "tasks"/.test(sql) ? [taskRow] : /^select .* from "projects" where/.test(sql) ? [projectRow(ids)] : [],
  )
  const upload = {
    uploadId: 'u',
    uploadPart: async (partNumber: number) => ({ partNumber, etag: 'e' }),
    complete: async () => ({}),
    abort: async () => {},
  }
  const status = {
    cursor: async () => ({
      after: ids.dataRowIds[0],
      uploadId: 'u',
      parts: [],
      lines: 1000,
      bytes: 0,
      done: false,
      slice: 1,
      carry: false,
    }),
    saveCursor: async () => {},
    update: async () => {},
  }
  const env = {
    DB: d1,
    TASK_STATUS: { getByName: () => status },
    TASK_QUEUE: { send: async () => {} },
    EXPORTS: {
      createMultipartUpload: async () => upload,
      resumeMultipartUpload: () => upload,
      put: async () => ({}),
      get: async () => null,
      delete: async () => {},
      list: async () => ({ objects: [] }),
    },
  }
  at('export slice')
  const message = { id: 'm', body: { kind: 'export-data-rows', taskId }, attempts: 1, ack() {}, retry() {} }
  await handleQueue({ queue: 'labeldesk-tasks', messages: [message] } as never, env as never)
  at('export page: labels of the page')
  const page = ids.dataRowIds.map((id) => ({
    id,
    rowData: '',
    globalKey: null,
    externalId: null,
    mediaType: 'IMAGE',
    metadataFields: [],
    attachments: [],
    mediaAttributes: null,
    datasetId: '',
    datasetName: '',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    createdBy: ids.userId,
    batchId: '',
    priority: 3,
    workflowStatus: 'TO_LABEL',
  }))
  await buildLines(
    db,
    { id: ids.projectId, name: 'bench' },
    page,
    {
      data_row_details: false,
      metadata_fields: false,
      attachments: false,
      media_attributes: false,
      project_details: false,
      label_details: false,
      performance_details: false,
    },
    {},
    new People(db),
    new Map(),
  )
  return out
}
