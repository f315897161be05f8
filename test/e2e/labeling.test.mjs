// Label three images (draw a box, answer a radio with a key), skip one, review one, in a real
// Chromium; the dashboard numbers move.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'
import { demoPng } from '../../scripts/seed.mjs'

test('label, skip and review in the browser', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await page.goto(`${BASE}/signup`)
    await page.fill('#f-full_name', 'Lena Labeler')
    await page.fill('#f-email', `${uniq('lena')}@example.com`)
    await page.fill('#f-password', 'a-long-password')
    await page.fill('#f-organization_name', 'Label Co')
    await page.click('button[type=submit]')
    await page.waitForURL(/\/projects$/)

    // Data and a project through the JSON API, from the signed-in page (same-origin cookie).
    const projectId = await page.evaluate(
      async (pngs) => {
        const j = (r) => r.json()
        const post = (path, body) =>
          fetch(`/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(j)
        const d = await post('/datasets', { name: 'Street' })
        for (let i = 0; i < pngs.length; i++) {
          const form = new FormData()
          const bytes = Uint8Array.from(atob(pngs[i]), (c) => c.charCodeAt(0))
          form.append('file', new Blob([bytes], { type: 'image/png' }), `street-${i}.png`)
          await fetch(`/api/v1/datasets/${d.id}/files`, { method: 'POST', body: form })
        }
        const p = await post('/projects', {
          name: 'Street labels',
          media_type: 'IMAGE',
          ontology: {
            tools: [{ name: 'Car', tool: 'bounding_box' }],
            classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
          },
        })
        await post(`/projects/${p.id}/batches`, { name: 'b1', dataset_id: d.id })
        return p.id
      },
      [0, 1, 2, 3].map((i) => demoPng(480, 320, i).toString('base64')),
    )

    for (let i = 0; i < 3; i++) {
      await page.goto(`${BASE}/projects/${projectId}/label`)
      await page.waitForSelector('.canvas-overlay')
      await page.waitForFunction(() => document.querySelector('.canvas-image')?.naturalWidth > 0)
      const box = await page.locator('.canvas-overlay').boundingBox()
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.4)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.7, { steps: 5 })
      await page.mouse.up()
      await page.waitForSelector('#object-list li')
      await page.keyboard.press(i === 2 ? '2' : '1')
      if (i === 0) await shot(page, 'labeling')
      await page.click('button[type=submit]:has-text("Submit")')
      await page.waitForURL(new RegExp(`/projects/${projectId}/label$`))
    }
    // Skip the fourth.
    await page.goto(`${BASE}/projects/${projectId}/label`)
    await page.waitForSelector('.canvas-overlay')
    await page.click('button:has-text("Skip")')
    await page.waitForSelector('text=Nothing left to label')

    // Review one (the admin reviews too).
    await page.goto(`${BASE}/projects/${projectId}/review`)
    await page.waitForSelector('.overlay-svg')
    await page.waitForFunction(() => document.querySelectorAll('.overlay-svg rect').length > 0)
    await shot(page, 'review')
    await page.click('button:has-text("Accept")')
    await page.waitForURL(new RegExp(`/projects/${projectId}/review$`))

    const o = await page.evaluate((id) => fetch(`/api/v1/projects/${id}/overview`).then((r) => r.json()), projectId)
    assert.equal(o.labeled, 3)
    assert.equal(o.skipped, 1)
    assert.equal(o.reviews.accepted, 1)
    assert.equal(o.objects[0].count, 3)
    const labels = await page.evaluate((id) => fetch(`/api/v1/projects/${id}/labels`).then((r) => r.json()), projectId)
    const box = labels.items.find((l) => !l.skipped).annotations.objects[0].bounding_box
    assert.ok(box.width > 50 && box.height > 30, `box in image pixels: ${JSON.stringify(box)}`)
    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b.close()
  }
})
