// The labeling page's tools in a real Chromium: every image tool kind drawn with the mouse (with a
// nested question, zoom, select/move/resize, undo/redo and delete), found in the export with the
// geometry in the original image's pixels; a box labeled with the keyboard alone; a text entity
// made by selecting text; a submitted label changed in edit mode.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, signUp } from './browser.mjs'
import { demoPng } from '../../scripts/seed.mjs'

const W = 640
const H = 400
const near = (a, b, what, tol = 2) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not ≈ ${b}`)

/** Screen position of an image pixel, whatever the zoom and pan. */
async function at(page, x, y) {
  const r = await page.locator('.canvas-overlay').boundingBox()
  return { x: r.x + (x / W) * r.width, y: r.y + (y / H) * r.height }
}
async function click(page, x, y) {
  const p = await at(page, x, y)
  await page.mouse.click(p.x, p.y)
}
async function drag(page, [x1, y1], [x2, y2]) {
  const a = await at(page, x1, y1)
  const b = await at(page, x2, y2)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move(b.x, b.y, { steps: 6 })
  await page.mouse.up()
}
async function expectCount(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('#object-list li').length === n, n)
}
async function ready(page) {
  await page.waitForFunction(() => document.querySelector('.canvas-overlay')?.getAttribute('viewBox'))
}
/** Tabs until `test` holds for the focused element (keyboard only). */
async function tabTo(page, test, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(test)) return
  }
  throw new Error(`never focused: ${test}`)
}

test('every tool kind, nested questions, undo, zoom, keyboard-only, text entities and edit mode', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await page.setViewportSize({ width: 1280, height: 1000 })
    await signUp(page, { name: 'Tina Tools', org: 'Tools Co' })
    const ids = await page.evaluate(
      async (pngs) => {
        const post = (path, body) =>
          fetch(`/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
            (r) => r.json(),
          )
        const d = await post('/datasets', { name: 'Street' })
        for (let i = 0; i < pngs.length; i++) {
          const form = new FormData()
          form.append('file', new Blob([Uint8Array.from(atob(pngs[i]), (c) => c.charCodeAt(0))], { type: 'image/png' }), `s-${i}.png`)
          await fetch(`/api/v1/datasets/${d.id}/files`, { method: 'POST', body: form })
        }
        const p = await post('/projects', {
          name: 'Street tools',
          media_type: 'IMAGE',
          ontology: {
            tools: [
              {
                name: 'Car',
                tool: 'bounding_box',
                classifications: [{ name: 'Color', type: 'radio', required: true, options: [{ name: 'Red' }, { name: 'Blue' }] }],
              },
              { name: 'Zone', tool: 'polygon' },
              { name: 'Lane', tool: 'line' },
              { name: 'Pole', tool: 'point' },
              { name: 'Road', tool: 'mask' },
            ],
            classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
          },
        })
        await post(`/projects/${p.id}/batches`, { name: 'b1', dataset_id: d.id })
        const td = await post('/datasets', { name: 'Tickets' })
        await post(`/datasets/${td.id}/data-rows`, [{ row_data: 'Alice met Bob in Paris.', media_type: 'TEXT' }])
        const tp = await post('/projects', {
          name: 'People',
          media_type: 'TEXT',
          ontology: {
            tools: [{ name: 'Person', tool: 'text_entity' }],
            classifications: [{ name: 'Tone', type: 'radio', options: [{ name: 'Calm' }, { name: 'Angry' }] }],
          },
        })
        await post(`/projects/${tp.id}/batches`, { name: 't1', dataset_id: td.id })
        return { image: p.id, text: tp.id }
      },
      [0, 1].map((i) => demoPng(W, H, i).toString('base64')),
    )

    // ---- Every tool with the mouse ----
    await page.goto(`${BASE}/projects/${ids.image}/label`)
    await ready(page)
    await drag(page, [100, 80], [220, 200])
    await expectCount(page, 1)
    await page.waitForSelector('#object-questions:not([hidden]) >> text=Color')
    // The nested question is required: Submit is refused in the browser, naming it.
    await page.click('button[type=submit]:has-text("Submit")')
    await page.waitForSelector('#label-problems >> text=Car 1 › Color')
    await page.click('#object-questions label:has-text("Red")')

    // Zoom in twice, draw a polygon closed on its first point, zoom back to fit.
    await page.keyboard.press('Shift+Digit2')
    const level = async () => Number((await page.textContent('#zoom-level')).replace('%', ''))
    const fitted = await level()
    await page.keyboard.press('+')
    await page.keyboard.press('+')
    near(await level(), fitted * 1.5625, 'two steps of 125%', 2)
    const zoomed = await page.locator('.canvas-overlay').boundingBox()
    assert.ok(zoomed.width > 1000, `zoomed in: ${zoomed.width}`)
    await click(page, 250, 100)
    await click(page, 380, 110)
    await click(page, 300, 220)
    await click(page, 250, 100)
    await expectCount(page, 2)
    await shot(page, 'labeling-zoomed')
    await page.keyboard.press('0')

    // A polyline ended by a double click, a point, an extra point undone, redone and deleted.
    await page.keyboard.press('Shift+Digit3')
    await click(page, 20, 300)
    await click(page, 200, 310)
    const end = await at(page, 400, 280)
    await page.mouse.dblclick(end.x, end.y)
    await expectCount(page, 3)
    await page.keyboard.press('Shift+Digit4')
    await click(page, 600, 40)
    await expectCount(page, 4)
    await click(page, 500, 350)
    await expectCount(page, 5)
    await page.keyboard.press('Control+z')
    await expectCount(page, 4)
    await page.keyboard.press('Control+Shift+z')
    await expectCount(page, 5)
    await page.click('#object-list button:has-text("Pole 2")')
    await page.keyboard.press('Delete')
    await expectCount(page, 4)

    // A mask painted with the brush.
    await page.keyboard.press('Shift+Digit5')
    await drag(page, [20, 20], [120, 20])
    await expectCount(page, 5)

    // Select, move and resize the box.
    await page.keyboard.press('v')
    await drag(page, [160, 140], [180, 150])
    await drag(page, [240, 210], [260, 230])
    await page.keyboard.press('1')
    await shot(page, 'labeling-tools')
    await page.click('button[type=submit]:has-text("Submit")')
    await page.waitForURL(new RegExp(`/projects/${ids.image}/label$`))

    // ---- Keyboard only: the second image ----
    await ready(page)
    await tabTo(page, () => document.activeElement?.classList.contains('canvas-wrap'))
    await page.keyboard.press('Shift+Digit1')
    await page.keyboard.press('Enter')
    await expectCount(page, 1)
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    await tabTo(page, () => !!document.activeElement?.closest('#object-questions'))
    await page.keyboard.press('Space')
    await page.keyboard.press('2')
    await tabTo(page, () => document.activeElement?.textContent === 'Submit')
    await page.keyboard.press('Enter')
    await page.waitForURL(new RegExp(`/projects/${ids.image}/label$`))
    await page.waitForSelector('text=Nothing left to label')

    // ---- The labels, in the export, in original image pixels ----
    const lines = await page.evaluate(async (id) => {
      const t = await fetch(`/api/v1/projects/${id}/exports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ params: { label_details: true } }),
      }).then((r) => r.json())
      for (let i = 0; i < 120; i++) {
        const s = await fetch(`/api/v1/tasks/${t.id}`).then((r) => r.json())
        if (s.status === 'COMPLETE')
          return (await fetch(s.result_url).then((r) => r.text()))
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l))
        if (s.status === 'FAILED') throw new Error(JSON.stringify(s))
        await new Promise((r) => setTimeout(r, 500))
      }
      throw new Error('export did not finish')
    }, ids.image)
    const labels = lines.map((l) => l.projects[ids.image].labels[0]).filter(Boolean)
    assert.equal(labels.length, 2)
    const byCount = labels.sort((a, b) => b.annotations.objects.length - a.annotations.objects.length)
    const [full, keyboard] = byCount
    const obj = (name) => full.annotations.objects.find((o) => o.name === name)
    const box = obj('Car').bounding_box
    near(box.left, 120, 'box left')
    near(box.top, 90, 'box top')
    near(box.width, 140, 'box width')
    near(box.height, 140, 'box height')
    assert.equal(obj('Car').classifications[0].radio_answer.name, 'Red')
    const zone = obj('Zone').polygon
    assert.equal(zone.length, 3)
    for (const [i, [x, y]] of [
      [250, 100],
      [380, 110],
      [300, 220],
    ].entries()) {
      near(zone[i].x, x, `polygon ${i} x`)
      near(zone[i].y, y, `polygon ${i} y`)
    }
    const lane = obj('Lane').line
    assert.equal(lane.length, 3, JSON.stringify(lane))
    near(lane[2].x, 400, 'line end x')
    near(lane[2].y, 280, 'line end y')
    near(obj('Pole').point.x, 600, 'point x')
    near(obj('Pole').point.y, 40, 'point y')
    assert.equal(full.annotations.objects.filter((o) => o.name === 'Pole').length, 1)
    const mask = obj('Road').mask.url
    assert.match(mask, /^data:image\/png;base64,/)
    const png = Buffer.from(mask.split(',')[1], 'base64')
    assert.equal(png.readUInt32BE(16), W, 'mask width is the image width')
    assert.equal(png.readUInt32BE(20), H, 'mask height is the image height')
    assert.equal(full.annotations.classifications[0].radio_answer.name, 'Sunny')
    // The keyboard label: a box from the centre, moved right and made taller, Red, Rainy.
    const kb = keyboard.annotations.objects[0]
    assert.equal(kb.name, 'Car')
    assert.ok(kb.bounding_box.left > 270 && kb.bounding_box.height > 100, JSON.stringify(kb.bounding_box))
    assert.equal(kb.classifications[0].radio_answer.name, 'Red')
    assert.equal(keyboard.annotations.classifications[0].radio_answer.name, 'Rainy')

    // ---- Edit mode: delete the point, change the answer ----
    await page.goto(`${BASE}/projects/${ids.image}/labels/${full.id}/edit?return=/projects/${ids.image}`)
    await ready(page)
    await expectCount(page, 5)
    await page.click('#object-list button:has-text("Pole 1")')
    await page.keyboard.press('Delete')
    await expectCount(page, 4)
    await page.keyboard.press('2')
    await page.click('button[type=submit]:has-text("Save")')
    await page.waitForURL(new RegExp(`/projects/${ids.image}$`))
    const edited = await page.evaluate((id) => fetch(`/api/v1/labels/${id}`).then((r) => r.json()), full.id)
    assert.deepEqual(edited.annotations.objects.map((o) => o.name).sort(), ['Car', 'Lane', 'Road', 'Zone'])
    assert.equal(edited.annotations.objects.find((o) => o.name === 'Car').feature_id, obj('Car').feature_id)
    assert.equal(edited.annotations.classifications[0].radio_answer.name, 'Rainy')

    // ---- Text: select words to make entities, remove one ----
    await page.goto(`${BASE}/projects/${ids.text}/label`)
    await page.waitForSelector('#text-doc')
    assert.equal(await page.locator('.canvas-overlay').count(), 0)
    const wordAt = (word) =>
      page.evaluate((word) => {
        const doc = document.getElementById('text-doc')
        const node = [...doc.childNodes].find((n) => n.textContent.includes(word))
        const i = node.textContent.indexOf(word)
        const r = document.createRange()
        r.setStart(node, i)
        r.setEnd(node, i + word.length)
        const b = r.getBoundingClientRect()
        return { x: b.x + b.width / 2, y: b.y + b.height / 2 }
      }, word)
    const bob = await wordAt('Bob')
    await page.mouse.dblclick(bob.x, bob.y)
    await expectCount(page, 1)
    const paris = await wordAt('Paris')
    await page.mouse.dblclick(paris.x, paris.y)
    await expectCount(page, 2)
    assert.equal(await page.locator('#text-doc mark.entity').count(), 2)
    await page.click('button[aria-label="Delete Person 2"]')
    await expectCount(page, 1)
    await page.keyboard.press('1')
    await shot(page, 'labeling-text')
    await page.click('button[type=submit]:has-text("Submit")')
    await page.waitForSelector('text=Nothing left to label')
    const tl = await page.evaluate((id) => fetch(`/api/v1/projects/${id}/labels`).then((r) => r.json()), ids.text)
    assert.deepEqual(tl.items[0].annotations.objects[0].location, { start: 10, end: 12 })
    assert.equal(tl.items[0].annotations.classifications[0].radio_answer.name, 'Calm')

    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b.close()
  }
})

test('an asset that does not load says why and offers Skip; video answers at a frame', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, { name: 'Vera Video', org: 'Video Co' })
    const ids = await page.evaluate(async () => {
      const post = (path, body) =>
        fetch(`/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
          r.json(),
        )
      const ontology = {
        tools: [{ name: 'Car', tool: 'bounding_box' }],
        classifications: [{ name: 'Event', type: 'checklist', options: [{ name: 'Brake' }, { name: 'Turn' }] }],
      }
      const d = await post('/datasets', { name: 'Broken' })
      // Plain text where an image or a video should be: the browser cannot show it.
      await post(`/datasets/${d.id}/data-rows`, [{ row_data: 'not an image', media_type: 'IMAGE' }])
      const p = await post('/projects', { name: 'Broken images', media_type: 'IMAGE', ontology })
      await post(`/projects/${p.id}/batches`, { name: 'b', dataset_id: d.id })
      const vd = await post('/datasets', { name: 'Clips' })
      await post(`/datasets/${vd.id}/data-rows`, [{ row_data: 'not a video', media_type: 'VIDEO' }])
      const vp = await post('/projects', { name: 'Clips', media_type: 'VIDEO', ontology })
      await post(`/projects/${vp.id}/batches`, { name: 'v', dataset_id: vd.id })
      return { image: p.id, video: vp.id }
    })
    await page.goto(`${BASE}/projects/${ids.image}/label`)
    await page.waitForSelector('#asset-error:not([hidden]) >> text=could not be loaded')
    assert.match(await page.textContent('#asset-error'), /not a format this browser can show/)
    await page.keyboard.press('s')
    await page.waitForSelector('text=Nothing left to label')

    await page.goto(`${BASE}/projects/${ids.video}/label`)
    await page.waitForSelector('#label-video')
    await page.waitForSelector('text=come in through label imports')
    await page.waitForSelector('#asset-error:not([hidden]) >> text=The video could not be loaded')
    await page.keyboard.press('f')
    await page.waitForSelector('#frame-questions:not([hidden]) >> text=At frame 1')
    await page.click('#frame-questions label:has-text("Turn")')
    await page.waitForSelector('#frame-list >> text=Frame 1')
    await page.keyboard.press('1')
    await page.click('button[type=submit]:has-text("Submit")')
    await page.waitForSelector('text=Nothing left to label')
    const l = await page.evaluate((id) => fetch(`/api/v1/projects/${id}/labels`).then((r) => r.json()), ids.video)
    const a = l.items[0].annotations
    assert.equal(a.frames['1'].classifications[0].checklist_answers[0].name, 'Turn')
    assert.equal(a.classifications[0].checklist_answers[0].name, 'Brake')
    assert.deepEqual(b.offsite, [])
  } finally {
    await b.close()
  }
})
