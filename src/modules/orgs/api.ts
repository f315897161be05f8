/** @module /api/v1/members and /api/v1/invitations */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { ChangeRoleInput, InvitationView, InviteInput, MemberView } from './schemas'
import { changeRole, invite, listInvitations, listMembers, removeMember, resendInvitation, revokeInvitation } from './service'

const origin = (url: string) => new URL(url).origin

export const membersApi = new Hono<AppEnv>()
  .get(
    '/members',
    doc('Members', 'List members, most recently added first', { schema: listOf(MemberView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listMembers(ctxOf(c), c.req.valid('query'))),
  )
  .patch(
    '/members/:user_id',
    doc('Members', "Change a member's org role", { schema: MemberView }),
    validate('json', ChangeRoleInput),
    async (c) => c.json(await changeRole(ctxOf(c), c.req.param('user_id'), c.req.valid('json'))),
  )
  .delete(
    '/members/:user_id',
    doc('Members', 'Remove a member (their sessions and API keys stop working at once)', { status: 204, description: 'Removed' }),
    async (c) => {
      await removeMember(ctxOf(c), c.req.param('user_id'))
      return c.body(null, 204)
    },
  )
  .get(
    '/invitations',
    doc('Members', 'List pending invitations', { schema: listOf(InvitationView) }),
    validate('query', ListQuery),
    async (c) => c.json(await listInvitations(ctxOf(c), c.req.valid('query'))),
  )
  .post(
    '/invitations',
    doc('Members', 'Invite someone by email (the accept_url is shown once)', { status: 201, schema: InvitationView }),
    validate('json', InviteInput),
    async (c) => c.json(await invite(ctxOf(c), c.req.valid('json'), origin(c.req.url)), 201),
  )
  .post(
    '/invitations/:id/resend',
    doc('Members', 'Resend: a new accept_url; the old link stops working', { schema: InvitationView }),
    async (c) => c.json(await resendInvitation(ctxOf(c), c.req.param('id'), origin(c.req.url))),
  )
  .delete('/invitations/:id', doc('Members', 'Revoke a pending invitation', { status: 204, description: 'Revoked' }), async (c) => {
    await revokeInvitation(ctxOf(c), c.req.param('id'))
    return c.body(null, 204)
  })
