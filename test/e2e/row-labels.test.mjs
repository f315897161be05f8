// A data row's page in a real Chromium: a label made through the API is drawn over the image in the
// image's own pixels (the box lands on the same part of the picture at any displayed size), every
// geometry kind is there, and "Open in editor" links to the editor with the way back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, signUp, uniq } from './browser.mjs'
import { demoPng } from '../../scripts/seed.mjs'

// A 1×1 PNG as the mask: a data: URL, so nothing leaves the machine.
const MASK = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

test('the data-row page draws each label over the asset', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, { name: 'Rita Reviewer', org: uniq('Rows') })
    const made = await page.evaluate(
      async ({ png, mask }) => {
        const j = (r) => r.json()
        const post = (path, body) =>
          fetch(`/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(j)
        const d = await post('/datasets', { name: 'Street' })
        const form = new FormData()
        form.append('file', new Blob([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], { type: 'image/png' }), 'street.png')
        const row = (await fetch(`/api/v1/datasets/${d.id}/files`, { method: 'POST', body: form }).then(j)).created[0]
        const p = await post('/projects', {
          name: 'Street objects',
          media_type: 'IMAGE',
          ontology: {
            tools: [
              { name: 'Car', tool: 'bounding_box', classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }] }] },
              { name: 'Lane', tool: 'polygon' },
              { name: 'Curb', tool: 'line' },
              { name: 'Sign', tool: 'point' },
              { name: 'Road', tool: 'mask' },
            ],
            classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }] }],
          },
        })
        await post(`/projects/${p.id}/batches`, { name: 'b1', data_row_ids: [row.id] })
        const label = await post(`/projects/${p.id}/labels`, {
          data_row_id: row.id,
          annotations: {
            objects: [
              {
                name: 'Car',
                bounding_box: { left: 48, top: 32, width: 96, height: 64 },
                classifications: [{ name: 'Color', radio_answer: { name: 'Red' } }],
              },
              {
                name: 'Lane',
                polygon: [
                  { x: 10, y: 300 },
                  { x: 240, y: 160 },
                  { x: 470, y: 300 },
                ],
              },
              {
                name: 'Curb',
                line: [
                  { x: 0, y: 310 },
                  { x: 479, y: 310 },
                ],
              },
              { name: 'Sign', point: { x: 400, y: 50 } },
              { name: 'Road', mask: { url: mask } },
            ],
            classifications: [{ name: 'Weather', radio_answer: { name: 'Sunny' } }],
          },
        })
        return { dataset: d.id, row: row.id, project: p.id, label: label.id, size: row.media_attributes }
      },
      { png: demoPng(480, 320, 1).toString('base64'), mask: MASK },
    )
    assert.deepEqual([made.size.width, made.size.height], [480, 320], 'the upload read the image size')

    const here = `/datasets/${made.dataset}/rows/${made.row}`
    await page.goto(BASE + here)
    const overlay = page.locator('.row-label .overlay-svg')
    await overlay.waitFor()
    await page.waitForFunction(() => document.querySelector('.row-label .overlay-image')?.naturalWidth > 0)
    assert.equal(await overlay.getAttribute('viewBox'), '0 0 480 320')
    for (const kind of ['ImageBoundingBox', 'ImagePolygon', 'ImagePolyline', 'ImagePoint', 'ImageSegmentationMask'])
      assert.equal(await page.locator(`.row-label [data-kind="${kind}"]`).count(), 1, kind)

    // The box covers the same tenth of the picture as in the original pixels, whatever size the
    // image is shown at.
    const img = await page.locator('.row-label .overlay-image').boundingBox()
    const box = await page.locator('.row-label [data-kind="ImageBoundingBox"]').boundingBox()
    const sx = img.width / 480
    const sy = img.height / 320
    const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 3, `${what}: ${a} vs ${b}`)
    near(box.x - img.x, 48 * sx, 'left')
    near(box.y - img.y, 32 * sy, 'top')
    near(box.width, 96 * sx, 'width')
    near(box.height, 64 * sy, 'height')

    assert.match(await page.locator('.row-label').textContent(), /Weather Sunny[\s\S]*Color Red|Color Red[\s\S]*Weather Sunny/)
    assert.match(await page.locator('.row-label').textContent(), /Rita Reviewer/)
    const edit = page.locator('.row-label a:has-text("Open in editor")')
    assert.equal(await edit.getAttribute('href'), `/projects/${made.project}/labels/${made.label}/edit?return=${encodeURIComponent(here)}`)
    await shot(page, 'data-row-labels')

    // At a phone's width the drawing still sits on the image.
    await page.setViewportSize({ width: 390, height: 800 })
    const small = await page.locator('.row-label .overlay-image').boundingBox()
    const svg = await overlay.boundingBox()
    near(svg.width, small.width, 'svg width')
    near(svg.height, small.height, 'svg height')
    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b.close()
  }
})
