// Account → Usage in a real Chromium. An admin's organization gets labels on several past days —
// the only way to date a label in the past is a label import (export v2 keeps label_details.
// created_at) — and today's labels by the admin and by a labeler, on image, video and text rows,
// all through /api/v1. The page reads only the cron's rollups: it shows nothing until the rollup
// runs (GET /__scheduled, as in local development), then the chart, both tables and the totals
// show exactly the numbers written below by hand; presets and a custom range change them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, signUp, uniq } from './browser.mjs'
import { runRollup } from '../../scripts/seed.mjs'

const PASSWORD = 'a-long-password'
const DAY = 86_400_000
const today = new Date().toISOString().slice(0, 10)
/** The GMT date `n` days before today. */
const ago = (n) => new Date(Date.parse(`${today}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10)
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const monthName = (d) => `${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`

/** fetch() from the page: same origin, the session cookie. */
const call = (page, method, path, body, contentType = 'application/json') =>
  page.evaluate(
    async ([method, path, body, contentType]) => {
      const r = await fetch(`/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': contentType },
        body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body,
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    },
    [method, path, body, contentType],
  )

async function ok(page, method, path, body, status = 201, contentType) {
  const r = await call(page, method, path, body, contentType)
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

const postForm = (page, path, fields) =>
  page.evaluate(
    async ([path, fields]) => (await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' })).type,
    [path, fields],
  )

// Annotations, with their billable count worked out by hand next to each (an object 1, each
// answer 1, nested answers included).
const car = (color) => ({
  name: 'Car',
  bounding_box: { top: 40, left: 60, height: 50, width: 90 },
  classifications: [{ name: 'Color', radio_answer: { name: color } }],
}) // 2
const weather = (w) => ({ name: 'Weather', radio_answer: { name: w } }) // 1
const image = (colors, w) => ({ objects: colors.map(car), classifications: [weather(w)] })
const clip = (events, time) => ({
  objects: [],
  classifications: [
    { name: 'Event', checklist_answers: events.map((name) => ({ name })) },
    { name: 'Time of day', radio_answer: { name: time } },
  ],
})
const ticket = (topic, note) => ({
  objects: [],
  classifications: [{ name: 'Topic', radio_answer: { name: topic } }, ...(note ? [{ name: 'Notes', text_answer: { content: note } }] : [])],
})

// Imported, on past days (by the admin who imports them).
const PAST = [
  { row: 'img-0', daysAgo: 1, annotations: image(['Red', 'Blue'], 'Sunny'), n: 5, type: 'image', seconds: 60 },
  { row: 'img-1', daysAgo: 1, annotations: image(['Red'], 'Rainy'), n: 3, type: 'image', seconds: 60 },
  { row: 'img-2', daysAgo: 5, annotations: image(['Red', 'Red', 'Blue'], 'Sunny'), n: 7, type: 'image', seconds: 60 },
  { row: 'img-3', daysAgo: 12, annotations: image(['Blue'], 'Sunny'), n: 3, type: 'image', seconds: 60 },
  { row: 'img-4', daysAgo: 45, annotations: image(['Blue', 'Red'], 'Rainy'), n: 5, type: 'image', seconds: 60 },
  { row: 'vid-0', daysAgo: 1, annotations: clip(['Docking', 'Crane'], 'Day'), n: 3, type: 'video', seconds: 60 },
  { row: 'vid-1', daysAgo: 12, annotations: clip(['Crane'], 'Night'), n: 2, type: 'video', seconds: 60 },
  { row: 'vid-2', daysAgo: 20, annotations: clip(['Docking', 'Crane', 'Tug'], 'Day'), n: 4, type: 'video', seconds: 60 },
  { row: 'txt-0', daysAgo: 5, annotations: ticket('Billing', 'Refund'), n: 2, type: 'text', seconds: 60 },
  { row: 'txt-1', daysAgo: 20, annotations: ticket('Bug'), n: 1, type: 'text', seconds: 60 },
  { row: 'txt-2', daysAgo: 45, annotations: ticket('Bug'), n: 1, type: 'text', seconds: 60 },
]
// Made today through POST /projects/{id}/labels.
const TODAY = [
  { row: 'img-5', by: 'admin', annotations: image(['Blue'], 'Rainy'), n: 3, type: 'image', seconds: 20 },
  { row: 'txt-3', by: 'admin', annotations: ticket('Shipping', 'Asked the carrier'), n: 2, type: 'text', seconds: 10 },
  { row: 'img-6', by: 'labeler', annotations: image(['Red', 'Blue'], 'Sunny'), n: 5, type: 'image', seconds: 45 },
  { row: 'vid-3', by: 'labeler', annotations: clip(['Tug'], 'Day'), n: 2, type: 'video', seconds: 30 },
]

/** One data row per label. */
const ROWS = PAST.length + TODAY.length

/** Expected numbers for a range [start, end), from the tables above. */
function expected(start, end) {
  const all = [...PAST.map((l) => ({ ...l, date: ago(l.daysAgo), by: 'admin' })), ...TODAY.map((l) => ({ ...l, date: today }))].filter(
    (l) => l.date >= start && l.date < end,
  )
  const sum = (ls) => ls.reduce((s, l) => s + l.n, 0)
  const byDay = new Map()
  for (const l of all) {
    const d = byDay.get(l.date) ?? { image: 0, video: 0, text: 0 }
    d[l.type] += l.n
    byDay.set(l.date, d)
  }
  const months = new Map()
  for (const l of all) {
    const m = months.get(l.date.slice(0, 7)) ?? { annotations: 0, labels: 0 }
    m.annotations += l.n
    m.labels += 1
    months.set(l.date.slice(0, 7), m)
  }
  return {
    total: sum(all),
    image: sum(all.filter((l) => l.type === 'image')),
    video: sum(all.filter((l) => l.type === 'video')),
    text: sum(all.filter((l) => l.type === 'text')),
    byDay,
    months,
    labels: all,
  }
}

const text = (page, sel) => page.textContent(sel).then((t) => t.replace(/\s+/g, ' ').trim())
const num = (s) => Number(s.replace(/,/g, ''))
/** A table's body rows as arrays of cell texts. */
const rows = (page, sel) =>
  page.$$eval(`${sel} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/\s+/g, ' ').trim())))

/** Checks the chart, the totals and both tables against `expected(start, end)`. */
async function checkPage(page, start, end, { admin, labeler, projects }) {
  const e = expected(start, end)
  assert.equal(num(await text(page, '#usage-total')), e.total, `total for ${start}..${end}`)
  // The chart: one bucket per day of the range, a bar per asset type with the hover value.
  assert.equal(await page.locator('#usage-chart g.bucket').count(), Math.round((Date.parse(end) - Date.parse(start)) / DAY))
  for (const [date, d] of e.byDay) {
    const bucket = `#usage-chart g.bucket[data-start="${date}"]`
    assert.equal(Number(await page.getAttribute(bucket, 'data-total')), d.image + d.video + d.text, `bar of ${date}`)
    const total = d.image + d.video + d.text
    for (const [key, label] of [
      ['image', 'Images'],
      ['video', 'Video'],
      ['text', 'Text'],
    ]) {
      const bar = page.locator(`${bucket} rect.bar[data-key="${key}"]`)
      if (!d[key]) assert.equal(await bar.count(), 0, `no ${key} bar on ${date}`)
      else
        assert.equal(await bar.locator('title').textContent(), `${date}: ${total} annotation${total === 1 ? '' : 's'} — ${label} ${d[key]}`)
    }
  }
  assert.equal(
    await page.locator('#usage-chart rect.bar').count(),
    [...e.byDay.values()].reduce((s, d) => s + ['image', 'video', 'text'].filter((k) => d[k]).length, 0),
    'no other bars',
  )
  assert.deepEqual(await page.$$eval('.chart-legend span', (s) => s.map((x) => x.textContent.trim())), ['Images', 'Video', 'Text', 'Other'])
  assert.deepEqual(await page.$$eval('.usage-legend span', (s) => s.map((x) => x.textContent.trim())), [
    `Images: ${e.image}`,
    `Video: ${e.video}`,
    `Text: ${e.text}`,
    'Other: 0',
  ])

  // Organization usage: every month the range touches, newest first. The data rows, both members
  // and the three projects were all created today.
  const months = []
  for (
    let d = `${start.slice(0, 7)}-01`;
    d < end;
    d = new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)), 1)).toISOString().slice(0, 10)
  )
    months.unshift(d.slice(0, 7))
  const thisMonth = today.slice(0, 7)
  assert.deepEqual(
    await rows(page, '#usage-months'),
    months.map((m) => {
      const u = e.months.get(m) ?? { annotations: 0, labels: 0 }
      const createdNow = m === thisMonth && today >= start && today < end
      return [
        monthName(`${m}-01`),
        String(u.annotations),
        String(u.labels),
        String(createdNow ? ROWS : 0),
        createdNow ? '2' : '0',
        createdNow ? '3' : '0',
      ]
    }),
  )

  // Labeling breakdown: per project and per member, most annotations first.
  const per = (key) => {
    const m = new Map()
    for (const l of e.labels) {
      const k = key(l)
      const r = m.get(k) ?? { labels: 0, annotations: 0, seconds: 0 }
      r.labels += 1
      r.annotations += l.n
      r.seconds += l.seconds
      m.set(k, r)
    }
    return [...m].sort((a, b) => b[1].annotations - a[1].annotations)
  }
  const duration = (s) =>
    s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m`
  assert.deepEqual(
    await rows(page, '#usage-projects'),
    per((l) => projects[l.type]).map(([name, r]) => [name, String(r.labels), String(r.annotations), duration(r.seconds)]),
  )
  const who = { admin, labeler }
  assert.deepEqual(
    await rows(page, '#usage-members'),
    per((l) => l.by).map(([k, r]) => [`${who[k].name} ${who[k].email}`, String(r.labels), String(r.annotations), duration(r.seconds)]),
  )
}

test('usage: the rollup fills Account → Usage; chart, both tables and the range picker', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    const admin = { name: 'Uma Admin', email: `${uniq('uma')}@example.com` }
    const labeler = { name: 'Leo Labeler', email: `${uniq('leo')}@example.com` }
    await signUp(page, { name: admin.name, email: admin.email, password: PASSWORD, org: 'Harbour Vision' })

    // Three projects (image, video, text) and one dataset with rows of each asset type.
    const projects = { image: 'Harbour cameras', video: 'Dock clips', text: 'Inbox triage' }
    const ids = {}
    ids.image = (
      await ok(page, 'POST', '/projects', {
        name: projects.image,
        media_type: 'IMAGE',
        ontology: {
          tools: [
            {
              name: 'Car',
              tool: 'bounding_box',
              classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }] }],
            },
          ],
          classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
        },
      })
    ).id
    ids.video = (
      await ok(page, 'POST', '/projects', {
        name: projects.video,
        media_type: 'VIDEO',
        ontology: {
          classifications: [
            { name: 'Event', type: 'checklist', options: [{ name: 'Docking' }, { name: 'Crane' }, { name: 'Tug' }] },
            { name: 'Time of day', type: 'radio', options: [{ name: 'Day' }, { name: 'Night' }] },
          ],
        },
      })
    ).id
    ids.text = (
      await ok(page, 'POST', '/projects', {
        name: projects.text,
        media_type: 'TEXT',
        ontology: {
          classifications: [
            { name: 'Topic', type: 'radio', options: [{ name: 'Billing' }, { name: 'Bug' }, { name: 'Shipping' }] },
            { name: 'Notes', type: 'text' },
          ],
        },
      })
    ).id
    const ds = await ok(page, 'POST', '/datasets', { name: 'Harbour assets' })
    const key = uniq('hv')
    const rowData = (name) =>
      name.startsWith('img')
        ? `https://example.com/${key}/${name}.jpg`
        : name.startsWith('vid')
          ? `https://example.com/${key}/${name}.mp4`
          : `Ticket ${name}: where is my parcel?`
    const names = [...PAST, ...TODAY].map((l) => l.row)
    const { created } = await ok(
      page,
      'POST',
      `/datasets/${ds.id}/data-rows`,
      names.map((n) => ({ row_data: rowData(n), global_key: `${key}-${n}` })),
    )
    assert.deepEqual(
      created.map((r) => r.media_type).sort(),
      names.map((n) => ({ img: 'IMAGE', vid: 'VIDEO', txt: 'TEXT' })[n.slice(0, 3)]).sort(),
    )
    const rowId = Object.fromEntries(created.map((r) => [r.global_key.slice(key.length + 1), r.id]))
    const typeOf = (row) => ({ img: 'image', vid: 'video', txt: 'text' })[row.slice(0, 3)]

    // Past labels: one export v2 file per project, each label with its creation time.
    for (const type of ['image', 'video', 'text']) {
      const lines = PAST.filter((l) => l.type === type).map((l) =>
        JSON.stringify({
          data_row: { global_key: `${key}-${l.row}` },
          projects: {
            [ids[type]]: {
              labels: [
                {
                  label_details: { created_at: `${ago(l.daysAgo)}T12:00:00.000Z` },
                  performance_details: { seconds_to_create: l.seconds, skipped: false },
                  annotations: l.annotations,
                },
              ],
            },
          },
        }),
      )
      const task = await ok(
        page,
        'POST',
        `/projects/${ids[type]}/label-imports?filename=${type}.ndjson`,
        `${lines.join('\n')}\n`,
        202,
        'application/x-ndjson',
      )
      let t = task
      for (let i = 0; i < 240 && t.status !== 'COMPLETE' && t.status !== 'FAILED'; i++) {
        await page.waitForTimeout(250)
        t = await ok(page, 'GET', `/tasks/${task.id}`, undefined, 200)
      }
      assert.equal(t.status, 'COMPLETE', JSON.stringify(t))
      assert.deepEqual([t.metadata.labels_created, t.metadata.lines_failed], [lines.length, 0])
    }

    // Today's labels: the rows go into batches; the admin labels two, a labeler joins and labels two.
    for (const type of ['image', 'video', 'text']) {
      await ok(page, 'POST', `/projects/${ids[type]}/batches`, {
        name: 'Today',
        data_row_ids: TODAY.filter((l) => typeOf(l.row) === type).map((l) => rowId[l.row]),
      })
    }
    const label = (l) =>
      ok(page, 'POST', `/projects/${ids[l.type]}/labels`, {
        data_row_id: rowId[l.row],
        annotations: l.annotations,
        seconds_to_create: l.seconds,
      })
    for (const l of TODAY.filter((l) => l.by === 'admin')) await label(l)
    const inv = await ok(page, 'POST', '/invitations', { email: labeler.email, role: 'LABELER' })
    await postForm(page, new URL(inv.accept_url).pathname, { full_name: labeler.name, password: PASSWORD })
    assert.equal((await ok(page, 'GET', '/me', undefined, 200)).user.email, labeler.email)
    for (const l of TODAY.filter((l) => l.by === 'labeler')) await label(l)
    await postForm(page, '/login', { email: admin.email, password: PASSWORD })
    assert.equal((await ok(page, 'GET', '/me', undefined, 200)).user.email, admin.email)

    // Account → Usage before the cron: the page reads rollups only, so nothing yet.
    await page.goto(`${BASE}/projects`)
    await page.click('#account-menu summary')
    await page.click('#account-menu a:has-text("Account")')
    await page.waitForURL(`${BASE}/account`)
    await page.click('nav.tabs a:has-text("Usage")')
    await page.waitForURL(`${BASE}/account/usage`)
    await page.waitForSelector('h2:has-text("Annotation usage")')
    assert.equal(await text(page, '#usage-total'), '0')
    assert.match(await text(page, '#usage-updated'), /never/)
    assert.equal(await page.locator('#usage-chart').count(), 0)
    assert.ok(await page.isVisible('#usage-chart-empty >> text=No annotations in this range.'))

    // The cron, as in local development: GET /__scheduled runs the rollup.
    await runRollup(BASE)
    await page.reload()
    await page.waitForSelector('#usage-chart')
    assert.doesNotMatch(await text(page, '#usage-updated'), /never/)
    assert.ok(await page.isVisible('a[aria-current="true"]:has-text("Last 30 days")'))
    const who = { admin, labeler, projects }
    const tomorrow = ago(-1)
    await checkPage(page, ago(29), tomorrow, who)
    assert.equal(expected(ago(29), tomorrow).total, 42) // the tables above, summed by hand
    await shot(page, 'usage')
    // The numbers behind the chart, in a table too.
    await page.click('.chart-numbers summary')
    assert.equal(await text(page, '.chart-table tfoot td:last-child'), '42')

    // Presets: the last 7 days (the 12-, 20- and 45-day-old labels drop out).
    await page.click('a:has-text("Last 7 days")')
    await page.waitForURL(`${BASE}/account/usage?days=7`)
    await page.waitForSelector('a[aria-current="true"]:has-text("Last 7 days")')
    await checkPage(page, ago(6), tomorrow, who)
    assert.equal(num(await text(page, '#usage-total')), 32)
    // The last 90 days: one bar per day, the 45-day-old labels back.
    await page.click('a:has-text("Last 90 days")')
    await page.waitForURL(`${BASE}/account/usage?days=90`)
    await page.waitForSelector('a[aria-current="true"]:has-text("Last 90 days")')
    await checkPage(page, ago(89), tomorrow, who)
    assert.equal(num(await text(page, '#usage-total')), 48)
    // A year: monthly bars.
    await page.click('a:has-text("Last 365 days")')
    await page.waitForURL(`${BASE}/account/usage?days=365`)
    await page.waitForSelector('#usage-chart-title:text-is("Annotations per month by asset type")', { state: 'attached' })
    assert.equal(num(await text(page, '#usage-total')), 48)

    // A custom range; the end is exclusive: 20 and 12 days ago, not 5 days ago.
    await page.fill('input[name=start_date]', ago(20))
    await page.fill('input[name=end_date]', ago(5))
    await page.click('form.usage-range button[type=submit]')
    await page.waitForURL(`${BASE}/account/usage?start_date=${ago(20)}&end_date=${ago(5)}`)
    await page.waitForSelector(`p.usage-total:has-text("from ${ago(20)} to ${ago(6)}")`)
    await checkPage(page, ago(20), ago(5), who)
    assert.equal(num(await text(page, '#usage-total')), 10)
    assert.equal(await page.locator('.usage-presets a[aria-current="true"]').count(), 0, 'no preset is current')
    // The CSV link follows the range.
    const csv = await page.evaluate(async () => (await fetch(document.getElementById('usage-csv').getAttribute('href'))).text())
    // section,key,name,image,video,text,other,annotations,…
    assert.match(csv, new RegExp(`^day,${ago(20)},,0,4,1,0,5,`, 'm'))
    assert.match(csv, new RegExp(`^day,${ago(12)},,3,2,0,0,5,`, 'm'))
    assert.doesNotMatch(csv, new RegExp(`^day,${ago(5)},`, 'm'), 'the end is exclusive')

    // A range that ends before it starts is refused on the form, with what was typed kept.
    await page.fill('input[name=start_date]', ago(3))
    await page.fill('input[name=end_date]', ago(9))
    await page.click('form.usage-range button[type=submit]')
    await page.waitForSelector('form.usage-range [role=alert]:has-text("The end date must be after the start date")')
    assert.equal(await page.inputValue('input[name=start_date]'), ago(3))
    assert.equal(await page.inputValue('input[name=end_date]'), ago(9))

    assert.deepEqual(b.offsite, [], 'no request leaves 127.0.0.1')
    assert.deepEqual(b.consoleErrors, [], 'no console errors (CSP, scripts)')
  } finally {
    await b.close()
  }
})
