// A real HTTP receiver on 127.0.0.1 for the webhook tests, running in Node outside workerd.
// Every request is recorded per path; a path can be told to fail N times (503) or to always answer a
// given status. Control: POST /_control {path, fail?, failStatus?, status?, retryAfter?}; read:
// GET /_requests?path=/x.
//
// It also serves a small DNS-over-HTTPS resolver (JSON API, like cloudflare-dns.com/dns-query) at
// GET /dns-query?name=…&type=A|AAAA, answering from DNS_TABLE below: this machine has no internet,
// and the SSRF guard's DNS check needs a resolver whose answers the tests know. Names not in the
// table are NXDOMAIN; `servfail.example.test` answers SERVFAIL. DoH queries are not recorded.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'

type Recorded = { method: string; path: string; headers: Record<string, string>; body: string; at: number }
type Behaviour = { fail?: number; failStatus?: number; status?: number; retryAfter?: string }

/** Host name → records. `cname` answers a CNAME step first, then the target's records. */
const DNS_TABLE: Record<string, { A?: string[]; AAAA?: string[]; cname?: string }> = {
  'public.example.test': { A: ['93.184.215.14'], AAAA: ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'] },
  'private.example.test': { A: ['10.0.0.1'] },
  'loopback6.example.test': { AAAA: ['::1'] },
  'metadata.example.test': { A: ['169.254.169.254'] },
  // One public and one private answer: any private answer refuses the target.
  'mixed.example.test': { A: ['93.184.215.14', '192.168.1.20'] },
  'alias.example.test': { cname: 'private.example.test' },
  'no-address.example.test': {},
}
const DNS_TYPES = { A: 1, AAAA: 28 } as const

function dohAnswer(name: string, type: string): { status: number; body: unknown } {
  const q = name.toLowerCase().replace(/\.$/, '')
  if (type !== 'A' && type !== 'AAAA') return { status: 400, body: { error: 'type must be A or AAAA' } }
  const Question = [{ name: q, type: DNS_TYPES[type] }]
  if (q === 'servfail.example.test') return { status: 200, body: { Status: 2, Question } }
  let entry = DNS_TABLE[q]
  if (!entry) return { status: 200, body: { Status: 3, Question } }
  const Answer: { name: string; type: number; TTL: number; data: string }[] = []
  let owner = q
  if (entry.cname) {
    Answer.push({ name: q, type: 5, TTL: 60, data: `${entry.cname}.` })
    owner = entry.cname
    entry = DNS_TABLE[entry.cname] ?? {}
  }
  for (const data of entry[type] ?? []) Answer.push({ name: owner, type: DNS_TYPES[type], TTL: 60, data })
  return {
    status: 200,
    body: { Status: 0, TC: false, RD: true, RA: true, AD: false, CD: false, Question, ...(Answer.length ? { Answer } : {}) },
  }
}

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
      if (url.pathname === '/dns-query') {
        // Like the public resolvers: the JSON API only for clients that ask for it.
        if (req.method !== 'GET' || !String(req.headers.accept ?? '').includes('application/dns-json')) return res.writeHead(415).end()
        const a = dohAnswer(url.searchParams.get('name') ?? '', url.searchParams.get('type') ?? 'A')
        res.writeHead(a.status, { 'Content-Type': 'application/dns-json' })
        return res.end(JSON.stringify(a.body))
      }
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
