// The pure rules: every action × every role × read-only, against the product's permission table
// written out independently here (as /docs/permissions publishes it), so a typo in PERMISSIONS
// cannot pass unseen.
import { describe, expect, it } from 'vitest'
import { ACTIONS, authorize, can, narrowRole, PERMISSIONS, projectRole, type Action } from '../../src/auth/permissions'
import type { Actor } from '../../src/env'
import { AppError } from '../../src/lib/errors'

type R = 'LABELER' | 'REVIEWER' | 'TEAM_MANAGER' | 'ADMIN'
// Minimum role per action, copied from the spec's table by hand ('self' = anyone signed in).
const SPEC: Record<Action, { min: R | 'self' | 'owner'; scope: 'project' | 'org' | 'self' | 'owner' }> = {
  'project.view': { min: 'LABELER', scope: 'project' },
  'label.view_all': { min: 'REVIEWER', scope: 'project' },
  'label.review': { min: 'REVIEWER', scope: 'project' },
  'label.create': { min: 'LABELER', scope: 'project' },
  'label.edit_any': { min: 'REVIEWER', scope: 'project' },
  'project.view_performance': { min: 'TEAM_MANAGER', scope: 'project' },
  'project.manage_members': { min: 'TEAM_MANAGER', scope: 'project' },
  'export.create': { min: 'TEAM_MANAGER', scope: 'project' },
  'label.import': { min: 'TEAM_MANAGER', scope: 'project' },
  'batch.manage': { min: 'TEAM_MANAGER', scope: 'project' },
  'project.create': { min: 'ADMIN', scope: 'org' },
  'project.edit': { min: 'TEAM_MANAGER', scope: 'project' },
  'project.delete': { min: 'ADMIN', scope: 'org' },
  'project.pin': { min: 'LABELER', scope: 'project' },
  'dataset.view': { min: 'LABELER', scope: 'org' },
  'dataset.manage': { min: 'ADMIN', scope: 'org' },
  'member.view': { min: 'LABELER', scope: 'org' },
  'member.manage': { min: 'ADMIN', scope: 'org' },
  'account.view': { min: 'self', scope: 'self' },
  'account.edit': { min: 'self', scope: 'self' },
  'api_key.view_own': { min: 'self', scope: 'self' },
  'api_key.manage_own': { min: 'self', scope: 'self' },
  'api_key.view_any': { min: 'ADMIN', scope: 'org' },
  'api_key.revoke_any': { min: 'ADMIN', scope: 'org' },
  'usage.view': { min: 'ADMIN', scope: 'org' },
  'webhook.manage': { min: 'ADMIN', scope: 'org' },
  'webhook.view': { min: 'ADMIN', scope: 'org' },
  'integration.manage': { min: 'ADMIN', scope: 'org' },
  'integration.view': { min: 'ADMIN', scope: 'org' },
  'task.view': { min: 'owner', scope: 'owner' },
}
const RANK = { NONE: 0, LABELER: 1, REVIEWER: 2, TEAM_MANAGER: 3, ADMIN: 4 } as const
const ORG_ROLES = ['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE'] as const
const PROJECT_ROLES = ['TEAM_MANAGER', 'REVIEWER', 'LABELER', 'NONE', null] as const

const actor = (role: (typeof ORG_ROLES)[number], readOnly = false): Actor => ({
  userId: 'usr_me',
  email: 'me@example.com',
  fullName: 'Me',
  orgId: 'org_1',
  orgName: 'Org',
  role,
  via: 'session',
  readOnly,
})

describe('can() agrees with the spec for every action × role × project role × read-only', () => {
  const cases: [Action, string, string, boolean, boolean][] = []
  for (const action of ACTIONS) {
    for (const role of ORG_ROLES) {
      for (const pr of PROJECT_ROLES) {
        for (const ro of [false, true]) {
          for (const own of [true, false]) {
            const spec = SPEC[action]
            const eff = projectRole({ role }, pr)
            let want: boolean
            if (spec.scope === 'self') want = true
            else if (spec.scope === 'owner') want = own || role === 'ADMIN'
            else if (spec.scope === 'org') want = RANK[role] >= RANK[spec.min as R]
            else want = RANK[eff] >= RANK[spec.min as R]
            if (ro && PERMISSIONS[action].write) want = false
            cases.push([action, role, String(pr), ro, want])
            const got = can(actor(role, ro), action, { projectRole: eff, ownerId: own ? 'usr_me' : 'usr_other' })
            if (got !== want)
              throw new Error(`${action} role=${role} project=${pr} readOnly=${ro} own=${own}: can() says ${got}, spec says ${want}`)
          }
        }
      }
    }
  }
  it(`checks ${cases.length} combinations`, () => {
    expect(cases.length).toBe(ACTIONS.length * 5 * 5 * 2 * 2)
  })
  it('covers every action of the spec and nothing else', () => {
    expect(new Set(ACTIONS)).toEqual(new Set(Object.keys(SPEC)))
  })
})

describe('project roles', () => {
  it('an org role wins; a project-based member uses the project role; no role = no access', () => {
    expect(projectRole({ role: 'REVIEWER' }, 'TEAM_MANAGER')).toBe('REVIEWER')
    expect(projectRole({ role: 'NONE' }, 'TEAM_MANAGER')).toBe('TEAM_MANAGER')
    expect(projectRole({ role: 'NONE' }, null)).toBe('NONE')
  })
})

describe('authorize(): 404 when the thing is invisible, 403 when visible but not allowed', () => {
  it('a labeler editing project settings gets 403; a stranger to the project gets 404', () => {
    expect(() => authorize(actor('LABELER'), 'project.edit', { projectRole: 'LABELER' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    )
    expect(() => authorize(actor('NONE'), 'project.edit', { projectRole: 'NONE' }, 'Project')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', detail: 'Project not found' }),
    )
  })
  it("someone else's task is a 404 for a non-admin", () => {
    expect(() => authorize(actor('TEAM_MANAGER'), 'task.view', { ownerId: 'usr_other' })).toThrow(AppError)
    expect(() => authorize(actor('TEAM_MANAGER'), 'task.view', { ownerId: 'usr_other' })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    )
    expect(() => authorize(actor('ADMIN'), 'task.view', { ownerId: 'usr_other' })).not.toThrow()
  })
  it('a read-only key is told it is read-only', () => {
    expect(() => authorize(actor('ADMIN', true), 'member.manage')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', detail: 'This API key is read-only' }),
    )
  })
})

describe('API key role narrowing', () => {
  it('takes the lower of the owner role and the key role', () => {
    expect(narrowRole('ADMIN', 'LABELER')).toBe('LABELER')
    expect(narrowRole('LABELER', 'ADMIN')).toBe('LABELER')
    expect(narrowRole('REVIEWER', null)).toBe('REVIEWER')
    expect(narrowRole('NONE', 'ADMIN')).toBe('NONE')
  })
})
