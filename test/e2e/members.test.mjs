// Invite → accept in a second browser context → the new member sees what their role allows;
// the admin changes their role and the member's pages reflect it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot, uniq } from './browser.mjs'

async function signUp(page, email) {
  await page.goto(`${BASE}/signup`)
  await page.fill('#f-full_name', 'Ada Admin')
  await page.fill('#f-email', email)
  await page.fill('#f-password', 'a-long-password')
  await page.fill('#f-organization_name', 'Invite Co')
  await page.click('button[type=submit]')
  await page.waitForURL(/\/projects$/)
}

test('invite, accept in a second context, change role', async () => {
  const b = await openBrowser()
  const { page } = b
  // A second, separate browser profile: its own cookies, like another person's browser.
  const b2 = await openBrowser()
  const second = b2.page
  try {
    await signUp(page, `${uniq('admin')}@example.com`)
    await page.click('nav >> text=Members')
    await page.waitForSelector('h1:has-text("Members")')

    const email = `${uniq('lee')}@example.com`
    await page.fill('#f-email', email)
    await page.selectOption('#f-role', 'LABELER')
    await page.click('#invite-card button[type=submit]')
    await page.waitForSelector('#invite-card .secret-box')
    const link = await page.inputValue('#invite-card .secret-box input')
    assert.match(link, /\/invitations\/[A-Za-z0-9_-]+$/)
    await page.waitForSelector(`#invitation-rows >> text=${email}`)
    await shot(page, 'members-invited')

    // The invited person opens the link in their own browser.
    await second.goto(link)
    await second.waitForSelector('text=Join Invite Co')
    await second.fill('#f-full_name', 'Lee Labeler')
    await second.fill('#f-password', 'another-long-pass')
    await second.click('button[type=submit]')
    await second.waitForURL(/\/projects$/)
    await second.goto(`${BASE}/members`)
    await second.waitForSelector('h1:has-text("Members")')
    assert.equal(await second.isVisible('text=Invite a member'), false, 'a labeler cannot invite')
    await second.goto(`${BASE}/account`)
    await second.waitForSelector('dd >> text=Labeler')

    // The admin promotes them; the list row updates in place.
    await page.goto(`${BASE}/members`)
    const row = page.locator('tr', { hasText: email })
    await row.locator('select').selectOption('ADMIN')
    await page.waitForFunction(
      (e) => [...document.querySelectorAll('tr')].some((tr) => tr.textContent.includes(e) && tr.querySelector('select')?.value === 'ADMIN'),
      email,
    )
    await shot(page, 'members-role-changed')

    // The member's pages now reflect the new role.
    await second.goto(`${BASE}/members`)
    await second.waitForSelector('text=Invite a member')
    await second.goto(`${BASE}/account`)
    await second.waitForSelector('dd >> text=Admin')
    await shot(second, 'member-now-admin')
    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b2.close()
    await b.close()
  }
})
