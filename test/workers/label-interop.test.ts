// Lines serialized by the Labelbox SDK (test/fixtures/labelbox/sdk/*.ndjson, made with its
// NDJsonConverter) import and export back with nothing missing: boxes, polygons, lines, points,
// masks with colorRGB, text entities, answers (nested too), confidence and customMetrics,
// relationships, and video lines (key frames, segments, frame and global classifications).
// Re-imports are identified by the annotations' ids; export v2 fields the SDK reads are filled.
import { beforeAll, describe, expect, it } from 'vitest'
import sdkImage from '../fixtures/labelbox/sdk/image.ndjson?raw'
import sdkText from '../fixtures/labelbox/sdk/text.ndjson?raw'
import sdkVideo from '../fixtures/labelbox/sdk/video.ndjson?raw'
import lightly from '../fixtures/labelbox/export-v2-lightly.ndjson?raw'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'
import { labels } from '../../src/db/schema'
import { eq } from 'drizzle-orm'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const parse = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
/** A project of `media` with one data row per global key the file's lines name (renamed unique). */
async function projectFor(file: string, media: string) {
  const keys = [...new Set(parse(file).map((l) => l.dataRow.globalKey as string))]
  const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
  const renamed = Object.fromEntries(keys.map((k) => [k, unique(k)]))
  const made = await json(
    await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
      json: keys.map((k) => ({ global_key: renamed[k], row_data: `https://x.test/${k}`, media_type: media })),
    }),
  )
  const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Interop'), media_type: media } }))
  await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: made.created.map((r: any) => r.id) } })
  const body = parse(file)
    .map((l) => JSON.stringify({ ...l, dataRow: { globalKey: renamed[l.dataRow.globalKey] } }))
    .join('\n')
  return { p, body }
}
async function importLabels(projectId: string, body: string, query = '') {
  const res = await call('POST', `/api/v1/projects/${projectId}/label-imports${query}`, admin(), {
    body,
    headers: { 'Content-Type': 'application/x-ndjson' },
  })
  expect(res.status, await res.clone().text()).toBe(202)
  return waitForTask((await json(res)).id, admin(), 90_000)
}
async function errorsOf(taskId: string) {
  return parse(await (await call('GET', `/api/v1/tasks/${taskId}/errors`, admin())).text())
}
async function exportAll(projectId: string) {
  const params = { label_details: true, project_details: true, media_attributes: true }
  const t = await waitForTask(
    (await json(await call('POST', `/api/v1/projects/${projectId}/exports`, admin(), { json: { params } }))).id,
    admin(),
    90_000,
  )
  return parse(await (await call('GET', `/api/v1/tasks/${t.id}/result`, admin())).text())
}
const labelsOf = (line: any) => (Object.values(line.projects)[0] as any).labels

describe('Labelbox SDK lines', () => {
  it('image: every kind, scores, colorRGB and relationships import and export back', async () => {
    const { p, body } = await projectFor(sdkImage, 'IMAGE')
    const t = await importLabels(p.id, body, '?create_ontology=true')
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata.lines_failed).toBe(0)
    expect(t.metadata.lines_imported).toBe(parse(sdkImage).length)
    const [line] = await exportAll(p.id)
    const a = labelsOf(line)[0].annotations
    const sdk = parse(sdkImage)
    const byUuid = new Map<string, any>()
    for (const o of [...a.objects, ...a.classifications, ...a.relationships]) byUuid.set(o.feature_id, o)
    for (const l of sdk) expect(byUuid.has(l.uuid), `line ${l.name}`).toBe(true)
    const car = sdk.find((l) => l.name === 'car')
    const carOut = byUuid.get(car.uuid)
    expect(carOut.bounding_box).toEqual(car.bbox)
    expect(carOut.confidence).toBe(car.confidence)
    expect(carOut.custom_metrics).toEqual(car.customMetrics)
    expect(carOut.classifications[0].radio_answer.name).toBe('red')
    expect(carOut.classifications[0].radio_answer.confidence).toBe(0.7)
    expect(carOut.classifications[0].radio_answer.classifications[0].radio_answer.name).toBe('dark')
    const sky = sdk.find((l) => l.name === 'sky')
    expect(byUuid.get(sky.uuid).mask).toEqual({ url: sky.mask.instanceURI, colorRGB: sky.mask.colorRGB })
    for (const field of ['polygon', 'line', 'point']) {
      const l = sdk.find((x) => x[field] !== undefined)
      expect(byUuid.get(l.uuid)[field]).toEqual(l[field])
    }
    const rel = sdk.find((l) => l.relationship)
    expect(byUuid.get(rel.uuid)).toMatchObject({
      name: 'drives',
      unidirectional: true,
      source: rel.relationship.source,
      target: rel.relationship.target,
    })
    const tags = byUuid.get(sdk.find((l) => l.name === 'tags').uuid)
    expect(tags.checklist_answers.map((x: any) => x.name)).toEqual(['urban', 'busy'])
    expect(tags.checklist_answers[1].classifications[0].text_answer.content).toBe('very')
    expect(byUuid.get(sdk.find((l) => l.name === 'notes').uuid).text_answer.content).toBe('a car and a person')
    expect(labelsOf(line)[0].label_kind).toBe('Default')

    // The same uuids again change nothing; a moved box updates its label in place.
    const again = await importLabels(p.id, body)
    expect(again.metadata).toMatchObject({ labels_created: 0, labels_updated: 0, lines_failed: 0 })
    const moved = body.replace('"left":10,', '"left":12,')
    const m = await importLabels(p.id, moved)
    expect(m.metadata).toMatchObject({ labels_created: 0, labels_updated: 1 })
    const after = await exportAll(p.id)
    expect(labelsOf(after[0])).toHaveLength(1)
    expect(labelsOf(after[0])[0].annotations.objects.find((o: any) => o.feature_id === car.uuid).bounding_box.left).toBe(12)
  })

  it('a relationship whose source is no object of the label is that line’s error only', async () => {
    const { p, body } = await projectFor(sdkImage, 'IMAGE')
    const lines = body.split('\n').map((l) => JSON.parse(l))
    const rel = lines.findIndex((l) => l.relationship)
    lines[rel].relationship.source = 'no-such-object'
    const t = await importLabels(p.id, lines.map((l) => JSON.stringify(l)).join('\n'), '?create_ontology=true')
    const errs = await errorsOf(t.id)
    expect(errs.map((e) => e.line)).toEqual([rel + 1])
    expect(errs[0].message).toMatch(/source must be the feature_id/)
    expect(t.metadata.lines_imported).toBe(lines.length - 1)
    expect(t.metadata.labels_created).toBe(1)
  })

  it('text: entities with confidence and a radio answer', async () => {
    const { p, body } = await projectFor(sdkText, 'TEXT')
    const t = await importLabels(p.id, body, '?create_ontology=true')
    expect(t.metadata).toMatchObject({ lines_failed: 0, lines_imported: 3 })
    const a = labelsOf((await exportAll(p.id))[0])[0].annotations
    expect(a.objects.map((o: any) => [o.name, o.annotation_kind, o.location])).toEqual([
      ['company', 'TextEntity', { start: 0, end: 7 }],
      ['place', 'TextEntity', { start: 19, end: 25 }],
    ])
    expect(a.objects[0].confidence).toBe(0.66)
    expect(a.classifications[0].radio_answer.name).toBe('neutral')
  })

  it('video: key frames, segments, frame and global classifications in export v2 shape', async () => {
    const { p, body } = await projectFor(sdkVideo, 'VIDEO')
    const t = await importLabels(p.id, body, '?create_ontology=true')
    expect(t.status).toBe('COMPLETE')
    expect(t.metadata).toMatchObject({ lines_failed: 0, lines_imported: 5, labels_created: 1 })
    const label = labelsOf((await exportAll(p.id))[0])[0]
    expect(label.label_kind).toBe('Video')
    const a = label.annotations
    const sdk = parse(sdkVideo)
    const car = sdk.find((l) => l.name === 'car')
    expect(a.segments[car.uuid]).toEqual([
      [1, 3],
      [8, 9],
    ])
    expect(a.key_frame_feature_map[car.uuid]).toEqual({ 1: true, 3: true, 8: true, 9: true })
    expect(a.frames['1'].objects[car.uuid]).toMatchObject({
      name: 'car',
      annotation_kind: 'VideoBoundingBox',
      bounding_box: car.segments[0].keyframes[0].bbox,
    })
    expect(a.frames['3'].objects[sdk.find((l) => l.name === 'lane').uuid].annotation_kind).toBe('VideoPolyline')
    expect(a.frames['2'].objects[sdk.find((l) => l.name === 'light').uuid].annotation_kind).toBe('VideoPoint')
    for (const f of ['2', '3', '4']) expect(a.frames[f].classifications.map((c: any) => c.radio_answer.name)).toEqual(['sunny'])
    expect(a.frames['1'].classifications).toEqual([])
    expect(a.classifications.map((c: any) => c.text_answer.content)).toEqual(['a short clip'])
    // Each frame object and frame answer counts: 4 + 2 + 2 key-frame objects, 3 frame answers, 1 global.
    const row = await db().select().from(labels).where(eq(labels.projectId, p.id)).get()
    expect(row!.annotationCount).toBe(12)
    // Re-importing the same lines changes nothing.
    const again = await importLabels(p.id, body)
    expect(again.metadata).toMatchObject({ labels_created: 0, labels_updated: 0, lines_failed: 0 })
  })
})

describe('labels API', () => {
  it('takes relationships by the objects’ given feature_ids, scores, and frames only on VIDEO projects', async () => {
    const ontology = {
      tools: [
        { name: 'car', tool: 'bounding_box' },
        { name: 'tows', tool: 'relationship' },
      ],
      classifications: [],
    }
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const made = await json(
      await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [{ row_data: 'https://x.test/a.jpg' }] }),
    )
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Rel'), media_type: 'IMAGE', ontology } }))
    await call('POST', `/api/v1/projects/${p.id}/batches`, admin(), { json: { name: 'b', data_row_ids: [made.created[0].id] } })
    const box = (left: number) => ({ top: 1, left, width: 5, height: 5 })
    const annotations = {
      objects: [
        { feature_id: 'a', name: 'car', bounding_box: box(1), confidence: 0.4, custom_metrics: [{ name: 'iou', value: 0.5 }] },
        { feature_id: 'b', name: 'car', bounding_box: box(9) },
      ],
      relationships: [{ name: 'tows', source: 'a', target: 'b' }],
    }
    const res = await call('POST', `/api/v1/projects/${p.id}/labels`, admin(), { json: { data_row_id: made.created[0].id, annotations } })
    expect(res.status, await res.clone().text()).toBe(201)
    const label = await json(res)
    const [a, b] = label.annotations.objects
    // New ids are given (the API does not keep ids), and the relationship follows them.
    expect(a.feature_id).not.toBe('a')
    expect(a).toMatchObject({ confidence: 0.4, custom_metrics: [{ name: 'iou', value: 0.5 }] })
    expect(label.annotations.relationships).toEqual([
      expect.objectContaining({ name: 'tows', source: a.feature_id, target: b.feature_id, unidirectional: true }),
    ])
    // Two objects and the relationship count as annotations.
    expect((await db().select().from(labels).where(eq(labels.id, label.id)).get())!.annotationCount).toBe(3)

    const bad = await call('POST', `/api/v1/projects/${p.id}/labels`, admin(), {
      json: {
        data_row_id: made.created[0].id,
        annotations: { ...annotations, relationships: [{ name: 'tows', source: 'a', target: 'zz' }] },
      },
    })
    expect(bad.status).toBe(400)
    expect((await json(bad)).errors[0].path).toBe('annotations.relationships.0.target')
    const video = await call('POST', `/api/v1/projects/${p.id}/labels`, admin(), {
      json: { data_row_id: made.created[0].id, annotations: { frames: { 1: { objects: { x: { name: 'car', bounding_box: box(1) } } } } } },
    })
    expect(video.status).toBe(400)
    expect((await json(video)).errors[0].path).toBe('annotations.frames')
  })
})

describe('export v2 re-imports and workflow fields', () => {
  it('a video export re-imports into a fresh VIDEO project with the same frames and segments', async () => {
    const { p, body } = await projectFor(sdkVideo, 'VIDEO')
    await importLabels(p.id, body, '?create_ontology=true')
    const exported = await exportAll(p.id)
    const q = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Video again'), media_type: 'VIDEO' } }))
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const text = exported
      .map((l) => JSON.stringify({ ...l, data_row: { ...l.data_row, global_key: `${l.data_row.global_key}-again` } }))
      .join('\n')
    const t = await importLabels(q.id, text, `?dataset_id=${d.id}&create_ontology=true`)
    expect(t.metadata).toMatchObject({ lines_failed: 0, labels_created: 1 })
    const strip = (a: any) => JSON.parse(JSON.stringify(a).replace(/"feature_schema_id":"[^"]*",?/g, ''))
    const before = labelsOf(exported[0])[0].annotations
    const after = labelsOf((await exportAll(q.id))[0])[0].annotations
    expect(strip(after)).toEqual(strip(before))
  })

  it('a re-imported export v2 file updates its labels in place by feature id; reviews fill workflow_history', async () => {
    const p = await json(await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Reimport'), media_type: 'IMAGE' } }))
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    const first = await importLabels(p.id, lightly, `?dataset_id=${d.id}&create_ontology=true`)
    expect(first.metadata.labels_created).toBe(2)
    const same = await importLabels(p.id, lightly, `?dataset_id=${d.id}`)
    expect(same.metadata).toMatchObject({ labels_created: 0, labels_updated: 0 })
    const moved = lightly.replace('"left": 540.0', '"left": 541.0')
    const m = await importLabels(p.id, moved, `?dataset_id=${d.id}`)
    expect(m.metadata).toMatchObject({ labels_created: 0, labels_updated: 1 })
    let out = await exportAll(p.id)
    expect(out.map((l) => labelsOf(l).length)).toEqual([1, 1])
    const dog = out.flatMap((l) => labelsOf(l)[0].annotations.objects).find((o: any) => o.name === 'dog')
    expect(dog.bounding_box.left).toBe(541)

    const labelId = labelsOf(out[0])[0].id
    const rv = await call('POST', `/api/v1/labels/${labelId}/reviews`, admin(), { json: { score: -1 } })
    expect(rv.status, await rv.clone().text()).toBeLessThan(300)
    out = await exportAll(p.id)
    const line = out.find((l) => labelsOf(l)[0].id === labelId)
    const pd = (Object.values(line.projects)[0] as any).project_details
    expect(pd.consensus_expected_label_count).toBe(1)
    expect(pd.workflow_history).toEqual([
      expect.objectContaining({ action: 'Reject', label_id: labelId, created_by: expect.objectContaining({ email: expect.any(String) }) }),
    ])
    // label_details has Labelbox's keys only (the SDK's export tests compare them exactly).
    expect(Object.keys(labelsOf(line)[0].label_details).sort()).toEqual([
      'content_last_updated_at',
      'created_at',
      'created_by',
      'reviews',
      'updated_at',
    ])
  })
})
