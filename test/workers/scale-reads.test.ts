import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeDb } from '../../src/db/client'
import type { tasks } from '../../src/db/schema'
import { foldProjectNames } from '../../src/modules/projects/name-fold'
import type { QueueMessage } from '../../src/handlers/queue'
import { drainTask, insertTask } from '../helpers/drain-task'
import { countingD1, type Trip } from '../helpers/counting-d1'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

/** Data rows of the organization outside the work: a walk over them cannot hide. */
const OTHER_ROWS = 3000

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

const read = (trips: Trip[]) => trips.reduce((n, t) => n + (t.read ?? []).reduce<number>((a, b) => a + (b ?? 0), 0), 0)

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const ds = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('Other') } }))
  const res = await json(
    await call('POST', `/api/v1/datasets/${ds.id}/data-rows`, admin(), {
      json: [{ row_data: 'https://x.test/other.jpg', global_key: unique('other') }],
    }),
  )
  const row = res.created[0].id as string
  const cols = (await env.DB.prepare(`SELECT name FROM pragma_table_info('data_rows')`).all<{ name: string }>()).results.map((c) => c.name)
  const exprs = cols.map((c) =>
    c === 'id' ? `t.id || '-c' || n.i` : c === 'global_key' || c === 'global_key_lower' ? `t.${c} || '-' || n.i` : `t."${c}"`,
  )
  await env.DB.prepare(
    `INSERT INTO data_rows (${cols.map((c) => `"${c}"`).join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT ${exprs.join(', ')} FROM data_rows t, n WHERE t.id = ?`,
  )
    .bind(OTHER_ROWS, row)
    .run()
}, 60_000)

/** Runs a task's queue messages to the end with a D1 that counts, and returns its trips. */
async function playTask(
  type: (typeof tasks.$inferInsert)['type'],
  subjectId: string,
  params: Record<string, unknown>,
): Promise<{ id: string; trips: Trip[] }> {
  const { id } = await insertTask({ orgId: orgs.a.id, createdBy: orgs.orgA.ADMIN.id, type, name: 'scale', subjectId, params }, 'scale')
  const { DB, trips } = countingD1()
  await drainTask({ kind: type, taskId: id } as QueueMessage, DB)
  const t = await json(await call('GET', `/api/v1/tasks/${id}`, admin()))
  expect(t.status, JSON.stringify(t)).toBe('COMPLETE')
  return { id, trips }
}

describe('queue work reads rows in proportion to its lines, not to the organization', () => {
  it('exports a small project of a big organization reading a few rows per line', async () => {
    const ds = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('Small') } }))
    const rows = Array.from({ length: 20 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: unique(`small-${i}`) }))
    const created = (await json(await call('POST', `/api/v1/datasets/${ds.id}/data-rows`, admin(), { json: rows }))).created
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Small'), media_type: 'IMAGE' } }))
    const batch = await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
      json: { name: 'all', data_row_ids: created.map((r: { id: string }) => r.id) },
    })
    expect(batch.status).toBeLessThan(300)
    const { trips } = await playTask('export-data-rows', p.id, { format: 'ndjson', params: {}, filters: {} })
    // 20 lines: a few rows each plus the task's own bookkeeping; walking the org's data rows reads > 3,000.
    expect(read(trips)).toBeLessThan(20 * 12 + 300)
  })

  it('imports labels naming rows by global key, reading a few rows per label', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), {
        json: { name: unique('Import'), media_type: 'IMAGE', ontology: { tools: [{ name: 'bbox', tool: 'bounding_box' }] } },
      }),
    )
    const ds = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('Labeled') } }))
    const tag = unique('gk')
    const created = (
      await json(
        await call('POST', `/api/v1/datasets/${ds.id}/data-rows`, admin(), {
          json: Array.from({ length: 20 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: `${tag}-${i}` })),
        }),
      )
    ).created
    expect(created).toHaveLength(20)
    const body = `${Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        dataRow: { globalKey: `${tag.toUpperCase()}-${i}` },
        name: 'bbox',
        uuid: crypto.randomUUID(),
        classifications: [],
        bbox: { top: 1, left: 1, height: 10, width: 10 },
      }),
    ).join('\n')}\n`
    const key = `label-imports/${orgs.a.id}/${p.id}/${unique('f')}.ndjson`
    await env.ASSETS_BUCKET.put(key, body)
    const { id, trips } = await playTask('import-labels', p.id, {
      project_id: p.id,
      key,
      size: body.length,
      dataset_id: null,
      create_ontology: false,
    })
    const t = await json(await call('GET', `/api/v1/tasks/${id}`, admin()))
    expect(t.metadata).toMatchObject({ labels_created: 20, lines_failed: 0 })
    // 20 labels: their rows, counters and events; walking the org's data rows reads > 3,000.
    expect(read(trips)).toBeLessThan(20 * 40 + 600)
  })

  it("folds the cron's pending project names reading those, not every project", async () => {
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Fold'), media_type: 'IMAGE' } }))
    const cols = (await env.DB.prepare(`SELECT name FROM pragma_table_info('projects')`).all<{ name: string }>()).results.map((c) => c.name)
    const exprs = cols.map((c) => (c === 'id' ? `t.id || '-c' || n.i` : c === 'name' ? `t.name || ' ' || n.i` : `t."${c}"`))
    await env.DB.prepare(
      `INSERT INTO projects (${cols.map((c) => `"${c}"`).join(', ')}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT ${exprs.join(', ')} FROM projects t, n WHERE t.id = ?`,
    )
      .bind(p.id)
      .run()
    // Five projects from before name_fold existed.
    await env.DB.prepare(`UPDATE projects SET name_fold = NULL WHERE id IN (?, ?, ?, ?, ?)`)
      .bind(...[1, 2, 3, 4, 5].map((i) => `${p.id}-c${i}`))
      .run()
    await foldProjectNames(makeDb(env.DB))
    const { DB, trips } = countingD1()
    const idle = await foldProjectNames(makeDb(DB))
    expect(idle).toEqual({ folded: 0, done: true })
    expect(read(trips)).toBeLessThan(10)
  })
})
