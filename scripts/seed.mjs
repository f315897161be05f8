import { readFileSync } from 'node:fs'
import zlib from 'node:zlib'

// Seeds the demo organization through the product's own HTTP surfaces (sign-up form, JSON API,
// invitation links), so the demo data is exactly what a real user would create. Idempotent:
// when the demo admin can already log in, nothing is created twice.

export const DEMO = {
  org: 'Demo Labeling Co.',
  email: 'admin@demo.labeldesk.test',
  password: 'labeldesk-demo-1',
  members: [
    { email: 'maya.manager@demo.labeldesk.test', name: 'Maya Manager', role: 'TEAM_MANAGER' },
    { email: 'rui.reviewer@demo.labeldesk.test', name: 'Rui Reviewer', role: 'REVIEWER' },
    { email: 'lee.labeler@demo.labeldesk.test', name: 'Lee Labeler', role: 'LABELER' },
    { email: 'pat.project@demo.labeldesk.test', name: 'Pat Project-based', role: 'NONE' },
  ],
  pending: { email: 'new.hire@demo.labeldesk.test', role: 'LABELER' },
}

function cookieOf(res) {
  const m = /ld_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')
  return m ? `ld_session=${m[1]}` : undefined
}

async function form(base, path, body, cookie) {
  return fetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(body),
  })
}

async function api(base, cookie, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Cookie: cookie, Origin: base, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

async function listAll(base, cookie, path) {
  const out = []
  let cursor = null
  do {
    const page = await api(base, cookie, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    out.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return out
}

export async function seed(base) {
  let res = await form(base, '/login', { email: DEMO.email, password: DEMO.password })
  let cookie = res.status === 303 ? cookieOf(res) : undefined
  if (!cookie) {
    res = await form(base, '/signup', { full_name: 'Alex Admin', email: DEMO.email, password: DEMO.password, organization_name: DEMO.org })
    cookie = cookieOf(res)
    if (!cookie) throw new Error(`sign-up of the demo admin failed (${res.status}): ${await res.text()}`)
    console.log('seed: created the demo organization')
  }

  // Members in every role, each joined through a real invitation link.
  const members = await listAll(base, cookie, '/members')
  const have = new Set(members.map((m) => m.email))
  const pending = await listAll(base, cookie, '/invitations')
  for (const m of DEMO.members) {
    if (have.has(m.email)) continue
    const old = pending.find((p) => p.email === m.email)
    if (old) await api(base, cookie, 'DELETE', `/invitations/${old.id}`)
    const inv = await api(base, cookie, 'POST', '/invitations', { email: m.email, role: m.role })
    const token = inv.accept_url.split('/').pop()
    const r = await form(base, `/invitations/${token}`, { full_name: m.name, password: DEMO.password })
    if (r.status !== 303) throw new Error(`accepting ${m.email} failed: ${r.status}`)
    console.log(`seed: ${m.email} joined as ${m.role}`)
  }
  if (!pending.some((p) => p.email === DEMO.pending.email)) {
    await api(base, cookie, 'POST', '/invitations', DEMO.pending)
    console.log(`seed: invited ${DEMO.pending.email} (pending)`)
  }

  await seedData(base, cookie)
  await seedUsageHistory(base, cookie)
  // The cron's usage rollup, once now, so Account → Usage shows everything at once.
  await runRollup(base)
  const end = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10)
  const usage = await api(
    base,
    cookie,
    'GET',
    `/usage?start_date=${new Date(Date.parse(end) - (HISTORY_DAYS + 1) * DAY_MS).toISOString().slice(0, 10)}&end_date=${end}`,
  )
  console.log(
    `seed: ran the usage rollup: ${usage.totals.total} annotations in the last ${HISTORY_DAYS + 1} days (images ${usage.totals.image}, video ${usage.totals.video}, text ${usage.totals.text})`,
  )
  return { org: DEMO.org, email: DEMO.email, password: DEMO.password, others: DEMO.members.map((m) => m.email) }
}

// Demo data: datasets (generated PNGs uploaded to R2, texts), projects with ontologies and batches,
// labels by different people (some skipped, some reviewed). Skipped when the projects exist.
async function seedData(base, adminCookie) {
  const projects = await listAll(base, adminCookie, '/projects')
  if (projects.some((p) => p.name === 'Street objects')) return

  const street = await api(base, adminCookie, 'POST', '/datasets', {
    name: 'Street images',
    description: 'Generated street scenes for the demo',
  })
  for (let i = 0; i < 12; i++) {
    const form = new FormData()
    form.append('file', new Blob([demoPng(480, 320, i)], { type: 'image/png' }), `street-${String(i + 1).padStart(2, '0')}.png`)
    const res = await fetch(`${base}/api/v1/datasets/${street.id}/files`, {
      method: 'POST',
      headers: { Cookie: adminCookie, Origin: base },
      body: form,
    })
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`)
  }
  const tickets = await api(base, adminCookie, 'POST', '/datasets', { name: 'Support tickets', description: 'Customer messages to triage' })
  const texts = [
    'My order arrived damaged and I would like a replacement.',
    'How do I reset my password?',
    'The app crashes when I open settings.',
    'Can I change the delivery address after ordering?',
    'I was charged twice for the same subscription.',
    'Love the new update, great work!',
    'The invoice shows the wrong company name.',
    'Is there a student discount?',
  ]
  await api(
    base,
    adminCookie,
    'POST',
    `/datasets/${tickets.id}/data-rows`,
    texts.map((t, i) => ({ row_data: t, global_key: `ticket-${1000 + i}`, external_id: `T-${1000 + i}` })),
  )
  console.log('seed: created datasets (12 images in R2, 8 texts)')

  const streetProject = await api(base, adminCookie, 'POST', '/projects', {
    name: 'Street objects',
    description: 'Boxes around cars and people; weather and tags per image.',
    media_type: 'IMAGE',
    ontology: {
      tools: [
        {
          name: 'Car',
          tool: 'bounding_box',
          classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }, { name: 'Other' }] }],
        },
        { name: 'Person', tool: 'bounding_box' },
        { name: 'Lane', tool: 'line' },
      ],
      classifications: [
        { name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Cloudy' }, { name: 'Rainy' }] },
        { name: 'Tags', type: 'checklist', options: [{ name: 'Night' }, { name: 'Blurry' }, { name: 'Crowded' }] },
      ],
    },
  })
  const ticketProject = await api(base, adminCookie, 'POST', '/projects', {
    name: 'Ticket triage',
    description: 'Route each ticket and note what it needs.',
    media_type: 'TEXT',
    ontology: {
      classifications: [
        {
          name: 'Topic',
          type: 'radio',
          options: [{ name: 'Billing' }, { name: 'Account' }, { name: 'Bug' }, { name: 'Shipping' }, { name: 'Other' }],
        },
        { name: 'Notes', type: 'text' },
      ],
    },
  })
  await api(base, adminCookie, 'POST', '/projects', { name: 'Night driving (draft)', description: 'Not started yet.', media_type: 'VIDEO' })
  await api(base, adminCookie, 'POST', `/projects/${streetProject.id}/batches`, { name: 'First drive', priority: 1, dataset_id: street.id })
  await api(base, adminCookie, 'POST', `/projects/${ticketProject.id}/batches`, {
    name: 'November tickets',
    priority: 2,
    dataset_id: tickets.id,
  })
  await fetch(`${base}/api/v1/projects/${streetProject.id}/pin`, { method: 'PUT', headers: { Cookie: adminCookie, Origin: base } })
  // The project-based member gets a role in the ticket project only.
  const pat = (await listAll(base, adminCookie, '/members')).find((m) => m.email === 'pat.project@demo.labeldesk.test')
  if (pat) await api(base, adminCookie, 'PUT', `/projects/${ticketProject.id}/members/${pat.user_id}`, { role: 'LABELER' })

  // Labels by the labeler and the manager, some skipped; reviews by the reviewer.
  const login = async (email) => cookieOf(await form(base, '/login', { email, password: DEMO.password }))
  const lee = await login('lee.labeler@demo.labeldesk.test')
  const maya = await login('maya.manager@demo.labeldesk.test')
  const rui = await login('rui.reviewer@demo.labeldesk.test')
  const rows = (await listAll(base, adminCookie, `/datasets/${street.id}/data-rows`)).reverse()
  const weather = ['Sunny', 'Cloudy', 'Rainy']
  const made = []
  for (let i = 0; i < 9; i++) {
    const who = i % 3 === 2 ? maya : lee
    const body =
      i === 4
        ? { data_row_id: rows[i].id, skipped: true, seconds_to_create: 6 }
        : {
            data_row_id: rows[i].id,
            seconds_to_create: 20 + i * 7,
            annotations: {
              objects: [
                {
                  name: 'Car',
                  bounding_box: { top: 165 + i, left: 60 + 9 * i, height: 60, width: 140 },
                  classifications: [{ name: 'Color', radio_answer: { name: i % 2 ? 'Red' : 'Blue' } }],
                },
                ...(i % 2 ? [{ name: 'Person', bounding_box: { top: 120, left: 300, height: 150, width: 50 } }] : []),
              ],
              classifications: [
                { name: 'Weather', radio_answer: { name: weather[i % 3] } },
                ...(i % 4 === 0 ? [{ name: 'Tags', checklist_answers: [{ name: 'Night' }] }] : []),
              ],
            },
          }
    made.push(await api(base, who, 'POST', `/projects/${streetProject.id}/labels`, body))
  }
  for (const [i, score] of [
    [0, 1],
    [1, 1],
    [2, -1],
    [3, 1],
  ])
    await api(base, rui, 'POST', `/labels/${made[i].id}/reviews`, { score })
  const trows = (await listAll(base, adminCookie, `/datasets/${tickets.id}/data-rows`)).reverse()
  const topics = ['Shipping', 'Account', 'Bug', 'Shipping', 'Billing']
  for (let i = 0; i < topics.length; i++) {
    await api(base, lee, 'POST', `/projects/${ticketProject.id}/labels`, {
      data_row_id: trows[i].id,
      seconds_to_create: 8 + i,
      annotations: { classifications: [{ name: 'Topic', radio_answer: { name: topics[i] } }] },
    })
  }
  console.log('seed: created 3 projects with batches, 14 labels and 4 reviews')
}

// Usage history ------------------------------------------------------------------------------------
// Sixty days of past labeling, so Account → Usage shows a living chart from the first start. The
// product's only way to record a label on a past day is a label import: a Labelbox export v2 line
// keeps its `label_details.created_at`, and usage counts an annotation on the day it was created.
// So the demo "migrated" two months of work: street images (generated PNGs, uploaded to R2),
// dashcam clips (video rows, placeholder URLs: nothing plays them) and support tickets (texts),
// each with one label imported into its project with a past creation date. The plan is a fixed
// sequence (seeded random numbers, days counted back from today), so a rerun after a failure plans
// the same rows and labels, and the imports add nothing twice: data rows are matched by global key
// or id, labels by their content. A completed import of a file is the mark that it is done.

const HISTORY_DAYS = 60
const DAY_MS = 86_400_000

/** Small deterministic random numbers (mulberry32). */
function randomSeq(seed) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const TICKETS = {
  Billing: [
    'I was charged twice for order #{n}.',
    'Invoice #{n} shows the wrong VAT number.',
    'Please cancel my subscription before it renews.',
    'The refund for order #{n} has not arrived yet.',
  ],
  Account: [
    'I cannot log in since I changed my email address.',
    'How do I add a second user to our account?',
    'Please delete my account and my data.',
    'The password reset link has expired.',
  ],
  Bug: [
    'The app freezes when I upload a photo.',
    'Search finds nothing for order #{n}.',
    'In dark mode the buttons are unreadable.',
    'The export button does nothing in Firefox.',
  ],
  Shipping: [
    'Order #{n} says delivered but never arrived.',
    'Can I change the delivery address of order #{n}?',
    'My parcel (order #{n}) arrived damaged.',
    'When will order #{n} ship?',
  ],
  Other: ['Do you have a shop in Lisbon?', 'Great service, thank you!', 'Is there a student discount?', 'Can I order by phone?'],
}
const TICKET_NOTES = {
  Billing: 'Refund issued',
  Account: 'Sent the help article',
  Bug: 'Escalated to engineering',
  Shipping: 'Asked the carrier',
  Other: 'No action needed',
}
const DASHCAM = {
  events: ['Hard braking', 'Lane change', 'Pedestrian crossing', 'Cyclist nearby', 'Near miss'],
  times: ['Day', 'Dusk', 'Night'],
  roads: ['City', 'Highway', 'Rural'],
}
const DASHCAM_ONTOLOGY = {
  classifications: [
    { name: 'Event', type: 'checklist', options: DASHCAM.events.map((name) => ({ name })) },
    { name: 'Time of day', type: 'radio', options: DASHCAM.times.map((name) => ({ name })) },
    { name: 'Road type', type: 'radio', options: DASHCAM.roads.map((name) => ({ name })) },
    { name: 'Notes', type: 'text' },
  ],
}

/**
 * Which labels were made on which past day (`daysAgo` 1…60) and what they hold. Busier on five days
 * of seven, growing towards today. Each item: its asset (`key` unique within its archive), its
 * annotations in export v2 shape, its labeling time and its minute of the day (GMT).
 */
export function historyPlan() {
  const r = randomSeq(20261128)
  const pick = (xs) => xs[Math.floor(r() * xs.length)]
  const some = (xs, min, max) => [...xs].sort(() => r() - 0.5).slice(0, min + Math.floor(r() * (max - min + 1)))
  const plan = { image: [], video: [], text: [] }
  for (let daysAgo = HISTORY_DAYS; daysAgo >= 1; daysAgo--) {
    const quiet = daysAgo % 7 === 2 || daysAgo % 7 === 3
    const growth = 0.55 + (0.45 * (HISTORY_DAYS - daysAgo)) / (HISTORY_DAYS - 1)
    const count = (busy, calm) => Math.round((quiet ? calm : busy) * growth + r() * 0.9)
    const minute = () => 7 * 60 + Math.floor(r() * 11 * 60)
    for (let k = count(0.85, 0.3); k > 0; k--) {
      const seed = 12 + plan.image.length // the first 12 pictures are the "Street images" dataset's
      const car = demoCarBox(480, 320, seed)
      const objects = [
        { name: 'Car', bounding_box: car, classifications: [{ name: 'Color', radio_answer: { name: seed % 2 ? 'Red' : 'Blue' } }] },
      ]
      for (let c = Math.floor(r() * 4); c > 0; c--) {
        objects.push({
          name: 'Car',
          bounding_box: {
            top: 150 + Math.floor(r() * 90),
            left: Math.floor(r() * 380),
            height: 40 + Math.floor(r() * 30),
            width: 70 + Math.floor(r() * 50),
          },
          classifications: [{ name: 'Color', radio_answer: { name: pick(['Red', 'Blue', 'Other']) } }],
        })
      }
      for (let p = Math.floor(r() * 5); p > 0; p--)
        objects.push({
          name: 'Person',
          bounding_box: {
            top: 110 + Math.floor(r() * 60),
            left: Math.floor(r() * 440),
            height: 90 + Math.floor(r() * 50),
            width: 25 + Math.floor(r() * 20),
          },
        })
      if (r() < 0.4)
        objects.push({
          name: 'Lane',
          line: [
            { x: 240, y: 150 },
            { x: 240 + Math.floor(r() * 40) - 20, y: 319 },
          ],
        })
      const tags = some(['Night', 'Blurry', 'Crowded'], 0, 2).map((name) => ({ name }))
      const classifications = [
        { name: 'Weather', radio_answer: { name: pick(['Sunny', 'Cloudy', 'Rainy']) } },
        ...(tags.length ? [{ name: 'Tags', checklist_answers: tags }] : []),
      ]
      plan.image.push({
        key: `street-archive-${String(seed).padStart(3, '0')}.png`,
        seed,
        daysAgo,
        minute: minute(),
        seconds: 40 + Math.floor(r() * 140),
        annotations: { objects, classifications },
      })
    }
    for (let k = count(0.7, 0.2); k > 0; k--) {
      const n = plan.video.length + 1
      const classifications = [
        { name: 'Event', checklist_answers: some(DASHCAM.events, 1, 3).map((name) => ({ name })) },
        { name: 'Time of day', radio_answer: { name: pick(DASHCAM.times) } },
        { name: 'Road type', radio_answer: { name: pick(DASHCAM.roads) } },
        ...(r() < 0.3 ? [{ name: 'Notes', text_answer: { content: `Check the clip around 0:${String(10 + Math.floor(r() * 50))}` } }] : []),
      ]
      plan.video.push({
        key: `dashcam-clip-${String(n).padStart(4, '0')}`,
        daysAgo,
        minute: minute(),
        seconds: 60 + Math.floor(r() * 240),
        annotations: { objects: [], classifications },
      })
    }
    for (let k = count(1.2, 0.4); k > 0; k--) {
      const n = plan.text.length + 1
      const topic = pick(Object.keys(TICKETS))
      const text = pick(TICKETS[topic]).replace('{n}', String(40_000 + n * 37))
      const classifications = [
        { name: 'Topic', radio_answer: { name: topic } },
        ...(r() < 0.6 ? [{ name: 'Notes', text_answer: { content: TICKET_NOTES[topic] } }] : []),
      ]
      plan.text.push({
        key: `ticket-archive-${String(n).padStart(4, '0')}`,
        text,
        daysAgo,
        minute: minute(),
        seconds: 10 + Math.floor(r() * 50),
        annotations: { objects: [], classifications },
      })
    }
  }
  return plan
}

/** When an item of the plan was labeled: `daysAgo` GMT days before `today`, at its minute. */
const createdAt = (item, today) => new Date(Date.parse(`${today}T00:00:00Z`) - item.daysAgo * DAY_MS + item.minute * 60_000)

/** One export v2 line: the data row and its one label in the project, created at `at`. */
function exportLine(dataRow, mimeType, project, item, at, email) {
  return JSON.stringify({
    data_row: dataRow,
    media_attributes: { mime_type: mimeType },
    projects: {
      [project.id]: {
        name: project.name,
        labels: [
          {
            label_kind: 'Default',
            version: '1.0.0',
            label_details: { created_at: at.toISOString(), updated_at: at.toISOString(), created_by: email },
            performance_details: { seconds_to_create: item.seconds, seconds_to_review: 0, skipped: false },
            annotations: { ...item.annotations, relationships: [] },
          },
        ],
      },
    },
  })
}

/** Starts a label import of `lines` (unless a completed import of `filename` exists) and waits for it. */
async function importLabels(base, cookie, project, filename, lines, datasetId) {
  const done = (await listAll(base, cookie, '/tasks')).find((t) => t.status === 'COMPLETE' && t.name.includes(`“${filename}”`))
  if (done) return null
  const q = new URLSearchParams({ filename, ...(datasetId ? { dataset_id: datasetId } : {}) })
  const res = await fetch(`${base}/api/v1/projects/${project.id}/label-imports?${q}`, {
    method: 'POST',
    headers: { Cookie: cookie, Origin: base, 'Content-Type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  })
  if (res.status !== 202) throw new Error(`label import ${filename}: ${res.status} ${await res.text()}`)
  let task = await res.json()
  const deadline = Date.now() + 120_000
  while (task.status !== 'COMPLETE') {
    if (task.status === 'FAILED' || task.status === 'CANCELED' || Date.now() > deadline)
      throw new Error(`label import ${filename} ${task.status}: ${task.failure_reason ?? 'timed out'}`)
    await new Promise((r) => setTimeout(r, 250))
    task = await api(base, cookie, 'GET', `/tasks/${task.id}`)
  }
  if (task.metadata.lines_failed) {
    const errors = task.errors_url ? await (await fetch(new URL(task.errors_url, base), { headers: { Cookie: cookie } })).text() : ''
    throw new Error(`label import ${filename}: ${task.metadata.lines_failed} lines failed\n${errors.slice(0, 2000)}`)
  }
  return task.metadata.labels_created
}

async function findOrCreate(base, cookie, path, name, body) {
  return (await listAll(base, cookie, path)).find((x) => x.name === name) ?? api(base, cookie, 'POST', path, { name, ...body })
}

/** Imports the plan's labels (each archive once) and returns how many labels were created now. */
async function seedUsageHistory(base, adminCookie) {
  const plan = historyPlan()
  const today = new Date().toISOString().slice(0, 10)
  const login = async (email) => cookieOf(await form(base, '/login', { email, password: DEMO.password }))
  const projects = await listAll(base, adminCookie, '/projects')
  const street = projects.find((p) => p.name === 'Street objects')
  const tickets = projects.find((p) => p.name === 'Ticket triage')
  if (!street || !tickets)
    return console.log('seed: no usage history: the projects "Street objects" and "Ticket triage" were renamed or deleted')
  const dashcam =
    projects.find((p) => p.name === 'Dashcam events') ??
    (await api(base, adminCookie, 'POST', '/projects', {
      name: 'Dashcam events',
      description: 'What happens in each clip: events, time of day, road.',
      media_type: 'VIDEO',
      ontology: DASHCAM_ONTOLOGY,
    }))

  const images = async () => {
    // Pictures first (uploads make their data rows), then their labels, matched by data row id.
    const ds = await findOrCreate(base, adminCookie, '/datasets', 'Street archive', {
      description: 'Earlier drives; their labels came from a Labelbox export',
    })
    const have = new Map((await listAll(base, adminCookie, `/datasets/${ds.id}/data-rows`)).map((r) => [r.external_id, r.id]))
    const missing = plan.image.filter((i) => !have.has(i.key))
    const parts = Array.from({ length: Math.ceil(missing.length / 8) }, (_, k) => missing.slice(k * 8, k * 8 + 8))
    // A few requests at a time: each file is an R2 write and a data row.
    for (let k = 0; k < parts.length; k += 4) {
      await Promise.all(
        parts.slice(k, k + 4).map(async (part) => {
          const body = new FormData()
          for (const item of part) body.append('file', new Blob([demoPng(480, 320, item.seed)], { type: 'image/png' }), item.key)
          const res = await fetch(`${base}/api/v1/datasets/${ds.id}/files`, {
            method: 'POST',
            headers: { Cookie: adminCookie, Origin: base },
            body,
          })
          if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`)
          for (const r of (await res.json()).created) have.set(r.external_id, r.id)
        }),
      )
    }
    const lines = plan.image.map((i) =>
      exportLine({ id: have.get(i.key), external_id: i.key }, 'image/png', street, i, createdAt(i, today), DEMO.email),
    )
    return importLabels(base, adminCookie, street, 'street-history.ndjson', lines)
  }
  const videos = async () => {
    // The import creates the clips' data rows (global keys) in the dataset.
    const ds = await findOrCreate(base, adminCookie, '/datasets', 'Dashcam clips', {
      description: 'Placeholder video URLs: the demo has no real clips',
    })
    const lines = plan.video.map((i) =>
      exportLine(
        { global_key: i.key, external_id: `${i.key}.mp4`, row_data: `https://videos.example.com/dashcam/${i.key}.mp4` },
        'video/mp4',
        dashcam,
        i,
        createdAt(i, today),
        DEMO.email,
      ),
    )
    return importLabels(base, adminCookie, dashcam, 'dashcam-history.ndjson', lines, ds.id)
  }
  const texts = async () => {
    // The admin adds the tickets; the team manager imports their labels (matched by global key).
    const ds = await findOrCreate(base, adminCookie, '/datasets', 'Ticket archive', { description: 'Tickets of the last two months' })
    const have = new Set((await listAll(base, adminCookie, `/datasets/${ds.id}/data-rows`)).map((r) => r.global_key))
    const missing = plan.text.filter((i) => !have.has(i.key))
    if (missing.length)
      await api(
        base,
        adminCookie,
        'POST',
        `/datasets/${ds.id}/data-rows`,
        missing.map((i) => ({ row_data: i.text, global_key: i.key, external_id: i.key.toUpperCase() })),
      )
    const maya = await login('maya.manager@demo.labeldesk.test')
    const lines = plan.text.map((i) =>
      exportLine(
        { global_key: i.key, external_id: i.key.toUpperCase() },
        'text/plain',
        tickets,
        i,
        createdAt(i, today),
        'maya.manager@demo.labeldesk.test',
      ),
    )
    return importLabels(base, maya, tickets, 'tickets-history.ndjson', lines)
  }
  const created = await Promise.all([images(), videos(), texts()])
  if (created.every((n) => n === null)) return
  const n = created.reduce((s, x) => s + (x ?? 0), 0)
  console.log(`seed: imported ${n} labels made over the last ${HISTORY_DAYS} days (street images, dashcam clips, support tickets)`)
}

/** Runs the cron handler once (wrangler dev --test-scheduled), so the usage rollup is current. */
export async function runRollup(base) {
  const cron = /^\s*crons\s*=\s*\[\s*"([^"]+)"/m.exec(readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8'))?.[1]
  if (!cron) throw new Error('no cron trigger in wrangler.toml')
  const res = await fetch(`${base}/__scheduled?cron=${encodeURIComponent(cron)}`)
  const text = await res.text()
  if (!res.ok) throw new Error(`running the cron handler failed: ${res.status} ${text.slice(0, 500)}`)
}

/** Where demoPng draws its car (red when `seed` is odd, blue when even), as a bounding box. */
export function demoCarBox(w, h, seed) {
  const rnd = (n) => ((seed * 9301 + n * 49297) % 233280) / 233280
  return { top: h * 0.5, left: Math.floor(rnd(1) * (w * 0.7)), height: h / 5, width: w / 4 }
}

/** A small PNG (street-like colour blocks), encoded by hand: no image library needed. */
export function demoPng(w, h, seed) {
  const car = demoCarBox(w, h, seed)
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0
    for (let x = 0; x < w; x++) {
      const sky = y < h * 0.45
      let [r, g, b] = sky ? [120 + ((seed * 8) % 120), 170, 220] : [90, 90, 95]
      if (!sky && Math.abs(x - w / 2) < 2 && y % 12 < 6) [r, g, b] = [240, 240, 240]
      if (y > car.top && y < car.top + car.height && x > car.left && x < car.left + car.width)
        [r, g, b] = seed % 2 ? [200, 40, 40] : [40, 80, 200]
      const o = y * (w * 3 + 1) + 1 + x * 3
      raw[o] = r
      raw[o + 1] = g
      raw[o + 2] = b
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(td) >>> 0 : crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  ihdr[10] = 0
  ihdr[11] = 0
  ihdr[12] = 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function crc32(buf) {
  let c,
    crc = 0xffffffff
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}

// `npm run seed` against an already running server.
if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT || 8787}`
  seed(base).then((l) => console.log(`seeded; log in at ${base} as ${l.email} / ${l.password}`))
}
