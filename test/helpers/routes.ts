/**
 * Every protected route, described once: which permission it needs, how to make a fresh target
 * in a given organization, and what success looks like. The generated permission tests and the
 * shared security suite both iterate this list. Add your routes here when you add routes.
 */
import type { Action } from '../../src/auth/permissions'
import type { TestOrg, TestUser } from './factories'
import { makeApiKey, makeUser, unique } from './factories'
import { call } from './harness'

export type Target = {
  path: string
  json?: unknown
  form?: Record<string, string>
  /** Who owns the target, for owner-or-admin and own-vs-anyone rules. */
  ownerId?: string
  /** A raw body (imports) with its headers, instead of json/form. */
  body?: string
  headers?: Record<string, string>
}

export type RouteCase = {
  name: string
  surface: 'api' | 'html'
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** The permission the route needs (for "own vs anyone" routes: given the target). */
  action: (actor: TestUser, target: Target) => Action
  /** A fresh target in `org`; `actor` is who will call (for routes about one's own things). */
  prepare: (o: { org: TestOrg; admin: TestUser; actor: TestUser }) => Promise<Target>
  /** The path has an id that can belong to another organization (→ 404 across orgs). */
  hasTarget: boolean
  /** Who may see the target, when it is narrower than the action's own rule (someone else's label). */
  seeAction?: Action
}

const OK = new Set([200, 201, 202, 204, 303])
export const isOk = (status: number) => OK.has(status)

const fresh = (org: TestOrg) => makeUser(org, 'LABELER')
async function freshInvitation(admin: TestUser): Promise<string> {
  const res = await call(
    'POST',
    '/api/v1/invitations',
    { cookie: admin.cookie },
    { json: { email: `${unique('inv')}@example.com`, role: 'LABELER' } },
  )
  if (res.status !== 201) throw new Error(`invitation setup failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

export const ROUTES: RouteCase[] = [
  // Account
  {
    name: 'GET /api/v1/me',
    surface: 'api',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/me' }),
  },
  {
    name: 'PATCH /api/v1/me',
    surface: 'api',
    method: 'PATCH',
    action: () => 'account.edit',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/me', json: { full_name: 'Renamed Person' } }),
  },
  {
    name: 'GET /account',
    surface: 'html',
    method: 'GET',
    action: () => 'account.view',
    hasTarget: false,
    prepare: async () => ({ path: '/account' }),
  },
  {
    name: 'POST /account',
    surface: 'html',
    method: 'POST',
    action: () => 'account.edit',
    hasTarget: false,
    prepare: async () => ({ path: '/account', form: { full_name: 'Renamed Person' } }),
  },
  // API keys
  {
    name: 'GET /api/v1/api-keys',
    surface: 'api',
    method: 'GET',
    action: () => 'api_key.view_own',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/api-keys' }),
  },
  {
    name: 'POST /api/v1/api-keys',
    surface: 'api',
    method: 'POST',
    action: () => 'api_key.manage_own',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/api-keys', json: { name: 'ci key' } }),
  },
  {
    name: 'DELETE /api/v1/api-keys/{own}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'api_key.manage_own',
    hasTarget: true,
    prepare: async ({ actor }) => ({ path: `/api/v1/api-keys/${(await makeApiKey(actor)).id}`, ownerId: actor.id }),
  },
  {
    name: "DELETE /api/v1/api-keys/{someone else's}",
    surface: 'api',
    method: 'DELETE',
    action: () => 'api_key.revoke_any',
    hasTarget: true,
    prepare: async ({ org }) => {
      const other = await fresh(org)
      return { path: `/api/v1/api-keys/${(await makeApiKey(other)).id}`, ownerId: other.id }
    },
  },
  {
    name: 'GET /account/api',
    surface: 'html',
    method: 'GET',
    action: () => 'api_key.view_own',
    hasTarget: false,
    prepare: async () => ({ path: '/account/api' }),
  },
  {
    name: 'POST /account/api',
    surface: 'html',
    method: 'POST',
    action: () => 'api_key.manage_own',
    hasTarget: false,
    prepare: async () => ({ path: '/account/api', form: { name: 'browser key', expires_in_days: '30' } }),
  },
  {
    name: "POST /account/api/{someone else's}/revoke",
    surface: 'html',
    method: 'POST',
    action: () => 'api_key.revoke_any',
    hasTarget: true,
    prepare: async ({ org }) => {
      const other = await fresh(org)
      return { path: `/account/api/${(await makeApiKey(other)).id}/revoke`, form: {}, ownerId: other.id }
    },
  },
  // Members
  {
    name: 'GET /api/v1/members',
    surface: 'api',
    method: 'GET',
    action: () => 'member.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/members' }),
  },
  {
    name: 'GET /api/v1/invitations',
    surface: 'api',
    method: 'GET',
    action: () => 'member.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/invitations' }),
  },
  {
    name: 'GET /members',
    surface: 'html',
    method: 'GET',
    action: () => 'member.view',
    hasTarget: false,
    prepare: async () => ({ path: '/members' }),
  },
  {
    name: 'GET /members/invitations',
    surface: 'html',
    method: 'GET',
    action: () => 'member.view',
    hasTarget: false,
    prepare: async () => ({ path: '/members/invitations' }),
  },
  {
    name: 'PATCH /api/v1/members/{id}',
    surface: 'api',
    method: 'PATCH',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ org }) => ({ path: `/api/v1/members/${(await fresh(org)).id}`, json: { role: 'REVIEWER' } }),
  },
  {
    name: 'DELETE /api/v1/members/{id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ org }) => ({ path: `/api/v1/members/${(await fresh(org)).id}` }),
  },
  {
    name: 'POST /api/v1/invitations',
    surface: 'api',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/invitations', json: { email: `${unique('new')}@example.com`, role: 'LABELER' } }),
  },
  {
    name: 'POST /api/v1/invitations/{id}/resend',
    surface: 'api',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/invitations/${await freshInvitation(admin)}/resend` }),
  },
  {
    name: 'DELETE /api/v1/invitations/{id}',
    surface: 'api',
    method: 'DELETE',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/api/v1/invitations/${await freshInvitation(admin)}` }),
  },
  {
    name: 'POST /members/invitations',
    surface: 'html',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/members/invitations', form: { email: `${unique('new')}@example.com`, role: 'LABELER' } }),
  },
  {
    name: 'POST /members/{id}/role',
    surface: 'html',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ org }) => ({ path: `/members/${(await fresh(org)).id}/role`, form: { role: 'REVIEWER' } }),
  },
  {
    name: 'POST /members/{id}/remove',
    surface: 'html',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ org }) => ({ path: `/members/${(await fresh(org)).id}/remove`, form: {} }),
  },
  {
    name: 'POST /members/invitations/{id}/resend',
    surface: 'html',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/members/invitations/${await freshInvitation(admin)}/resend`, form: {} }),
  },
  {
    name: 'POST /members/invitations/{id}/revoke',
    surface: 'html',
    method: 'POST',
    action: () => 'member.manage',
    hasTarget: true,
    prepare: async ({ admin }) => ({ path: `/members/invitations/${await freshInvitation(admin)}/revoke`, form: {} }),
  },
  // Webhooks
  {
    name: 'GET /api/v1/webhooks',
    surface: 'api',
    method: 'GET',
    action: () => 'webhook.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/webhooks' }),
  },
  {
    name: 'POST /api/v1/webhooks',
    surface: 'api',
    method: 'POST',
    action: () => 'webhook.manage',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/webhooks', json: { url: 'https://hooks.example.com/labeldesk', topics: ['LABEL_CREATED'] } }),
  },
  {
    name: 'GET /account/webhooks',
    surface: 'html',
    method: 'GET',
    action: () => 'webhook.view',
    hasTarget: false,
    prepare: async () => ({ path: '/account/webhooks' }),
  },
  // Usage
  {
    name: 'GET /api/v1/usage',
    surface: 'api',
    method: 'GET',
    action: () => 'usage.view',
    hasTarget: false,
    prepare: async () => ({ path: '/api/v1/usage?start_date=2026-11-01&end_date=2026-12-01' }),
  },
  {
    name: 'GET /account/usage',
    surface: 'html',
    method: 'GET',
    action: () => 'usage.view',
    hasTarget: false,
    prepare: async () => ({ path: '/account/usage' }),
  },
]

/** Actions that have no route yet (their issue has not landed). The generated tests fail when an
 * action is in neither list, so a new action cannot ship without route coverage. */
export const NO_ROUTE_YET: Action[] = []

/** Actions that decide what a list shows rather than whether a route answers (see list tests). */
export const LIST_ONLY: Action[] = ['api_key.view_any', 'project.view_performance']

import { PROJECT_ROUTES } from './routes-projects'
import { LABEL_ROUTES, TASK_ROUTES } from './routes-labels'
import { DATASET_ROUTES } from './routes-datasets'
import { INTEGRATION_ROUTES } from './routes-integrations'
import { ACCOUNT_EXTRA_ROUTES, TASK_PAGE_ROUTES } from './routes-tasks'

/** Every route case of every module. */
export const ALL_ROUTES: RouteCase[] = [
  ...ROUTES,
  ...PROJECT_ROUTES,
  ...LABEL_ROUTES,
  ...TASK_ROUTES,
  ...TASK_PAGE_ROUTES,
  ...ACCOUNT_EXTRA_ROUTES,
  ...DATASET_ROUTES,
  ...INTEGRATION_ROUTES,
]
