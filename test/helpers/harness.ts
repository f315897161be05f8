/**
 * Talking to the Worker as a browser (session cookie + same-origin Origin) or as a program (API key).
 *
 * Requests go straight to the Worker's fetch handler (src/index.ts) with a fresh execution context,
 * not through `exports.default.fetch`: the test pool (vitest-pool-workers 0.15.1) answers each of
 * those with a new instance of its entrypoint wrapper, whose class wraps its prototype in one more
 * Proxy per instance, so every request was slower than the one before (a file's thousandth request
 * took ~1 s). What a request leaves behind is settled after each test (test/setup/settle.ts): its
 * `waitUntil` work is awaited and a response body nobody read is cancelled, so no stream or
 * background job is still running when the file's storage is torn down.
 */
import { env } from 'cloudflare:workers'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { expect, vi } from 'vitest'
import worker from '../../src/index'
import type { Env } from '../../src/env'

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
  return dispatch(new Request(ORIGIN + path, { method, headers, body, redirect: 'manual' }))
}

const pendingWork = new Set<Promise<unknown>>()
const openResponses = new Set<Response>()

/** Hands `request` to the Worker's fetch handler (with `e` as its env) the way the runtime does. */
export async function dispatch(request: Request, e: Env = env as unknown as Env): Promise<Response> {
  const ctx = createExecutionContext()
  let res: Response
  try {
    res = await worker.fetch(request as Parameters<typeof worker.fetch>[0], e, ctx)
  } finally {
    const work = waitOnExecutionContext(ctx)
    pendingWork.add(work)
    work.then(
      () => pendingWork.delete(work),
      () => undefined,
    )
  }
  if (res.body) {
    openResponses.add(res)
    // Downloads (NDJSON, CSV) are UTF-8 text that tests read with .text(); workerd warns on every
    // .text() of a body whose type is not text/* ("will probably be corrupted"), so decode it here.
    Object.defineProperty(res, 'text', { value: async () => new TextDecoder().decode(await res.arrayBuffer()) })
  }
  return res
}

/**
 * Ends what this test's requests left running: cancels response bodies nobody read (downloads,
 * Server-Sent Events) and waits for their `waitUntil` work. A failed `waitUntil` fails the test.
 */
export async function settleRequests(timeoutMs = 20_000): Promise<void> {
  for (const res of openResponses) if (!res.bodyUsed && !res.body!.locked) await res.body!.cancel().catch(() => undefined)
  openResponses.clear()
  const errors: unknown[] = []
  const deadline = Date.now() + timeoutMs
  while (pendingWork.size) {
    const batch = [...pendingWork]
    pendingWork.clear()
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))
    })
    const r = await Promise.race([Promise.allSettled(batch), late])
    clearTimeout(timer)
    if (r === 'late')
      throw new Error(`${batch.length} waitUntil promise(s) of this test's requests did not settle within ${timeoutMs / 1000} s`)
    for (const x of r) if (x.status === 'rejected') errors.push(x.reason)
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length) throw new AggregateError(errors, `${errors.length} waitUntil promises of this test's requests failed`)
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
  await vi.waitFor(
    async () => {
      t = await json(await call('GET', `/api/v1/tasks/${id}`, auth))
      expect(['COMPLETE', 'FAILED']).toContain(t.status)
    },
    { timeout, interval: 250 },
  )
  return t
}
