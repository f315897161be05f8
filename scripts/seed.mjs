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

  return { org: DEMO.org, email: DEMO.email, password: DEMO.password, others: DEMO.members.map((m) => m.email) }
}

// `npm run seed` against an already running server.
if (import.meta.url === `file://${process.argv[1]}`) {
  const base = process.argv[2] ?? 'http://127.0.0.1:8787'
  seed(base).then((l) => console.log(`seeded; log in at ${base} as ${l.email} / ${l.password}`))
}
