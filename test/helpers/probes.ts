/**
 * @module What the cross-organization and fuzz probes share: the JSON API's routes read from the
 * served OpenAPI document, the HTML routes read from the Hono app, and the route table's cases
 * keyed the same way, so a route that has no case is found by comparing the two.
 */
import { app } from '../../src/app'
import { call, type Auth } from './harness'
import { ALL_ROUTES, type RouteCase } from './routes'

export type OpenApi = {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; parameters?: Param[] }>>
}
export type Param = { name: string; in: string; required?: boolean; schema?: JsonSchema }
export type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  $ref?: string
  [k: string]: unknown
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** `METHOD /path/{}`: parameters and queries erased, so `{id}`, `:id` and `{someone else's}` agree. */
export const routeKey = (method: string, path: string) =>
  `${method.toUpperCase()} ${path
    .split('?')[0]!
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/:[A-Za-z_]+/g, '{}')}`

export async function openApi(auth: Auth): Promise<OpenApi> {
  const res = await call('GET', '/api/openapi.json', auth)
  if (res.status !== 200) throw new Error(`GET /api/openapi.json: ${res.status}`)
  return (await res.json()) as OpenApi
}

/** Every `METHOD /api/v1/...` the OpenAPI document describes. */
export function apiRouteKeys(doc: OpenApi): string[] {
  const out: string[] = []
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of METHODS) if (ops[m]) out.push(routeKey(m, path))
  return out.sort()
}

/** Every GET/POST page or fragment the app serves outside /api (Hono's own route list). */
export function htmlRouteKeys(): string[] {
  const keys = app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/api'))
    .map((r) => routeKey(r.method, r.path.replace(/\/$/, '') || '/'))
  return [...new Set(keys)].sort()
}

export const coveredKeys = (routes: RouteCase[] = ALL_ROUTES) =>
  new Set(routes.map((r) => routeKey(r.method, r.name.slice(r.name.indexOf(' ') + 1))))

/** Prefixed ids (`prj_01JD…`, src/lib/ids.ts) anywhere in a text. */
export const ID_PATTERN = /\b[a-z]{2,3}_[0-9A-HJKMNP-TV-Z]{26}\b/g
export const idsIn = (text: string) => [...new Set(text.match(ID_PATTERN) ?? [])]

/** Every UTF-8 byte of `s` percent-encoded: unlike encodeURIComponent, never throws (a lone surrogate becomes U+FFFD). */
export const pct = (s: string) => Array.from(new TextEncoder().encode(s), (b) => `%${b.toString(16).padStart(2, '0')}`).join('')
