// Datasets in a real Chromium: create a dataset, upload three files (one of them in parts) and
// watch the progress bars reach 100% and the rows appear; import an NDJSON manifest with bad lines
// and read its error report; open a data row; search and delete from the list.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'

// A small real PNG (a colour gradient), written without any image library.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
function png(width, height) {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = Math.round((x / width) * 255)
      raw[row + 2 + x * 3] = Math.round((y / height) * 200) + 30
      raw[row + 3 + x * 3] = 220 - Math.round((x / width) * 120)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

async function signUp(page, email) {
  await page.goto(`${BASE}/signup`)
  await page.fill('#f-full_name', 'Dana Data')
  await page.fill('#f-email', email)
  await page.fill('#f-password', 'a-long-password')
  await page.fill('#f-organization_name', 'Pixel Farm')
  await page.click('button[type=submit]')
  await page.waitForURL(/\/projects$/)
}

test('datasets: create, upload with progress, import with an error report, browse, search, delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labeldesk-files-'))
  const b = await openBrowser()
  const { page } = b
  try {
    const pngPath = join(dir, 'sunset.png')
    const txtPath = join(dir, 'notes.txt')
    const binPath = join(dir, 'sensor.bin')
    writeFileSync(pngPath, png(160, 120))
    writeFileSync(txtPath, 'Two cyclists wait at a red light while a bus turns left.\nThe street is wet.\n')
    const bin = Buffer.alloc(150 * 1024)
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256
    writeFileSync(binPath, bin)

    await signUp(page, `${uniq('dana')}@example.com`)
    await page.click('nav >> text=Datasets')
    await page.waitForSelector('h1:has-text("Datasets")')
    await page.waitForSelector('text=No datasets yet')

    // Create → the dataset's page opens with the upload panel.
    await page.click('main >> text=Upload new dataset')
    await page.waitForSelector('h1:has-text("New dataset")')
    const name = 'Street scenes'
    await page.fill('#f-name', name)
    await page.fill('#f-description', 'Dashcam stills and notes from the spring drive.')
    await page.click('button:has-text("Create and add files")')
    await page.waitForURL(/\/datasets\/ds_[0-9A-Z]+\?panel=upload$/)
    await page.waitForSelector('#upload-panel:not([hidden])')
    const datasetUrl = page.url().replace(/\?.*$/, '')

    // Files over the panel's limit go in parts: lower it so the .bin takes that path too.
    await page.$eval('#upload-panel', (el) => {
      el.dataset.singleMax = String(100 * 1024)
    })
    await page.setInputFiles('#upload-input', [pngPath, txtPath, binPath])
    await page.waitForFunction(() => document.querySelectorAll('.upload-item[data-state="done"]').length === 3, null, { timeout: 20_000 })
    const bars = await page.$$eval('.upload-item .progress-bar', (els) => els.map((e) => e.getAttribute('aria-valuenow')))
    assert.deepEqual(bars, ['100', '100', '100'])
    assert.equal(await page.getAttribute('[data-upload-overall] .progress-bar', 'aria-valuenow'), '100')
    assert.match(await page.textContent('[data-upload-summary]'), /3 files uploaded/)
    // The rows table refreshes by itself: three rows, a loaded thumbnail for the PNG.
    await page.waitForFunction(() => document.querySelectorAll('#data-rows-body tr').length === 3, null, { timeout: 10_000 })
    await page.waitForFunction(
      () => {
        const img = document.querySelector('#data-rows-body img')
        return img?.complete && img.naturalWidth === 160
      },
      null,
      { timeout: 10_000 },
    )
    assert.equal(await page.textContent('#dataset-row-count'), '3 data rows')
    const names = await page.$$eval('#data-rows-body .ds-data-name', (els) => els.map((e) => e.textContent))
    assert.deepEqual([...names].sort(), ['notes.txt', 'sensor.bin', 'sunset.png'])
    await page.waitForSelector('.toast:has-text("3 files uploaded")')
    await page.waitForTimeout(400) // let the bars finish their width transition
    await shot(page, 'dataset-upload')

    // Import a manifest: 5 good lines, 2 bad ones (invalid JSON on line 3, ftp:// on line 5).
    const manifest = `${[
      { row_data: 'A cyclist crosses on the green light.', global_key: uniq('caption'), external_id: 'cap-1' },
      { row_data: 'Two pedestrians wait under an umbrella.', external_id: 'cap-2' },
      '{"row_data": "an unfinished line',
      { row_data: 'A delivery van is double-parked.', metadata_fields: [{ name: 'split', value: 'train' }] },
      { row_data: 'ftp://files.example.com/frame-0005.jpg' },
      { row_data: 'The traffic light turns amber.', external_id: 'cap-6' },
      { row_data: 'A taxi stops to pick someone up.', external_id: 'cap-7' },
    ]
      .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
      .join('\n')}\n`
    const manifestPath = join(dir, 'captions.ndjson')
    writeFileSync(manifestPath, manifest)
    await page.click('.page-header >> text=Import manifest')
    await page.waitForSelector('#import-panel:not([hidden])')
    assert.equal(await page.isHidden('#upload-panel'), true, 'one panel at a time')
    await page.setInputFiles('#import-file', manifestPath)
    await page.click('button:has-text("Start import")')
    await page.waitForSelector('.import-card[data-status="COMPLETE"]', { timeout: 30_000 })
    assert.equal(await page.textContent('.import-card [data-rows-created]'), '5')
    assert.equal(await page.textContent('.import-card [data-rows-failed]'), '2')
    assert.equal(await page.getAttribute('.import-card .progress-bar', 'aria-valuenow'), '100')
    assert.match(page.url(), /panel=import&import=tsk_/)
    // The new rows arrived with the finished card.
    await page.waitForFunction(() => document.querySelectorAll('#data-rows-body tr').length === 8)
    assert.equal(await page.textContent('#dataset-row-count'), '8 data rows')
    await page.click('#import-panel summary:has-text("Manifest formats")')
    await shot(page, 'dataset-import')

    // The error report: exactly the two bad lines, with their line numbers.
    const reportUrl = await page.getAttribute('a[data-error-report]', 'href')
    assert.match(reportUrl, /^\/api\/v1\/tasks\/tsk_[0-9A-Z]+\/errors$/)
    const report = await page.evaluate(async (u) => (await fetch(u)).text(), reportUrl)
    const lines = report
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(lines.length, 2)
    assert.deepEqual(
      lines.map((l) => l.line),
      [3, 5],
    )
    assert.equal(lines[1].field, 'row_data')
    assert.match(lines[1].message, /ftp/)
    const csv = await page.evaluate(async (u) => (await fetch(`${u}?format=csv`)).text(), reportUrl)
    assert.equal(csv.trim().split('\n').length, 3)

    // A data row's page: the image itself and its attributes.
    await page.click('#data-rows-body a:has-text("sunset.png")')
    await page.waitForSelector('h1:has-text("sunset.png")')
    await page.waitForFunction(() => {
      const img = document.querySelector('img.asset-image')
      return img?.complete && img.naturalWidth === 160
    })
    assert.ok(await page.isVisible('text=image/png'))
    await shot(page, 'data-row')

    // An uploaded text file is shown as text.
    await page.goto(datasetUrl)
    await page.click('#data-rows-body a:has-text("notes.txt")')
    await page.waitForSelector('pre.asset-text:has-text("Two cyclists wait at a red light")')

    // The list: a few more datasets, search as you type, delete from the three-dots menu.
    await page.evaluate(async () => {
      const post = (url, body) =>
        fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json())
      const a = await post('/api/v1/datasets', { name: 'Night drives', description: 'Low-light frames for the headlight detector.' })
      await post(
        `/api/v1/datasets/${a.id}/data-rows`,
        Array.from({ length: 1000 }, (_, i) => ({ row_data: `night frame caption ${i}` })),
      )
      await post('/api/v1/datasets', { name: 'Scratch — delete me' })
    })
    await page.click('nav >> text=Datasets')
    await page.waitForSelector('#datasets-table >> text=Night drives')
    assert.ok(await page.isVisible('td.num:has-text("1,000")'))
    await shot(page, 'datasets-list')

    await page.fill('#dataset-search', 'street')
    await page.waitForURL(/\/datasets\?search=street$/)
    await page.waitForFunction(() => document.querySelectorAll('#datasets-rows > tr:not(.empty-row)').length === 1)
    assert.ok(await page.isVisible(`#datasets-rows >> text=${name}`))
    await page.fill('#dataset-search', '')
    await page.waitForURL(/\/datasets$/)
    await page.waitForFunction(() => document.querySelectorAll('#datasets-rows > tr:not(.empty-row)').length === 3)

    const row = page.locator('#datasets-rows tr', { hasText: 'Scratch — delete me' })
    await row.locator('summary').click()
    // The confirm step names the projects that would lose rows (none use this one).
    await row.locator('a:has-text("Delete…")').click()
    await page.waitForSelector('h1:has-text("Delete dataset “Scratch — delete me”?")')
    assert.ok(await page.isVisible('text=No project uses this dataset’s rows.'))
    await page.click('#delete-impact button:has-text("Delete dataset")')
    await page.waitForURL(/\/datasets\?deleted=1$/)
    await page.waitForFunction(() => !document.querySelector('#datasets-rows')?.textContent.includes('Scratch'))

    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
