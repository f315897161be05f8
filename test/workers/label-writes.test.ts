// Labels written many at a time (`labelsInsertStmts`, used by label imports): one statement per
// table instead of five per label. Whatever the path, every aggregate a label feeds — feature
// counts, member stats, per-day counts, project counters, usage facts, the event outbox and the
// queue state of its data row — must end up exactly as a recount of the labels says.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { and, eq, sql } from 'drizzle-orm'
import {
  events,
  labels,
  projectDataRows,
  projectFeatureCounts,
  projectLabelDays,
  projectMemberStats,
  projects,
  usageFacts,
} from '../../src/db/schema'
import { labelsInsertStmts } from '../../src/modules/labels/service'
import { runBatch } from '../../src/db/client'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
beforeAll(async () => {
  orgs = await seedTwoOrgs()
  // LABEL_CREATED events are recorded for organizations with an active webhook (the outbox only
  // serves those): org A has one, org B none.
  const hook = await call('POST', '/api/v1/webhooks', admin(), {
    json: { url: 'https://hooks.example.com/labels', topics: ['LABEL_CREATED'] },
  })
  expect(hook.status, await hook.clone().text()).toBe(201)
})

const waitDone = (id: string) => waitForTask(id, admin(), 90_000)

const ONTOLOGY = {
  tools: [{ name: 'Car', tool: 'bounding_box' }],
  classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rain' }] }],
}

describe('labels written many at a time', () => {
  it('leaves every aggregate equal to a recount of the labels (an import of 200 labels over three days, some skipped)', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Writes'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const tag = unique('w')
    const N = 200
    const days = ['2026-11-20', '2026-11-21', '2026-11-23']
    const skipped = (i: number) => i % 10 === 3
    const boxes = (i: number) => (skipped(i) ? 0 : 1 + (i % 3))
    const lines = Array.from({ length: N }, (_, i) => {
      const at = `${days[i % 3]}T10:${String(i % 60).padStart(2, '0')}:00.000Z`
      return JSON.stringify({
        data_row: { global_key: `${tag}-${i}`, row_data: `https://x.test/${tag}/${i}.jpg` },
        media_attributes: { mime_type: 'image/jpeg' },
        projects: {
          [p.id]: {
            name: p.name,
            labels: [
              {
                label_kind: 'Default',
                version: '1.0.0',
                label_details: { created_at: at, updated_at: at, created_by: 'someone@example.com' },
                performance_details: { seconds_to_create: 10 + (i % 7) + 0.25, seconds_to_review: 0, skipped: skipped(i) },
                annotations: {
                  objects: Array.from({ length: boxes(i) }, (_, k) => ({
                    name: 'Car',
                    annotation_kind: 'ImageBoundingBox',
                    bounding_box: { top: k, left: i, height: 5, width: 5 },
                  })),
                  classifications: skipped(i) ? [] : [{ name: 'Weather', radio_answer: { name: i % 2 ? 'Sunny' : 'Rain' } }],
                  relationships: [],
                },
              },
            ],
          },
        },
      })
    })
    const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=${d.id}`, admin(), {
      body: `${lines.join('\n')}\n`,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    expect(res.status, await res.clone().text()).toBe(202)
    const t = await waitDone((await json(res)).id)
    expect(t.status, t.failure_reason).toBe('COMPLETE')
    expect(t.metadata).toMatchObject({ labels_created: N, lines_failed: 0 })

    const all = await db().select().from(labels).where(eq(labels.projectId, p.id))
    expect(all).toHaveLength(N)
    const done = all.filter((l) => !l.skipped)
    const expectBoxes = Array.from({ length: N }, (_, i) => boxes(i)).reduce((a, b) => a + b, 0)
    // The stored label is what was imported: annotations parse, counts and times are kept.
    const one = all.find((l) => l.annotationCount === 4)!
    expect(one.annotations.objects).toHaveLength(3)
    expect(one.imported).toBe(true)
    expect(typeof one.secondsToCreate).toBe('number')
    expect(days).toContain(one.createdAt.toISOString().slice(0, 10))
    expect(one.secondsToCreate % 1).toBe(0.25)
    // Stored with the types drizzle would have written, the annotations as exactly its JSON text.
    const raw = await env.DB.prepare(
      'SELECT typeof(seconds_to_create) AS s, typeof(skipped) AS k, typeof(created_at) AS c, typeof(import_key) AS i, annotations AS a FROM labels WHERE id = ?',
    )
      .bind(one.id)
      .first<Record<string, string>>()
    expect(raw).toMatchObject({ s: 'real', k: 'integer', c: 'integer', i: 'text' })
    expect(raw!.a).toBe(JSON.stringify(one.annotations))

    // Feature counts: boxes per tool, answers per option.
    const features = await db().select().from(projectFeatureCounts).where(eq(projectFeatureCounts.projectId, p.id))
    const byName = (kind: string, answer = '') =>
      features.filter((f) => f.kind === kind && (kind === 'object' || f.answer === answer)).reduce((a, f) => a + f.count, 0)
    expect(byName('object')).toBe(expectBoxes)
    expect(byName('answer', 'Sunny') + byName('answer', 'Rain')).toBe(done.length)
    expect(byName('answer', 'Sunny')).toBe(
      done.filter((l) => (l.annotations.classifications[0] as any)?.radio_answer?.name === 'Sunny').length,
    )

    // Project counters, member stats and per-day counts (kept by triggers, row by row).
    const [proj] = await db().select().from(projects).where(eq(projects.id, p.id))
    expect(proj).toMatchObject({ dataRowCount: N, labelCount: done.length, labeledCount: done.length, skippedCount: N - done.length })
    const [stats] = await db().select().from(projectMemberStats).where(eq(projectMemberStats.projectId, p.id))
    expect(stats).toMatchObject({ userId: orgs.orgA.ADMIN.id, labels: done.length, skips: N - done.length })
    expect(stats!.secondsTotal).toBeCloseTo(
      all.reduce((a, l) => a + l.secondsToCreate, 0),
      6,
    )
    expect(stats!.lastLabelAt).toBe(Math.max(...all.map((l) => l.createdAt.getTime())))
    const perDay = await db()
      .select({ day: projectLabelDays.day, n: sql<number>`sum(${projectLabelDays.count})` })
      .from(projectLabelDays)
      .where(eq(projectLabelDays.projectId, p.id))
      .groupBy(projectLabelDays.day)
    const recountDays: Record<string, number> = {}
    for (const l of done)
      recountDays[l.createdAt.toISOString().slice(0, 10)] = (recountDays[l.createdAt.toISOString().slice(0, 10)] ?? 0) + 1
    expect(Object.fromEntries(perDay.map((r) => [r.day, Number(r.n)]))).toEqual(recountDays)

    // Usage facts: one per label that made annotations or was not skipped, on the label's day.
    const usage = await db().select().from(usageFacts).where(eq(usageFacts.projectId, p.id))
    expect(usage).toHaveLength(all.filter((l) => l.annotationCount > 0 || !l.skipped).length)
    expect(usage.reduce((a, u) => a + u.annotations, 0)).toBe(all.reduce((a, l) => a + l.annotationCount, 0))
    expect(usage.reduce((a, u) => a + u.labels, 0)).toBe(done.length)
    expect(usage.every((u) => u.imported && u.assetType === 'IMAGE' && days.includes(u.day))).toBe(true)

    // The outbox: one LABEL_CREATED per label, naming it.
    const outbox = await db()
      .select()
      .from(events)
      .where(and(eq(events.projectId, p.id), eq(events.topic, 'LABEL_CREATED')))
    expect(outbox).toHaveLength(N)
    expect(new Set(outbox.map((e) => (e.payload as any).label.id))).toEqual(new Set(all.map((l) => l.id)))

    // The queue: labeled rows went to review, skipped ones stay to label.
    const queue = await db()
      .select({ s: projectDataRows.workflowStatus, n: sql<number>`count(*)` })
      .from(projectDataRows)
      .where(eq(projectDataRows.projectId, p.id))
      .groupBy(projectDataRows.workflowStatus)
    expect(Object.fromEntries(queue.map((q) => [q.s, Number(q.n)]))).toEqual({ IN_REVIEW: done.length, TO_LABEL: N - done.length })
  })

  it('splits rows over several statements when their JSON would be too big for one parameter', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Big'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const rows = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [0, 1, 2].map((i) => ({ row_data: `https://x.test/big-${i}.jpg` })),
        }),
      )
    ).created
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), {
      json: { name: 'all', data_row_ids: rows.map((r: { id: string }) => r.id) },
    })
    // ~330 KB of polygon each: two labels never fit one 600k-character parameter.
    const polygon = Array.from({ length: 12_000 }, (_, k) => ({ x: k + 0.123456, y: k * 2 + 0.654321 }))
    const items = rows.map((r: { id: string }) => ({
      dataRow: { id: r.id, globalKey: null, mediaType: 'IMAGE', inProject: true },
      annotations: { objects: [{ name: 'Car', annotation_kind: 'ImagePolygon', polygon }], classifications: [], relationships: [] },
      count: 1,
      deltas: [],
      secondsToCreate: 5,
      skipped: false,
      imported: true,
    }))
    const { stmts, rows: made } = labelsInsertStmts(db(), { id: p.id, orgId: orgs.a.id }, orgs.orgA.ADMIN.id, items)
    // Labels in 3 statements and events in 3 (each ~330 KB); the queue and usage in one each.
    expect(stmts.length).toBe(8)
    await runBatch(db(), stmts)
    const stored = await db().select().from(labels).where(eq(labels.projectId, p.id))
    expect(stored.map((l) => l.id).sort()).toEqual(made.map((l) => l.id).sort())
    expect((stored[0]!.annotations.objects[0] as any).polygon).toEqual(polygon)
    expect(await env.DB.prepare('SELECT count(*) AS n FROM events WHERE project_id = ?').bind(p.id).first('n')).toBe(3)
  })

  it("creates the rows a slice lacks together: a repeated row once; bad row fields are their line's error, and a later good line still creates the row", async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Create'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const a = unique('a')
    const b = unique('b')
    const line = (gk: string, rowData: string, x: number) =>
      JSON.stringify({
        data_row: { global_key: gk, row_data: rowData },
        media_attributes: { mime_type: 'image/jpeg' },
        projects: {
          [p.id]: {
            name: p.name,
            labels: [
              {
                annotations: {
                  objects: [{ name: 'Car', annotation_kind: 'ImageBoundingBox', bounding_box: { top: x, left: x, height: 2, width: 2 } }],
                  classifications: [],
                  relationships: [],
                },
              },
            ],
          },
        },
      })
    const nameless = JSON.stringify({
      data_row: { row_data: 'https://x.test/nameless.jpg' },
      projects: { [p.id]: { name: p.name, labels: [{ annotations: { objects: [], classifications: [], relationships: [] } }] } },
    })
    const body = `${[
      line(a, 'https://x.test/a.jpg', 1),
      line(b, 'ftp://x.test/b.jpg', 2),
      line(b, 'https://x.test/b.jpg', 3),
      line(a.toUpperCase(), 'https://x.test/a.jpg', 4),
      nameless,
    ].join('\n')}\n`
    const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=${d.id}`, admin(), {
      body,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    const t = await waitDone((await json(res)).id)
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata).toMatchObject({ labels_created: 3, lines_failed: 2 })
    // Line 2's own row fields are bad; line 3 names the same row with good ones and creates it.
    // Line 5 names no row at all.
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs).toMatchObject([
      { line: 2, field: 'data_row.row_data', global_key: b },
      { line: 5, field: 'data_row' },
    ])
    // Lines 1 and 4 name the same row (global keys match in any case): one row, two labels.
    const rows = (await json(await call('GET', `/api/v1/datasets/${d.id}/data-rows`, admin()))).items
    const byKey = Object.fromEntries(rows.map((r: { global_key: string; id: string; row_data: string }) => [r.global_key, r]))
    expect(Object.keys(byKey).sort()).toEqual([a, b].sort())
    expect(byKey[b].row_data).toBe('https://x.test/b.jpg')
    const made = await db().select().from(labels).where(eq(labels.projectId, p.id))
    expect(made.map((l) => l.dataRowId).sort()).toEqual([byKey[a].id, byKey[a].id, byKey[b].id].sort())
  })

  it("refuses a label too big for one D1 value as its line's error; the other lines import", async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), {
        json: { name: unique('Huge'), media_type: 'IMAGE', ontology: { tools: [{ name: 'Area', tool: 'polygon' }] } },
      }),
    )
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const polygon = (n: number) => Array.from({ length: n }, (_, k) => ({ x: k + 0.123456789, y: k + 0.987654321 }))
    const line = (gk: string, n: number) =>
      JSON.stringify({
        data_row: { global_key: gk, row_data: `https://x.test/${gk}.jpg` },
        projects: {
          [p.id]: {
            name: p.name,
            labels: [
              {
                annotations: {
                  objects: [{ name: 'Area', annotation_kind: 'ImagePolygon', polygon: polygon(n) }],
                  classifications: [],
                  relationships: [],
                },
              },
            ],
          },
        },
      })
    const small = unique('small')
    const huge = unique('huge')
    const body = `${[line(small, 10), line(huge, 60_000)].join('\n')}\n` // ~2.9 MB of polygon on line 2
    const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=${d.id}`, admin(), {
      body,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    const t = await waitDone((await json(res)).id)
    expect(t.status, t.failure_reason).toBe('COMPLETE')
    expect(t.metadata).toMatchObject({ labels_created: 1, lines_failed: 1 })
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs).toMatchObject([{ line: 2, field: 'annotations' }])
    expect(errs[0].message).toMatch(/more than 1.8 MB/)
  })

  it('reports every line naming a row whose global key another row holds (one in a deleted dataset)', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Clash'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const old = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('old') } }))
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const key = unique('taken')
    expect(
      (
        await call('POST', `/api/v1/datasets/${old.id}/data-rows`, admin(), {
          json: [{ row_data: 'https://x.test/old.jpg', global_key: key }],
        })
      ).status,
    ).toBe(201)
    // Deleted, its rows not purged yet: the key is still held, though no lookup finds the row.
    await env.DB.prepare('UPDATE datasets SET deleted_at = ? WHERE id = ?').bind(Date.now(), old.id).run()
    const line = (x: number) =>
      JSON.stringify({
        data_row: { global_key: key, row_data: 'https://x.test/new.jpg' },
        projects: {
          [p.id]: {
            name: p.name,
            labels: [
              {
                annotations: {
                  objects: [{ name: 'Car', annotation_kind: 'ImageBoundingBox', bounding_box: { top: x, left: x, height: 2, width: 2 } }],
                  classifications: [],
                  relationships: [],
                },
              },
            ],
          },
        },
      })
    const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=${d.id}`, admin(), {
      body: `${[line(1), line(2)].join('\n')}\n`,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    const t = await waitDone((await json(res)).id)
    expect(t.metadata).toMatchObject({ labels_created: 0, lines_failed: 2 })
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs).toMatchObject([
      { line: 1, field: 'data_row.global_key' },
      { line: 2, field: 'data_row.global_key' },
    ])
    expect(errs[1].message).toBe(errs[0].message)
  })
  it('re-importing the same annotation uuids updates the label in place; an unchanged file changes nothing', async () => {
    const p = json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Uuids'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const d = json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const [pp, dd] = await Promise.all([p, d])
    const key = unique('row')
    await call('POST', `/api/v1/datasets/${dd.id}/data-rows`, admin(), { json: [{ row_data: 'https://x.test/1.jpg', global_key: key }] })
    const line = (uuid: string, left: number) => ({
      uuid,
      name: 'Car',
      bbox: { top: 1, left, height: 5, width: 5 },
      dataRow: { globalKey: key },
    })
    const file = (a: number) =>
      [
        line('11111111-1111-4111-8111-111111111111', a),
        line('22222222-2222-4222-8222-222222222222', 50),
        { uuid: '33333333-3333-4333-8333-333333333333', name: 'Weather', answer: { name: 'Sunny' }, dataRow: { globalKey: key } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n')
    const run = async (body: string) => {
      const res = await call('POST', `/api/v1/projects/${pp.id}/label-imports`, admin(), {
        body,
        headers: { 'Content-Type': 'application/x-ndjson' },
      })
      expect(res.status).toBe(202)
      return waitDone((await json(res)).id)
    }
    const state = async () => ({
      labels: await db().select().from(labels).where(eq(labels.projectId, pp.id)),
      features: (await db().select().from(projectFeatureCounts).where(eq(projectFeatureCounts.projectId, pp.id)))
        .map((f) => [f.kind, f.answer, f.count])
        .sort(),
      usage: (await db().select().from(usageFacts).where(eq(usageFacts.projectId, pp.id))).reduce(
        (a, u) => [a[0]! + u.annotations, a[1]! + u.labels],
        [0, 0],
      ),
      project: (({ labelCount, labeledCount }) => ({ labelCount, labeledCount }))(
        (await db().select().from(projects).where(eq(projects.id, pp.id)))[0]!,
      ),
    })
    const first = await run(file(10))
    expect(first.metadata).toMatchObject({ labels_created: 1, lines_imported: 3, lines_failed: 0 })
    const s1 = await state()
    expect(s1.labels).toHaveLength(1)
    expect(s1.usage).toEqual([3, 1])
    // The same file again: nothing changes.
    const again = await run(file(10))
    expect(again.metadata).toMatchObject({ labels_created: 0, labels_updated: 0, labels_unchanged: 1 })
    expect(await state()).toEqual(s1)
    // One box moved: the same label, that box updated in place, counters as before.
    const moved = await run(file(20))
    expect(moved.metadata).toMatchObject({ labels_created: 0, labels_updated: 1 })
    const s2 = await state()
    expect(s2.labels).toHaveLength(1)
    expect(s2.labels[0]!.id).toBe(s1.labels[0]!.id)
    const boxes = s2.labels[0]!.annotations.objects as any[]
    expect(boxes.map((b) => [b.feature_id, b.bounding_box.left])).toEqual([
      ['11111111-1111-4111-8111-111111111111', 20],
      ['22222222-2222-4222-8222-222222222222', 50],
    ])
    expect(s2.labels[0]!.annotationCount).toBe(s1.labels[0]!.annotationCount)
    expect(s2.features).toEqual(s1.features)
    expect(s2.usage).toEqual(s1.usage)
    expect(s2.project).toEqual(s1.project)
  })
})
