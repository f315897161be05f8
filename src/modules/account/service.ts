/** @module The signed-in person: who they are, in which organization, with which role. */
import { eq } from 'drizzle-orm'
import { users } from '../../db/schema'
import type { Ctx } from '../../env'
import { authorize } from '../../auth/permissions'
import type { UpdateMeInput } from './schemas'

export type Me = {
  user: { id: string; email: string; full_name: string }
  organization: { id: string; name: string }
  role: string
}

export function getMe(ctx: Ctx): Me {
  authorize(ctx.actor, 'account.view')
  const a = ctx.actor
  return { user: { id: a.userId, email: a.email, full_name: a.fullName }, organization: { id: a.orgId, name: a.orgName }, role: a.role }
}

/** Only the full name is editable; the email is the login and stays as is. */
export async function updateMe(ctx: Ctx, input: UpdateMeInput): Promise<Me> {
  authorize(ctx.actor, 'account.edit')
  await ctx.db.update(users).set({ fullName: input.full_name, updatedAt: new Date() }).where(eq(users.id, ctx.actor.userId))
  ctx.actor = { ...ctx.actor, fullName: input.full_name }
  return getMe(ctx)
}
