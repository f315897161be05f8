import { beforeAll, describe, expect, it } from 'vitest'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'
import { expectPage, expectShape } from '../helpers/schema'
import { DataRowErrorView, DataRowView, DatasetView } from '../../src/modules/datasets/schemas'
import { BatchView } from '../../src/modules/projects/schemas'
import * as v from 'valibot'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })

async function dataset(name = unique('ds')) {
  const res = await call('POST', '/api/v1/datasets', admin(), { json: { name } })
  expect(res.status).toBe(201)
  const d = await json(res)
  expectShape(DatasetView, d)
  return d
}

describe('datasets and data rows API', () => {
  it('creates a dataset; labelers see it, only admins create', async () => {
    const d = await dataset('Street photos')
    expect(d).toMatchObject({ name: 'Street photos', row_count: 0, integration_id: null, created_by: orgs.orgA.ADMIN.id })
    expect(d.id).toMatch(/^ds_/)
    expectShape(DatasetView, await json(await call('GET', `/api/v1/datasets/${d.id}`, { cookie: orgs.orgA.LABELER.cookie })))
    expectPage(DatasetView, await json(await call('GET', '/api/v1/datasets', admin())))
    expect((await call('POST', '/api/v1/datasets', { cookie: orgs.orgA.TEAM_MANAGER.cookie }, { json: { name: 'x' } })).status).toBe(403)
    expect((await call('GET', `/api/v1/datasets/${d.id}`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('GET', '/api/v1/datasets', { cookie: orgs.orgA.NONE.cookie })).status).toBe(403)
  })

  it('creates rows with partial success and exact per-row errors; counts stay exact', async () => {
    const d = await dataset()
    const key = unique('img')
    const body = [
      { row_data: 'https://example.com/a.jpg', global_key: `${key}-a.jpg`, external_id: 'a.jpg' },
      { row_data: 'Just some text to label' },
      { row_data: 'ftp://example.com/x.png' },
      { row_data: 'https://example.com/b.jpg', global_key: `${key}-A.JPG` },
      { row_data: 'x'.repeat(70_000) },
      { row_data: 'https://example.com/c.mp4', global_key: ' padded ' },
      { row_data: 'https://example.com/d.png', media_type: 'HOLOGRAM' },
      {
        row_data: 'https://example.com/e.png',
        metadata_fields: [{ name: 'camera', value: 'front' }],
        attachments: [{ type: 'RAW_TEXT', value: 'note' }],
      },
      'not an object',
    ]
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: body })
    expect(res.status).toBe(201)
    const out = await json(res)
    expectShape(v.object({ created: v.array(DataRowView), errors: v.array(DataRowErrorView) }), out)
    expect(out.created.map((r: any) => r.row_data)).toEqual([
      'https://example.com/a.jpg',
      'Just some text to label',
      'https://example.com/e.png',
    ])
    expect(out.created[0]).toMatchObject({ global_key: `${key}-a.jpg`, external_id: 'a.jpg', media_type: 'IMAGE', dataset_id: d.id })
    expect(out.created[1].media_type).toBe('TEXT')
    expect(out.created[2].metadata_fields).toEqual([{ name: 'camera', value: 'front' }])
    expect(out.errors.map((e: any) => [e.index, e.field])).toEqual([
      [2, 'row_data'],
      [3, 'global_key'],
      [4, 'row_data'],
      [5, 'global_key'],
      [6, 'media_type'],
      [8, 'row'],
    ])
    expect(out.errors[1].message).toBe('duplicate global key: also used by row 1 of this input')
    expect(out.errors[2].message).toMatch(/at most 65,536/)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(3)
    // The same keys again: no duplicates, each reported.
    const again = await json(await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [body[0]] }))
    expect(again.created).toEqual([])
    expect(again.errors[0].message).toMatch(/already used/)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(3)
    // Found by global key, case-insensitively.
    const found = await json(
      await call('GET', `/api/v1/data-rows?global_key=${encodeURIComponent(`${key}-A.jpg`)}`, { cookie: orgs.orgA.LABELER.cookie }),
    )
    expect(found.id).toBe(out.created[0].id)
    expectShape(DataRowView, found)
    expectShape(DataRowView, await json(await call('GET', `/api/v1/data-rows/${found.id}`, admin())))
    // Listing is newest first and paged.
    const page = expectPage(DataRowView, await json(await call('GET', `/api/v1/datasets/${d.id}/data-rows?limit=2`, admin())))
    expect(page.items).toHaveLength(2)
    expect(page.next_cursor).toBeTruthy()
    // Delete keeps the count exact.
    expect((await call('DELETE', `/api/v1/data-rows/${out.created[1].id}`, admin())).status).toBe(204)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(2)
  })

  it("takes long raw-text rows whose total is far over D1's 2 MB bound-value limit", async () => {
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('long texts') } }))
    // 40 rows × 60,000 two-byte characters ≈ 4.8 MB: more than one INSERT parameter may hold.
    const body = Array.from({ length: 40 }, (_, i) => ({ row_data: `${i} ${'é'.repeat(60_000)}`, external_id: `t${i}` }))
    const res = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: body })
    expect(res.status).toBe(201)
    const out = await json(res)
    expect(out.errors).toEqual([])
    expect(out.created).toHaveLength(40)
    expect((await json(await call('GET', `/api/v1/datasets/${d.id}`, admin()))).row_count).toBe(40)
  })

  it('refuses bodies that are not a list, too long, or malformed', async () => {
    const d = await dataset()
    expect((await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: { row_data: 'x' } })).status).toBe(400)
    expect((await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [] })).status).toBe(400)
    expect(
      (await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: Array.from({ length: 1001 }, () => ({ row_data: 'x' })) }))
        .status,
    ).toBe(400)
    const bad = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      body: '[{"row_data": ',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(bad.status).toBe(400)
  })

  it('a global key used in another organization is free here (unique per organization)', async () => {
    const key = unique('shared')
    const other = await json(await call('POST', '/api/v1/datasets', { cookie: orgs.orgB.ADMIN.cookie }, { json: { name: 'theirs' } }))
    const r1 = await json(
      await call(
        'POST',
        `/api/v1/datasets/${other.id}/data-rows`,
        { cookie: orgs.orgB.ADMIN.cookie },
        { json: [{ row_data: 'https://x.test/1.png', global_key: key }] },
      ),
    )
    expect(r1.created).toHaveLength(1)
    const d = await dataset()
    const r2 = await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [{ row_data: 'https://x.test/1.png', global_key: key }] }),
    )
    expect(r2.created).toHaveLength(1)
    expect((await call('GET', `/api/v1/data-rows/${r1.created[0].id}`, admin())).status).toBe(404)
  })

  it('attaches data rows to a project as batches; counters follow', async () => {
    const d = await dataset()
    const rows = await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
        json: Array.from({ length: 12 }, (_, i) => ({ row_data: `https://x.test/${i}.png`, global_key: unique(`k${i}`) })),
      }),
    )
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('P'), media_type: 'IMAGE' } }))
    const b1 = await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
      json: { name: 'first', priority: 1, data_row_ids: rows.created.slice(0, 3).map((r: any) => r.id) },
    })
    expect(b1.status).toBe(201)
    expect(expectShape(BatchView, await json(b1))).toMatchObject({ name: 'first', priority: 1, size: 3, skipped: 0 })
    const b2 = await json(
      await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
        json: { name: 'by keys', global_keys: rows.created.slice(2, 5).map((r: any) => r.global_key.toUpperCase()) },
      }),
    )
    expect(b2).toMatchObject({ size: 2, skipped: 1, priority: 5 })
    const b3 = await json(
      await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'whole dataset', dataset_id: d.id } }),
    )
    expect(b3).toMatchObject({ size: 7, skipped: 5 })
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(12)
    for (const [body, msg] of [
      [{ name: 'x', data_row_ids: ['dr_nope'] }, /Unknown data row ids: dr_nope/],
      [{ name: 'x', data_row_ids: [rows.created[0].id], global_keys: ['a'] }, /exactly one of/],
      [{ name: 'x', priority: 9, data_row_ids: [rows.created[0].id] }, /between 1 and 5/],
      [{ name: 'x', dataset_id: 'ds_nope' }, /Unknown dataset/],
      [{ name: 'first', data_row_ids: [rows.created[0].id] }, /already has a batch named/],
    ] as const) {
      const res = await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: body })
      expect([400, 409]).toContain(res.status)
      expect(JSON.stringify(await json(res))).toMatch(msg)
    }
    expect((await json(await call('GET', `/api/v1/projects/${p.id}/batches`, admin()))).map((b: any) => b.size)).toEqual([7, 2, 3])
    expect((await call('DELETE', `/api/v1/projects/${p.id}/batches/${b3.id}`, admin())).status).toBe(204)
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(5)
    // Deleting a data row takes it out of the project too.
    await call('DELETE', `/api/v1/data-rows/${rows.created[0].id}`, admin())
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(4)
  })
})
