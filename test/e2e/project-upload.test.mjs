// From a project's Data settings, upload files into a new dataset: the dataset page opens with its
// upload panel, the files upload with progress, and the rows land in the project as a batch.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE, openBrowser, shot, signUp } from './browser.mjs'
import { demoPng } from '../../scripts/seed.mjs'

test('project settings: upload files straight into a new dataset attached to the project', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labeldesk-proj-upload-'))
  const b = await openBrowser()
  const { page } = b
  try {
    const files = [1, 2].map((i) => {
      const f = join(dir, `frame-${i}.png`)
      writeFileSync(f, demoPng(120, 80, i))
      return f
    })
    await signUp(page, { name: 'Uma Upload', org: 'Frames Inc' })
    const p = await page.evaluate(async () => {
      const r = await fetch('/api/v1/projects', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Crosswalks', media_type: 'IMAGE' }),
      })
      return r.json()
    })

    await page.goto(`${BASE}/projects/${p.id}/settings/data`)
    await page.waitForSelector('#upload-into-project')
    await page.fill('#f-upload-dataset-name', 'Crosswalk frames')
    await page.selectOption('#f-upload-priority', '2')
    await page.click('#upload-into-project button[type=submit]')
    await page.waitForURL(/\/datasets\/ds_[0-9A-Z]+\?panel=upload&project=prj_[0-9A-Z]+&priority=2$/)
    await page.waitForSelector('#upload-panel:not([hidden]) [data-attach-note] >> text=Crosswalks')

    await page.setInputFiles('#upload-input', files)
    await page.waitForSelector('[data-attach-note] >> text=2 data rows added to the project as batch “Crosswalk frames”.', {
      timeout: 20_000,
    })
    assert.equal(await page.getAttribute('[data-upload-overall] .progress-bar', 'aria-valuenow'), '100')
    await shot(page, 'project-upload')

    await page.click('[data-attach-note] a:has-text("Open the project’s data")')
    await page.waitForURL(new RegExp(`/projects/${p.id}/settings/data$`))
    const row = page.locator('#project-data tbody tr', { hasText: 'Crosswalk frames' })
    assert.equal((await row.locator('td.num').textContent()).trim(), '2')
    assert.match(await row.textContent(), /2 · high/)
    assert.match(await page.textContent('#data-summary'), /2 data rows in this project/)
    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
