// A project's Members settings: the add-member picker is a bounded list with a search, used with
// the keyboard only — type part of a name or email, Tab to the narrowed select, choose, add.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, openBrowser, shot } from './browser.mjs'
import { DEMO, seed } from '../../scripts/seed.mjs'

test('project settings: find a member by typing, choose and add with the keyboard', async () => {
  await seed(BASE)
  const b = await openBrowser()
  const { page } = b
  let added
  let pat
  try {
    await page.goto(`${BASE}/login`)
    await page.fill('#f-email', DEMO.email)
    await page.fill('#f-password', DEMO.password)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/projects$/)
    const get = async (path) => (await page.request.get(`${BASE}/api/v1${path}`)).json()
    pat = (await get('/members?search=pat.project')).items[0]
    assert.ok(pat, 'the demo organization has its project-based member')
    // A project Pat has no role in.
    let target
    for (const p of (await get('/projects?limit=200')).items) {
      if (!(await get(`/projects/${p.id}/members`)).some((m) => m.user_id === pat.user_id)) {
        target = p
        break
      }
    }
    assert.ok(target, 'a project without Pat')
    added = target.id
    await page.goto(`${BASE}/projects/${target.id}/settings/members`)
    await page.waitForSelector('#f-member-search')

    await page.focus('#f-member-search')
    await page.keyboard.type('pat.pro')
    await page.waitForFunction(() => document.querySelectorAll('#f-user_id option').length === 1)
    assert.match(await page.textContent('#member-picker-status'), /1 member matches “pat\.pro”/)
    assert.equal(await page.inputValue('#f-user_id'), pat.user_id)
    // Enter in the search field searches: it never adds anyone.
    await Promise.all([page.waitForURL(/member_search=pat\.pro/), page.keyboard.press('Enter')])
    await page.waitForSelector('#f-member-search')
    assert.equal(await page.inputValue('#f-user_id'), pat.user_id)
    assert.equal((await get(`/projects/${target.id}/members`)).filter((m) => m.user_id === pat.user_id).length, 0)

    // Tab leaves the search for the narrowed select, then the role; the button adds.
    await page.focus('#f-member-search')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-user_id')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-role')
    await page.selectOption('#f-role', 'REVIEWER')
    await page.focus('.add-member button[type=submit]')
    await page.keyboard.press('Enter')
    await page.waitForSelector(`#pm-${pat.user_id}`)
    await shot(page, 'project-members-added')
    const now = (await get(`/projects/${target.id}/members`)).find((m) => m.user_id === pat.user_id)
    assert.deepEqual([now.role, now.access_from], ['REVIEWER', 'PROJECT'])
    assert.deepEqual(b.consoleErrors, [])
    assert.deepEqual(b.offsite, [])
  } finally {
    // The demo organization is shared by the browser tests: Pat leaves the project again.
    if (added)
      await page.request
        .delete(`${BASE}/api/v1/projects/${added}/members/${pat?.user_id ?? ''}`, { headers: { Origin: BASE } })
        .catch(() => {})
    await b.close()
  }
})
