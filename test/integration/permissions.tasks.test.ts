// Generated permission tests for exports, label imports and tasks.
import { inArray } from 'drizzle-orm'
import { afterAll, expect, vi } from 'vitest'
import { RUNNING, tasks } from '../../src/db/schema'
import { db } from '../helpers/factories'
import { permissionSuite } from '../helpers/permission-suite'
import { TASK_ROUTES } from '../helpers/routes-labels'

permissionSuite(TASK_ROUTES)

// The exports and imports these cases start go on in the queue after the last case: let them end
// before the file's storage and module runner are torn down under them.
afterAll(async () => {
  await vi.waitFor(
    async () => {
      const running = await db().select({ id: tasks.id }).from(tasks).where(inArray(tasks.status, RUNNING)).all()
      expect(running).toEqual([])
    },
    { timeout: 60_000, interval: 250 },
  )
}, 70_000)
