// normalizeAnnotations on what Labelbox files bring beyond boxes and answers: relationships,
// scores, mask colours and video frames, with the path of every bad annotation.
import { describe, expect, it } from 'vitest'
import { normalizeAnnotations } from '../../src/modules/labels/annotations'
import { normalizeOntology } from '../../src/modules/projects/ontology'
import { AppError } from '../../src/lib/errors'

const ontology = normalizeOntology({
  tools: [
    { name: 'car', tool: 'bounding_box' },
    { name: 'road', tool: 'mask' },
    { name: 'word', tool: 'text_entity' },
    { name: 'follows', tool: 'relationship' },
  ],
  classifications: [{ name: 'weather', type: 'radio', options: [{ name: 'sunny' }, { name: 'rain' }] }],
})
const box = { top: 1, left: 2, width: 3, height: 4 }

function pathsOf(input: unknown, mediaType?: string): string[] {
  try {
    normalizeAnnotations(input, ontology, true, mediaType)
  } catch (e) {
    if (e instanceof AppError) return (e.errors ?? []).map((x) => x.path)
    throw e
  }
  return []
}

describe('normalizeAnnotations', () => {
  it('keeps scores and a mask colour, and checks them', () => {
    const n = normalizeAnnotations(
      {
        objects: [
          { name: 'car', bounding_box: box, confidence: 0.5, customMetrics: [{ name: 'iou', value: 0.7 }] },
          { name: 'road', mask: { url: 'https://x.test/m.png', colorRGB: [1, 2, 3] } },
        ],
        classifications: [{ name: 'weather', radio_answer: { name: 'sunny', confidence: 0.9 } }],
      },
      ontology,
    )
    expect(n.annotations.objects[0]).toMatchObject({ confidence: 0.5, custom_metrics: [{ name: 'iou', value: 0.7 }] })
    expect(n.annotations.objects[1]!.mask).toEqual({ url: 'https://x.test/m.png', colorRGB: [1, 2, 3] })
    expect((n.annotations.classifications[0]!.radio_answer as { confidence: number }).confidence).toBe(0.9)
    expect(
      pathsOf({
        objects: [
          { name: 'car', bounding_box: box, confidence: 2 },
          { name: 'road', mask: { url: 'https://x.test/m.png', colorRGB: [1, 2, 300] } },
          { name: 'car', bounding_box: box, custom_metrics: [{ name: 'iou' }] },
        ],
      }),
    ).toEqual(['annotations.objects.0.confidence', 'annotations.objects.1.mask.colorRGB', 'annotations.objects.2.custom_metrics.0'])
  })

  it('links relationships to objects of the same label and refuses dangling or self links', () => {
    const objects = [
      { feature_id: 'a', name: 'car', bounding_box: box },
      { feature_id: 'b', name: 'car', bounding_box: box },
    ]
    const n = normalizeAnnotations(
      { objects, relationships: [{ name: 'follows', relationship: { source: 'a', target: 'b', type: 'bidirectional' } }] },
      ontology,
      true,
    )
    expect(n.annotations.relationships).toEqual([
      expect.objectContaining({ source: 'a', target: 'b', unidirectional: false, name: 'follows' }),
    ])
    expect(n.count).toBe(3)
    expect(pathsOf({ objects, relationships: [{ name: 'follows', source: 'a', target: 'nope' }] })).toEqual([
      'annotations.relationships.0.target',
    ])
    expect(pathsOf({ objects, relationships: [{ name: 'follows', source: 'a', target: 'a' }] })).toEqual([
      'annotations.relationships.0.target',
    ])
    expect(pathsOf({ objects, relationships: [{ name: 'car', source: 'a', target: 'b' }] })).toEqual(['annotations.relationships.0.name'])
    expect(pathsOf({ objects: [{ name: 'follows', relationship: {} }] })).toEqual(['annotations.objects.0'])
  })

  it('video: frames keyed by frame number, segments and key frames derived, counted per frame', () => {
    const car = { name: 'car', bounding_box: box }
    const n = normalizeAnnotations(
      {
        frames: {
          '3': { objects: { c1: car }, classifications: [{ name: 'weather', radio_answer: { name: 'rain' } }] },
          '1': { objects: { c1: car } },
        },
        classifications: [{ name: 'weather', radio_answer: { name: 'sunny' } }],
      },
      ontology,
      true,
      'VIDEO',
    )
    expect(Object.keys(n.annotations.frames!)).toEqual(['1', '3'])
    expect(n.annotations.frames!['1']!.objects.c1).toMatchObject({ feature_id: 'c1', annotation_kind: 'VideoBoundingBox' })
    expect(n.annotations.segments).toEqual({ c1: [[1, 3]] })
    expect(n.annotations.key_frame_feature_map).toEqual({ c1: { 1: true, 3: true } })
    expect(n.count).toBe(4)
    expect(pathsOf({ frames: { '1': { objects: { c1: car } } } }, 'IMAGE')).toEqual(['annotations.frames'])
    expect(pathsOf({ frames: { '0': { objects: { c1: car } } } }, 'VIDEO')).toEqual(['annotations.frames.0'])
    expect(pathsOf({ frames: { '2': { objects: { w: { name: 'word', location: { start: 0, end: 1 } } } } } }, 'VIDEO')).toEqual([
      'annotations.frames.2.objects.w',
    ])
    expect(pathsOf({ frames: { '5': { objects: { c1: car } } }, segments: { c1: [[1, 3]] } }, 'VIDEO')).toEqual(['annotations.segments.c1'])
  })
})
