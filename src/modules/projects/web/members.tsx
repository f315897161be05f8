/** @module A project's settings, Members tab (/projects/{id}/settings/members): who has a role in
 * the project, and adding, changing or removing a project-based member. */
import { Hono } from 'hono'
import type { AppEnv, Ctx } from '../../../env'
import { ctxOf } from '../../../lib/ctx'
import { AppError, invalid } from '../../../lib/errors'
import { readForm } from '../../../lib/forms'
import { keepUrl } from '../../../lib/htmx'
import { renderPage, wantsFragment } from '../../../lib/render'
import * as v from 'valibot'
import { parse, SearchText } from '../../../lib/validate'
import { roleLabel } from '../../../../views/components/ui'
import { MemberPicker, MembersSection, MembersSettingsPage } from '../../../../views/projects/settings'
import { ProjectMemberInput, type ProjectMemberView } from '../schemas'
import { runReads, type Read } from '../../../db/reads'
import { loadProject, loadProjectWith, projectView, type LoadedProject } from '../service'
import {
  type Addable,
  ADDABLE_LIMIT,
  addableMembersRead,
  listProjectMembers,
  orgMember,
  projectMembersRead,
  removeProjectMember,
  setProjectMember,
} from '../members'
import { isFormError, perms, stateOf, type C } from './forms'
import { can } from '../../../auth/permissions'
import { changeRole } from '../../orgs/service'

export const membersWeb = new Hono<AppEnv>()

/** Only admins change org roles, so only they can make someone project-based here. */
const canConvert = (ctx: Ctx, l: LoadedProject) => perms(ctx, l).canManageMembers && can(ctx.actor, 'member.manage')

/** The add-member picker's search (name or email), as on the Members tab. */
const PickerQuery = v.object({ member_search: v.optional(SearchText) })

/** The reads of the members page about a project being loaded (or loaded): one batch. The picker
 * offers a bounded page of members (a search finds the others), never the whole organization. */
function membersReads(ctx: Ctx, l: LoadedProject, search?: string) {
  const none: Read<Addable[]> = { stmts: [], done: () => [] }
  return [
    projectMembersRead(ctx, l),
    perms(ctx, l).canManageMembers
      ? addableMembersRead(ctx, l, { search, withOrgRole: canConvert(ctx, l), limit: ADDABLE_LIMIT + 1 })
      : none,
  ] as const
}

async function membersProps(ctx: Ctx, l: LoadedProject, read?: Awaited<ReturnType<typeof runMembersReads>>, search = '') {
  const pm = perms(ctx, l)
  const [members, found] = read ?? (await runMembersReads(ctx, l))
  return {
    p: projectView(l.project, l.pinned),
    members,
    addable: found.slice(0, ADDABLE_LIMIT),
    addableMore: found.length > ADDABLE_LIMIT,
    memberSearch: search,
    canManage: pm.canManageMembers,
    canConvert: canConvert(ctx, l),
    selfId: ctx.actor.userId,
    canEdit: pm.canEdit,
    canDelete: pm.canDelete,
  }
}

async function membersAnswer(
  c: C,
  ctx: Ctx,
  id: string,
  extra: { done?: string; state?: { values: Record<string, string>; errors: AppError['errors']; message?: string } },
  status: 200 | 422,
) {
  const l = await loadProject(ctx, id)
  const props = { ...(await membersProps(ctx, l)), ...extra }
  if (status === 422) keepUrl(c)
  return renderPage(c, {
    title: `Members · ${props.p.name}`,
    section: 'projects',
    status,
    body: <MembersSettingsPage {...props} />,
    fragment: <MembersSection {...props} />,
  })
}

const runMembersReads = (ctx: Ctx, l: LoadedProject) => runReads(ctx, ...membersReads(ctx, l))

membersWeb.get('/:id/settings/members', async (c) => {
  const ctx = ctxOf(c)
  const search = parse(PickerQuery, c.req.query()).member_search ?? ''
  // The project, its members and the add-member picker in one round trip (loadProjectWith).
  const [l, members, addable] = await loadProjectWith<[ProjectMemberView[], Addable[]]>(
    ctx,
    c.req.param('id'),
    'project.view',
    (loaded) => [...membersReads(ctx, loaded, search)],
  )
  const props = await membersProps(ctx, l, [members, addable], search)
  return renderPage(c, {
    title: `Members · ${props.p.name}`,
    section: 'projects',
    body: <MembersSettingsPage {...props} />,
    fragment: <MembersSection {...props} />,
  })
})

/** The picker's choices for a search as you type: the member select (and its status, out of band). */
membersWeb.get('/:id/settings/members/addable', async (c) => {
  const ctx = ctxOf(c)
  const search = parse(PickerQuery, c.req.query()).member_search ?? ''
  const [l, found] = await loadProjectWith<[Addable[]]>(ctx, c.req.param('id'), 'project.manage_members', (loaded) => [
    addableMembersRead(ctx, loaded, { search, withOrgRole: canConvert(ctx, loaded), limit: ADDABLE_LIMIT + 1 }),
  ])
  return c.html(
    <MemberPicker
      addable={found.slice(0, ADDABLE_LIMIT)}
      more={found.length > ADDABLE_LIMIT}
      search={search}
      canConvert={canConvert(ctx, l)}
      oob
    />,
  )
})

/** Adds a project-based member with a role, or changes their role (the same call). A member with
 * an org role gets one only when an admin ticks "make them project-based": the org role goes
 * first (the two are exclusive, spec/product.md), then the project role is set. */
membersWeb.post('/:id/settings/members', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'project.manage_members')
  const form = await readForm(c)
  const values = { user_id: form.user_id ?? '', role: form.role ?? '', make_project_based: form.make_project_based === '1' ? '1' : '' }
  try {
    const input = parse(ProjectMemberInput, { role: values.role })
    if (!values.user_id) throw invalid('user_id', 'Choose a member')
    const who = await orgMember(ctx, values.user_id).catch((e) => {
      if (e instanceof AppError && e.code === 'NOT_FOUND') throw invalid('user_id', 'No such member in your organization')
      throw e
    })
    if (who.role !== 'NONE') {
      if (!values.make_project_based) {
        const admin = can(ctx.actor, 'member.manage')
        const message = `${who.full_name} is ${roleLabel(who.role).toLowerCase()} in the whole organization, which already applies here and wins over a project role. ${
          admin
            ? 'Tick “Make them project-based” to give them a role in this project only.'
            : 'Only an admin can make them project-based, to give them a role in this project only.'
        }`
        throw new AppError('VALIDATION', message, [{ path: admin ? 'make_project_based' : 'user_id', message }])
      }
      await changeRole(ctx, values.user_id, { role: 'NONE' })
    }
    const m = await setProjectMember(ctx, l.project.id, values.user_id, input).catch((e) => {
      // An unknown or foreign user id is a mistake in the form, not a missing page; the
      // service's refusals explain themselves better as a sentence than under one field.
      if (e instanceof AppError && e.code === 'NOT_FOUND') throw invalid('user_id', 'No such member in your organization')
      throw isFormError(e) ? new AppError(e.code, e.detail) : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${l.project.id}/settings/members`, 303)
    const converted = who.role !== 'NONE' ? ` They are now project-based: they see only the projects where they have a role.` : ''
    return membersAnswer(
      c,
      ctx,
      l.project.id,
      { done: `${m.full_name} is ${roleLabel(m.role).toLowerCase()} in this project.${converted}` },
      200,
    )
  } catch (e) {
    if (!isFormError(e)) throw e
    return membersAnswer(c, ctx, l.project.id, { state: { values, ...stateOf(e) } }, 422)
  }
})

membersWeb.post('/:id/settings/members/:userId/remove', async (c) => {
  const ctx = ctxOf(c)
  const l = await loadProject(ctx, c.req.param('id'), 'project.manage_members')
  const userId = c.req.param('userId')
  try {
    const before = await listProjectMembers(ctx, l.project.id)
    await removeProjectMember(ctx, l.project.id, userId).catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND'
        ? new AppError('VALIDATION', 'That person has no project role here (any more).')
        : e
    })
    if (!wantsFragment(c)) return c.redirect(`/projects/${l.project.id}/settings/members`, 303)
    const who = before.find((m) => m.user_id === userId)?.full_name ?? 'The member'
    return membersAnswer(c, ctx, l.project.id, { done: `${who} no longer has access to this project.` }, 200)
  } catch (e) {
    if (!isFormError(e)) throw e
    return membersAnswer(c, ctx, l.project.id, { state: { values: {}, errors: [], message: e.detail } }, 422)
  }
})
