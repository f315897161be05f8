import { beforeAll, describe, expect, it } from 'vitest'
import { call, json, sessionCookie } from '../helpers/harness'
import { PASSWORD, seedTwoOrgs, unique } from '../helpers/factories'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})

const signupForm = (over: Record<string, string> = {}) => ({
  full_name: 'Ada Lovelace',
  email: `${unique('ada')}@example.com`,
  password: 'long-enough-pass',
  organization_name: 'Analytical Engines',
  ...over,
})

describe('sign-up', () => {
  it('creates the organization and its first member as ADMIN, with a session', async () => {
    const form = signupForm()
    const res = await call('POST', '/signup', undefined, { form })
    expect(res.status).toBe(303)
    expect(res.headers.get('Location')).toBe('/projects')
    const setCookie = res.headers.get('Set-Cookie')!
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Lax/i)
    const me = await json(await call('GET', '/api/v1/me', { cookie: sessionCookie(res) }))
    expect(me.user.email).toBe(form.email)
    expect(me.role).toBe('ADMIN')
    expect(me.organization.name).toBe('Analytical Engines')
    expect(me.organization.id).toMatch(/^org_/)
    const page = await call('GET', '/projects', { cookie: sessionCookie(res) })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Analytical Engines')
  })

  it('refuses a short password and a taken email inline, keeping the fields', async () => {
    const short = await call('POST', '/signup', undefined, { form: signupForm({ password: 'short', full_name: 'Keep Me' }) })
    expect(short.status).toBe(422)
    const html = await short.text()
    expect(html).toContain('at least 10 characters')
    expect(html).toContain('value="Keep Me"')
    expect(html).not.toContain('value="short"')

    const taken = await call('POST', '/signup', undefined, { form: signupForm({ email: orgs.orgA.ADMIN.email }) })
    expect(taken.status).toBe(422)
    expect(await taken.text()).toContain('already exists')
  })

  it('refuses a malformed email and missing fields without a 500', async () => {
    const res = await call('POST', '/signup', undefined, { form: { email: 'not-an-email' } })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Enter a valid email address')
    expect(html).toContain('Full name is required')
  })

  it('refuses a form post from another origin (CSRF)', async () => {
    const res = await call('POST', '/signup', undefined, { form: signupForm(), origin: 'https://evil.example' })
    expect(res.status).toBe(403)
  })

  it('answers a wrong content type with 415, not 500', async () => {
    const res = await call('POST', '/login', undefined, { json: { email: 'a' } })
    expect(res.status).toBe(415)
  })
})

describe('login and logout', () => {
  it('logs in with the right password and out again, ending the session server-side', async () => {
    const u = orgs.orgA.LABELER
    const res = await call('POST', '/login', undefined, { form: { email: u.email.toUpperCase(), password: PASSWORD, next: '/members' } })
    expect(res.status).toBe(303)
    expect(res.headers.get('Location')).toBe('/members')
    const cookie = sessionCookie(res)
    expect((await call('GET', '/api/v1/me', { cookie })).status).toBe(200)
    const out = await call('POST', '/logout', { cookie })
    expect(out.status).toBe(303)
    expect(out.headers.get('Location')).toMatch(/^\/login/)
    // The old cookie no longer works even if the browser kept it.
    expect((await call('GET', '/api/v1/me', { cookie })).status).toBe(401)
    const page = await call('GET', '/projects', { cookie })
    expect(page.status).toBe(303)
    expect(page.headers.get('Location')).toBe('/login?next=%2Fprojects')
  })

  it('gives the same 401 message for a wrong password and an unknown email', async () => {
    const wrong = await call('POST', '/login', undefined, { form: { email: orgs.orgA.REVIEWER.email, password: 'nope-nope-nope' } })
    const unknown = await call('POST', '/login', undefined, {
      form: { email: `${unique('ghost')}@example.com`, password: 'nope-nope-nope' },
    })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const a = (await wrong.text()).replace(/value="[^"]*"/g, '').replace(/req_[A-Z0-9]+/g, '')
    const b = (await unknown.text()).replace(/value="[^"]*"/g, '').replace(/req_[A-Z0-9]+/g, '')
    expect(a).toContain('Email or password is incorrect')
    expect(a).toBe(b)
  })

  it('ignores an open redirect in next', async () => {
    const u = orgs.orgA.REVIEWER
    const res = await call('POST', '/login', undefined, { form: { email: u.email, password: PASSWORD, next: '//evil.example/x' } })
    expect(res.headers.get('Location')).toBe('/projects')
  })

  it('rate-limits failed logins per email (429 with Retry-After), even with the right password', async () => {
    const u = orgs.orgB.LABELER
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', '/login', undefined, { form: { email: u.email, password: `wrong-${i}-password` } })
      expect(r.status).toBe(401)
    }
    const limited = await call('POST', '/login', undefined, { form: { email: u.email, password: PASSWORD } })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await limited.text()).toContain('Too many login attempts')
  })

  it('rate-limits per IP across emails', async () => {
    const headers = { 'CF-Connecting-IP': '203.0.113.9' }
    for (let i = 0; i < 50; i++) {
      await call('POST', '/login', undefined, { form: { email: `${unique('spray')}@example.com`, password: 'whatever-123' }, headers })
    }
    const r = await call('POST', '/login', undefined, { form: { email: orgs.orgB.REVIEWER.email, password: PASSWORD }, headers })
    expect(r.status).toBe(429)
  })
})

describe('shell and headers', () => {
  it('sends signed-out visitors to /login and serves secure headers with a request id', async () => {
    const res = await call('GET', '/members', undefined)
    expect(res.status).toBe(303)
    expect(res.headers.get('Location')).toBe('/login?next=%2Fmembers')
    const login = await call('GET', '/login', undefined)
    expect(login.status).toBe(200)
    expect(login.headers.get('X-Request-Id')).toMatch(/^req_/)
    expect(login.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    expect(login.headers.get('X-Frame-Options')).toBeTruthy()
    expect(await login.text()).toMatch(/^<!DOCTYPE html>/)
  })

  it('answers an htmx request for a protected page with HX-Redirect to login', async () => {
    const res = await call('GET', '/projects', undefined, { htmx: true })
    expect(res.headers.get('HX-Redirect')).toMatch(/^\/login/)
  })

  it('renders the shell with nav, Tasks menu and account menu', async () => {
    const html = await (await call('GET', '/projects', { cookie: orgs.orgA.ADMIN.cookie })).text()
    for (const s of ['Projects', 'Members', 'Datasets', 'Tasks', 'Account', 'Log out', orgs.a.name, '/vendor/htmx.min.js'])
      expect(html).toContain(s)
    expect(html).toContain('hx-get="/tasks/menu"')
    const menu = await (await call('GET', '/tasks/menu', { cookie: orgs.orgA.ADMIN.cookie }, { htmx: true })).text()
    expect(menu).toContain('No tasks yet')
  })

  it('shows a 404 page for an unknown page', async () => {
    const res = await call('GET', '/nope', { cookie: orgs.orgA.ADMIN.cookie })
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('could not find that page')
  })
})
