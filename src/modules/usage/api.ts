/** @module GET /api/v1/usage: annotation counts per GMT day and asset type (admins). */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc } from '../../lib/openapi'
import { validate } from '../../lib/validate'
import { UsageRange, UsageView } from './schemas'
import { usageDays } from './service'

export const usageApi = new Hono<AppEnv>().get(
  '/usage',
  doc('Usage', 'Annotation counts per day and asset type (start inclusive, end exclusive, empty days omitted)', { schema: UsageView }),
  validate('query', UsageRange),
  async (c) => c.json(await usageDays(ctxOf(c), c.req.valid('query'))),
)
