// The labeling page's form on the server (src/modules/labels/label-form.ts and its routes): nested
// answers read back from the fields, required questions (global, nested, each object's) and empty
// labels refused with their names, video frame answers (`frames`) checked and counted, a text row
// in an image project without the box tool, and edit mode (prefilled, saved in place, review).
import { beforeAll, describe, expect, it } from 'vitest'
import { normalizeAnnotations } from '../../src/modules/labels/annotations'
import {
  answersFromForm,
  carryFeatureIds,
  carryUnedited,
  formFromAnswers,
  isEmpty,
  missingRequired,
  readLabelForm,
} from '../../src/modules/labels/label-form'
import {
  normalizeOntology,
  OntologyInput,
  type Ontology,
  type OntologyClassification,
  type OntologyOption,
} from '../../src/modules/projects/ontology'
import * as v from 'valibot'
import { draftFromOntology, ontologyFromForm } from '../../views/projects/ontology-editor'
import { makeUser, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json } from '../helpers/harness'

const ONTOLOGY = {
  tools: [
    {
      name: 'Car',
      tool: 'bounding_box',
      classifications: [{ name: 'Color', type: 'radio', required: true, options: [{ name: 'Red' }, { name: 'Blue' }] }],
    },
    { name: 'Person', tool: 'text_entity' },
  ],
  classifications: [
    {
      name: 'Weather',
      type: 'radio',
      required: true,
      options: [
        { name: 'Sunny' },
        {
          name: 'Rainy',
          classifications: [{ name: 'Intensity', type: 'radio', required: true, options: [{ name: 'Light' }, { name: 'Heavy' }] }],
        },
      ],
    },
    { name: 'Tags', type: 'checklist', options: [{ name: 'Night' }, { name: 'Blurry' }] },
    { name: 'Note', type: 'text' },
  ],
}
const onto: Ontology = normalizeOntology(v.parse(OntologyInput, ONTOLOGY))
const [car] = onto.tools
const [weather, tags, note] = onto.classifications
const [sunny, rainy] = weather!.options
const intensity = rainy!.classifications[0]!
const [red] = car!.classifications[0]!.options
function pick(o: Ontology) {
  const car = o.tools[0]!
  const [weather, tags, note] = o.classifications as [OntologyClassification, OntologyClassification, OntologyClassification]
  const [sunny, rainy] = weather.options as [OntologyOption, OntologyOption]
  return { car, weather, tags, note, sunny, rainy, intensity: rainy.classifications[0]!, red: car.classifications[0]!.options[0]! }
}
const F = (o: Record<string, string | string[]>) => Object.fromEntries(Object.entries(o).map(([k, x]) => [k, Array.isArray(x) ? x : [x]]))

describe('form → annotations', () => {
  it('reads answers, nested ones only under the answer chosen', () => {
    const form = F({
      [`cls.${weather!.feature_schema_id}`]: rainy!.feature_schema_id,
      [`cls.${intensity.feature_schema_id}`]: intensity.options[1]!.feature_schema_id,
      [`cls.${tags!.feature_schema_id}`]: [tags!.options[0]!.feature_schema_id, tags!.options[1]!.feature_schema_id],
      [`cls.${note!.feature_schema_id}`]: '  ',
    })
    const cls = answersFromForm(onto.classifications, form)
    expect(cls).toEqual([
      {
        feature_schema_id: weather!.feature_schema_id,
        radio_answer: {
          feature_schema_id: rainy!.feature_schema_id,
          classifications: [
            {
              feature_schema_id: intensity.feature_schema_id,
              radio_answer: { feature_schema_id: intensity.options[1]!.feature_schema_id },
            },
          ],
        },
      },
      {
        feature_schema_id: tags!.feature_schema_id,
        checklist_answers: tags!.options.map((o) => ({ feature_schema_id: o.feature_schema_id })),
      },
    ])
    // Sunny chosen: the intensity field, still posted, is ignored.
    const sunnyForm = { ...form, [`cls.${weather!.feature_schema_id}`]: [sunny!.feature_schema_id] }
    expect(answersFromForm(onto.classifications, sunnyForm)[0]).toEqual({
      feature_schema_id: weather!.feature_schema_id,
      radio_answer: { feature_schema_id: sunny!.feature_schema_id },
    })
    // And back into fields (edit mode), nested ones included.
    const n = normalizeAnnotations({ classifications: cls }, onto)
    expect(formFromAnswers(n.annotations.classifications)).toEqual({
      [`cls.${weather!.feature_schema_id}`]: [rainy!.feature_schema_id],
      [`cls.${intensity.feature_schema_id}`]: [intensity.options[1]!.feature_schema_id],
      [`cls.${tags!.feature_schema_id}`]: tags!.options.map((o) => o.feature_schema_id),
    })
  })

  it('names every required question left open: global, nested under an answer, each object', () => {
    const n = normalizeAnnotations(
      {
        objects: [
          {
            name: 'Car',
            bounding_box: { top: 1, left: 1, width: 5, height: 5 },
            classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
          },
          { name: 'Car', bounding_box: { top: 1, left: 1, width: 5, height: 5 } },
        ],
        classifications: [{ name: 'Weather', radio_answer: { name: 'Rainy' } }],
      },
      onto,
    )
    expect(missingRequired(onto, n.annotations)).toEqual(['Weather › Intensity', 'Car 2 › Color'])
    expect(isEmpty(n.annotations)).toBe(false)
    expect(isEmpty(normalizeAnnotations({}, onto).annotations)).toBe(true)
    expect(missingRequired(onto, normalizeAnnotations({}, onto).annotations)).toEqual(['Weather'])
  })

  it('refuses unreadable JSON fields with a message, and reads frames only for video', () => {
    expect(readLabelForm(onto, F({ objects: '{' }), 'IMAGE').error).toMatch(/drawn objects could not be read/)
    expect(readLabelForm(onto, F({ objects: '{"a":1}' }), 'IMAGE').error).toBeTruthy()
    expect(readLabelForm(onto, F({ frames: '[1]' }), 'VIDEO').error).toMatch(/frame answers/)
    expect(readLabelForm(onto, F({ frames: '{"3":{}}' }), 'IMAGE').input.frames).toBeUndefined()
    expect(readLabelForm(onto, F({ frames: '{"3":{}}' }), 'VIDEO').input.frames).toEqual({ '3': {} })
  })

  it('keeps the feature ids of unchanged answers in an edit', () => {
    const before = normalizeAnnotations(
      {
        objects: [
          {
            name: 'Car',
            bounding_box: { top: 1, left: 1, width: 5, height: 5 },
            classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
          },
        ],
        classifications: [{ name: 'Weather', radio_answer: { name: 'Sunny' } }],
      },
      onto,
    ).annotations
    const obj = before.objects[0]!
    const next = carryFeatureIds(
      {
        objects: [
          {
            feature_id: obj.feature_id,
            feature_schema_id: car!.feature_schema_id,
            bounding_box: { top: 2, left: 2, width: 5, height: 5 },
            classifications: [
              {
                feature_schema_id: car!.classifications[0]!.feature_schema_id,
                radio_answer: { feature_schema_id: red!.feature_schema_id },
              },
            ],
          },
        ],
        classifications: [{ feature_schema_id: weather!.feature_schema_id, radio_answer: { feature_schema_id: sunny!.feature_schema_id } }],
      },
      before,
    )
    const after = normalizeAnnotations(next, onto, true).annotations
    const ids = (a: unknown) =>
      JSON.stringify(a)
        .match(/"feature_id":"[^"]+"/g)!
        .sort()
    expect(ids(after)).toEqual(ids(before))
  })
})

describe('the ontology editor sets required', () => {
  it('reads the Required box of global and nested classifications; without the box the saved value stays', () => {
    const form = {
      'tools.0.name': 'Car',
      'tools.0.tool': 'bounding_box',
      'tools.0.classifications.0.name': 'Color',
      'tools.0.classifications.0.type': 'radio',
      'tools.0.classifications.0.options': 'Red, Blue',
      'tools.0.classifications.0.has_required': '1',
      'tools.0.classifications.0.required': '1',
      'classifications.0.name': 'Weather',
      'classifications.0.type': 'radio',
      'classifications.0.options': 'Sunny',
      'classifications.0.has_required': '1',
    }
    const saved = normalizeOntology(v.parse(OntologyInput, ontologyFromForm(form)))
    expect(saved.tools[0]!.classifications[0]!.required).toBe(true)
    expect(saved.classifications[0]!.required).toBe(false)
    // The editor shows the box again, ticked as saved.
    expect(draftFromOntology(saved).tools[0]!.classifications[0]!.required).toBe(true)
    // Unticked now: saved as not required. A form without the box keeps what was saved.
    const unticked = { ...form, 'tools.0.classifications.0.feature_schema_id': saved.tools[0]!.classifications[0]!.feature_schema_id }
    delete (unticked as Record<string, string>)['tools.0.classifications.0.required']
    expect(normalizeOntology(v.parse(OntologyInput, ontologyFromForm(unticked, saved)), saved).tools[0]!.classifications[0]!.required).toBe(
      false,
    )
    const noBox = { ...unticked } as Record<string, string>
    delete noBox['tools.0.classifications.0.has_required']
    expect(normalizeOntology(v.parse(OntologyInput, ontologyFromForm(noBox, saved)), saved).tools[0]!.classifications[0]!.required).toBe(
      true,
    )
  })
})

describe('what the editor cannot edit survives a save', () => {
  const withRel: Ontology = normalizeOntology(
    v.parse(OntologyInput, {
      tools: [
        { name: 'Car', tool: 'bounding_box' },
        { name: 'tows', tool: 'relationship' },
      ],
      classifications: [{ name: 'Light', type: 'radio', options: [{ name: 'Red' }, { name: 'Green' }] }],
    }),
  )
  const box = (x: number) => ({ top: 1, left: x, width: 5, height: 5 })

  it('keeps relationships between objects still there, and drops those whose object was deleted', () => {
    const stored = normalizeAnnotations(
      {
        objects: [
          { feature_id: 'a', name: 'Car', bounding_box: box(1) },
          { feature_id: 'b', name: 'Car', bounding_box: box(9) },
        ],
        relationships: [{ name: 'tows', source: 'a', target: 'b' }],
      },
      withRel,
      true,
    ).annotations
    expect(stored.relationships).toHaveLength(1)
    // The page posts the objects back (a box moved), no relationships.
    const moved = { objects: [{ ...stored.objects[0], bounding_box: box(2) }, stored.objects[1]], classifications: [] }
    const kept = normalizeAnnotations(carryUnedited(moved, stored), withRel, true).annotations
    expect(kept.relationships).toEqual(stored.relationships)
    // One of its objects deleted on the page: the relationship goes with it (not a dangling reference).
    const gone = normalizeAnnotations(carryUnedited({ objects: [stored.objects[0]], classifications: [] }, stored), withRel, true)
    expect(gone.annotations.relationships).toEqual([])
  })

  it("keeps a video's frame objects and segments while the page changes its frame answers", () => {
    const stored = normalizeAnnotations(
      {
        frames: {
          '2': { objects: { car1: { name: 'Car', bounding_box: box(1) } } },
          '9': { objects: { car1: { name: 'Car', bounding_box: box(4) } } },
        },
        segments: {
          car1: [
            [2, 3],
            [9, 9],
          ],
        },
      },
      withRel,
      true,
      'VIDEO',
    ).annotations
    const answer = { name: 'Light', radio_answer: { name: 'Green' } }
    // The page sends answers at frames 2 and 5 only (and cannot send objects).
    const page = { objects: [], classifications: [], frames: { '2': { classifications: [answer] }, '5': { classifications: [answer] } } }
    const saved = normalizeAnnotations(carryUnedited(page, stored), withRel, true, 'VIDEO').annotations
    expect(Object.keys(saved.frames!).sort()).toEqual(['2', '5', '9'])
    expect(saved.frames!['2']!.objects).toEqual(stored.frames!['2']!.objects)
    expect(saved.frames!['9']!.objects).toEqual(stored.frames!['9']!.objects)
    expect(saved.frames!['5']!.classifications).toHaveLength(1)
    expect(saved.segments).toEqual(stored.segments)
  })
})

describe('video frames in annotations', () => {
  it('checks frame keys and answers, counts them like global answers, drops empty frames', () => {
    const n = normalizeAnnotations(
      {
        classifications: [{ name: 'Weather', radio_answer: { name: 'Sunny' } }],
        frames: {
          '12': {
            classifications: [
              {
                name: 'Weather',
                radio_answer: { name: 'Rainy', classifications: [{ name: 'Intensity', radio_answer: { name: 'Light' } }] },
              },
            ],
          },
          '3': { classifications: [{ name: 'Tags', checklist_answers: [{ name: 'Night' }] }] },
          '40': { classifications: [] },
        },
      },
      onto,
      false,
      'VIDEO',
    )
    expect(Object.keys(n.annotations.frames!)).toEqual(['3', '12'])
    expect(n.annotations.frames!['12']!.classifications[0]).toMatchObject({ name: 'Weather', radio_answer: { name: 'Rainy' } })
    // Sunny + Rainy + Light + Night.
    expect(n.count).toBe(4)
    expect(n.deltas.find((d) => d.answer === 'Rainy')?.count).toBe(1)
    expect(n.deltas.find((d) => d.answer === 'Night')?.count).toBe(1)
    // No frames given: no key at all (other media's stored shape is unchanged).
    expect('frames' in normalizeAnnotations({ classifications: [] }, onto, false, 'VIDEO').annotations).toBe(false)
  })

  it('refuses bad frame numbers, bad answers and frames on a row that is not a video', () => {
    const bad = () =>
      normalizeAnnotations(
        {
          frames: {
            '0': { classifications: [] },
            '1.5': {},
            x: {},
            '7': { classifications: [{ name: 'Nope', text_answer: { content: 'a' } }] },
            '8': 3,
            '9': { objects: { a: { name: 'Nope', bounding_box: { top: 0, left: 0, width: 1, height: 1 } } } },
          },
        },
        onto,
        false,
        'VIDEO',
      )
    let err: any
    try {
      bad()
    } catch (e) {
      err = e
    }
    const paths = err.errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'annotations.frames.0',
        'annotations.frames.1.5',
        'annotations.frames.x',
        'annotations.frames.7.classifications.0.name',
        'annotations.frames.8',
        'annotations.frames.9.objects.a.name',
      ]),
    )
    expect(() => normalizeAnnotations({ frames: { '1': { classifications: [] } } }, onto, false, 'IMAGE')).toThrow(/for VIDEO projects/)
  })
})

describe('the labeling page on the server', () => {
  let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
  let project: any
  let rows: any[]
  let video: any
  const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
  // The project's own feature ids (the ontology above, normalized when the project was created).
  let P: ReturnType<typeof pick>
  let V: ReturnType<typeof pick>
  const rowIn = (html: string) => /name="data_row_id" value="([^"]+)"/.exec(html)?.[1]

  beforeAll(async () => {
    orgs = await seedTwoOrgs()
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ds') } }))
    rows = (
      await json(
        await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), {
          json: [
            { row_data: 'https://x.test/a.jpg', global_key: unique('img') },
            { row_data: 'Alice met Bob in Paris.', media_type: 'TEXT', global_key: unique('txt') },
          ],
        }),
      )
    ).created
    project = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Form'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    P = pick(project.ontology)
    const b = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), { json: { name: 'b', data_row_ids: [rows[0].id] } })
    expect(b.status).toBe(201)
    const vd = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('vd') } }))
    const vr = (
      await json(
        await call('POST', `/api/v1/datasets/${vd.id}/data-rows`, admin(), {
          json: [{ row_data: 'https://x.test/clip.mp4', media_type: 'VIDEO' }],
        }),
      )
    ).created
    video = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Video'), media_type: 'VIDEO', ontology: ONTOLOGY } }),
    )
    V = pick(video.ontology)
    expect(
      (await call('POST', `/api/v1/projects/${video.id}/batches`, admin(), { json: { name: 'v', data_row_ids: [vr[0].id] } })).status,
    ).toBe(201)
  })

  it('refuses an empty label and an object with its required question open, naming them', async () => {
    const u = await makeUser(orgs.a, 'LABELER')
    const page = await (await call('GET', `/projects/${project.id}/label`, { cookie: u.cookie })).text()
    const row = rowIn(page)!
    expect(page).toContain('data-kind="bounding_box"')
    expect(page).not.toContain('data-kind="text_entity"')
    const post = (form: Record<string, string>) =>
      call(
        'POST',
        `/projects/${project.id}/label`,
        { cookie: u.cookie },
        { form: { data_row_id: row, started_at: String(Date.now()), ...form } },
      )
    const empty = await post({ objects: '[]' })
    expect(empty.status).toBe(422)
    expect(await empty.text()).toContain('Nothing is labeled. Answer the required question: Weather (or Skip')
    const box = { feature_schema_id: P.car.feature_schema_id, bounding_box: { top: 1, left: 2, width: 30, height: 20 } }
    const open = await post({ objects: JSON.stringify([box]), [`cls.${P.weather.feature_schema_id}`]: P.sunny.feature_schema_id })
    expect(open.status).toBe(422)
    const html = await open.text()
    expect(html).toContain('Answer the required question: Car 1 › Color')
    // What was drawn comes back to the page.
    expect(html).toContain('bounding_box')
    const bad = await post({
      objects: JSON.stringify([{ ...box, bounding_box: { top: 1 } }]),
      [`cls.${P.weather.feature_schema_id}`]: P.sunny.feature_schema_id,
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('annotations.objects.0.bounding_box.left')
    const ok = await post({
      objects: JSON.stringify([
        {
          ...box,
          classifications: [
            {
              feature_schema_id: P.car.classifications[0]!.feature_schema_id,
              radio_answer: { feature_schema_id: P.red.feature_schema_id },
            },
          ],
        },
      ]),
      [`cls.${P.weather.feature_schema_id}`]: P.sunny.feature_schema_id,
    })
    expect(ok.status).toBe(303)
    const l = (await json(await call('GET', `/api/v1/projects/${project.id}/labels`, { cookie: u.cookie }))).items[0]
    expect(l.annotations.objects[0].classifications[0]).toMatchObject({ name: 'Color', radio_answer: { name: 'Red' } })
  })

  it('gives a text row in an image project its text and entity tools, never the box tool', async () => {
    const p2 = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Mixed'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    await call('POST', `/api/v1/projects/${p2.id}/batches`, admin(), { json: { name: 't', data_row_ids: [rows[1].id] } })
    const page = await (await call('GET', `/projects/${p2.id}/label`, admin())).text()
    if (rowIn(page) !== rows[1].id) return // the batch guard (another change) may refuse the text row: nothing to show then
    expect(page).toContain('id="text-doc"')
    expect(page).toContain('Alice met Bob')
    expect(page).toContain('data-kind="text_entity"')
    expect(page).not.toContain('data-kind="bounding_box"')
  })

  it('stores frame answers of a video row, and refuses bad ones', async () => {
    const page = await (await call('GET', `/projects/${video.id}/label`, admin())).text()
    const row = rowIn(page)!
    expect(page).toContain('id="label-video"')
    expect(page).toContain('come in through label imports')
    const frames = {
      '25': {
        classifications: [
          { feature_schema_id: V.tags.feature_schema_id, checklist_answers: [{ feature_schema_id: V.tags.options[1]!.feature_schema_id }] },
        ],
      },
    }
    const post = (f: unknown) =>
      call('POST', `/projects/${video.id}/label`, admin(), {
        form: {
          data_row_id: row,
          started_at: String(Date.now()),
          objects: '[]',
          frames: JSON.stringify(f),
          [`cls.${V.weather.feature_schema_id}`]: V.sunny.feature_schema_id,
        },
      })
    const bad = await post({ '-1': { classifications: [] } })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('annotations.frames.-1')
    expect((await post(frames)).status).toBe(303)
    const l = (await json(await call('GET', `/api/v1/projects/${video.id}/labels`, admin()))).items[0]
    expect(l.annotations.frames['25'].classifications[0]).toMatchObject({ name: 'Tags', checklist_answers: [{ name: 'Blurry' }] })
    expect(l.annotations.classifications[0].radio_answer.name).toBe('Sunny')
  })

  it('edit mode: prefilled, saved in place, back to ?return; with review=1 also accepted; foreign labels are 404', async () => {
    const author = await makeUser(orgs.a, 'LABELER')
    const d = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('ed') } }))
    const r = (
      await json(await call('POST', `/api/v1/datasets/${d.id}/data-rows`, admin(), { json: [{ row_data: 'https://x.test/e.jpg' }] }))
    ).created[0]
    await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), { json: { name: unique('e'), data_row_ids: [r.id] } })
    const made = await json(
      await call(
        'POST',
        `/api/v1/projects/${project.id}/labels`,
        { cookie: author.cookie },
        {
          json: {
            data_row_id: r.id,
            annotations: {
              objects: [
                {
                  name: 'Car',
                  bounding_box: { top: 1, left: 2, width: 30, height: 20 },
                  classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
                },
              ],
              classifications: [
                {
                  name: 'Weather',
                  radio_answer: { name: 'Rainy', classifications: [{ name: 'Intensity', radio_answer: { name: 'Heavy' } }] },
                },
              ],
            },
          },
        },
      ),
    )
    const url = `/projects/${project.id}/labels/${made.id}/edit`
    const page = await (await call('GET', `${url}?return=/datasets`, { cookie: author.cookie })).text()
    expect(page).toContain(`action="${url}?return=%2Fdatasets"`)
    expect(page).toContain('keeps the current version in the label')
    expect(page).toContain(made.annotations.objects[0].feature_id)
    expect(page).toMatch(new RegExp(`value="${P.intensity.options[1]!.feature_schema_id}"[^>]*checked`))
    // Another labeler cannot see it; another organization neither; a wrong project neither.
    expect((await call('GET', url, { cookie: orgs.orgA.LABELER.cookie })).status).toBe(404)
    expect((await call('GET', url, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('GET', `/projects/${video.id}/labels/${made.id}/edit`, admin())).status).toBe(404)
    expect((await call('GET', `/projects/${project.id}/labels/lbl_nope/edit`, admin())).status).toBe(404)
    // The author saves a moved box and another weather: same label, same object id.
    const obj = { ...made.annotations.objects[0], bounding_box: { top: 10, left: 20, width: 30, height: 20 } }
    const save = await call(
      'POST',
      `${url}?return=${encodeURIComponent('https://evil.test/x')}`,
      { cookie: author.cookie },
      {
        form: { data_row_id: r.id, objects: JSON.stringify([obj]), [`cls.${P.weather.feature_schema_id}`]: P.sunny.feature_schema_id },
      },
    )
    expect(save.status).toBe(303)
    expect(save.headers.get('location')).toBe(`/projects/${project.id}`)
    const after = await json(await call('GET', `/api/v1/labels/${made.id}`, admin()))
    expect(after.annotations.objects).toHaveLength(1)
    expect(after.annotations.objects[0]).toMatchObject({ feature_id: obj.feature_id, bounding_box: { top: 10, left: 20 } })
    expect(after.annotations.classifications[0].radio_answer.name).toBe('Sunny')
    // Required checks hold in edit mode too.
    const open = await call('POST', url, { cookie: author.cookie }, { form: { objects: JSON.stringify([obj]) } })
    expect(open.status).toBe(422)
    expect(await open.text()).toContain('Weather')
    // The labeler cannot use review mode; a reviewer fixes and accepts, back to the review queue.
    expect((await call('GET', `${url}?review=1`, { cookie: author.cookie })).status).toBe(403)
    const rv = await call(
      'POST',
      `${url}?review=1`,
      { cookie: orgs.orgA.REVIEWER.cookie },
      {
        form: { objects: JSON.stringify([]), [`cls.${P.weather.feature_schema_id}`]: P.sunny.feature_schema_id },
      },
    )
    expect(rv.status).toBe(303)
    expect(rv.headers.get('location')).toBe(`/projects/${project.id}/review`)
    const fixed = await json(await call('GET', `/api/v1/labels/${made.id}`, admin()))
    expect(fixed.annotations.objects).toHaveLength(0)
    expect(fixed.review_state).toBe('ACCEPTED')
  })
})
