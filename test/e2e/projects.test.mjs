// Projects in a real Chromium: create a project with an ontology through the editor (rows added
// by htmx, one removed, a validation error that keeps every value), search as you type with the
// address bar following, pin a project to the top, open its page.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'

async function signUp(page, email) {
  await page.goto(`${BASE}/signup`)
  await page.fill('#f-full_name', 'Ada Admin')
  await page.fill('#f-email', email)
  await page.fill('#f-password', 'a-long-password')
  await page.fill('#f-organization_name', 'Street Labs')
  await page.click('button[type=submit]')
  await page.waitForURL(/\/projects$/)
}

const field = (name) => `[name="${name}"]`
// Full-page shots of a scrolled page would show the sticky top bar mid-page.
const top = (page) => page.evaluate(() => window.scrollTo(0, 0))
const rowNames = (page) => page.$$eval('#projects-rows tr[id^="project-"] .project-name a', (as) => as.map((a) => a.textContent.trim()))

test('create a project with an ontology, search, pin, open', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, `${uniq('ada')}@example.com`)
    await page.waitForSelector('text=No projects yet')
    await page.click('main >> text=New project')
    await page.waitForURL(/\/projects\/new$/)
    await page.waitForSelector('h1:has-text("New project")')

    await page.fill('#f-name', 'Street signs')
    await page.fill('#f-description', 'Traffic signs in Lisbon, photographed from a car.')
    await page.selectOption('#f-media_type', 'IMAGE')

    // Tools: add two rows through htmx, name them, then remove the second.
    await page.click('#add-tool')
    await page.waitForSelector(field('tools.0.name'))
    await page.fill(field('tools.0.name'), 'Sign')
    await page.selectOption(field('tools.0.tool'), 'bounding_box')
    await page.click('#add-tool-0-classification')
    await page.waitForSelector(field('tools.0.classifications.0.name'))
    await page.fill(field('tools.0.classifications.0.name'), 'Occluded')
    await page.fill(field('tools.0.classifications.0.options'), 'Yes, No')
    await page.click('#add-tool')
    await page.waitForSelector(field('tools.1.name'))
    await page.fill(field('tools.1.name'), 'Pole')
    await page.click(`.onto-tool:has(${field('tools.1.name')}) >> [data-remove-row] >> nth=0`)
    await page.waitForSelector(field('tools.1.name'), { state: 'detached' })

    // A global classification.
    await page.click('#add-classification')
    await page.waitForSelector(field('classifications.0.name'))
    await page.fill(field('classifications.0.name'), 'Weather')
    await page.selectOption(field('classifications.0.type'), 'radio')
    await page.fill(field('classifications.0.options'), 'Sunny, Cloudy, Rain')
    await top(page)
    await shot(page, 'project-new')

    // A free-text question cannot have options: refused inline (422), every value kept.
    await page.selectOption(field('classifications.0.type'), 'text')
    await page.click('#project-form button.btn-primary')
    await page.waitForSelector('text=a text classification has no options')
    assert.match(page.url(), /\/projects\/new$/, 'the address bar stays on the form')
    assert.equal(await page.inputValue('#f-name'), 'Street signs')
    assert.equal(await page.inputValue('#f-description'), 'Traffic signs in Lisbon, photographed from a car.')
    assert.equal(await page.inputValue(field('tools.0.name')), 'Sign')
    assert.equal(await page.inputValue(field('tools.0.classifications.0.options')), 'Yes, No')
    assert.equal(await page.inputValue(field('classifications.0.options')), 'Sunny, Cloudy, Rain')
    assert.equal(await page.$(field('tools.1.name')), null, 'the removed tool stays removed')

    await page.selectOption(field('classifications.0.type'), 'radio')
    // Enter in an ontology field moves on to the next field; it does not submit the half-built project.
    await page.press(field('classifications.0.options'), 'Enter')
    assert.match(page.url(), /\/projects\/new$/)
    assert.equal(
      await page.evaluate(
        () =>
          document.activeElement?.getAttribute('name') !== 'classifications.0.options' && !!document.activeElement?.closest('.onto-editor'),
      ),
      true,
      'focus moved to the next field of the editor',
    )
    await page.press('#f-name', 'Enter') // Enter in the project's own fields submits the form
    await page.waitForURL(/\/projects\/prj_[A-Za-z0-9]+$/)
    await page.waitForSelector('h1:has-text("Street signs")')
    for (const s of ['Sign', 'Occluded', 'Weather', 'Sunny · Cloudy · Rain', 'No labels yet', 'No data rows yet'])
      await page.waitForSelector(`main >> text=${s}`)
    const projectUrl = page.url()

    // Attach data from Settings → Data: a dataset made through the JSON API, attached by its id.
    const api = async (path, data) => {
      const res = await page.request.post(`${BASE}/api/v1${path}`, { data, headers: { Origin: BASE } })
      assert.equal(res.status(), 201, await res.text())
      return res.json()
    }
    const ds = await api('/datasets', { name: 'Lisbon drive' })
    const key = uniq('lisbon')
    await api(
      `/datasets/${ds.id}/data-rows`,
      Array.from({ length: 24 }, (_, i) => ({ row_data: `https://example.com/${key}/${i}.jpg`, global_key: `${key}-${i}.jpg` })),
    )
    await page.click('.tabs >> text=Settings')
    await page.click('.settings-nav >> text=Data')
    await page.waitForSelector('h2:has-text("Data")')
    await page.fill('#f-batch-name', 'Drive 1')
    await page.selectOption('#f-priority', '1')
    await page.selectOption('#f-dataset_id', ds.id)
    await page.click('#project-data button.btn-primary')
    await page.waitForSelector('text=Attached 24 data rows as batch “Drive 1”.')
    await page.goto(projectUrl)

    // More projects, through the JSON API with the same session.
    for (const name of ['Alpha roads', 'Beta rivers', 'Gamma roads']) {
      const res = await page.request.post(`${BASE}/api/v1/projects`, {
        data: { name, media_type: name.startsWith('Beta') ? 'VIDEO' : 'IMAGE' },
        headers: { Origin: BASE },
      })
      assert.equal(res.status(), 201)
    }

    await page.click('nav >> text=Projects')
    await page.waitForURL(/\/projects$/)
    await page.waitForSelector('#projects-rows')
    assert.deepEqual(await rowNames(page), ['Gamma roads', 'Beta rivers', 'Alpha roads', 'Street signs'])

    // Search as you type narrows the table and the address bar follows (and survives a reload).
    await page.fill('#project-search', 'ROADS')
    await page.waitForURL(/\/projects\?search=ROADS$/)
    await page.waitForFunction(() => document.querySelectorAll('#projects-rows tr[id^="project-"]').length === 2)
    assert.deepEqual(await rowNames(page), ['Gamma roads', 'Alpha roads'])
    await page.reload()
    assert.equal(await page.inputValue('#project-search'), 'ROADS')
    assert.deepEqual(await rowNames(page), ['Gamma roads', 'Alpha roads'])
    await page.fill('#project-search', 'zebra crossings')
    await page.waitForSelector('text=No project matches “zebra crossings”')
    await page.fill('#project-search', '')
    await page.waitForURL(/\/projects$/)
    await page.waitForFunction(() => document.querySelectorAll('#projects-rows tr[id^="project-"]').length === 4)

    // Pin the oldest project: it moves to the top with a pin marker.
    const row = page.locator('#projects-rows tr', { hasText: 'Street signs' })
    await row.locator('summary').click()
    await row.locator('text=Pin to top').click()
    await page.waitForFunction(() => document.querySelector('#projects-rows tr')?.textContent.includes('Street signs'))
    assert.deepEqual(await rowNames(page), ['Street signs', 'Gamma roads', 'Beta rivers', 'Alpha roads'])
    assert.ok(await page.isVisible('#projects-rows tr.pinned svg[aria-label="Pinned"]'))
    await top(page)
    await shot(page, 'projects-list')

    // Open it from the list.
    await page.click('#projects-rows >> text=Street signs')
    await page.waitForURL(projectUrl)
    await page.waitForSelector('h1:has-text("Street signs")')
    await page.waitForSelector('.page-header >> text=Pinned')
    await page.waitForSelector('text=0 / 24 rows')
    await top(page)
    await shot(page, 'project-overview')

    assert.deepEqual(b.offsite, [], 'no request leaves 127.0.0.1')
    assert.deepEqual(b.consoleErrors, [], 'no console errors (CSP, scripts)')
  } finally {
    await b.close()
  }
})
