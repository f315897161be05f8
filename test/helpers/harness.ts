/** Talking to the Worker as a browser (session cookie + same-origin Origin) or as a program (API key). */
import { exports } from 'cloudflare:workers'
import { expect, vi } from 'vitest'

export const ORIGIN = 'http://localhost'

export type Auth = { cookie?: string; key?: string } | undefined

export type Req = {
  json?: unknown
  form?: Record<string, string>
  body?: BodyInit
  headers?: Record<string, string>
  /** Simulate htmx (non-boosted) requests. */
  htmx?: boolean
  origin?: string | null
}

export async function call(method: string, path: string, auth: Auth, r: Req = {}): Promise<Response> {
  const headers: Record<string, string> = { ...r.headers }
  if (auth?.cookie) headers.Cookie = auth.cookie
  if (auth?.key) headers.Authorization = `Bearer ${auth.key}`
  if (r.origin !== null) headers.Origin = r.origin ?? ORIGIN
  if (r.htmx) headers['HX-Request'] = 'true'
  let body = r.body
  if (r.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(r.json)
  } else if (r.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(r.form).toString()
  }
  return exports.default.fetch(new Request(ORIGIN + path, { method, headers, body, redirect: 'manual' }))
}

export const asUser = (u: { cookie: string }) => ({ cookie: u.cookie })
export const asKey = (key: string) => ({ key })

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T
}

/** The cookie value a response sets, ready for a Cookie header. */
export function sessionCookie(res: Response): string {
  const set = res.headers.get('Set-Cookie') ?? ''
  const m = /ld_session=([^;]+)/.exec(set)
  if (!m) throw new Error(`no session cookie in ${set}`)
  return `ld_session=${m[1]}`
}

/** Polls GET /api/v1/tasks/{id} as `auth` until the task has ended (COMPLETE or FAILED); returns it. */
export async function waitForTask(id: string, auth: Auth, timeout = 90_000): Promise<any> {
  let t: any
  await vi.waitFor(async () => {
    t = await json(await call('GET', `/api/v1/tasks/${id}`, auth))
    expect(['COMPLETE', 'FAILED']).toContain(t.status)
  }, { timeout, interval: 250 })
  return t
}
