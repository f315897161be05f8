// Label imports from real Labelbox files, and the round trip: import an export v2 file into a
// fresh project, export it, and get the same names, kinds, geometry and answers back.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import roofWear from '../fixtures/labelbox/export-v2-roof-wear.ndjson?raw'
import lightly from '../fixtures/labelbox/export-v2-lightly.ndjson?raw'
import nested from '../fixtures/labelbox/annotation-import/nested_import.json'
import rectangle from '../fixtures/labelbox/annotation-import/rectangle_import.json'
import polyline from '../fixtures/labelbox/annotation-import/polyline_import.json'
import video from '../fixtures/labelbox/annotation-import/video_import.json'
import classification from '../fixtures/labelbox/annotation-import/classification_import.json'
import image from '../fixtures/labelbox/annotation-import/image_import.json'
import textEntity from '../fixtures/labelbox/annotation-import/text_entity_import.json'
import { env } from 'cloudflare:workers'
import { seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { drainTask, insertTask } from '../helpers/drain-task'
import { countingD1 } from '../helpers/counting-d1'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const waitDone = (id: string) => waitForTask(id, admin(), 90_000)
const newProject = async (ontology?: unknown) =>
  json(
    await call('POST', '/api/v1/projects', admin(), {
      json: { name: unique('Import'), media_type: 'IMAGE', ...(ontology ? { ontology } : {}) },
    }),
  )
const newDataset = async () => json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
async function importLabels(projectId: string, body: string, query = '') {
  const res = await call('POST', `/api/v1/projects/${projectId}/label-imports${query}`, admin(), {
    body,
    headers: { 'Content-Type': 'application/x-ndjson' },
  })
  expect(res.status, await res.clone().text()).toBe(202)
  return waitDone((await json(res)).id)
}
async function exportAll(projectId: string) {
  const res = await call('POST', `/api/v1/projects/${projectId}/exports`, admin(), { json: { params: { performance_details: true } } })
  const t = await waitDone((await json(res)).id)
  return (await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
}

/** What must survive a round trip: per data row (by global key), the labels' annotations without ids. */
function essence(lines: any[]) {
  const strip = (x: any): any => {
    if (Array.isArray(x)) return x.map(strip)
    if (x && typeof x === 'object')
      return Object.fromEntries(
        Object.entries(x)
          .filter(([k]) => k !== 'feature_id' && k !== 'feature_schema_id')
          .map(([k, v]) => [k, strip(v)]),
      )
    return x
  }
  const out: Record<string, unknown> = {}
  for (const l of lines) {
    const labels = Object.values(l.projects as Record<string, any>).flatMap((p: any) => p.labels)
    out[l.data_row.global_key] = labels.map((lb: any) =>
      strip({ objects: lb.annotations.objects, classifications: lb.annotations.classifications }),
    )
  }
  return out
}

describe('label imports', () => {
  for (const [name, file] of [
    ['roof-wear', roofWear],
    ['lightly', lightly],
  ] as const) {
    it(`round-trips ${name}: import into a fresh project, export, same annotations`, async () => {
      const p = await newProject()
      const d = await newDataset()
      const t = await importLabels(p.id, file, `?dataset_id=${d.id}&create_ontology=true`)
      expect(t.status).toBe('COMPLETE')
      const input = file
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
      const labelCount = input.reduce((s, l) => s + Object.values(l.projects).reduce((a: number, p: any) => a + p.labels.length, 0), 0)
      expect(t.metadata.labels_created).toBe(labelCount)
      expect(t.metadata.lines_failed).toBe(0)
      expect(t.metadata.lines_imported).toBe(input.length)
      // Every feature schema id of the file is kept; where the file gives one id to several
      // features, the first keeps it and each other one gets a new id, reported as a notice.
      const featuresOf = new Map<string, Set<string>>()
      const walk = (x: any, kind: string) => {
        if (Array.isArray(x)) return x.forEach((y) => walk(y, kind))
        if (!x || typeof x !== 'object') return
        if (typeof x.feature_schema_id === 'string') {
          const set = featuresOf.get(x.feature_schema_id) ?? new Set()
          set.add(`${kind} ${x.name}`)
          featuresOf.set(x.feature_schema_id, set)
        }
        for (const [k, v] of Object.entries(x)) walk(v, k)
      }
      for (const l of input) for (const pr of Object.values(l.projects) as any[]) for (const lb of pr.labels) walk(lb.annotations, '')
      const project = await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))
      const ontologyIds = new Set<string>()
      const collect = (x: any) => {
        if (Array.isArray(x)) return x.forEach(collect)
        if (!x || typeof x !== 'object') return
        if (typeof x.feature_schema_id === 'string') ontologyIds.add(x.feature_schema_id)
        for (const v of Object.values(x)) collect(v)
      }
      collect(project.ontology)
      expect([...featuresOf.keys()].filter((id) => !ontologyIds.has(id))).toEqual([])
      const replaced = [...featuresOf.values()].reduce((a, s) => a + s.size - 1, 0)
      expect(t.metadata.notices).toBe(replaced)
      if (replaced) {
        const notices = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
        expect(notices).toHaveLength(replaced)
        expect(notices.every((n) => n.notice === true && n.field === 'feature_schema_id')).toBe(true)
      }
      const exported = await exportAll(p.id)
      expect(exported).toHaveLength(input.length)
      expect(essence(exported)).toEqual(essence(input))
      // Importing the same file again adds nothing.
      const again = await importLabels(p.id, file, `?dataset_id=${d.id}&create_ontology=true`)
      expect(again.metadata).toMatchObject({ labels_created: 0, labels_unchanged: labelCount })
      const o = await json(await call('GET', `/api/v1/projects/${p.id}/overview`, admin()))
      expect(o.labeled).toBe(input.length)
    })
  }

  it('without dataset_id, rows missing from the organization are per-line errors', async () => {
    // The other organization has none of these rows (and never sees the first one's).
    const other = { cookie: orgs.orgB.ADMIN.cookie }
    const p = await json(await call('POST', '/api/v1/projects', other, { json: { name: unique('Import'), media_type: 'IMAGE' } }))
    const res = await call('POST', `/api/v1/projects/${p.id}/label-imports?create_ontology=true`, other, {
      body: lightly,
      headers: { 'Content-Type': 'application/x-ndjson' },
    })
    const started = await json(res)
    let t: any
    await vi.waitFor(
      async () => {
        t = await json(await call('GET', `/api/v1/tasks/${started.id}`, other))
        expect(t.status).toBe('COMPLETE')
      },
      { timeout: 60_000, interval: 250 },
    )
    const lines = lightly.split('\n').filter(Boolean).length
    expect(t.metadata).toMatchObject({ labels_created: 0, lines_failed: lines })
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, other)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs[0]).toMatchObject({ line: 1, field: 'data_row.global_key', message: expect.stringMatching(/pass \?dataset_id=/) })
  })

  it('groups annotation-import lines by data row into one label; reports each bad line', async () => {
    // The fixture's features by their Labelbox schema ids, kept as our feature_schema_ids.
    const ontology = {
      tools: [
        {
          name: 'box',
          tool: 'bounding_box',
          feature_schema_id: 'ckrb1sfjx099a0y914hl319ie',
          classifications: [
            {
              name: 'nested',
              type: 'radio',
              feature_schema_id: 'ckrb1sfkn099c0y910wbo0p1a',
              options: [
                { name: 'a', feature_schema_id: 'ckrb1sfl8099g0y91cxbd5ftb' },
                { name: 'b', feature_schema_id: 'ckrb1sfl8099e0y919v260awv' },
              ],
            },
          ],
        },
        { name: 'bbox', tool: 'bounding_box' },
        { name: 'some-line', tool: 'line' },
      ],
    }
    const p = await newProject(ontology)
    const d = await newDataset()
    const rows = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [
            { row_data: 'https://x.test/1.jpg', global_key: unique('one') },
            { row_data: 'https://x.test/2.jpg', global_key: unique('two') },
          ],
        }),
      )
    ).created
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: rows.map((r: any) => r.id) } })
    // Point the fixture's Labelbox data-row ids at our rows, as a user migrating would.
    const mapRow = (x: any, to: any) => ({ ...x, dataRow: { id: to.id } })
    const lines = [
      mapRow(nested[1], rows[0]), // radio answer b
      mapRow(rectangle[0], rows[1]),
      mapRow(nested[0], rows[0]), // radio answer a (same data row: same label)
      mapRow(polyline[0], rows[1]),
      mapRow(nested[2], rows[0]), // answer given as a list for a radio: an error for this line
      { ...mapRow(video[0], rows[1]) }, // frame-based: not supported, reported
      { ...rectangle[0], dataRow: { globalKey: 'no-such-key' } },
    ]
    const t = await importLabels(p.id, lines.map((l) => JSON.stringify(l)).join('\n'))
    expect(t.status).toBe('COMPLETE')
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs.map((e) => e.line).sort((a, b) => a - b)).toEqual([5, 6, 7])
    expect(errs.find((e) => e.line === 5).message).toMatch(/“nested” is a radio classification/)
    // Row 0's bad line is reported and its two good lines still make its label; row 1 got one
    // label with the box and the line. Every line is imported or reported.
    expect(t.metadata.labels_created).toBe(2)
    expect(t.metadata.lines_failed).toBe(3)
    expect(t.metadata.lines_imported).toBe(4)
    const labels = (await json(await call('GET', `/api/v1/projects/${p.id}/labels`, admin()))).items
    expect(labels).toHaveLength(2)
    const of = (row: any) => labels.find((l: any) => l.data_row_id === row.id)
    expect(of(rows[1]).imported).toBe(true)
    expect(
      of(rows[1])
        .annotations.objects.map((o: any) => o.annotation_kind)
        .sort(),
    ).toEqual(['ImageBoundingBox', 'ImagePolyline'])
    expect(of(rows[0]).annotations.objects).toHaveLength(2)
  })

  it('imports the valid lines of a data row whose third line is invalid, and reports only that line', async () => {
    const p = await newProject({ tools: [{ name: 'box', tool: 'bounding_box' }] })
    const d = await newDataset()
    const key = unique('row')
    await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [{ row_data: 'https://x.test/1.jpg', global_key: key }] })
    const box = (left: number) => ({ name: 'box', bbox: { top: 1, left, height: 5, width: 5 }, dataRow: { globalKey: key } })
    const lines = [box(1), box(2), { name: 'no-such-tool', bbox: { top: 1, left: 3, height: 5, width: 5 }, dataRow: { globalKey: key } }]
    const t = await importLabels(p.id, lines.map((l) => JSON.stringify(l)).join('\n'))
    expect(t.metadata).toMatchObject({ labels_created: 1, lines_imported: 2, lines_failed: 1 })
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text()).trim().split('\n')
    expect(errs.map((e) => JSON.parse(e).line)).toEqual([3])
    const labels = (await json(await call('GET', `/api/v1/projects/${p.id}/labels`, admin()))).items
    expect(labels).toHaveLength(1)
    expect(labels[0].annotations.objects.map((o: any) => o.bounding_box.left).sort()).toEqual([1, 2])
  })

  it('never queues a data row of another media type: its lines are reported, the rest imported', async () => {
    const p = await newProject({ tools: [{ name: 'box', tool: 'bounding_box' }] })
    const d = await newDataset()
    const img = unique('img')
    const txt = unique('txt')
    await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: [
        { row_data: 'https://x.test/1.jpg', global_key: img },
        { row_data: 'A support ticket', media_type: 'TEXT', global_key: txt },
      ],
    })
    const box = (key: string) => ({ name: 'box', bbox: { top: 1, left: 1, height: 5, width: 5 }, dataRow: { globalKey: key } })
    const t = await importLabels(p.id, [box(img), box(txt), box(txt)].map((l) => JSON.stringify(l)).join('\n'))
    expect(t.metadata).toMatchObject({ labels_created: 1, lines_imported: 1, lines_failed: 2 })
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(errs.map((e) => [e.line, e.field])).toEqual([
      [2, 'data_row.media_type'],
      [3, 'data_row.media_type'],
    ])
    expect(errs[0].message).toMatch(/is TEXT; this is an IMAGE project, so it is not queued here/)
    // Only the image row went into the project.
    expect((await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))).data_row_count).toBe(1)
  })

  it('ends every line of every annotation-import fixture imported or reported', async () => {
    const files = { classification, image, nested, polyline, rectangle, textEntity, video }
    const d = await newDataset()
    const lines: any[] = []
    for (const [name, arr] of Object.entries(files) as [string, any[]][]) {
      // Each fixture's Labelbox data-row ids become global keys of rows we create.
      for (const l of arr) lines.push({ ...l, dataRow: { globalKey: `${name}-${l.dataRow?.id ?? l.dataRow?.globalKey}` } })
    }
    const keys = [...new Set(lines.map((l) => l.dataRow.globalKey))]
    const created = await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: keys.map((k) => ({ row_data: 'https://x.test/a.jpg', global_key: k })),
    })
    expect(created.status).toBeLessThan(300)
    const p = await newProject()
    const t = await importLabels(p.id, lines.map((l) => JSON.stringify(l)).join('\n'), '?create_ontology=true')
    expect(t.status).toBe('COMPLETE')
    const errs = (await (await call('GET', `/api/v1/tasks/${t.id}/errors`, admin())).text()).trim().split('\n').filter(Boolean)
    // Notices (a replaced feature schema id) are lines that imported all the same.
    const reported = new Set(
      errs
        .map((e) => JSON.parse(e))
        .filter((e) => !e.notice)
        .map((e) => e.line),
    )
    expect(errs.filter((e) => JSON.parse(e).notice)).toHaveLength(t.metadata.notices)
    expect(t.metadata.lines_failed).toBe(reported.size)
    expect(t.metadata.lines_imported + t.metadata.lines_failed).toBe(lines.length)
    expect(t.metadata.lines_imported).toBeGreaterThan(0)
  })

  it('reads, attaches and writes a slice of labels in a few D1 round trips, not several per label', async () => {
    const p = await newProject({ tools: [{ name: 'bbox', tool: 'bounding_box' }] })
    const d = await newDataset()
    const tag = unique('rt')
    // 40 data rows that are not in the project yet; two boxes each, as annotation-import lines,
    // and each row's first box again on a line of its own (the same label: counted once).
    const rows = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: Array.from({ length: 40 }, (_, i) => ({ row_data: `https://x.test/${i}.jpg`, global_key: `${tag}-${i}` })),
        }),
      )
    ).created
    expect(rows).toHaveLength(40)
    const box = (i: number, k: number) => ({
      dataRow: { globalKey: `${tag}-${i}` },
      name: 'bbox',
      uuid: crypto.randomUUID(),
      classifications: [],
      bbox: { top: k, left: k, height: 10, width: 10 },
    })
    const body = `${Array.from({ length: 40 }, (_, i) => [box(i, 1), box(i, 2)])
      .flat()
      .map((l) => JSON.stringify(l))
      .join('\n')}\n`

    // The test plays the queue (as startLabelImport would have it) with a D1 that counts round trips.
    const key = `label-imports/${orgs.a.id}/${p.id}/${unique('f')}.ndjson`
    await env.ASSETS_BUCKET.put(key, body)
    const { id } = await insertTask(
      {
        orgId: orgs.a.id,
        createdBy: orgs.orgA.ADMIN.id,
        type: 'import-labels',
        name: 'round trips',
        subjectId: p.id,
        params: { project_id: p.id, key, size: body.length, dataset_id: null, create_ontology: false },
      },
      'lim',
    )
    const { DB, trips } = countingD1()
    await drainTask({ kind: 'import-labels', taskId: id }, DB)
    const t = await json(await call('GET', `/api/v1/tasks/${id}`, admin()))
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata).toMatchObject({ labels_created: 40, lines_failed: 0 })
    const project = await json(await call('GET', `/api/v1/projects/${p.id}`, admin()))
    expect(project).toMatchObject({ data_row_count: 40, label_count: 40 })
    // Read, group and clean-up slices: about a dozen trips each, whatever the number of labels.
    // One label at a time this was 3–4 trips per label (resolve, attach, check, insert): > 120.
    expect(trips.length).toBeLessThan(60)
    // And the 40 labels with their counters, usage and events go as a handful of statements, not
    // five per label (D1 counts each statement of a batch against its 1,000 per invocation).
    const labelWrites = trips
      .flatMap((t) => t.sql)
      .filter((q) => /^\s*insert\s+into\s+"?(labels|usage_facts|events|project_feature_counts)"?[\s(]/i.test(q))
    expect(labelWrites.length).toBeGreaterThan(0)
    expect(labelWrites.length).toBeLessThanOrEqual(8)
  })

  it('refuses bad requests before any task exists', async () => {
    const p = await newProject()
    expect(
      (await call('POST', `/api/v1/projects/${p.id}/label-imports`, admin(), { body: '{}', headers: { 'Content-Type': 'text/csv' } }))
        .status,
    ).toBe(415)
    expect(
      (
        await call('POST', `/api/v1/projects/${p.id}/label-imports`, admin(), {
          body: '',
          headers: { 'Content-Type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await call('POST', `/api/v1/projects/${p.id}/label-imports?dataset_id=ds_nope`, admin(), {
          body: '{}',
          headers: { 'Content-Type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await call('POST', `/api/v1/projects/${p.id}/label-imports?create_ontology=yes`, admin(), {
          body: '{}',
          headers: { 'Content-Type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await call(
          'POST',
          `/api/v1/projects/${p.id}/label-imports`,
          { cookie: orgs.orgA.REVIEWER.cookie },
          { body: '{}', headers: { 'Content-Type': 'application/x-ndjson' } },
        )
      ).status,
    ).toBe(403)
    expect(
      (
        await call(
          'POST',
          `/api/v1/projects/${p.id}/label-imports`,
          { cookie: orgs.orgB.ADMIN.cookie },
          { body: '{}', headers: { 'Content-Type': 'application/x-ndjson' } },
        )
      ).status,
    ).toBe(404)
  })
})
