/** @module /members (HTML) and the invitation accept pages /invitations/{token}. */
import { Hono, type Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { readForm } from '../../lib/forms'
import { hxTrigger } from '../../lib/htmx'
import { renderDocument, renderPage, wantsFragment } from '../../lib/render'
import { issuesToErrors, ListQuery, parse } from '../../lib/validate'
import { can } from '../../auth/permissions'
import { setSessionCookie } from '../auth/web'
import { AcceptPage, DeadInvitation } from '../../../views/orgs/accept'
import {
  InvitationRow,
  InvitationRows,
  InviteForm,
  MemberRow,
  MemberRows,
  MembersPage,
  MembersTable,
  ResentRow,
} from '../../../views/orgs/members'
import { AcceptInput, ChangeRoleInput, InviteInput } from './schemas'
import {
  acceptInvitation,
  changeRole,
  getMember,
  invite,
  invitationsPageRead,
  listInvitations,
  listMembers,
  membersPageRead,
  previewInvitation,
  removeMember,
  resendInvitation,
  revokeInvitation,
  seatsRead,
} from './service'
import { runReads } from '../../db/reads'

export const membersWeb = new Hono<AppEnv>()
membersWeb.use('*', requireSession)

/** Invitations shown at once on the page; "Show more" pages through the rest (GET /members/invitations). */
export const INVITATIONS_PAGE = 50

async function pageProps(c: Context<AppEnv>, search: string, cursor?: string, invitationsCursor?: string) {
  const ctx = ctxOf(c)
  const [members, invitations, s] = await runReads(
    ctx,
    membersPageRead(ctx, { limit: 50, search, cursor }),
    invitationsPageRead(ctx, { limit: INVITATIONS_PAGE, cursor: invitationsCursor }),
    seatsRead(ctx.db, ctx.actor.orgId),
  )
  return { members, invitations, search, seats: s, canManage: can(ctx.actor, 'member.manage'), selfId: ctx.actor.userId }
}

membersWeb.get('/', async (c) => {
  const q = parse(ListQuery, c.req.query())
  const props = await pageProps(c, q.search ?? '', q.cursor)
  return renderPage(c, { title: 'Members', section: 'members', body: <MembersPage {...props} /> })
})

/** Search-as-you-type and "load more": the table fragment; the address bar follows the search. */
membersWeb.get('/rows', async (c) => {
  const q = parse(ListQuery, c.req.query())
  const ctx = ctxOf(c)
  const page = await listMembers(ctx, { limit: 50, search: q.search, cursor: q.cursor })
  const props = { page, canManage: can(ctx.actor, 'member.manage'), selfId: ctx.actor.userId, search: q.search ?? '' }
  if (q.cursor) {
    return c.html(<MemberRows {...props} />)
  }
  c.header('HX-Replace-Url', q.search ? `/members?search=${encodeURIComponent(q.search)}` : '/members')
  return c.html(<MembersTable {...props} />)
})

/** The next page of pending invitations: rows for htmx's "Show more", the page itself without script. */
membersWeb.get('/invitations', async (c) => {
  const q = parse(ListQuery, c.req.query())
  const ctx = ctxOf(c)
  if (!wantsFragment(c)) {
    const props = await pageProps(c, '', undefined, q.cursor)
    return renderPage(c, { title: 'Members', section: 'members', body: <MembersPage {...props} /> })
  }
  const page = await listInvitations(ctx, { limit: INVITATIONS_PAGE, cursor: q.cursor })
  return c.html(<InvitationRows page={page} canManage={can(ctx.actor, 'member.manage')} />)
})

membersWeb.post('/invitations', async (c) => {
  const ctx = ctxOf(c)
  const form = await readForm(c)
  const values = { email: form.email ?? '', role: form.role ?? '' }
  try {
    const input = parse(InviteInput, values)
    const created = await invite(ctx, input, new URL(c.req.url).origin)
    const props = await pageProps(c, '')
    hxTrigger(c, { toast: { value: `Invitation created for ${created.email}` }, invitationsChanged: true })
    return renderPage(c, {
      title: 'Members',
      section: 'members',
      status: 201,
      body: <MembersPage {...props} />,
      fragment: (
        <>
          <InviteForm created={created} seats={props.seats} />
          <hx-partial hx-target="#invitation-rows" hx-swap="afterbegin">
            <InvitationRow inv={{ ...created, accept_url: undefined }} canManage />
          </hx-partial>
        </>
      ),
    })
  } catch (e) {
    if (!(e instanceof AppError) || !['VALIDATION', 'CONFLICT'].includes(e.code)) throw e
    const props = await pageProps(c, '')
    const state = { values, errors: e.errors, message: e.errors.length ? undefined : e.detail }
    return renderPage(c, {
      title: 'Members',
      section: 'members',
      status: 422,
      body: <MembersPage {...props} inviteState={state} />,
      fragment: <InviteForm state={state} seats={props.seats} />,
    })
  }
})

membersWeb.post('/invitations/:id/resend', async (c) => {
  const ctx = ctxOf(c)
  const inv = await resendInvitation(ctx, c.req.param('id'), new URL(c.req.url).origin)
  return renderPage(c, {
    title: 'Members',
    section: 'members',
    body: <MembersPage {...(await pageProps(c, ''))} />,
    fragment: <ResentRow inv={inv} canManage />,
  })
})

membersWeb.post('/invitations/:id/revoke', async (c) => {
  const ctx = ctxOf(c)
  await revokeInvitation(ctx, c.req.param('id'))
  if (c.req.header('HX-Request')) return c.html('')
  return c.redirect('/members', 303)
})

membersWeb.post('/:userId/role', async (c) => {
  const ctx = ctxOf(c)
  const form = await readForm(c)
  const userId = c.req.param('userId')
  const parsed = v.safeParse(ChangeRoleInput, { role: form.role })
  try {
    if (!parsed.success) throw new AppError('VALIDATION', issuesToErrors(parsed.issues)[0]!.message)
    const m = await changeRole(ctx, userId, parsed.output)
    if (m.user_id === ctx.actor.userId) {
      // Changing your own role changes what you may see: reload the whole page.
      c.header('HX-Refresh', 'true')
    }
    if (!c.req.header('HX-Request')) return c.redirect('/members', 303)
    return c.html(<MemberRow m={m} canManage={can(ctx.actor, 'member.manage')} selfId={ctx.actor.userId} />)
  } catch (e) {
    if (!(e instanceof AppError) || !['VALIDATION', 'CONFLICT'].includes(e.code)) throw e
    const m = await getMember(ctx, userId)
    if (!c.req.header('HX-Request')) throw e
    return c.html(<MemberRow m={m} canManage selfId={ctx.actor.userId} error={e.detail} />, 409)
  }
})

membersWeb.post('/:userId/remove', async (c) => {
  const ctx = ctxOf(c)
  const userId = c.req.param('userId')
  try {
    await removeMember(ctx, userId)
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'CONFLICT' || !c.req.header('HX-Request')) throw e
    const m = await getMember(ctx, userId)
    return c.html(<MemberRow m={m} canManage selfId={ctx.actor.userId} error={e.detail} />, 409)
  }
  if (userId === ctx.actor.userId) {
    c.header('HX-Redirect', '/login')
    return c.body(null, 204)
  }
  if (c.req.header('HX-Request')) return c.html('')
  return c.redirect('/members', 303)
})

// Invitation acceptance (no session needed) ----------------------------------------------------

export const invitationsWeb = new Hono<AppEnv>()

invitationsWeb.get('/:token', async (c) => {
  try {
    const preview = await previewInvitation(c.var.db, c.req.param('token'))
    return renderDocument(c, <AcceptPage token={c.req.param('token')} preview={preview} />)
  } catch (e) {
    if (e instanceof AppError && e.code === 'NOT_FOUND') return renderDocument(c, <DeadInvitation message={e.detail} />, 404)
    throw e
  }
})

invitationsWeb.post('/:token', async (c) => {
  const token = c.req.param('token')
  const form = await readForm(c)
  const values = { full_name: form.full_name ?? '' }
  let preview
  try {
    preview = await previewInvitation(c.var.db, token)
    const input = parse(AcceptInput, { full_name: form.full_name ?? '', password: form.password ?? '' })
    const session = await acceptInvitation(c.var.db, c.env, token, input)
    setSessionCookie(c, session)
    return c.redirect('/projects', 303)
  } catch (e) {
    if (!(e instanceof AppError)) throw e
    if (e.code === 'NOT_FOUND' || !preview) return renderDocument(c, <DeadInvitation message={e.detail} />, 404)
    if (e.code !== 'VALIDATION' && e.code !== 'CONFLICT') throw e
    return renderDocument(
      c,
      <AcceptPage token={token} preview={preview} state={{ values, errors: e.errors, message: e.errors.length ? undefined : e.detail }} />,
      422,
    )
  }
})
