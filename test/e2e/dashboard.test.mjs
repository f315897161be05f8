// The project dashboard in a real Chromium: a project with a tool and a radio, data rows in a batch
// and labels by two people (all made with fetch() from the page against /api/v1, with the session
// cookie), then the dashboard: numbers, the Overall / Mine switch and the chart's daily / weekly
// buckets (htmx swaps, the address bar following), and "Generate export" — an inline validation
// error, the started task followed live to "Download result" in the dialog and the Tasks menu, and
// the downloaded file with one line per data row.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'

const PASSWORD = 'a-long-password'

async function signUp(page, email) {
  await page.goto(`${BASE}/signup`)
  await page.fill('#f-full_name', 'Ada Admin')
  await page.fill('#f-email', email)
  await page.fill('#f-password', PASSWORD)
  await page.fill('#f-organization_name', 'Street Labs')
  await page.click('button[type=submit]')
  await page.waitForURL(/\/projects$/)
}

/** fetch() from the page: same origin, the session cookie, JSON in and out. */
const api = (page, method, path, body) =>
  page.evaluate(
    async ([method, path, body]) => {
      const r = await fetch(`/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    },
    [method, path, body],
  )

async function ok(page, method, path, body, status = 201) {
  const r = await api(page, method, path, body)
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** Posts an HTML form from the page (sign in as someone else without leaving it). */
const postForm = (page, path, fields) =>
  page.evaluate(
    async ([path, fields]) => (await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })).type,
    [path, fields],
  )

const top = (page) => page.evaluate(() => window.scrollTo(0, 0))
const statValue = (page, label) =>
  page.$eval(`#dashboard .stat:has(.label:text-is("${label}")) .value`, (el) => Number(el.textContent.replace(/,/g, '')))

test('dashboard: numbers, Overall / Mine, chart buckets, and an export followed to its download', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    const adminEmail = `${uniq('ada')}@example.com`
    await signUp(page, adminEmail)

    // A project with a tool (with a nested radio) and a radio about the whole image.
    const project = await ok(page, 'POST', '/projects', {
      name: 'Lisbon street scenes',
      description: 'Cars and weather, photographed from a tram.',
      media_type: 'IMAGE',
      ontology: {
        tools: [
          {
            name: 'Car',
            tool: 'bounding_box',
            classifications: [{ name: 'Colour', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }, { name: 'Grey' }] }],
          },
          { name: 'Tram', tool: 'polygon' },
        ],
        classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Cloudy' }, { name: 'Rain' }] }],
      },
    })
    const ds = await ok(page, 'POST', '/datasets', { name: 'Tram 28, morning' })
    const key = uniq('tram')
    const { created: rows } = await ok(
      page,
      'POST',
      `/datasets/${ds.id}/data-rows`,
      Array.from({ length: 12 }, (_, i) => ({ row_data: `https://example.com/${key}/${i}.jpg`, global_key: `${key}-${i}.jpg` })),
    )
    assert.equal(rows.length, 12)
    const batch = await ok(page, 'POST', `/projects/${project.id}/batches`, {
      name: 'Morning run',
      priority: 2,
      data_row_ids: rows.slice(0, 10).map((r) => r.id),
    })
    assert.equal(batch.size, 10)

    // A second person: invited as a labeler, joins (this browser is now signed in as them) and labels two rows.
    const inv = await ok(page, 'POST', '/invitations', { email: `${uniq('lee')}@example.com`, role: 'LABELER' })
    await postForm(page, new URL(inv.accept_url).pathname, { full_name: 'Lee Labeler', password: PASSWORD })
    assert.equal((await ok(page, 'GET', '/me', undefined, 200)).user.full_name, 'Lee Labeler')
    const car = (colour) => ({
      name: 'Car',
      bounding_box: { top: 40, left: 60, height: 80, width: 120 },
      classifications: [{ name: 'Colour', radio_answer: { name: colour } }],
    })
    const weather = (w) => ({ name: 'Weather', radio_answer: { name: w } })
    const byLee = []
    byLee.push(
      await ok(page, 'POST', `/projects/${project.id}/labels`, {
        data_row_id: rows[0].id,
        annotations: { objects: [car('Red')], classifications: [weather('Sunny')] },
        seconds_to_create: 41.5,
      }),
    )
    byLee.push(
      await ok(page, 'POST', `/projects/${project.id}/labels`, {
        data_row_id: rows[1].id,
        annotations: { objects: [car('Grey'), car('Grey')], classifications: [weather('Cloudy')] },
        seconds_to_create: 63,
      }),
    )

    // Back to the admin: three labels, a skip, and a review of Lee's first label.
    await postForm(page, '/login', { email: adminEmail, password: PASSWORD })
    assert.equal((await ok(page, 'GET', '/me', undefined, 200)).user.full_name, 'Ada Admin')
    for (const [i, objects, w, s] of [
      [2, [car('Blue')], 'Rain', 25],
      [
        3,
        [
          car('Red'),
          {
            name: 'Tram',
            polygon: [
              { x: 0, y: 0 },
              { x: 50, y: 0 },
              { x: 50, y: 30 },
            ],
          },
        ],
        'Sunny',
        88,
      ],
      [4, [], 'Sunny', 9.5],
    ]) {
      await ok(page, 'POST', `/projects/${project.id}/labels`, {
        data_row_id: rows[i].id,
        annotations: { objects, classifications: [weather(w)] },
        seconds_to_create: s,
      })
    }
    await ok(page, 'POST', `/projects/${project.id}/labels`, { data_row_id: rows[5].id, skipped: true, seconds_to_create: 3 })
    await ok(page, 'POST', `/labels/${byLee[0].id}/reviews`, { score: 1 })

    // The dashboard.
    await page.goto(`${BASE}/projects/${project.id}`)
    await page.waitForSelector('h1:has-text("Lisbon street scenes")')
    assert.equal(await statValue(page, 'Data rows'), 10)
    assert.equal(await statValue(page, 'Labeled'), 5)
    assert.equal(await statValue(page, 'Remaining'), 4)
    assert.equal(await statValue(page, 'Skipped'), 1)
    await page.waitForSelector('#dashboard >> text=60% complete')
    const today = new Date().toISOString().slice(0, 10)
    assert.equal(await page.textContent('#labels-chart rect.bar title'), `${today}: 5 labels`)
    assert.equal(await page.textContent('#reviews [data-review="accepted"]'), '1')
    assert.equal(await page.textContent('#reviews [data-review="unreviewed"]'), '4')
    assert.equal(await page.textContent('#objects tbody tr:first-child td.num'), '5') // Car: 1 + 2 + 1 + 1
    assert.equal(await page.locator('#people tbody tr').count(), 2)
    assert.equal(await page.locator('#activity tbody tr').count(), 6)
    await page.waitForSelector('#people >> text=Lee Labeler')
    // The numbers of the chart, in a table too.
    await page.click('#labels-chart summary:has-text("Show numbers")')
    await page.waitForSelector(`#labels-chart .chart-table >> text=${today}`)
    await top(page)
    await shot(page, 'dashboard')

    // Mine: htmx swaps the body, the address follows, the focus stays on the switch.
    await page.click('#scope-toggle-mine')
    await page.waitForURL(`${BASE}/projects/${project.id}?scope=mine`)
    await page.waitForSelector('#dashboard[data-scope="mine"]')
    assert.equal(await statValue(page, 'Labeled by you'), 3)
    assert.equal(await statValue(page, 'Skipped by you'), 1)
    assert.equal(await page.textContent('#labels-chart rect.bar title'), `${today}: 3 labels`)
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'scope-toggle-mine')

    // Weekly: only the chart card is swapped; the Overall / Mine links learn the bucket.
    const progressBefore = await page.$eval('#dashboard .dash-progress', (el) => {
      el.dataset.marker = 'kept'
      return true
    })
    assert.ok(progressBefore)
    await page.click('#bucket-toggle-week')
    await page.waitForURL(`${BASE}/projects/${project.id}?scope=mine&bucket=week`)
    await page.waitForSelector('#bucket-toggle-week[aria-current="true"]')
    assert.match(await page.textContent('#labels-chart rect.bar title'), /^Week of \d{4}-\d{2}-\d{2}: 3 labels$/)
    assert.equal(
      await page.$eval('#dashboard .dash-progress', (el) => el.dataset.marker),
      'kept',
      'the rest of the dashboard is not re-rendered',
    )
    assert.match(await page.getAttribute('#scope-toggle-all', 'href'), /\?bucket=week$/)

    // Back to Overall: the weekly chart stays.
    await page.click('#scope-toggle-all')
    await page.waitForURL(`${BASE}/projects/${project.id}?bucket=week`)
    await page.waitForSelector('#dashboard[data-scope="all"]')
    assert.equal(await statValue(page, 'Labeled'), 5)
    assert.match(await page.textContent('#labels-chart rect.bar title'), /^Week of .*: 5 labels$/)
    await page.click('#bucket-toggle-month')
    await page.waitForURL(`${BASE}/projects/${project.id}?bucket=month`)
    await page.waitForSelector('#bucket-toggle-month[aria-current="true"]')
    // The address is the state: a reload shows the same view.
    await page.reload()
    await page.waitForSelector('#bucket-toggle-month[aria-current="true"]')
    await page.waitForSelector('#scope-toggle-all[aria-current="true"]')

    // Generate export: the dialog, a mistake refused inline, then the export.
    await page.click('#export-open')
    await page.waitForSelector('#export-dialog[open]')
    assert.match(page.url(), /\?bucket=month$/, 'the dialog opens in place')
    await page.uncheck('#export-dialog input[value="media_attributes"]')
    await page.click('#export-dialog summary:has-text("Filters")')
    await page.selectOption('#x-batch_id', batch.id)
    await page.fill('#x-data_row_ids', rows[0].id)
    await page.fill('#x-global_keys', `${key}-1.jpg`)
    await page.screenshot({ path: 'test/e2e/screenshots/export-form.png' })
    await page.click('#export-dialog .dialog-body button[type=submit]')
    await page.waitForSelector('#x-global_keys-error:has-text("Fill in data row IDs or global keys, not both.")')
    assert.equal(await page.inputValue('#x-data_row_ids'), rows[0].id, 'values are kept')
    assert.equal(await page.inputValue('#x-batch_id'), batch.id)
    assert.equal(await page.isChecked('#export-dialog input[value="media_attributes"]'), false)
    assert.equal(await page.isChecked('#export-dialog input[value="label_details"]'), true)
    await page.fill('#x-data_row_ids', '')
    await page.fill('#x-global_keys', '')
    await page.click('#export-dialog .dialog-body button[type=submit]')
    await page.waitForSelector('#export-panel >> text=Export started')
    await page.waitForSelector('#toasts >> text=Export started — follow it in the Tasks menu')
    const taskId = await page.getAttribute('#export-panel [data-task-id]', 'data-task-id')
    assert.match(taskId, /^tsk_/)
    // Followed live: the item turns into its download; the running badge empties.
    await page.waitForSelector('#export-panel >> text=Download result', { timeout: 60_000 })
    await page.waitForSelector('#export-panel >> text=Complete')
    await page.waitForFunction(() => document.getElementById('tasks-running')?.hidden === true)
    await page.screenshot({ path: 'test/e2e/screenshots/export.png' })
    await page.click('#export-panel button:has-text("Done")')
    await page.waitForSelector('#export-dialog', { state: 'hidden' })

    // The Tasks menu lists it with its download.
    await page.click('#tasks-menu summary')
    await page.waitForSelector(`#tasks-menu-body [data-task-id="${taskId}"] >> text=Download result`)
    const href = await page.getAttribute(`#tasks-menu-body [data-task-id="${taskId}"] a:has-text("Download result")`, 'href')
    const file = await page.evaluate(async (href) => (await fetch(href)).text(), href)
    const lines = file
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(lines.length, 10, 'one line per data row of the batch')
    assert.deepEqual(
      lines.map((l) => l.data_row.id).sort(),
      rows
        .slice(0, 10)
        .map((r) => r.id)
        .sort(),
    )
    assert.ok(
      lines.every(
        (l) =>
          l.media_attributes === undefined && l.data_row.details && l.projects[project.id].project_details.batch_name === 'Morning run',
      ),
    )
    const first = lines.find((l) => l.data_row.id === rows[0].id)
    assert.equal(first.projects[project.id].labels[0].label_details.reviews[0].score, 1)

    // Readable at 600px: the chart fills the width, nothing scrolls sideways.
    await page.setViewportSize({ width: 600, height: 900 })
    await page.goto(`${BASE}/projects/${project.id}`)
    await page.waitForSelector('#labels-chart svg.chart')
    const svgWidth = await page.$eval('#labels-chart svg.chart', (el) => el.getBoundingClientRect().width)
    assert.ok(svgWidth >= 480, `chart is ${svgWidth}px wide at 600px`)
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll at 600px')

    // The export page works without the dialog (and without JavaScript).
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(`${BASE}/projects/${project.id}/export`)
    await page.waitForSelector('h1:has-text("Generate export")')
    await page.click('#export-panel button[type=submit]')
    await page.waitForSelector('#export-panel >> text=Download result', { timeout: 60_000 })
    await page.click('#export-panel >> text=Back to the dashboard')
    await page.waitForURL(`${BASE}/projects/${project.id}`)
    // Reached by a boosted link, the dashboard's script still opens the dialog; Escape closes it.
    await page.waitForSelector('#dashboard')
    await page.click('#export-open')
    await page.waitForSelector('#export-dialog[open]')
    assert.match(page.url(), new RegExp(`/projects/${project.id}$`))
    await page.keyboard.press('Escape')
    await page.waitForSelector('#export-dialog', { state: 'hidden' })

    assert.deepEqual(b.offsite, [], 'no request leaves 127.0.0.1')
    assert.deepEqual(b.consoleErrors, [], 'no console errors (CSP, scripts)')
  } finally {
    await b.close()
  }
})
