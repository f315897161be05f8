// Flows of issue 20 in a real Chromium: rows ticked on a dataset's page go to a project as a batch
// ("Add to project…", keyboard only); an import's live count on the dataset page while it runs and
// the table filled in when it ends; its "Import started" toast replaced by exactly one "Task
// finished" toast (also after the Tasks menu is opened again); the Tasks menu with a long task
// name (an ellipsis, the status badge in view) at 1440 px and 390 px, and how long it takes to open.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE, openBrowser, shot, signUp, uniq, visit } from './browser.mjs'

/** A JSON API call from the page (its session cookie, a same-origin Origin). */
async function api(page, method, path, json) {
  return page.evaluate(
    async ([method, path, json]) => {
      const r = await fetch(path, {
        method,
        headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
      })
      const text = await r.text()
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`)
      return text ? JSON.parse(text) : null
    },
    [method, path, json],
  )
}

/** Every toast the page shows is kept in window.__toasts (they leave the screen after a while). */
const recordToasts = (page) =>
  page.evaluate(() => {
    window.__toasts = []
    new MutationObserver((ms) => {
      for (const m of ms) for (const n of m.addedNodes) if (n.classList?.contains('toast')) window.__toasts.push(n.textContent)
    }).observe(document.getElementById('toasts'), { childList: true })
  })

test('dataset page: Add to project from ticked rows, keyboard only', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, { name: 'Rita Rows', org: uniq('Rows Org') })
    const ds = await api(page, 'POST', '/api/v1/datasets', { name: 'Support tickets' })
    await api(
      page,
      'POST',
      `/api/v1/datasets/${ds.id}/data-rows`,
      ['Printer jams', 'Refund please', 'Login loop', 'Slow export'].map((t, i) => ({ row_data: t, global_key: uniq(`t${i}`) })),
    )
    const project = await api(page, 'POST', '/api/v1/projects', { name: 'Ticket triage', media_type: 'TEXT' })

    await visit(page, `/datasets/${ds.id}`)
    await page.waitForSelector('[data-pick-bar]')
    assert.equal(await page.isDisabled('[data-pick-submit]'), true, 'nothing ticked yet')
    // Keyboard: focus the header box, Space ticks every row on the page; one row is then unticked.
    await page.focus('[data-pick-all]')
    await page.keyboard.press('Space')
    assert.equal((await page.textContent('[data-pick-count]')).trim(), '4 rows selected')
    const first = page.locator('[data-pick-row]').first()
    await first.focus()
    await page.keyboard.press('Space')
    assert.equal((await page.textContent('[data-pick-count]')).trim(), '3 rows selected')
    assert.equal(await page.$eval('[data-pick-all]', (el) => el.indeterminate), true)
    await page.focus('[data-pick-submit]')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#add-to-project [data-add-form]')
    assert.match(await page.textContent('[data-add-count]'), /3 data rows selected/)
    // The project picker has the focus; choose the project and send with Enter.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-add-project')
    await page.selectOption('#f-add-project', project.id)
    await page.fill('#f-add-name', 'Picked by hand')
    await page.focus('#f-add-name')
    await page.keyboard.press('Enter')
    await page.waitForSelector('[data-add-done]')
    assert.match(await page.textContent('[data-add-done]'), /Added 3 data rows to Ticket triage as batch “Picked by hand”/)
    assert.equal(await page.$$eval('[data-pick-row]:checked', (els) => els.length), 0, 'the selection is done with')
    const batches = await api(page, 'GET', `/api/v1/projects/${project.id}/batches`)
    assert.deepEqual(
      batches.map((x) => [x.name, x.size]),
      [['Picked by hand', 3]],
    )
    await shot(page, 'flows-add-to-project')

    // The same name again: the batch service's refusal shows in the panel, with the rows kept.
    await page.focus('[data-pick-all]')
    await page.keyboard.press('Space')
    await page.click('[data-pick-submit]')
    await page.waitForSelector('#add-to-project [data-add-form]')
    await page.selectOption('#f-add-project', project.id)
    await page.fill('#f-add-name', 'Picked by hand')
    await page.click('#add-to-project button[type=submit]')
    await page.waitForSelector('#add-to-project .field.has-error #f-add-name')
    assert.match(await page.textContent('#add-to-project .field.has-error'), /A batch with this name exists/)
    assert.match(await page.textContent('[data-add-count]'), /4 data rows selected/)
  } finally {
    await b.close()
  }
})

test('an import: live count on the dataset page, one toast when it ends, and the Tasks menu with its long name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'labeldesk-flows-'))
  const b = await openBrowser()
  const { page, context } = b
  try {
    await signUp(page, { name: 'Ivo Import', org: uniq('Import Org') })
    const ds = await api(page, 'POST', '/api/v1/datasets', { name: 'Big captions' })
    // Enough rows for many queue slices, so the count moves while the second tab watches: on a quiet
    // machine 200,000 rows import in about a second.
    const N = 900_000
    const lines = []
    for (let i = 0; i < N; i++) lines.push(`{"row_data":"caption number ${i}"}`)
    const longName = `${'a-very-long-manifest-name-from-the-spring-drive-'.repeat(2)}final.ndjson`
    const file = join(dir, longName)
    writeFileSync(file, `${lines.join('\n')}\n`)

    await visit(page, `/datasets/${ds.id}?panel=import`)
    await recordToasts(page)
    await page.setInputFiles('#import-file', file)
    await page.click('button:has-text("Start import")')
    await page.waitForSelector('.toast[data-until]:has-text("Import started")', { timeout: 60_000 })

    // A second tab on the dataset page: the running import's live count heads the table. What it
    // shows is recorded at each snapshot (the import may end soon after the page is drawn).
    const other = await context.newPage()
    await other.addInitScript(() => {
      window.__seen = []
      document.addEventListener('labeldesk:task-progress', () => {
        const box = document.querySelector('[data-live-import]')
        if (box)
          window.__seen.push({
            text: box.querySelector('[data-task-done]').textContent,
            pct: Number(box.querySelector('.progress-bar').getAttribute('aria-valuenow')),
          })
      })
    })
    // The machine is busy importing: the page may take a while, its images none.
    await other.goto(`${BASE}/datasets/${ds.id}`, { waitUntil: 'domcontentloaded', timeout: 90_000 })
    await other.waitForSelector('[data-live-import]', { state: 'attached' })
    // A count on the way — unless the import ended before this tab's stream said anything (a fast
    // machine): then the end below (table filled, header count, one toast) is what is checked.
    const seenMid = await other
      .waitForFunction(() => window.__seen.some((s) => Number(s.text.replace(/,/g, '')) > 0), null, { timeout: 120_000 })
      .then(() => true)
      .catch(() => false)
    if (seenMid) {
      const mid = await other.evaluate(() => window.__seen.find((s) => Number(s.text.replace(/,/g, '')) > 0))
      const done = Number(mid.text.replace(/,/g, ''))
      assert.ok(done > 0 && done <= N, `a count on the way: ${JSON.stringify(mid)}`)
      assert.match(mid.text, /^\d{1,3}(,\d{3})*$/, 'formatted')
      console.log(`live count seen: ${mid.text} of ${N.toLocaleString('en-US')}`)
    } else console.log('the import ended before the second tab saw a count; checking the end only')
    await shot(other, 'flows-live-import')

    // The Tasks menu while it runs: the long name ends in an ellipsis, the status stays in view.
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 })
      // The task started on this page is in the menu before it is opened; opening shows it in the
      // next frame (measured in the page: from the click to the item on screen).
      await page.waitForSelector('#tasks-menu-body .task-item', { state: 'attached' })
      const openMs = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const t0 = performance.now()
            document.querySelector('#tasks-menu > summary').click()
            const tick = () => {
              const item = document.querySelector('#tasks-menu[open] #tasks-menu-body .task-item')
              if (item && item.getBoundingClientRect().height > 0) resolve(Math.round(performance.now() - t0))
              else requestAnimationFrame(tick)
            }
            tick()
          }),
      )
      // (The menu's body is fetched again as it opens; measure the item once it is laid out.)
      await page.waitForFunction(() => {
        const name = document.querySelector('#tasks-menu[open] #tasks-menu-body .task-item .task-name')
        return name && name.clientWidth > 0 && name.scrollWidth > name.clientWidth
      })
      const m = await page.$eval('#tasks-menu-body .task-item', (item) => {
        const name = item.querySelector('.task-name')
        const badge = item.querySelector('.task-head > .badge')
        const panel = document.getElementById('tasks-menu-panel').getBoundingClientRect()
        const br = badge.getBoundingClientRect()
        return {
          clipped: name.scrollWidth > name.clientWidth,
          ellipsis: getComputedStyle(name).textOverflow,
          badge: badge.textContent.trim(),
          badgeInside: br.width > 0 && br.left >= panel.left && br.right <= panel.right + 0.5,
          pageWidth: document.documentElement.scrollWidth,
        }
      })
      assert.ok(m.clipped, `the long name is cut at ${width} px`)
      assert.equal(m.ellipsis, 'ellipsis')
      assert.match(m.badge, /^(In progress|Queued|Complete)$/, 'the status shows in words')
      assert.ok(m.badgeInside, `the status badge is inside the menu at ${width} px`)
      assert.ok(m.pageWidth <= width, `no sideways scrolling at ${width} px`)
      console.log(`Tasks menu at ${width} px opened in ${openMs} ms`)
      assert.ok(openMs < 300, `the Tasks menu opens at once (${openMs} ms)`)
      await shot(page, `flows-tasks-menu-${width}`)
      await page.keyboard.press('Escape')
    }
    await page.setViewportSize({ width: 1280, height: 800 })

    // The end: the other tab's table fills in and the live count goes; one finished toast here.
    await other.waitForSelector('[data-live-import]', { state: 'detached', timeout: 180_000 })
    await other.waitForFunction(() => document.querySelectorAll('#data-rows-body tr').length > 10)
    assert.equal(await other.textContent('#dataset-row-count'), `${N.toLocaleString('en-US')} data rows`)
    await page.waitForFunction(() => window.__toasts.some((t) => t.startsWith('Task finished')), null, { timeout: 60_000 })
    assert.equal(await page.$$eval('.toast[data-until]', (els) => els.length), 0, 'the "Import started" toast is gone')
    // The tab the import was started from is current too: its table fills in, no reload.
    await page.waitForFunction(() => document.querySelectorAll('#data-rows-body tr').length > 10, null, { timeout: 30_000 })
    assert.equal(await page.textContent('#dataset-row-count'), `${N.toLocaleString('en-US')} data rows`)
    // Opening the Tasks menu again (the page still has the task in its badge's list) must not
    // replay the end.
    await page.click('#tasks-menu > summary')
    await page.waitForSelector('#tasks-menu-body .task-item[data-task-status="COMPLETE"]')
    await page.waitForTimeout(2500)
    const finished = await page.evaluate(() => window.__toasts.filter((t) => t.startsWith('Task finished')))
    assert.equal(finished.length, 1, `one finished toast: ${JSON.stringify(finished)}`)
    assert.match(finished[0], new RegExp(`${N.toLocaleString('en-US')} rows created, 0 with errors`))
  } finally {
    await b.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
