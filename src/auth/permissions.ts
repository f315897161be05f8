/**
 * @module THE permission table (published to everyone at /docs/permissions), held once. Every service asks
 * `authorize()`/`can()`; list queries take their WHERE from the filters below; the generated
 * permission tests and the /docs/permissions page are derived from `PERMISSIONS`.
 * No route or service decides access any other way.
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Actor } from '../env'
import { projectMembers, projects } from '../db/schema'
import type { OrgRole, ProjectRole } from '../db/schema/columns'
import { forbidden, notFound } from '../lib/errors'

/** Lowest to highest. NONE = no org-wide role (project-based member) or no project access. */
export const ROLE_RANK: Record<OrgRole, number> = { NONE: 0, LABELER: 1, REVIEWER: 2, TEAM_MANAGER: 3, ADMIN: 4 }
export const RANKED_ROLES = ['LABELER', 'REVIEWER', 'TEAM_MANAGER', 'ADMIN'] as const
export type RankedRole = (typeof RANKED_ROLES)[number]

/**
 * How a rule's role is found:
 * - `project`: the role in that project (the org role, or for project-based members their project role);
 * - `org`: the org role (project-based members have none);
 * - `self`: anyone signed in, about themselves;
 * - `owner_or_admin`: the person who made the thing, or an org ADMIN.
 */
export type Scope = 'project' | 'org' | 'self' | 'owner_or_admin'

export type Rule = {
  /** What the rule allows, in the words /docs/permissions shows. */
  label: string
  min: RankedRole | null
  scope: Scope
  /** Changes something: refused to read-only API keys. */
  write: boolean
  /** Who may not do this but may see the thing gets 403; who may not even see it gets 404. This
   * names the action that decides "may see it" (none: the route's existence is no secret → 403). */
  seeAction?: string
}

export const PERMISSIONS = {
  'project.view': {
    label: 'See a project, its dashboard and data rows',
    min: 'LABELER',
    scope: 'project',
    write: false,
    seeAction: 'project.view',
  },
  'label.view_all': {
    label: "See other people's labels in a project",
    min: 'REVIEWER',
    scope: 'project',
    write: false,
    seeAction: 'project.view',
  },
  'label.review': { label: 'Review labels (accept / decline)', min: 'REVIEWER', scope: 'project', write: true, seeAction: 'project.view' },
  'label.create': {
    label: 'Label: create and edit own labels, skip',
    min: 'LABELER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'label.edit_any': {
    label: "Edit or delete someone else's label",
    min: 'REVIEWER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'project.view_performance': {
    label: 'See the performance of all project members',
    min: 'TEAM_MANAGER',
    scope: 'project',
    write: false,
    seeAction: 'project.view',
  },
  'project.manage_members': {
    label: 'Add, change, remove project members',
    min: 'TEAM_MANAGER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'export.create': {
    label: 'Generate an export; download an export of that project',
    min: 'TEAM_MANAGER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'label.import': { label: 'Import labels into a project', min: 'TEAM_MANAGER', scope: 'project', write: true, seeAction: 'project.view' },
  'batch.manage': {
    label: 'Attach / detach data (batches)',
    min: 'TEAM_MANAGER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'project.create': { label: 'Create a project', min: 'ADMIN', scope: 'org', write: true },
  'project.edit': {
    label: 'Edit project settings and ontology',
    min: 'TEAM_MANAGER',
    scope: 'project',
    write: true,
    seeAction: 'project.view',
  },
  'project.delete': { label: 'Delete a project', min: 'ADMIN', scope: 'org', write: true, seeAction: 'project.view' },
  'project.pin': { label: 'Pin / unpin a project (personal)', min: 'LABELER', scope: 'project', write: true, seeAction: 'project.view' },
  'dataset.view': { label: 'See datasets', min: 'LABELER', scope: 'org', write: false },
  'dataset.manage': { label: 'Create, upload to, delete datasets; import data rows', min: 'ADMIN', scope: 'org', write: true },
  'member.view': { label: 'See the member list', min: 'LABELER', scope: 'org', write: false },
  'member.manage': { label: 'Invite, remove members, change org roles, revoke invites', min: 'ADMIN', scope: 'org', write: true },
  'account.view': { label: 'Account details (own)', min: null, scope: 'self', write: false },
  'account.edit': { label: 'Edit own account details', min: null, scope: 'self', write: true },
  'api_key.view_own': { label: 'List own API keys', min: null, scope: 'self', write: false },
  'api_key.manage_own': {
    label: 'Create / revoke own API keys (a key creates only keys no stronger than itself)',
    min: null,
    scope: 'self',
    write: true,
  },
  'api_key.view_any': { label: "List anyone's API keys", min: 'ADMIN', scope: 'org', write: false },
  'api_key.revoke_any': { label: "Revoke anyone's API keys", min: 'ADMIN', scope: 'org', write: true, seeAction: 'api_key.view_any' },
  'usage.view': { label: 'Usage page, usage API, GraphQL usage', min: 'ADMIN', scope: 'org', write: false },
  'webhook.manage': { label: 'Webhooks', min: 'ADMIN', scope: 'org', write: true },
  'webhook.view': { label: 'See webhooks and their deliveries', min: 'ADMIN', scope: 'org', write: false },
  'integration.manage': { label: 'Integrations', min: 'ADMIN', scope: 'org', write: true },
  'integration.view': { label: 'See integrations', min: 'ADMIN', scope: 'org', write: false },
  'task.view': { label: 'See a task, download its result', min: 'ADMIN', scope: 'owner_or_admin', write: false, seeAction: 'task.view' },
} as const satisfies Record<string, Rule>

export type Action = keyof typeof PERMISSIONS
export const ACTIONS = Object.keys(PERMISSIONS) as Action[]

/** What a rule is checked against. */
export type Resource = {
  /** The actor's role in the project (see `projectRole`); required for `project` scope. */
  projectRole?: ProjectRole | OrgRole
  /** Who made the thing; required for `owner_or_admin` scope. */
  ownerId?: string
}

/** The actor's effective role in a project: the org role, or (project-based) the project role,
 * narrowed by the API key's role when the actor is a narrowed key. */
export function projectRole(
  actor: Pick<Actor, 'role'> & { keyRole?: OrgRole | null },
  memberProjectRole: ProjectRole | null | undefined,
): OrgRole {
  if (actor.role !== 'NONE') return actor.role
  return narrowRole(memberProjectRole ?? 'NONE', actor.keyRole ?? null)
}

const atLeast = (role: OrgRole | ProjectRole | undefined, min: RankedRole | null) =>
  min === null || ROLE_RANK[role ?? 'NONE'] >= ROLE_RANK[min]

/** The pure rule: may `actor` do `action` on `resource`? */
export function can(actor: Pick<Actor, 'role' | 'userId' | 'readOnly'>, action: Action, resource: Resource = {}): boolean {
  const rule: Rule = PERMISSIONS[action]
  if (rule.write && actor.readOnly) return false
  switch (rule.scope) {
    case 'self':
      return true
    case 'org':
      return atLeast(actor.role, rule.min)
    case 'project':
      return atLeast(resource.projectRole, rule.min)
    case 'owner_or_admin':
      return resource.ownerId === actor.userId || atLeast(actor.role, rule.min)
  }
}

/** Throws NOT_FOUND when the actor may not even see the thing, FORBIDDEN when they may see it but
 * not do this. `what` names the thing in the 404 message ("Project not found"). */
export function authorize(actor: Actor, action: Action, resource: Resource = {}, what = 'Resource'): void {
  if (can(actor, action, resource)) return
  const rule: Rule = PERMISSIONS[action]
  // Visibility ignores read-only: a read-only key may see what its role may see.
  if (rule.seeAction && !can({ ...actor, readOnly: false }, rule.seeAction as Action, resource)) throw notFound(what)
  if (rule.write && actor.readOnly) throw forbidden('This API key is read-only')
  throw forbidden()
}

/** An API key acts with its owner's current role or the key's narrower role, whichever is lower. */
export function narrowRole(ownerRole: OrgRole, keyRole: OrgRole | null): OrgRole {
  if (!keyRole) return ownerRole
  return ROLE_RANK[keyRole] < ROLE_RANK[ownerRole] ? keyRole : ownerRole
}

/** The rule for keys created with a key (src/modules/api-keys/service.ts enforces it), for the docs. */
export const KEY_FROM_KEY_RULE =
  "A key created with an API key is never stronger than that key: it gets at most that key's role (its role when none is asked for), is read-only if that key is, expires no later than it, and stops working when that key (or any key it came from) is revoked or expires. A narrowed key also caps a project-based member's project roles."

/** Roles a person may give an API key of theirs: their own role or lower. */
export function assignableKeyRoles(ownerRole: OrgRole): OrgRole[] {
  return (['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER'] as const).filter((r) => ROLE_RANK[r] <= ROLE_RANK[ownerRole])
}

/** For the docs page and the generated tests: who passes a rule, in words. */
export function describeMinimum(rule: Rule): string {
  switch (rule.scope) {
    case 'self':
      return 'anyone signed in'
    case 'owner_or_admin':
      return 'the person who started it, or ADMIN'
    case 'org':
      return `${rule.min} (org role)`
    case 'project':
      return `${rule.min} (in the project)`
  }
}

// List filters ---------------------------------------------------------------------------------

/**
 * The WHERE of every project list: the caller's organization, not being deleted, and for
 * project-based members only projects where they hold a role (`project.view` needs LABELER+).
 */
export function visibleProjectsWhere(actor: Pick<Actor, 'orgId' | 'role' | 'userId'>): SQL {
  const base = and(eq(projects.orgId, actor.orgId), isNull(projects.deletedAt))!
  if (actor.role !== 'NONE') return base
  return and(
    base,
    sql`EXISTS (SELECT 1 FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projects.id} AND ${projectMembers.userId} = ${actor.userId} AND ${projectMembers.role} <> 'NONE')`,
  )!
}
