// Every page, for people on phones and with screen readers: axe-core (npm, injected from
// node_modules, no CDN) on every page of the demo organization and of a fresh one, signed out too,
// asserting no critical or serious violation; each page at 390×844 and 1440×900 must be no wider
// than the viewport (tables scroll inside their card), with full-page screenshots of both widths in
// test/e2e/screenshots/a11y-*.png. /api/docs (vendored Swagger UI) is out of scope.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'
import { BASE, E2E_PASSWORD, uniq, visit } from './browser.mjs'
import { DEMO, seed } from '../../scripts/seed.mjs'

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const WIDTHS = [
  { width: 390, height: 844 },
  { width: 1440, height: 900 },
]
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Our own browser: the app's CSP allows only its own scripts, and axe is injected as an inline
 * script, so this context bypasses CSP (test/e2e/browser.mjs's does not, and checks it there). */
async function launch() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ARGS })
  const context = await browser.newContext({ bypassCSP: true, viewport: WIDTHS[1] })
  const page = await context.newPage()
  return { browser, context, page }
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
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
      return text ? JSON.parse(text) : null
    },
    [method, path, body],
  )

/** Axe on the page as it is now: the violations that matter (critical, serious), and all counts. */
async function runAxe(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE })
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary?.split('\n').slice(0, 3).join(' ') })),
    }))
  })
}

/** The page's width against the viewport, and the widest elements that stick out (to say why). */
const measure = (page) =>
  page.evaluate(() => {
    const vw = window.innerWidth
    const out = []
    // An element counts only when no ancestor clips it (a scroll box or overflow: hidden).
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p)
        if (s.overflowX !== 'visible') return true
      }
      return false
    }
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.right <= vw + 0.5) continue
      if (clipped(el)) continue
      const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.classList.length ? `.${[...el.classList].join('.')}` : '')
      out.push({ name, right: Math.round(r.right), width: Math.round(r.width) })
    }
    out.sort((a, b) => b.right - a.right)
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, widest: out.slice(0, 6) }
  })

/** page.evaluate has no timeout of its own. */
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, no) => setTimeout(() => no(new Error(`${what} took over ${ms / 1000}s`)), ms).unref())])

const results = []
const CHECKED = new Set(['critical', 'serious'])

/** One page at both widths: axe at each, the width check, a screenshot of each. */
async function check(page, name, url, prepare) {
  for (const size of WIDTHS) {
    try {
      await page.setViewportSize(size)
      // Once more if the first load hangs (visit, ./browser.mjs); the page is then checked as usual.
      if (url) await visit(page, url)
      if (prepare) await prepare(page)
      // htmx requests that a page starts on load (the Tasks badge, charts) settle first.
      await page.waitForLoadState('networkidle', { timeout: 2_000 }).catch(() => {})
      const violations = await within(runAxe(page), 60_000, 'axe')
      const width = await within(measure(page), 20_000, 'measure')
      console.log(`${name} @${size.width}: ${violations.length} violation kinds, ${width.scrollWidth}px wide`)
      await page.screenshot({ path: `test/e2e/screenshots/a11y-${name}-${size.width}.png`, fullPage: true })
      results.push({ name, url: url ?? page.url().replace(BASE, ''), width: size.width, violations, overflow: width })
    } catch (e) {
      results.push({
        name,
        url,
        width: size.width,
        error: e.message.split('\n')[0],
        violations: [],
        overflow: { scrollWidth: 0, innerWidth: 0, widest: [] },
      })
    }
  }
}

function report() {
  const lines = []
  const counts = { critical: 0, serious: 0, moderate: 0, minor: 0 }
  for (const r of results) {
    if (r.error) lines.push(`${r.name} (${r.url}) @${r.width}: could not check: ${r.error}`)
    for (const v of r.violations) {
      counts[v.impact] = (counts[v.impact] ?? 0) + v.nodes.length
      if (CHECKED.has(v.impact))
        for (const n of v.nodes)
          lines.push(`${r.name} (${r.url}) @${r.width}: ${v.impact} ${v.id} — ${v.help} — ${n.target} — ${n.summary ?? ''}`)
    }
    if (r.overflow.scrollWidth > r.overflow.innerWidth)
      lines.push(
        `${r.name} (${r.url}) @${r.width}: page is ${r.overflow.scrollWidth}px wide in a ${r.overflow.innerWidth}px viewport; sticking out: ${r.overflow.widest.map((w) => `${w.name} (right ${w.right}, width ${w.width})`).join(', ')}`,
      )
  }
  const moderate = [
    ...new Set(results.flatMap((r) => r.violations.filter((v) => !CHECKED.has(v.impact)).map((v) => `${v.impact} ${v.id}`))),
  ]
  writeFileSync('test/e2e/screenshots/a11y-report.json', JSON.stringify({ counts, results }, null, 2))
  console.log(
    `axe over ${results.length} page views: ${JSON.stringify(counts)}${moderate.length ? `; not failing the test: ${moderate.join(', ')}` : ''}`,
  )
  return lines
}

test('every page: axe has no critical or serious violation, and nothing is wider than a 390 px or 1440 px viewport', {
  timeout: 30 * 60_000,
}, async () => {
  // The seed is idempotent; on a loaded machine the local worker sometimes restarts mid-upload.
  for (let i = 1; ; i++) {
    try {
      await seed(BASE)
      break
    } catch (e) {
      if (i === 3) throw e
      console.log(`seed: retrying after ${e.message}`)
    }
  }
  const { browser, page } = await launch()
  try {
    // Signed out.
    await check(page, 'login', '/login')
    await check(page, 'login-error', null, async (p) => {
      await p.goto(`${BASE}/login`)
      await p.fill('#f-email', 'nobody@example.com')
      await p.fill('#f-password', 'wrong-password-1')
      await p.click('button[type=submit]')
      await p.waitForSelector('.alert, .field.has-error')
    })
    await check(page, 'signup', '/signup')
    await check(page, 'error-signed-out', '/no-such-page')

    // A fresh organization: empty states everywhere, then one project and one of each account thing.
    await page.goto(`${BASE}/signup`)
    await page.fill('#f-full_name', 'Ada Accessible')
    await page.fill('#f-email', `${uniq('ada')}@example.com`)
    await page.fill('#f-password', E2E_PASSWORD)
    await page.fill('#f-organization_name', 'Small Screens Ltd')
    await page.click('button[type=submit]')
    await page.waitForURL(/\/projects$/)
    for (const [name, url] of [
      ['fresh-projects', '/projects'],
      ['fresh-datasets', '/datasets'],
      ['fresh-members', '/members'],
      ['fresh-tasks', '/tasks'],
      ['fresh-usage', '/account/usage'],
      ['fresh-api-keys', '/account/api'],
      ['fresh-webhooks', '/account/webhooks'],
      ['fresh-integrations', '/account/integrations'],
    ])
      await check(page, name, url)
    const project = await api(page, 'POST', '/projects', {
      name: 'An empty project with a rather long name to see how it wraps on a phone',
      media_type: 'IMAGE',
      ontology: {
        tools: [{ name: 'Car', tool: 'bounding_box' }],
        classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rain' }] }],
      },
    })
    await check(page, 'fresh-project', `/projects/${project.id}`)
    await check(page, 'fresh-project-data', `/projects/${project.id}/settings/data`)
    await check(page, 'fresh-label-empty', `/projects/${project.id}/label`)
    await check(page, 'fresh-review-empty', `/projects/${project.id}/review`)
    const dataset = await api(page, 'POST', '/datasets', { name: 'Nothing yet' })
    await check(page, 'fresh-dataset', `/datasets/${dataset.id}`)
    const hook = await api(page, 'POST', '/webhooks', {
      url: 'https://hooks.example.com/labeldesk',
      topics: ['LABEL_CREATED', 'TASK_COMPLETED'],
    })
    await check(page, 'fresh-webhook', `/account/webhooks/${hook.id}`)
    const integration = await api(page, 'POST', '/integrations', {
      provider: 'AWS',
      name: 'Street cameras',
      role_arn: 'arn:aws:iam::210987654321:role/LabelDeskAccess',
    })
    await check(page, 'fresh-integration', `/account/integrations/${integration.id}`)
    const invite = await api(page, 'POST', '/invitations', { email: `${uniq('bo')}@example.com`, role: 'LABELER' })
    await page.context().clearCookies()
    await check(page, 'invitation', new URL(invite.accept_url).pathname)

    // The demo organization: every page with data in it.
    await page.goto(`${BASE}/login`)
    await page.fill('#f-email', DEMO.email)
    await page.fill('#f-password', DEMO.password)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/projects$/)
    const projects = (await api(page, 'GET', '/projects')).items
    const street = projects.find((p) => p.name === 'Street objects')
    const tickets = projects.find((p) => p.name === 'Ticket triage')
    const datasets = (await api(page, 'GET', '/datasets?limit=100')).items
    const images = datasets.find((d) => d.name === 'Street images')
    const texts = datasets.find((d) => d.name === 'Support tickets')
    const imageRow = (await api(page, 'GET', `/datasets/${images.id}/data-rows?limit=1`)).items[0]
    const textRow = (await api(page, 'GET', `/datasets/${texts.id}/data-rows?limit=1`)).items[0]
    const streetLabel = (await api(page, 'GET', `/projects/${street.id}/labels?limit=1`)).items[0]
    for (const [name, url] of [
      ['projects', '/projects'],
      ['project-new', '/projects/new'],
      ['project', `/projects/${street.id}`],
      ['project-text', `/projects/${tickets.id}`],
      ['project-settings', `/projects/${street.id}/settings`],
      ['project-members', `/projects/${street.id}/settings/members`],
      ['project-data', `/projects/${street.id}/settings/data`],
      ['project-export', `/projects/${street.id}/export`],
      ['label', `/projects/${street.id}/label`],
      ['label-text', `/projects/${tickets.id}/label`],
      ['label-edit', `/projects/${street.id}/labels/${streetLabel.id}/edit`],
      ['review', `/projects/${street.id}/review`],
      ['members', '/members'],
      ['datasets', '/datasets'],
      ['dataset-new', '/datasets/new'],
      ['dataset', `/datasets/${images.id}`],
      ['dataset-text', `/datasets/${texts.id}`],
      ['data-row', `/datasets/${images.id}/rows/${imageRow.id}`],
      ['data-row-text', `/datasets/${texts.id}/rows/${textRow.id}`],
      ['dataset-add-to-project', `/datasets/${texts.id}/add-to-project?data_row_ids=${textRow.id}`],
      ['tasks', '/tasks'],
      ['account', '/account'],
      ['usage', '/account/usage'],
      ['api-keys', '/account/api'],
      ['webhooks', '/account/webhooks'],
      ['integrations', '/account/integrations'],
      ['permissions', '/docs/permissions'],
      ['error', '/projects/prj_does_not_exist'],
    ])
      await check(page, name, url)
    // Rows ticked on a dataset's page, its "Add to project" panel open.
    await check(page, 'dataset-picked', `/datasets/${texts.id}`, async (p) => {
      await p.check('[data-pick-all]')
      await p.click('[data-pick-submit]')
      await p.waitForSelector('#add-to-project [data-add-form]')
    })
    // The two menus of the top bar, open.
    await check(page, 'menu-tasks', '/projects', async (p) => {
      await p.click('#tasks-menu > summary')
      await p.waitForSelector('#tasks-menu-body:not(:has(.spinner))')
    })
    await check(page, 'menu-account', '/projects', (p) => p.click('#account-menu > summary'))
  } finally {
    await browser.close()
  }
  const problems = report()
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`)
})
