// A real HTTP receiver on 127.0.0.1 for the webhook tests, running in Node outside workerd.
// Every request is recorded per path; a path can be told to fail N times (503), to always answer a
// given status, or to stay silent. Control: POST /_control {path, fail?, status?, hang?}; read:
// GET /_requests?path=/x; reset: POST /_reset.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'

type Recorded = { method: string; path: string; headers: Record<string, string>; body: string; at: number }
type Behaviour = { fail?: number; failStatus?: number; status?: number; retryAfter?: string }

declare module 'vitest' {
  export interface ProvidedContext {
    receiverPort: number
  }
}

export default async function setup(project: TestProject) {
  const requests: Recorded[] = []
  const behaviours = new Map<string, Behaviour>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const body = Buffer.concat(chunks).toString('utf8')
      if (url.pathname === '/_control') {
        const b = JSON.parse(body) as Behaviour & { path: string }
        behaviours.set(b.path, b)
        return res.writeHead(204).end()
      }
      if (url.pathname === '/_requests') {
        const path = url.searchParams.get('path')
        res.writeHead(200, { 'Content-Type': 'application/json' })
        return res.end(JSON.stringify(requests.filter((r) => !path || r.path === path)))
      }
      const headers: Record<string, string> = {}
      for (const [k, val] of Object.entries(req.headers)) headers[k] = Array.isArray(val) ? val.join(', ') : String(val)
      requests.push({ method: req.method ?? '', path: url.pathname, headers, body, at: Date.now() })
      const b = behaviours.get(url.pathname) ?? {}
      if (b.fail && b.fail > 0) {
        b.fail--
        const h: Record<string, string> = {}
        if (b.retryAfter) h['Retry-After'] = b.retryAfter
        return res.writeHead(b.failStatus ?? 503, h).end('temporarily unavailable')
      }
      res.writeHead(b.status ?? 200, { 'Content-Type': 'text/plain' }).end(b.status && b.status >= 400 ? 'rejected by receiver' : 'ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  project.provide('receiverPort', (server.address() as AddressInfo).port)
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
