import { describe, expect, it } from 'vitest'
import { LabelOverlay, type LabelOverlayProps } from '../../views/labels/label-overlay'

const render = async (p: Partial<LabelOverlayProps> & Pick<LabelOverlayProps, 'annotations'>) =>
  String(await (<LabelOverlay mediaType="IMAGE" src="/img" alt="row" tools={[]} {...p} />).toString())

const none = { objects: [], classifications: [], relationships: [] }

describe('LabelOverlay', () => {
  it('an image of unknown size: no viewBox from the server, the SVG waits hidden for the script, the list still says where', async () => {
    const h = await render({
      annotations: {
        ...none,
        objects: [
          { name: 'Car', annotation_kind: 'ImageBoundingBox', bounding_box: { top: 5, left: 6, height: 7, width: 8 } },
          { name: 'Road', annotation_kind: 'ImageSegmentationMask', mask: { url: 'https://x.test/m.png' } },
        ],
      },
    })
    expect(h).not.toMatch(/<svg class="overlay-svg"[^>]*viewBox/)
    expect(h).toContain('data-natural-size=""')
    expect(h).toMatch(/<svg[^>]* hidden=""/)
    expect(h).toContain('width="100%" height="100%"')
    expect(h).toContain('left 6, top 5, 8 × 7 px')
  })

  it('lists video answers by frame, in frame order, with nested answers', async () => {
    const h = await render({
      mediaType: 'VIDEO',
      annotations: {
        ...none,
        frames: {
          '12': { objects: {}, classifications: [{ name: 'Light', radio_answer: { name: 'Red' } }] },
          '3': {
            objects: {},
            classifications: [
              {
                name: 'Cars',
                checklist_answers: [{ name: 'One', classifications: [{ name: 'Note', text_answer: { content: 'parked' } }] }],
              },
            ],
          },
          '7': { objects: {}, classifications: [] },
        },
      } as LabelOverlayProps['annotations'],
    })
    expect(h).not.toContain('<svg class="overlay-svg"')
    expect(h).toContain('Answers by frame')
    const frames = [...h.matchAll(/<dt>Frame (\d+)<\/dt>/g)].map((m) => m[1])
    expect(frames).toEqual(['3', '12'])
    expect(h).toMatch(
      /Cars<\/span> <strong class="answer-a">One<\/strong><ul class="answer-list"><li><span class="answer-q">Note<\/span> <q class="answer-a">parked<\/q>/,
    )
    expect(h).toMatch(/Light<\/span> <strong class="answer-a">Red<\/strong>/)
  })

  it('marks entities once even when they overlap, and escapes the text', async () => {
    const h = await render({
      mediaType: 'TEXT',
      text: '<b>Ada</b> Lovelace',
      annotations: {
        ...none,
        objects: [
          { name: 'Person', annotation_kind: 'TextEntity', location: { start: 3, end: 14 } },
          { name: 'First', annotation_kind: 'TextEntity', location: { start: 3, end: 5 } },
        ],
      },
    })
    expect(h).toContain('&lt;b&gt;<mark class="entity" data-kind="TextEntity" title="Person">Ada&lt;/b&gt; Love</mark>lace')
    expect(h.match(/<mark /g)).toHaveLength(1)
  })

  it('never writes a color it was not given as a hex color', async () => {
    const h = await render({
      width: 10,
      height: 10,
      tools: [{ feature_schema_id: 'f', color: 'red" onload="x' }],
      annotations: { ...none, objects: [{ name: 'P', feature_schema_id: 'f', annotation_kind: 'ImagePoint', point: { x: 1, y: 2 } }] },
    })
    expect(h).not.toContain('onload')
    expect(h).toContain('fill="#3b5bdb"')
  })
})
