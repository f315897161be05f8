// The project dashboard (GET /projects/{id}) as each role sees it, its htmx fragments (Overall /
// Mine, daily / weekly / monthly), and "Generate export" (task item + HX-Trigger, 403, 422 inline).
import { beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { tasks } from '../../src/db/schema'
import { db, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, waitForTask } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
let project: any
let rows: any[]
let batch: any
const labelsBy: Record<string, any[]> = {}
const admin = () => ({ cookie: orgs.orgA.ADMIN.cookie })
const manager = () => ({ cookie: orgs.orgA.TEAM_MANAGER.cookie })
const reviewer = () => ({ cookie: orgs.orgA.REVIEWER.cookie })
const labeler = () => ({ cookie: orgs.orgA.LABELER.cookie })

const ONTOLOGY = {
  tools: [
    {
      name: 'Car',
      tool: 'bounding_box',
      classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }] }],
    },
    { name: 'Lane', tool: 'line' },
  ],
  classifications: [
    { name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] },
    { name: 'Notes', type: 'text' },
  ],
}
const car = (color: string) => ({
  name: 'Car',
  bounding_box: { top: 1, left: 2, height: 3, width: 4 },
  classifications: [{ name: 'Color', radio_answer: { name: color } }],
})
const weather = (answer: string) => ({ name: 'Weather', radio_answer: { name: answer } })

async function label(auth: { cookie: string }, who: string, body: Record<string, unknown>) {
  const res = await call('POST', `/api/v1/projects/${project.id}/labels`, auth, { json: body })
  expect(res.status, await res.clone().text()).toBe(201)
  const l = await json(res)
  ;(labelsBy[who] ??= []).push(l)
  return l
}

beforeAll(async () => {
  orgs = await seedTwoOrgs()
  const ds = await json(await call('POST', '/api/v1/datasets', admin(), { json: { name: unique('Street') } }))
  const key = unique('dash')
  const created = await call('POST', `/api/v1/datasets/${ds.id}/data-rows`, admin(), {
    json: Array.from({ length: 6 }, (_, i) => ({ row_data: `https://x.test/${key}/${i}.jpg`, global_key: `${key}-${i}.jpg` })),
  })
  expect(created.status).toBe(201)
  rows = (await json(created)).created
  project = await json(
    await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Dashboard'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
  )
  const b = await call('POST', `/api/v1/projects/${project.id}/batches`, admin(), {
    json: { name: 'Week 1', data_row_ids: rows.slice(0, 5).map((r) => r.id) },
  })
  expect(b.status).toBe(201)
  batch = await json(b)

  // The labeler: two labels and a skip; the manager: one label with two cars.
  await label(labeler(), 'labeler', {
    data_row_id: rows[0].id,
    annotations: { objects: [car('Red')], classifications: [weather('Sunny')] },
    seconds_to_create: 12.5,
  })
  await label(labeler(), 'labeler', {
    data_row_id: rows[1].id,
    annotations: { classifications: [weather('Rainy')] },
    seconds_to_create: 7.5,
  })
  await label(labeler(), 'labeler', { data_row_id: rows[2].id, skipped: true, seconds_to_create: 2 })
  await label(manager(), 'manager', {
    global_key: rows[3].global_key,
    annotations: { objects: [car('Blue'), car('Red')] },
    seconds_to_create: 20,
  })
  // Reviews: the manager's label accepted, the labeler's first declined.
  expect((await call('POST', `/api/v1/labels/${labelsBy.manager![0].id}/reviews`, reviewer(), { json: { score: 1 } })).status).toBe(201)
  expect((await call('POST', `/api/v1/labels/${labelsBy.labeler![0].id}/reviews`, reviewer(), { json: { score: -1 } })).status).toBe(201)
})

/** The number in a stat card. */
const stat = (html: string, label: string) => {
  const m = new RegExp(`<div class="label">${label}</div><div class="value">([\\d,]+)</div>`).exec(html)
  return m ? Number(m[1]!.replace(/,/g, '')) : null
}
const review = (html: string, key: string) => Number(new RegExp(`data-review="${key}">([\\d,]+)<`).exec(html)?.[1] ?? NaN)
const section = (html: string, id: string) => {
  const start = html.indexOf(`id="${id}"`)
  expect(start, `section ${id}`).toBeGreaterThan(-1)
  const end = html.indexOf('</section>', start)
  return html.slice(start, end)
}
const today = () => new Date().toISOString().slice(0, 10)
const monday = () => {
  const d = new Date(`${today()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  return d.toISOString().slice(0, 10)
}

describe('the dashboard page', () => {
  it('shows an admin every number, every member and the actions', async () => {
    const res = await call('GET', `/projects/${project.id}`, admin())
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<html')
    expect(stat(html, 'Data rows')).toBe(5)
    expect(stat(html, 'Labeled')).toBe(3)
    expect(stat(html, 'Remaining')).toBe(1)
    expect(stat(html, 'Skipped')).toBe(1)
    expect(html).toContain('80% complete')
    expect(html).toContain('4 / 5 rows')

    // Reviews: 3 submitted labels, 1 accepted, 1 declined, 1 without review.
    expect(review(html, 'accepted')).toBe(1)
    expect(review(html, 'declined')).toBe(1)
    expect(review(html, 'ambiguous')).toBe(0)
    expect(review(html, 'unreviewed')).toBe(1)
    expect(section(html, 'reviews')).toContain('66.7%')

    // Objects per tool (every tool listed) and answers per classification.
    const objects = section(html, 'objects')
    expect(objects).toMatch(/Car <span class="badge">Bounding box<\/span><\/td><td class="num">3<\/td>/)
    expect(objects).toMatch(/Lane <span class="badge">Line<\/span><\/td><td class="num">0<\/td>/)
    const answers = section(html, 'answers')
    expect(answers).toMatch(/Color <span class="muted">›<\/span> Red<\/td><td class="num">2<\/td>/)
    expect(answers).toMatch(/Weather <span class="muted">›<\/span> Sunny<\/td><td class="num">1<\/td>/)

    // Performance of every member, with time formatted and the average per label.
    const people = section(html, 'people')
    expect(people).toContain('Labels by collaborator')
    expect(people).toContain(orgs.orgA.LABELER.email)
    expect(people).toContain(orgs.orgA.TEAM_MANAGER.email)
    const lab = people.slice(people.indexOf(`data-user-id="${orgs.orgA.LABELER.id}"`))
    expect(lab).toMatch(
      /<td class="num">2<\/td>.*<td class="num">1<\/td><td class="num" title="22 s">22 s<\/td><td class="num">11\.0 s<\/td>/,
    )

    // The latest activity: all four labels (the skip too), newest first, with review state.
    const activity = section(html, 'activity')
    expect(activity.match(/data-label-id=/g)).toHaveLength(4)
    expect(activity.indexOf(labelsBy.manager![0].id)).toBeLessThan(activity.indexOf(labelsBy.labeler![0].id))
    expect(activity).toContain('Skipped')
    expect(activity).toContain('Accepted')
    expect(activity).toContain('Declined')

    // The chart: today's bar with its hover title, a table of the numbers.
    const chart = section(html, 'labels-chart')
    expect(chart).toContain(`<title>${today()}: 3 labels</title>`)
    expect(chart).toContain('<summary>Show numbers</summary>')
    expect(chart).toMatch(/<a id="bucket-toggle-day"[^>]*aria-current="true"/)

    // Actions: label, review, export (a dialog with the form, and its script), settings, pin.
    expect(html).toContain(`href="/projects/${project.id}/label"`)
    expect(html).toContain(`href="/projects/${project.id}/review"`)
    expect(html).toMatch(
      new RegExp(`<a class="btn" id="export-open" href="/projects/${project.id}/export" data-dialog-open="export-dialog"`),
    )
    expect(html).toContain('<dialog id="export-dialog"')
    expect(html).toContain(`hx-post="/projects/${project.id}/export"`)
    expect(html).toContain(`<option value="${batch.id}">Week 1 (5 rows)</option>`)
    for (const p of [
      'data_row_details',
      'metadata_fields',
      'attachments',
      'media_attributes',
      'project_details',
      'label_details',
      'performance_details',
    ]) {
      expect(html).toContain(`name="params" value="${p}" checked`)
    }
    expect(html).toContain('<script src="/js/export-dialog.js"')
    expect(html).toContain(`href="/projects/${project.id}/settings"`)
    expect(html).toContain(`action="/projects/${project.id}/pin"`)
    // The ontology summary stays.
    expect(html).toContain('Sunny · Rainy')
  })

  it('shows a labeler only their own performance and activity, and no manager controls', async () => {
    const html = await (await call('GET', `/projects/${project.id}`, labeler())).text()
    // Progress is the project's.
    expect(stat(html, 'Labeled')).toBe(3)
    const people = section(html, 'people')
    expect(people).toContain('Your performance')
    expect(people).toContain(orgs.orgA.LABELER.email)
    expect(html).not.toContain(orgs.orgA.TEAM_MANAGER.email)
    const activity = section(html, 'activity')
    expect(activity.match(/data-label-id=/g)).toHaveLength(3)
    expect(activity).not.toContain(labelsBy.manager![0].id)
    expect(html).toContain(`href="/projects/${project.id}/label"`)
    expect(html).not.toContain(`/projects/${project.id}/review`)
    expect(html).not.toContain('/export')
    expect(html).not.toContain('export-dialog')
    expect(html).not.toContain('/settings')
  })

  it('a reviewer may review but not export; a project-based member without a role and another organization get 404', async () => {
    const html = await (await call('GET', `/projects/${project.id}`, reviewer())).text()
    expect(html).toContain(`href="/projects/${project.id}/review"`)
    expect(html).toContain('Review 1 label')
    expect(html).not.toContain('export-dialog')
    expect((await call('GET', `/projects/${project.id}`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(404)
    for (const path of ['', '/labels-chart', '/export'])
      expect((await call('GET', `/projects/${project.id}${path}`, { cookie: orgs.orgB.ADMIN.cookie })).status, path).toBe(404)
  })

  it('Overall / Mine: the htmx fragment is the dashboard body, the address follows', async () => {
    const res = await call('GET', `/projects/${project.id}?scope=mine`, labeler(), { htmx: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('HX-Replace-Url')).toBe(`/projects/${project.id}?scope=mine`)
    const html = await res.text()
    expect(html).not.toContain('<html')
    expect(html.startsWith('<div id="dashboard"')).toBe(true)
    expect(stat(html, 'Labeled by you')).toBe(2)
    expect(stat(html, 'Skipped by you')).toBe(1)
    expect(stat(html, 'Data rows')).toBe(5)
    expect(html).toContain('40% complete')
    expect(review(html, 'declined')).toBe(1)
    expect(review(html, 'unreviewed')).toBe(1)
    expect(review(html, 'accepted')).toBe(0)
    expect(html).toMatch(/<a id="scope-toggle-mine" href="[^"]*\?scope=mine"[^>]*aria-current="true"/)
    expect(section(html, 'labels-chart')).toContain(`<title>${today()}: 2 labels</title>`)
    // The manager's own view: their objects only.
    const mgr = await (await call('GET', `/projects/${project.id}?scope=mine&bucket=month`, manager(), { htmx: true })).text()
    expect(stat(mgr, 'Labeled by you')).toBe(1)
    expect(section(mgr, 'objects')).toMatch(/Car <span class="badge">Bounding box<\/span><\/td><td class="num">2<\/td>/)
    expect(mgr).toMatch(/<a id="bucket-toggle-month"[^>]*aria-current="true"/)
    // Without htmx the same address is the whole page; a bad value is the default view.
    const full = await (await call('GET', `/projects/${project.id}?scope=mine`, labeler())).text()
    expect(full).toContain('<html')
    expect(stat(full, 'Labeled by you')).toBe(2)
    const odd = await call('GET', `/projects/${project.id}?scope=everyone&bucket=year`, labeler())
    expect(odd.status).toBe(200)
    expect(await odd.text()).toMatch(/<a id="scope-toggle-all"[^>]*aria-current="true"/)
  })

  it('daily / weekly / monthly: the chart card alone, with the scope switch kept in step', async () => {
    const res = await call('GET', `/projects/${project.id}/labels-chart?bucket=week&scope=all`, admin(), { htmx: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('HX-Replace-Url')).toBe(`/projects/${project.id}?bucket=week`)
    const html = await res.text()
    expect(html.startsWith('<section class="card card-tight dash-card chart-card" id="labels-chart"')).toBe(true)
    expect(html).toContain(`<title>Week of ${monday()}: 3 labels</title>`)
    expect(html).toMatch(/<a id="bucket-toggle-week"[^>]*aria-current="true"/)
    // The Overall / Mine links now carry the bucket (out-of-band swap).
    expect(html).toContain('id="scope-toggle" hx-swap-oob="true"')
    expect(html).toContain(`href="/projects/${project.id}?scope=mine&amp;bucket=week"`)
    const month = await (
      await call('GET', `/projects/${project.id}/labels-chart?bucket=month&scope=mine`, labeler(), { htmx: true })
    ).text()
    const m = new Date()
    expect(month).toContain(`: 2 labels</title>`)
    expect(month).toContain(
      `${['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][m.getUTCMonth()]} ${m.getUTCFullYear()}`,
    )
    // Without htmx: the page at the same state.
    const plain = await call('GET', `/projects/${project.id}/labels-chart?bucket=week&scope=mine`, admin())
    expect(plain.status).toBe(303)
    expect(plain.headers.get('Location')).toBe(`/projects/${project.id}?scope=mine&bucket=week`)
  })

  it('a project without labels has empty states, and a call to action', async () => {
    const p = await json(
      await call('POST', '/api/v1/projects', admin(), { json: { name: unique('Empty'), media_type: 'IMAGE', ontology: ONTOLOGY } }),
    )
    const html = await (await call('GET', `/projects/${p.id}`, admin())).text()
    expect(html).toContain('No labels yet')
    expect(html).toContain('No data rows yet')
    expect(html).toContain('No one has labeled in this project yet.')
    expect(html).toContain('class="chart-empty"')
    expect(html).not.toContain('<svg class="chart"')
  })
})

describe('Generate export', () => {
  const form = (extra: Record<string, string> = {}) => ({ _in: 'dialog', params: 'data_row_details', ...extra })

  const resultLines = async (id: string) =>
    new TextDecoder()
      .decode(await (await call('GET', `/api/v1/tasks/${id}/result`, admin())).arrayBuffer())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))

  const waitDone = (id: string) => waitForTask(id, admin(), 60_000)

  it('starts a task: its item in the panel, and HX-Trigger for the Tasks menu and a toast', async () => {
    const body = new URLSearchParams([
      ['_in', 'dialog'],
      ['params', 'data_row_details'],
      ['params', 'label_details'],
      ['batch_id', batch.id],
    ])
    const res = await call('POST', `/projects/${project.id}/export`, admin(), {
      htmx: true,
      body: body.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    expect(res.status).toBe(200)
    const trigger = JSON.parse(res.headers.get('HX-Trigger') ?? '{}')
    expect(trigger.taskStarted.id).toMatch(/^tsk_/)
    expect(trigger.toast.value).toBe('Export started — follow it in the Tasks menu')
    expect(res.headers.get('HX-Trigger')).toMatch(/^[\x20-\x7e]+$/) // browsers read header bytes as Latin-1
    const html = await res.text()
    expect(html.startsWith('<div id="export-panel"')).toBe(true)
    expect(html).toContain(`data-task-id="${trigger.taskStarted.id}"`)
    expect(html).toContain('Export started')
    expect(html).toContain('data-dialog-close')
    const t = await waitDone(trigger.taskStarted.id)
    expect(t.status).toBe('COMPLETE')
    const lines = await resultLines(t.id)
    expect(lines).toHaveLength(5)
    expect(lines[0].data_row.details).toBeTruthy()
    expect(lines[0].media_attributes).toBeUndefined()
    const labeled = lines.find((l) => l.data_row.id === rows[0].id)
    expect(labeled.projects[project.id].labels[0].label_details).toBeTruthy()

    // The same export again while it runs: the running task, said so.
    await db().update(tasks).set({ status: 'IN_PROGRESS' }).where(eq(tasks.id, t.id))
    try {
      const again = await call('POST', `/projects/${project.id}/export`, admin(), {
        htmx: true,
        body: body.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      expect(again.status).toBe(200)
      expect(JSON.parse(again.headers.get('HX-Trigger')!).taskStarted.id).toBe(t.id)
      expect(JSON.parse(again.headers.get('HX-Trigger')!).toast.value).toContain('already running')
      expect(await again.text()).toContain('This export is already running')
      // Exports are deduplicated per person: a manager asking for the same export gets one of
      // their own, which they may follow and download.
      const other = await call('POST', `/projects/${project.id}/export`, manager(), {
        htmx: true,
        body: body.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      expect(other.status).toBe(200)
      const ot = JSON.parse(other.headers.get('HX-Trigger')!)
      expect(ot.taskStarted.id).not.toBe(t.id)
      expect(await other.text()).toContain(`data-task-id="${ot.taskStarted.id}"`)
    } finally {
      await db().update(tasks).set({ status: 'COMPLETE' }).where(eq(tasks.id, t.id))
    }
  })

  it('filters by global keys and dates (the end date counts whole)', async () => {
    const res = await call('POST', `/projects/${project.id}/export`, manager(), {
      htmx: true,
      form: form({
        global_keys: `${rows[0].global_key}\n${rows[3].global_key.toUpperCase()}\n`,
        label_from: today(),
        label_to: today(),
        workflow_status: '',
      }),
    })
    expect(res.status, await res.clone().text()).toBe(200)
    const id = JSON.parse(res.headers.get('HX-Trigger')!).taskStarted.id
    const t = await waitDone(id)
    const lines = await resultLines(t.id)
    expect(lines.map((l) => l.data_row.id).sort()).toEqual([rows[0].id, rows[3].id].sort())
  })

  it('refuses bad filters inline (422), keeping every value', async () => {
    const both = await call('POST', `/projects/${project.id}/export`, admin(), {
      htmx: true,
      form: form({ data_row_ids: rows[0].id, global_keys: 'kept-key.jpg', workflow_status: 'Done' }),
    })
    expect(both.status).toBe(422)
    expect(both.headers.get('HX-Trigger')).toBeNull()
    const html = await both.text()
    expect(html.startsWith('<div id="export-panel"')).toBe(true)
    expect(html).toMatch(
      /<textarea class="textarea mono-input" id="x-global_keys" name="global_keys"[^>]*aria-invalid="true"[^>]*>kept-key.jpg<\/textarea><div class="error" id="x-global_keys-error">Fill in data row IDs or global keys, not both\.<\/div>/,
    )
    expect(html).toContain(`>${rows[0].id}</textarea>`)
    expect(html).toContain('<option value="Done" selected="">Done</option>')
    expect(html).toContain('name="params" value="data_row_details" checked')
    expect(html).not.toContain('name="params" value="label_details" checked')
    expect(html).toMatch(/<details class="export-filters" open/)

    const dates = await (
      await call('POST', `/projects/${project.id}/export`, admin(), {
        htmx: true,
        form: form({ label_from: '2026-11-20', label_to: '2026-11-02' }),
      })
    ).text()
    expect(dates).toContain('The end date is before the start date')
    expect(dates).toContain('value="2026-11-20"')
    const status = await call('POST', `/projects/${project.id}/export`, admin(), {
      htmx: true,
      form: form({ workflow_status: 'Finished', label_from: '2026-02-30' }),
    })
    expect(status.status).toBe(422)
    const st = await status.text()
    expect(st).toContain('workflow_status must be one of ToLabel, InReview, InRework, Done')
    expect(st).toMatch(/id="x-label_from-error">Enter a date like YYYY-MM-DD/)
    const batchErr = await (
      await call('POST', `/projects/${project.id}/export`, admin(), { htmx: true, form: form({ batch_id: 'bat_nope' }) })
    ).text()
    expect(batchErr).toContain('Unknown: bat_nope')

    // Without htmx: the export page with the errors, status 422.
    const plain = await call('POST', `/projects/${project.id}/export`, admin(), { form: form({ data_row_ids: 'a', global_keys: 'b' }) })
    expect(plain.status).toBe(422)
    const page = await plain.text()
    expect(page).toContain('<html')
    expect(page).toContain('Fill in data row IDs or global keys, not both.')
  })

  it('works without JavaScript: the export page, then the started task after a redirect', async () => {
    const page = await call('GET', `/projects/${project.id}/export`, manager())
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('<h1>Generate export</h1>')
    expect(html).toContain(`action="/projects/${project.id}/export"`)
    expect(html).not.toContain('data-dialog-close')
    const res = await call('POST', `/projects/${project.id}/export`, manager(), {
      form: { params: 'project_details', workflow_status: 'ToLabel' },
    })
    expect(res.status).toBe(303)
    const loc = res.headers.get('Location')!
    expect(loc).toMatch(new RegExp(`^/projects/${project.id}/export\\?task=tsk_`))
    const after = await (await call('GET', loc, manager())).text()
    expect(after).toMatch(/data-task-id="tsk_/)
    expect(after).toContain('Back to the dashboard')
    // The dialog's "Start another export" asks for a fresh form.
    const fresh = await call('GET', `/projects/${project.id}/export?in=dialog`, manager(), { htmx: true })
    const f = await fresh.text()
    expect(f.startsWith('<div id="export-panel"')).toBe(true)
    expect(f).toContain('data-dialog-close')
    await waitDone(loc.split('task=')[1]!.split('&')[0]!)
  })

  it('a labeler or reviewer may not export: 403, as a sentence in the panel for htmx', async () => {
    const res = await call('POST', `/projects/${project.id}/export`, labeler(), { form: form() })
    expect(res.status).toBe(403)
    const frag = await call('POST', `/projects/${project.id}/export`, reviewer(), { htmx: true, form: form() })
    expect(frag.status).toBe(403)
    const html = await frag.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('The export was not started')
    expect((await call('GET', `/projects/${project.id}/export`, labeler())).status).toBe(403)
    expect((await call('POST', `/projects/${project.id}/export`, { cookie: orgs.orgB.ADMIN.cookie }, { form: form() })).status).toBe(404)
  })
})
