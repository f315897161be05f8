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
  const res = await fetch(base + '/api/v1' + path, {
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
  return { org: DEMO.org, email: DEMO.email, password: DEMO.password, others: DEMO.members.map((m) => m.email) }
}

// Demo data: datasets (generated PNGs uploaded to R2, texts), projects with ontologies and batches,
// labels by different people (some skipped, some reviewed). Skipped when the projects exist.
async function seedData(base, adminCookie) {
  const projects = await listAll(base, adminCookie, '/projects')
  if (projects.some((p) => p.name === 'Street objects')) return

  const street = await api(base, adminCookie, 'POST', '/datasets', { name: 'Street images', description: 'Generated street scenes for the demo' })
  for (let i = 0; i < 12; i++) {
    const form = new FormData()
    form.append('file', new Blob([demoPng(480, 320, i)], { type: 'image/png' }), `street-${String(i + 1).padStart(2, '0')}.png`)
    const res = await fetch(`${base}/api/v1/datasets/${street.id}/files`, { method: 'POST', headers: { Cookie: adminCookie, Origin: base }, body: form })
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`)
  }
  const tickets = await api(base, adminCookie, 'POST', '/datasets', { name: 'Support tickets', description: 'Customer messages to triage' })
  const texts = [
    'My order arrived damaged and I would like a replacement.', 'How do I reset my password?', 'The app crashes when I open settings.',
    'Can I change the delivery address after ordering?', 'I was charged twice for the same subscription.', 'Love the new update, great work!',
    'The invoice shows the wrong company name.', 'Is there a student discount?',
  ]
  await api(base, adminCookie, 'POST', `/datasets/${tickets.id}/data-rows`, texts.map((t, i) => ({ row_data: t, global_key: `ticket-${1000 + i}`, external_id: `T-${1000 + i}` })))
  console.log('seed: created datasets (12 images in R2, 8 texts)')

  const streetProject = await api(base, adminCookie, 'POST', '/projects', {
    name: 'Street objects', description: 'Boxes around cars and people; weather and tags per image.', media_type: 'IMAGE',
    ontology: {
      tools: [
        { name: 'Car', tool: 'bounding_box', classifications: [{ name: 'Color', type: 'radio', options: [{ name: 'Red' }, { name: 'Blue' }, { name: 'Other' }] }] },
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
    name: 'Ticket triage', description: 'Route each ticket and note what it needs.', media_type: 'TEXT',
    ontology: { classifications: [{ name: 'Topic', type: 'radio', options: [{ name: 'Billing' }, { name: 'Account' }, { name: 'Bug' }, { name: 'Shipping' }, { name: 'Other' }] }, { name: 'Notes', type: 'text' }] },
  })
  await api(base, adminCookie, 'POST', '/projects', { name: 'Night driving (draft)', description: 'Not started yet.', media_type: 'VIDEO' })
  await api(base, adminCookie, 'POST', `/projects/${streetProject.id}/batches`, { name: 'First drive', priority: 1, dataset_id: street.id })
  await api(base, adminCookie, 'POST', `/projects/${ticketProject.id}/batches`, { name: 'November tickets', priority: 2, dataset_id: tickets.id })
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
    const body = i === 4
      ? { data_row_id: rows[i].id, skipped: true, seconds_to_create: 6 }
      : {
          data_row_id: rows[i].id,
          seconds_to_create: 20 + i * 7,
          annotations: {
            objects: [
              { name: 'Car', bounding_box: { top: 165 + i, left: 60 + 9 * i, height: 60, width: 140 }, classifications: [{ name: 'Color', radio_answer: { name: i % 2 ? 'Red' : 'Blue' } }] },
              ...(i % 2 ? [{ name: 'Person', bounding_box: { top: 120, left: 300, height: 150, width: 50 } }] : []),
            ],
            classifications: [{ name: 'Weather', radio_answer: { name: weather[i % 3] } }, ...(i % 4 === 0 ? [{ name: 'Tags', checklist_answers: [{ name: 'Night' }] }] : [])],
          },
        }
    made.push(await api(base, who, 'POST', `/projects/${streetProject.id}/labels`, body))
  }
  for (const [i, score] of [[0, 1], [1, 1], [2, -1], [3, 1]]) await api(base, rui, 'POST', `/labels/${made[i].id}/reviews`, { score })
  const trows = (await listAll(base, adminCookie, `/datasets/${tickets.id}/data-rows`)).reverse()
  const topics = ['Shipping', 'Account', 'Bug', 'Shipping', 'Billing']
  for (let i = 0; i < topics.length; i++) {
    await api(base, lee, 'POST', `/projects/${ticketProject.id}/labels`, { data_row_id: trows[i].id, seconds_to_create: 8 + i, annotations: { classifications: [{ name: 'Topic', radio_answer: { name: topics[i] } }] } })
  }
  console.log('seed: created 3 projects with batches, 14 labels and 4 reviews')
}

/** A small PNG (street-like colour blocks), encoded by hand: no image library needed. */
export function demoPng(w, h, seed) {
  const rnd = (n) => ((seed * 9301 + n * 49297) % 233280) / 233280
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0
    for (let x = 0; x < w; x++) {
      const sky = y < h * 0.45
      let [r, g, b] = sky ? [120 + seed * 8, 170, 220] : [90, 90, 95]
      if (!sky && Math.abs(x - w / 2) < 2 && (y % 12) < 6) [r, g, b] = [240, 240, 240]
      const cx = Math.floor(rnd(1) * (w * 0.7))
      if (y > h * 0.5 && y < h * 0.5 + h / 5 && x > cx && x < cx + w / 4) [r, g, b] = seed % 2 ? [200, 40, 40] : [40, 80, 200]
      const o = y * (w * 3 + 1) + 1 + x * 3
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(td) >>> 0 : crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

function crc32(buf) {
  let c, crc = 0xffffffff
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}

// `npm run seed` against an already running server.
if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2] ?? 'http://127.0.0.1:8787'
  seed(base).then((l) => console.log(`seeded; log in at ${base} as ${l.email} / ${l.password}`))
}
