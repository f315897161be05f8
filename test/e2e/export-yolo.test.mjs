// A YOLO export in a real Chromium (issue 18): an image project with a box tool and a polygon tool,
// rows with known sizes and labels (made with fetch() from the page against /api/v1), then YOLO
// chosen in the dashboard's "Generate export" dialog, the task followed in the Tasks menu until it
// is complete ("Export (YOLO)"), and the zip downloaded through the menu's link and read back here
// by a minimal reader of the zip format (PKWARE APPNOTE), not by the app's writer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { BASE, openBrowser, signUp, uniq } from './browser.mjs'

/** fetch() from the page: same origin, the session cookie, JSON in and out. */
async function ok(page, method, path, body, status = 201) {
  const r = await page.evaluate(
    async ([method, path, body]) => {
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    },
    [method, path, body],
  )
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** Entries of a zip (names and stored bytes) from its central directory; store-only entries only. */
function readZip(buf) {
  let end = -1
  for (let i = buf.length - 22; i >= 0; i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  assert.ok(end >= 0, 'the zip has an end-of-central-directory record')
  const count = buf.readUInt16LE(end + 10)
  let at = buf.readUInt32LE(end + 16)
  const entries = new Map()
  for (let k = 0; k < count; k++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'a central directory header')
    const method = buf.readUInt16LE(at + 10)
    const size = buf.readUInt32LE(at + 24)
    const nameLen = buf.readUInt16LE(at + 28)
    const extraLen = buf.readUInt16LE(at + 30)
    const commentLen = buf.readUInt16LE(at + 32)
    const local = buf.readUInt32LE(at + 42)
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8')
    assert.equal(method, 0, `${name} is stored`)
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `${name} has a local header`)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    entries.set(name, buf.subarray(start, start + size).toString('utf8'))
    at += 46 + nameLen + extraLen + commentLen
  }
  return entries
}

test('export: YOLO chosen in the dialog, followed in the Tasks menu, the zip downloaded', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, { name: 'Yara Admin', org: 'Harbour Labs' })
    const project = await ok(page, 'POST', '/projects', {
      name: 'Harbour boats',
      media_type: 'IMAGE',
      ontology: {
        tools: [
          { name: 'Boat', tool: 'bounding_box' },
          { name: 'Pier', tool: 'polygon' },
        ],
        classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Fog' }] }],
      },
    })
    const ds = await ok(page, 'POST', '/datasets', { name: 'Harbour cam' })
    const key = uniq('boat')
    const { created: rows } = await ok(
      page,
      'POST',
      `/datasets/${ds.id}/data-rows`,
      Array.from({ length: 3 }, (_, i) => ({
        row_data: `https://example.com/${key}/${i}.jpg`,
        global_key: `${key}/${i}.jpg`,
        media_attributes: { width: 400, height: 200, mime_type: 'image/jpeg' },
      })),
    )
    await ok(page, 'POST', `/projects/${project.id}/batches`, { name: 'All', priority: 1, data_row_ids: rows.map((r) => r.id) })
    await ok(page, 'POST', `/projects/${project.id}/labels`, {
      data_row_id: rows[0].id,
      annotations: {
        objects: [
          { name: 'Boat', bounding_box: { top: 50, left: 100, height: 100, width: 200 } },
          {
            name: 'Pier',
            polygon: [
              { x: 0, y: 0 },
              { x: 200, y: 0 },
              { x: 200, y: 100 },
            ],
          },
        ],
        classifications: [{ name: 'Weather', radio_answer: { name: 'Fog' } }],
      },
      seconds_to_create: 12,
    })

    // The dialog: YOLO, with its line saying what it is for, then submit.
    await page.goto(`${BASE}/projects/${project.id}`)
    await page.waitForSelector('h1:has-text("Harbour boats")')
    await page.click('#export-open')
    await page.waitForSelector('#export-dialog[open]')
    const yolo = page.locator('#export-dialog label.check-card:has(input[name="format"][value="yolo"])')
    assert.match(await yolo.textContent(), /Ultralytics/)
    await yolo.click()
    assert.equal(await page.isChecked('#export-dialog input[name="format"][value="yolo"]'), true)
    await page.click('#export-dialog .dialog-body button[type=submit]')
    await page.waitForSelector('#export-panel >> text=Export started')
    const taskId = await page.getAttribute('#export-panel [data-task-id]', 'data-task-id')
    assert.match(taskId, /^tsk_/)
    await page.keyboard.press('Escape')
    await page.waitForSelector('#export-dialog', { state: 'hidden' })

    // Followed in the Tasks menu until it is complete, named with its format.
    await page.click('#tasks-menu summary')
    const item = `#tasks-menu-body [data-task-id="${taskId}"]`
    await page.waitForSelector(item)
    await page.waitForSelector(`${item}[data-task-status="COMPLETE"] >> text=Download result`, { timeout: 60_000 })
    assert.match(await page.textContent(`${item} .task-meta`), /^\s*Export \(YOLO\) ·/)
    assert.match(await page.textContent(`${item} .task-name`), /\(YOLO\)/)
    await page.screenshot({ path: 'test/e2e/screenshots/export-yolo.png' })

    // Downloaded through the link: a zip with data.yaml, a label file per row, images.txt.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${item} a:has-text("Download result")`)])
    const zip = readFileSync(await download.path())
    assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'starts with a zip local file header')
    assert.match(download.suggestedFilename(), /\.zip$/)
    const entries = readZip(zip)
    const yaml = entries.get('data.yaml')
    assert.ok(yaml, `data.yaml in ${[...entries.keys()].join(', ')}`)
    assert.match(yaml, /Boat/)
    assert.ok(yaml.indexOf('Boat') < yaml.indexOf('Pier'), 'class names in ontology order')
    const labels = [...entries.keys()].filter((n) => n.startsWith('labels/') && n.endsWith('.txt'))
    assert.equal(labels.length, 3, `one label file per image: ${labels.join(', ')}`)
    assert.equal(new Set(labels).size, 3)
    assert.ok(
      labels.every((n) => !n.slice('labels/'.length).includes('/')),
      'the global key’s slash does not make a folder',
    )
    const texts = labels.map((n) => entries.get(n).trim()).filter(Boolean)
    assert.equal(texts.length, 1, 'only the labeled image has objects')
    const lines = texts[0].split('\n').map((l) => l.split(' ').map(Number))
    // Box: class 0, centre (200, 100) of 400×200, size 200×100 → 0.5 0.5 0.5 0.5.
    assert.deepEqual(lines[0], [0, 0.5, 0.5, 0.5, 0.5])
    // Polygon: class 1, points normalized.
    assert.deepEqual(lines[1], [1, 0, 0, 0.5, 0, 0.5, 0.5])
    assert.ok(entries.has('images.txt'))
    assert.equal(entries.get('images.txt').trim().split('\n').length, 3)

    assert.deepEqual(b.offsite, [], 'no request leaves 127.0.0.1')
    assert.deepEqual(b.consoleErrors, [], 'no console errors (CSP, scripts)')
  } finally {
    await b.close()
  }
})
