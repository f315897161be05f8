/** @module The Tasks badge of the app shell: ids of the person's running tasks, read for every
 * signed-in page (src/lib/render.tsx). Here, below the modules, because the shell of every page
 * reads it; the tasks module owns everything else about tasks. */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { Read } from '../db/reads'
import { RUNNING, tasks } from '../db/schema'

/** Ids of the person's running tasks (for the Tasks badge and live tracking); at most 20. */
export function runningTasksRead(db: Db, actor: { orgId: string; userId: string }): Read<string[]> {
  return {
    stmts: [
      db
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.createdBy, actor.userId), inArray(tasks.status, RUNNING), eq(tasks.orgId, actor.orgId)))
        .orderBy(desc(tasks.id))
        .limit(20),
    ],
    done: ([rows]) => (rows as { id: string }[]).map((r) => r.id),
  }
}
