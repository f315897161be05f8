// Launches Debian's Chromium (never a downloaded browser) with a fresh profile, and records every
// request that would leave 127.0.0.1 and every console error (CSP violations show up there).
import { chromium } from 'playwright-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BASE = process.env.E2E_BASE ?? 'http://127.0.0.1:8787'
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

export async function openBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'labeldesk-e2e-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    timeout: 60_000,
  })
  // Every wait and navigation gives up (and fails its test) rather than hang.
  context.setDefaultTimeout(30_000)
  context.setDefaultNavigationTimeout(30_000)
  const offsite = []
  const consoleErrors = []
  const watch = (page) => {
    // A navigation that hangs is tried once more, and says so in the output: wrangler dev's proxy
    // can hold a request until the next one arrives (BENCHMARKS.md, load scenario; seen about once
    // per clean-clone run, each time on a different page). A page that really hangs hangs twice.
    const goto = page.goto.bind(page)
    page.goto = async (url, opts = {}) => {
      try {
        return await goto(url, { ...opts, timeout: opts.timeout ?? 45_000 })
      } catch (e) {
        if (e?.name !== 'TimeoutError') throw e
        console.log(`# ${url}: the load hung (${String(e.message).split('\n')[0]}); loading it once more`)
        return goto(url, { ...opts, timeout: 90_000 })
      }
    }
    page.on('console', (m) => {
      // 4xx answers to forms (422, 401) are expected; anything else (CSP, script errors) is not.
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) consoleErrors.push(m.text())
    })
  }
  context.on('request', (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) offsite.push(r.url())
  })
  context.on('page', watch)
  for (const p of context.pages()) watch(p)
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    offsite,
    consoleErrors,
    async close() {
      await context.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Opens a page of the app, once more if the first load hangs: wrangler dev's proxy can hold a
 * request until the next one arrives (BENCHMARKS.md, load scenario), which is not the app's doing.
 * Waits for the document, then for `load` as long as it comes within 30 s.
 */
export async function visit(page, path) {
  await page
    .goto(`${BASE}${path}`, { waitUntil: 'domcontentloaded', timeout: 45_000 })
    .catch(() => page.goto(`${BASE}${path}`, { waitUntil: 'domcontentloaded', timeout: 90_000 }))
  await page.waitForLoadState('load', { timeout: 30_000 }).catch(() => {})
}

export const shot = (page, name) => page.screenshot({ path: `test/e2e/screenshots/${name}.png`, fullPage: true })
export const uniq = (p) => `${p}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`

export const E2E_PASSWORD = 'a-long-password'

/** Signs up a new organization in the browser and waits for the Projects tab. */
export async function signUp(page, { name, email = `${uniq('person')}@example.com`, org, password = E2E_PASSWORD }) {
  await page.goto(`${BASE}/signup`)
  await page.fill('#f-full_name', name)
  await page.fill('#f-email', email)
  await page.fill('#f-password', password)
  await page.fill('#f-organization_name', org)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/projects$/)
  return { email, password }
}
