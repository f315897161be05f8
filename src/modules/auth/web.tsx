/** @module /login, /signup, /logout (HTML forms, also used by tests to bootstrap sessions). */
import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { AppError } from '../../lib/errors'
import { readForm, safeNext } from '../../lib/forms'
import { clientIp } from '../../lib/client-ip'
import { renderDocument } from '../../lib/render'
import { validationError } from '../../lib/validate'
import { LoginPage, SignupPage } from '../../../views/auth/login'
import { LoginInput, SignupInput } from './schemas'
import { login, logout, signup, type NewSession } from './service'
import { SESSION_COOKIE } from '../../auth/session'

/** `Secure` is the deployment's setting (SECURE_COOKIES in wrangler.toml), not the request's URL
 * alone: behind a proxy or a misrouted http hop the cookie must still never travel in clear. */
export const secureCookies = (c: Context<AppEnv>) => c.env.SECURE_COOKIES !== 'false' || new URL(c.req.url).protocol === 'https:'

export function setSessionCookie(c: Context<AppEnv>, s: NewSession) {
  setCookie(c, SESSION_COOKIE, s.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies(c),
    path: '/',
    expires: s.expiresAt,
  })
}

export const authWeb = new Hono<AppEnv>()

authWeb.get('/', (c) => c.redirect(c.var.actor ? '/projects' : '/login', 303))

authWeb.get('/login', (c) => {
  if (c.var.actor) return c.redirect(safeNext(c.req.query('next')), 303)
  const notice = c.req.query('logged_out') === '1' ? 'You have been logged out.' : undefined
  return renderDocument(c, <LoginPage next={c.req.query('next')} notice={notice} />)
})

authWeb.post('/login', async (c) => {
  const form = await readForm(c)
  const values = { email: form.email ?? '' }
  const parsed = v.safeParse(LoginInput, { email: form.email ?? '', password: form.password ?? '' })
  try {
    if (!parsed.success) throw validationError(parsed.issues)
    const session = await login(c.var.db, c.env, parsed.output, clientIp(c))
    setSessionCookie(c, session)
    return c.redirect(safeNext(form.next), 303)
  } catch (e) {
    if (!(e instanceof AppError) || !['VALIDATION', 'UNAUTHORIZED', 'RATE_LIMITED'].includes(e.code)) throw e
    if (e.retryAfter) c.header('Retry-After', String(e.retryAfter))
    const status = e.code === 'UNAUTHORIZED' ? 401 : e.code === 'RATE_LIMITED' ? 429 : 422
    const message = e.code === 'VALIDATION' ? undefined : e.detail
    return renderDocument(
      c,
      <LoginPage next={form.next} state={{ values, errors: e.code === 'VALIDATION' ? e.errors : [], message }} />,
      status,
    )
  }
})

authWeb.get('/signup', (c) => {
  if (c.var.actor) return c.redirect('/projects', 303)
  return renderDocument(c, <SignupPage />)
})

authWeb.post('/signup', async (c) => {
  const form = await readForm(c)
  const values = { full_name: form.full_name ?? '', email: form.email ?? '', organization_name: form.organization_name ?? '' }
  const parsed = v.safeParse(SignupInput, { ...values, password: form.password ?? '' })
  try {
    if (!parsed.success) throw validationError(parsed.issues)
    const session = await signup(c.var.db, c.env, parsed.output, clientIp(c))
    setSessionCookie(c, session)
    return c.redirect('/projects', 303)
  } catch (e) {
    if (!(e instanceof AppError) || !['VALIDATION', 'RATE_LIMITED'].includes(e.code)) throw e
    if (e.retryAfter) c.header('Retry-After', String(e.retryAfter))
    const message = e.code === 'RATE_LIMITED' ? e.detail : undefined
    return renderDocument(c, <SignupPage state={{ values, errors: e.errors, message }} />, e.code === 'RATE_LIMITED' ? 429 : 422)
  }
})

authWeb.post('/logout', async (c) => {
  const token = getCookie(c, SESSION_COOKIE)
  if (token) await logout(c.var.db, token)
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookies(c) })
  return c.redirect('/login?logged_out=1', 303)
})
