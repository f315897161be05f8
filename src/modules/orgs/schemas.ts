/** @module Members and invitations: inputs, and the shapes of answers (their TS types are inferred here). */
import * as v from 'valibot'
import { ORG_ROLES, PROJECT_ROLES } from '../../db/schema/columns'
import { Email, FullName, Password } from '../../lib/validate'

export const OrgRoleSchema = v.picklist(ORG_ROLES, `role must be one of ${ORG_ROLES.join(', ')}`)
export const ProjectRoleSchema = v.picklist(PROJECT_ROLES, `role must be one of ${PROJECT_ROLES.join(', ')}`)

export const ChangeRoleInput = v.object({ role: OrgRoleSchema })
export type ChangeRoleInput = v.InferOutput<typeof ChangeRoleInput>

export const InviteInput = v.pipe(
  v.object({
    email: Email,
    role: OrgRoleSchema,
    project_roles: v.optional(
      v.pipe(
        v.array(
          v.object({
            project_id: v.pipe(v.string('project_id is required'), v.minLength(1, 'project_id is required')),
            role: ProjectRoleSchema,
          }),
          'project_roles must be a list',
        ),
        v.maxLength(500, 'At most 500 project roles'),
      ),
      [],
    ),
  }),
  v.forward(
    v.check(
      (i) => i.role === 'NONE' || i.project_roles.length === 0,
      'Project roles are only for project-based members (role NONE); an org role already applies to every project',
    ),
    ['project_roles'],
  ),
)
export type InviteInput = v.InferOutput<typeof InviteInput>

export const AcceptInput = v.object({ full_name: FullName, password: Password })
export type AcceptInput = v.InferOutput<typeof AcceptInput>

export const MemberView = v.object({
  user_id: v.string(),
  email: v.string(),
  full_name: v.string(),
  role: v.picklist(ORG_ROLES),
  created_at: v.string(),
})
export type MemberView = v.InferOutput<typeof MemberView>
export const InvitationView = v.object({
  id: v.string(),
  email: v.string(),
  role: v.picklist(ORG_ROLES),
  project_roles: v.array(v.object({ project_id: v.string(), role: v.string() })),
  status: v.picklist(['PENDING', 'EXPIRED']),
  expires_at: v.string(),
  created_at: v.string(),
  /** Only right after creating or resending: the link is shown once. */
  accept_url: v.optional(v.string()),
})
export type InvitationView = v.InferOutput<typeof InvitationView>
