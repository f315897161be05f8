// Sign up → land on Projects → log out → log in, in a real Chromium.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'

test('sign up, land on Projects, log out, log in', async () => {
  const b = await openBrowser()
  const { page } = b
  try {
    const email = `${uniq('founder')}@example.com`
    await page.goto(`${BASE}/projects`)
    assert.match(page.url(), /\/login\?next=%2Fprojects$/)
    await page.click('text=Create an organization')
    await page.waitForURL(/\/signup$/)

    // A short password is refused inline, the other fields are kept.
    await page.fill('#f-full_name', 'Ada Lovelace')
    await page.fill('#f-email', email)
    await page.fill('#f-password', 'short')
    await page.fill('#f-organization_name', 'Analytical Engines')
    await page.click('button[type=submit]')
    await page.waitForSelector('text=Password must be at least 10 characters')
    assert.equal(await page.inputValue('#f-email'), email)
    await shot(page, 'signup-error')

    await page.fill('#f-password', 'a-long-password')
    await page.click('button[type=submit]')
    await page.waitForURL(/\/projects$/)
    await page.waitForSelector('h1:has-text("Projects")')
    assert.ok(await page.isVisible('text=Analytical Engines'))
    await shot(page, 'projects-empty')

    // Tasks menu opens with its empty state; it asks for its tasks each time it opens, never when
    // it closes.
    const menuFetches = []
    page.on('request', (r) => r.url().endsWith('/tasks/menu') && menuFetches.push(r.url()))
    const opened = () => Promise.all([page.waitForResponse((r) => r.url().endsWith('/tasks/menu')), page.click('#tasks-menu summary')])
    await opened()
    await page.waitForSelector('#tasks-menu-panel >> text=No tasks yet')
    assert.equal(menuFetches.length, 1)
    await page.click('#tasks-menu summary')
    assert.equal(await page.$eval('#tasks-menu', (d) => d.open), false)
    // A request the close started would have begun by now (the old trigger's did at once).
    await page.waitForTimeout(500)
    assert.equal(menuFetches.length, 1, 'closing the menu fetched it again')
    await opened()
    assert.equal(menuFetches.length, 2)
    await page.keyboard.press('Escape')

    // Log out from the account menu.
    await page.click('#account-menu summary')
    await page.click('text=Log out')
    await page.waitForURL(/\/login/)
    await page.waitForSelector('text=You have been logged out')

    // Wrong password: inline error, email kept.
    await page.fill('#f-email', email)
    await page.fill('#f-password', 'not-the-password')
    await page.click('button[type=submit]')
    await page.waitForSelector('text=Email or password is incorrect')
    assert.equal(await page.inputValue('#f-email'), email)

    await page.fill('#f-password', 'a-long-password')
    await page.press('#f-password', 'Enter')
    await page.waitForURL(/\/projects$/)
    await page.waitForSelector('h1:has-text("Projects")')
    await shot(page, 'logged-in')

    assert.deepEqual(b.offsite, [], 'no request leaves 127.0.0.1')
    assert.deepEqual(b.consoleErrors, [], 'no console errors (CSP, scripts)')
  } finally {
    await b.close()
  }
})
