// D1 budgets of every GET page and list endpoint, as counts (deterministic, unlike time): at most 2
// round trips (1 when the isolate remembers the session, src/auth/optimistic-actor.ts), at most
// `page × k + c` rows read whatever the data size, and no statement that scans a table. The
// organization is filled with a few thousand rows of everything first (cloned in bulk with SQL), so
// a query that walks a table instead of an index reads thousands of rows and fails here, with the
// route, its counts and the `EXPLAIN QUERY PLAN` of its statements. The rows read are D1's own
// counters (`meta.rows_read`, what D1 bills), taken by the cost meter (src/db/cost-meter.ts).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import worker from '../../src/index'
import { createSession } from '../../src/modules/auth/service'
import { db, makeApiKey, seedTwoOrgs, unique, type TestUser } from '../helpers/factories'
import { call, json, ORIGIN } from '../helpers/harness'
import { countingD1, type Trip } from '../helpers/counting-d1'
import { ALL_ROUTES } from '../helpers/routes'

/**
 * The budget of each route: `page` is the page size the route shows (1 for a single thing), and it
 * may read `page × k + c` rows. `warm`: round trips with a remembered session (default 1);
 * `cold`: with a session this isolate has not seen (default 2). A route named with a `(…)` suffix
 * runs on the big fixtures below instead of the route table's small target.
 */
type Budget = { page: number; k: number; c: number; warm?: number; cold?: number; over?: string }
// Rows read count index entries and table rows alike: a page of n rows fetched through an index
// reads about 2n (k = 2). Every HTML page has chrome (the actor, the Tasks badge): c ≈ 50.
//
// `over`: a route over the rule (2 trips cold, 1 warm, rows bounded by the page), recorded with
// its numbers of the day so that it cannot get worse unnoticed, and a note on what to change.
// Since issue 21 no route is; the suite fails an `over` route that meets the rule again.
const BUDGETS: Record<string, Budget> = {
  // Account, API keys, members, webhooks, usage
  'GET /api/v1/me': { page: 1, k: 0, c: 10 },
  'GET /account': { page: 1, k: 0, c: 60 },
  'GET /api/v1/api-keys': { page: 50, k: 2, c: 10 },
  'GET /account/api': { page: 200, k: 2, c: 30 },
  'GET /api/v1/members': { page: 50, k: 2, c: 10 },
  // Pending invitations through invitations_pending_idx (org, id) WHERE pending, newest first.
  'GET /api/v1/invitations': { page: 50, k: 1, c: 10 },
  // 50 members and 50 pending invitations (a "Show more" pages on); the seat count from the
  // organization's counters (migrations/0021_member_counters.sql) less its expired invitations.
  'GET /members': { page: 50, k: 3, c: 30 },
  // The same page, its invitations from a cursor (without script; htmx gets the rows only).
  'GET /members/invitations': { page: 50, k: 3, c: 30 },
  // Search through users_fts (trigrams, 3+ characters, src/modules/orgs/member-search.ts): a term
  // matched by fewer than 1,000 people starts from its matches, a commoner one walks the members
  // newest first and stops at the page. 1–2 characters walk too (trigrams cannot match them).
  'GET /members/rows': { page: 50, k: 2.5, c: 20 },
  'GET /api/v1/webhooks': { page: 50, k: 1, c: 10 },
  // The webhook pages' project picker lists up to 200 projects.
  'GET /account/webhooks': { page: 100, k: 3.5, c: 30 },
  // c: the Tasks badge's running tasks ride along (this file starts a few).
  'GET /account/webhooks/{id}': { page: 100, k: 2, c: 60 },
  'GET /api/v1/usage': { page: 31, k: 0, c: 10 },
  // A row per day of the range with activity (usage_daily, usage_created_daily, the breakdown),
  // whatever the data size: 8,847 rows read before usage_created_daily (migration 0018).
  'GET /account/usage': { page: 31, k: 0, c: 50 },
  'GET /account/usage.csv': { page: 31, k: 0, c: 50 },
  // Projects and their dashboards
  'GET /api/v1/projects': { page: 50, k: 1, c: 15 },
  'GET /api/v1/projects/{id}': { page: 1, k: 0, c: 15 },
  // The answer is the whole list (spec/api.md): `page` is its size on the big project, 406 members
  // with access (the 400 cloned members with an org role and the seeded ones). Rows read follow the
  // members with access (memberships_org_role_idx and the project's project_members), never the
  // project-based members of other projects.
  'GET /api/v1/projects/{id}/members': { page: 406, k: 5, c: 20 },
  'GET /api/v1/projects/{id}/batches': { page: 50, k: 2, c: 15 },
  'GET /projects': { page: 50, k: 1, c: 60 },
  'GET /projects/rows': { page: 50, k: 1, c: 60 },
  'GET /projects/new': { page: 1, k: 0, c: 80 },
  'GET /projects/new/ontology-row': { page: 1, k: 0, c: 10 },
  'GET /projects/{id}': { page: 1, k: 0, c: 100 },
  'GET /projects/{id}?scope=mine&bucket=week': { page: 1, k: 0, c: 100 },
  'GET /projects/{id}/labels-chart': { page: 1, k: 0, c: 100 },
  'GET /projects/{id}/settings': { page: 1, k: 0, c: 60 },
  // The members table as the API's list above (the page is its size); the add-member picker offers
  // the 20 newest members who could be added (a search finds the others): the chrome and those in c.
  'GET /projects/{id}/settings/members': { page: 406, k: 5, c: 120 },
  // The picker's search as you type: 20 members at most (and the ones passed over, who have access).
  'GET /projects/{id}/settings/members/addable': { page: 20, k: 4, c: 20 },
  // The attach form's dataset picker lists up to 100 datasets (src/modules/datasets/service.ts).
  'GET /projects/{id}/settings/data': { page: 100, k: 2, c: 60 },
  'GET /projects/{id}/export': { page: 1, k: 0, c: 60 },
  // Labels, labeling, review, tasks
  'GET /api/v1/projects/{id}/labels': { page: 50, k: 2, c: 10 },
  'GET /api/v1/projects/{id}/overview': { page: 1, k: 0, c: 30 },
  'GET /api/v1/projects/{id}/label-series': { page: 1, k: 0, c: 30 },
  "GET /api/v1/labels/{someone else's}": { page: 1, k: 0, c: 15 },
  // One batch: the project, the reservation (a guarded UPDATE that picks the row itself, 1 row
  // written) and the reserved data row (src/modules/labels/work-queue.ts). "N rows left" comes from
  // the project's counters, not a count of its queue.
  'GET /projects/{id}/label': { page: 1, k: 0, c: 60 },
  "GET /projects/{id}/labels/{someone else's}/edit": { page: 1, k: 0, c: 60 },
  // One batch: the project, the next label from labels_review_idx and its data row (a subquery on
  // the same label); "waiting" from the project's counters.
  'GET /projects/{id}/review': { page: 1, k: 0, c: 60 },
  "GET /api/v1/tasks/{admin's}": { page: 1, k: 0, c: 10 },
  "GET /api/v1/tasks/{admin's}/errors": { page: 1, k: 0, c: 10 },
  'GET /api/v1/tasks': { page: 50, k: 1, c: 10 },
  "GET /api/v1/tasks/{admin's}/result": { page: 1, k: 0, c: 10 },
  "GET /api/v1/tasks/{admin's}/result/metadata": { page: 1, k: 0, c: 10 },
  "GET /api/v1/tasks/{admin's}/events": { page: 1, k: 0, c: 10 },
  // The item fragment (one task) and the Tasks badge read along with it.
  "GET /tasks/{admin's}/item": { page: 1, k: 0, c: 30 },
  'GET /tasks': { page: 25, k: 2, c: 10 },
  'GET /tasks/rows': { page: 25, k: 2, c: 10 },
  'GET /tasks/menu': { page: 8, k: 2, c: 20 },
  // Datasets and data rows
  'GET /datasets': { page: 50, k: 1, c: 30 },
  'GET /datasets/new': { page: 1, k: 0, c: 60 },
  // The dataset, its rows, the import task and project the address names, the Tasks badge: one batch.
  'GET /datasets/{id}': { page: 50, k: 1, c: 30 },
  // The dataset, the row, its labels in every project (through pdr_data_row_idx) and their versions,
  // in one batch (src/modules/labels/row-labels.ts). Rows read grow with the row's own labels and
  // edits (at most ROW_LABELS_LIMIT and ROW_VERSIONS_LIMIT), never with the organization.
  'GET /datasets/{id}/rows/{row_id}': { page: 1, k: 0, c: 60 },
  // The confirm step counts the dataset's rows per project over its newest rows, at most
  // impactCap.rows = 10,000 of them (src/modules/datasets/delete.ts says why not a counter): `page`
  // is that cap, about 4 rows read per row counted, whatever the dataset's or organization's size.
  'GET /datasets/{id}/delete': { page: 10_000, k: 4, c: 60 },
  // "Add to project…": the dataset, then the projects to choose from (up to 200, newest first).
  'GET /datasets/{id}/add-to-project': { page: 200, k: 1, c: 30 },
  // A finished import redirects (303); the page's Tasks badge was read along with its first batch all the same.
  'GET /datasets/{id}/imports/{task_id}': { page: 1, k: 0, c: 30 },
  'GET /api/v1/datasets': { page: 50, k: 1, c: 10 },
  'GET /api/v1/datasets/{id}': { page: 1, k: 0, c: 10 },
  'GET /api/v1/datasets/{id}/data-rows': { page: 50, k: 1, c: 10 },
  'GET /api/v1/data-rows?global_key=': { page: 1, k: 0, c: 10 },
  'GET /api/v1/data-rows/{id}': { page: 1, k: 0, c: 10 },
  'GET /api/v1/data-rows/{id}/content': { page: 1, k: 0, c: 10 },
  // Integrations
  // The organization's external id is made with the organization (src/db/schema/orgs.ts), never on
  // a first read.
  'GET /api/v1/integrations': { page: 50, k: 1, c: 10 },
  'GET /api/v1/integrations/{id}': { page: 1, k: 0, c: 10 },
  'GET /account/integrations': { page: 100, k: 1, c: 30 },
  'GET /account/integrations/{id}': { page: 200, k: 1, c: 30 },
}
/** The big fixtures' routes have their small twin's budget: rows read must not grow with the data. */
const budgetOf = (name: string): Budget | undefined => BUDGETS[name] ?? BUDGETS[name.replace(/ \(big [a-z]+\)$/, '')]

/** How many rows of each kind the organization holds: enough that a scan cannot hide. */
const BULK = {
  projects: 1500,
  datasets: 800,
  dataRows: 2500,
  labels: 2000,
  members: 400,
  apiKeys: 400,
  invitations: 300,
  tasks: 600,
  webhooks: 150,
  integrations: 60,
  events: 2000,
}

type Measured = { name: string; path: string; status: number; warm: Trip[]; cold: Trip[]; read: number; written: number }

const sum = (trips: Trip[], f: 'read' | 'written') => trips.reduce((n, t) => n + (t[f] ?? []).reduce<number>((a, b) => a + (b ?? 0), 0), 0)

async function fetchWith(path: string, cookie: string) {
  const { DB, trips } = countingD1()
  const ctx = createExecutionContext()
  const res = await worker.fetch(
    new Request(ORIGIN + path, { headers: { Cookie: cookie }, redirect: 'manual' }),
    { ...env, DB } as typeof env,
    ctx,
  )
  await res.text()
  await waitOnExecutionContext(ctx)
  return { status: res.status, trips }
}

/** A session this isolate has never seen: its first request is cold, the second warm. */
async function measure(name: string, path: string, who: TestUser): Promise<Measured> {
  const s = await createSession(db(), who.id, who.org.id)
  const cookie = `ld_session=${s.token}`
  const cold = await fetchWith(path, cookie)
  const warm = await fetchWith(path, cookie)
  return {
    name,
    path,
    status: warm.status,
    warm: warm.trips,
    cold: cold.trips,
    read: sum(warm.trips, 'read'),
    written: sum(warm.trips, 'written'),
  }
}

/** Each statement of the trips with its plan. */
async function plans(trips: Trip[]): Promise<{ sql: string; read: number | undefined; plan: string[] }[]> {
  const out = []
  for (const t of trips) {
    for (let i = 0; i < t.sql.length; i++) {
      const sql = t.sql[i]!
      let plan: string[]
      try {
        plan = /^\s*(select|with|insert|update|delete)/i.test(sql)
          ? (
              await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
                .bind(...(t.params[i] ?? []))
                .all<{ detail: string }>()
            ).results.map((r) => r.detail)
          : []
      } catch (e) {
        plan = [`(no plan: ${String(e)})`]
      }
      out.push({ sql, read: t.read?.[i], plan })
    }
  }
  return out
}

/** Tables filled in bulk: a plain `SCAN` of one of them reads it whole. */
const bulkTables: string[] = []
const scans = (plan: string[]) =>
  plan.filter((d) => bulkTables.some((t) => new RegExp(`^SCAN ${t}( |$)(?!USING (COVERING )?INDEX)`).test(d)))

async function report(m: Measured): Promise<string> {
  const ps = await plans(m.warm)
  return [
    `${m.name} → ${m.path} (${m.status})`,
    `  warm: ${m.warm.length} trips, cold: ${m.cold.length} trips, ${m.read} rows read, ${m.written} written`,
    ...ps.map(
      (p) => `  [read ${p.read ?? '?'}] ${p.sql.replace(/\s+/g, ' ').slice(0, 300)}\n${p.plan.map((d) => `      ${d}`).join('\n')}`,
    ),
  ].join('\n')
}

/** Clones row `id` of `table` n times, ids `<id>-c<i>`; `set` overrides columns (SQL over `t` and `n.i`). */
async function clone(table: string, id: string, n: number, set: Record<string, string> = {}) {
  const info = (await env.DB.prepare(`SELECT name, type FROM pragma_table_info(?)`).bind(table).all<{ name: string; type: string }>())
    .results
  const cols = info.map((c) => c.name)
  const newId = /int/i.test(info.find((c) => c.name === 'id')?.type ?? '') ? 'NULL' : `t.id || '-c' || n.i`
  const exprs = cols.map((c) => set[c] ?? (c === 'id' ? newId : `t."${c}"`))
  await env.DB.prepare(
    `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT ${exprs.join(', ')} FROM "${table}" t, n WHERE t.id = ?`,
  )
    .bind(n, id)
    .run()
  if (!bulkTables.includes(table)) bulkTables.push(table)
}

async function ok<T = any>(res: Response, what: string): Promise<T> {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`)
  return json<T>(res)
}

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let admin: TestUser
const big = { project: '', dataset: '', row: '', label: '', webhook: '', integration: '', task: '' }
const measured: Measured[] = []

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  admin = orgs.orgA.ADMIN
  const as = { cookie: admin.cookie }
  // Templates made through the product, then cloned in bulk.
  const ontology = { tools: [{ name: 'Sign', tool: 'point' }], classifications: [{ name: 'Q', type: 'text' }] }
  big.dataset = (await ok(await call('POST', '/api/v1/datasets', as, { json: { name: unique('Big') } }), 'dataset')).id
  big.row = (
    await ok(
      await call('POST', `/api/v1/datasets/${big.dataset}/data-rows`, as, {
        json: [{ row_data: 'https://x.test/0.jpg', global_key: unique('gk') }],
      }),
      'row',
    )
  ).created[0].id
  big.project = (
    await ok(await call('POST', '/api/v1/projects', as, { json: { name: unique('Big'), media_type: 'IMAGE', ontology } }), 'project')
  ).id
  await ok(await call('POST', `/api/v1/projects/${big.project}/batches`, as, { json: { name: 'all', data_row_ids: [big.row] } }), 'batch')
  // Before the label: the event outbox is written only for an organization with an active webhook.
  big.webhook = (
    await ok(
      await call('POST', '/api/v1/webhooks', as, { json: { url: 'https://hooks.example.com/x', topics: ['LABEL_CREATED'] } }),
      'webhook',
    )
  ).id
  big.label = (
    await ok(
      await call('POST', `/api/v1/projects/${big.project}/labels`, orgs.orgA.LABELER, {
        json: { data_row_id: big.row, annotations: { objects: [{ name: 'Sign', point: { x: 1, y: 1 } }] } },
      }),
      'label',
    )
  ).id
  await ok(await call('POST', `/api/v1/labels/${big.label}/reviews`, as, { json: { score: 1 } }), 'review')
  await ok(
    await call('POST', '/api/v1/invitations', as, { json: { email: `${unique('inv')}@example.com`, role: 'LABELER' } }),
    'invitation',
  )
  await makeApiKey(admin)
  big.task = (await ok(await call('POST', `/api/v1/projects/${big.project}/exports`, as, { json: {} }), 'export')).id

  const one = async (sql: string, ...p: unknown[]) =>
    (await env.DB.prepare(sql)
      .bind(...p)
      .first<{ id: string }>())!.id
  const batchId = await one('SELECT id FROM batches WHERE project_id = ?', big.project)
  await clone('data_rows', big.row, BULK.dataRows, {
    global_key: `t.global_key || '-' || n.i`,
    global_key_lower: `t.global_key_lower || '-' || n.i`,
  })
  await env.DB.prepare(
    `INSERT INTO project_data_rows (project_id, data_row_id, batch_id, priority, created_at) SELECT ?, id, ?, 0, created_at FROM data_rows WHERE dataset_id = ? AND id <> ?`,
  )
    .bind(big.project, batchId, big.dataset, big.row)
    .run()
  await clone('labels', big.label, BULK.labels, { data_row_id: `t.data_row_id || '-c' || n.i` })
  await clone('reviews', await one('SELECT id FROM reviews WHERE label_id = ?', big.label), BULK.labels, {
    label_id: `t.label_id || '-c' || n.i`,
  })
  await clone('projects', big.project, BULK.projects, { name: `t.name || ' ' || n.i` })
  await clone('datasets', big.dataset, BULK.datasets, { name: `t.name || ' ' || n.i` })
  await clone('users', admin.id, BULK.members, { email: `'m' || n.i || t.email` })
  await clone('memberships', await one('SELECT id FROM memberships WHERE user_id = ?', admin.id), BULK.members, {
    user_id: `t.user_id || '-c' || n.i`,
    role: `'LABELER'`,
  })
  await env.DB.prepare(
    `INSERT INTO project_members (project_id, user_id, role, created_at) SELECT ?, id, 'LABELER', created_at FROM users WHERE id LIKE ? || '-c%'`,
  )
    .bind(big.project, admin.id)
    .run()
  await clone('api_keys', await one('SELECT id FROM api_keys WHERE user_id = ? ORDER BY id LIMIT 1', admin.id), BULK.apiKeys, {
    hash: `t.hash || n.i`,
  })
  await clone('invitations', await one('SELECT id FROM invitations WHERE org_id = ? LIMIT 1', admin.org.id), BULK.invitations, {
    token_hash: `t.token_hash || n.i`,
    email: `n.i || t.email`,
  })
  await clone('tasks', big.task, BULK.tasks)
  await clone('webhooks', big.webhook, BULK.webhooks)
  await clone('events', await one('SELECT id FROM events WHERE org_id = ? LIMIT 1', admin.org.id), BULK.events)
  await clone('usage_facts', await one('SELECT id FROM usage_facts WHERE org_id = ? LIMIT 1', admin.org.id), BULK.events)
}, 120_000)

/** Every GET route of the route tables, on a small target, and the big fixtures' own routes. */
function cases(): { name: string; path: () => Promise<string> }[] {
  const gets = ALL_ROUTES.filter((r) => r.method === 'GET').map((r) => ({
    name: r.name,
    path: async () => (await r.prepare({ org: orgs.a, admin, actor: admin })).path,
  }))
  const p = () => big.project
  const bigOnes = [
    ['GET /projects/{id} (big project)', () => `/projects/${p()}`],
    ['GET /api/v1/projects/{id}/overview (big project)', () => `/api/v1/projects/${p()}/overview`],
    ['GET /api/v1/projects/{id}/labels (big project)', () => `/api/v1/projects/${p()}/labels`],
    ['GET /api/v1/projects/{id}/members (big project)', () => `/api/v1/projects/${p()}/members`],
    ['GET /api/v1/projects/{id}/batches (big project)', () => `/api/v1/projects/${p()}/batches`],
    ['GET /projects/{id}/settings/members (big project)', () => `/projects/${p()}/settings/members`],
    ['GET /projects/{id}/settings/data (big project)', () => `/projects/${p()}/settings/data`],
    ['GET /projects/{id}/label (big project)', () => `/projects/${p()}/label`],
    ['GET /projects/{id}/review (big project)', () => `/projects/${p()}/review`],
    ['GET /datasets/{id} (big dataset)', () => `/datasets/${big.dataset}`],
    ['GET /datasets/{id}/rows/{row_id} (big dataset)', () => `/datasets/${big.dataset}/rows/${big.row}`],
    ['GET /datasets/{id}/delete (big dataset)', () => `/datasets/${big.dataset}/delete`],
    ['GET /api/v1/datasets/{id}/data-rows (big dataset)', () => `/api/v1/datasets/${big.dataset}/data-rows`],
    ['GET /tasks', () => '/tasks'],
    ['GET /tasks/rows', () => '/tasks/rows'],
    ['GET /tasks/menu', () => '/tasks/menu'],
    ['GET /members/rows', () => '/members/rows?search=m12'],
    ['GET /account/webhooks/{id}', () => `/account/webhooks/${big.webhook}`],
  ] as const
  return [...gets, ...bigOnes.map(([name, f]) => ({ name, path: async () => f() }))]
}

describe('D1 budgets of GET routes', () => {
  it('has a budget for every GET route of the route tables', () => {
    const missing = cases()
      .map((c) => c.name)
      .filter((n) => !budgetOf(n))
    expect(missing).toEqual([])
  })

  it('keeps every route within its round trips and rows read, and no statement scans a table', async () => {
    for (const c of cases()) measured.push(await measure(c.name, await c.path(), admin))
    const failures: string[] = []
    for (const m of measured) {
      const b = budgetOf(m.name)!
      const rows = b.page * b.k + b.c
      const why: string[] = []
      if (m.status >= 400) why.push(`answered ${m.status}`)
      if (m.warm.length > (b.warm ?? 1)) why.push(`${m.warm.length} round trips with a remembered session (budget ${b.warm ?? 1})`)
      if (m.cold.length > (b.cold ?? 2)) why.push(`${m.cold.length} round trips with a new session (budget ${b.cold ?? 2})`)
      if (m.read > rows) why.push(`${m.read} rows read (budget ${b.page} × ${b.k} + ${b.c} = ${rows})`)
      // A route recorded over the trips rule that now meets it: the table must say so.
      if (b.over && ((b.warm ?? 1) > 1 || (b.cold ?? 2) > 2) && m.warm.length <= 1 && m.cold.length <= 2)
        why.push('now within 2 trips (1 remembered): lower its warm/cold in BUDGETS and drop `over` if its rows are within too')
      const scanned = (await plans(m.warm)).flatMap((p) => scans(p.plan))
      if (scanned.length) why.push(`scans: ${scanned.join('; ')}`)
      if (why.length) failures.push(`${why.join(', ')}\n${await report(m)}`)
    }
    // Today's numbers of every route, for BENCHMARKS.md.
    console.log(
      measured
        .map(
          (m) =>
            `| ${m.name} | ${m.cold.length} | ${m.warm.length} | ${m.read} | ${budgetOf(m.name)!.page} × ${budgetOf(m.name)!.k} + ${budgetOf(m.name)!.c} |`,
        )
        .join('\n'),
    )
    expect(failures, failures.join('\n\n')).toEqual([])
  }, 300_000)

  it('reads the dashboard in rows independent of the project size', async () => {
    const dash = ['GET /projects/{id} (big project)', 'GET /api/v1/projects/{id}/overview (big project)']
    const before = dash.map((n) => measured.find((m) => m.name === n)!)
    expect(before.every(Boolean)).toBe(true)
    // Twice the labels (and their reviews) on rows the project already had.
    const one = async (sql: string, ...p: unknown[]) =>
      (await env.DB.prepare(sql)
        .bind(...p)
        .first<{ id: string }>())!.id
    await clone('labels', big.label, BULK.labels, { id: `t.id || '-d' || n.i`, data_row_id: `t.data_row_id || '-c' || n.i` })
    await clone('reviews', await one('SELECT id FROM reviews WHERE label_id = ?', big.label), BULK.labels, {
      id: `t.id || '-d' || n.i`,
      label_id: `t.label_id || '-d' || n.i`,
    })
    for (const m of before) {
      const again = await measure(m.name, m.path, admin)
      expect(again.status, m.name).toBe(200)
      expect({ route: m.name, read: again.read, trips: again.warm.length }).toEqual({ route: m.name, read: m.read, trips: m.warm.length })
    }
  }, 60_000)

  it('reads the review page in rows independent of how many labels wait', async () => {
    // The big project's labels are all reviewed: give it one label to review, then 2,000 more.
    const waiting = (suffix: string, n: number) =>
      clone('labels', big.label, n, {
        id: `t.id || '-${suffix}' || n.i`,
        data_row_id: `t.data_row_id || '-c' || n.i`,
        review_state: `'UNREVIEWED'`,
      })
    const path = `/projects/${big.project}/review`
    await waiting('r', 1)
    const one = await measure('GET /projects/{id}/review (1 waiting)', path, admin)
    await waiting('s', BULK.labels)
    const many = await measure('GET /projects/{id}/review (2,001 waiting)', path, admin)
    expect([one.status, many.status]).toEqual([200, 200])
    expect(await (await call('GET', path, { cookie: admin.cookie })).text()).toContain('name="label_id"')
    expect({ read: many.read, trips: many.warm.length }).toEqual({ read: one.read, trips: 1 })
  }, 60_000)

  it('fails a route over its budget, saying why with the query plan', async () => {
    // The check itself: a statement that walks a filled table is seen in its plan and its rows.
    const { DB, meter } = countingD1()
    await DB.prepare('SELECT count(*) FROM labels WHERE annotations LIKE ?').bind('%Sign%').all()
    const [p] = await plans(meter.trips)
    expect(scans(p!.plan)).toEqual(['SCAN labels'])
    expect(meter.trips[0]!.read![0]).toBeGreaterThan(BULK.labels)
  })
})
