/** @module GET/PATCH /api/v1/me */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc } from '../../lib/openapi'
import { validate } from '../../lib/validate'
import { MeView, UpdateMeInput } from './schemas'
import { getMe, updateMe } from './service'

export const accountApi = new Hono<AppEnv>()
  .get('/me', doc('Account', 'Who am I', { schema: MeView }), (c) => c.json(getMe(ctxOf(c))))
  .patch('/me', doc('Account', 'Change my full name', { schema: MeView }), validate('json', UpdateMeInput), async (c) =>
    c.json(await updateMe(ctxOf(c), c.req.valid('json'))),
  )
