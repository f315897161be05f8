/** @module The Tasks badge of the app shell: ids of the person's running tasks, read for every
 * signed-in page (src/lib/render.tsx). Here, below the modules, because the shell of every page
 * reads it; the tasks module owns everything else about tasks. */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { Read } from '../db/reads'
import { RUNNING, tasks } from '../db/schema'

/** A running task as the shell reads it: the whole row (the badge's query reads the rows anyway,
 * to check their status, so the columns cost nothing more). */
export type RunningTask = typeof tasks.$inferSelect

/** How many tasks the Tasks menu shows (src/modules/tasks/web.tsx). */
export const MENU_TASKS = 8

/**
 * The person's running tasks, newest first, at most 20: the badge counts them, public/js/tasks.js
 * follows them, pages pick their own (a dataset's imports), and the Tasks menu's body is drawn
 * from them with the page, so the menu opens at once while something runs, even when the
 * database is busy with that work (it is fetched again when opened, for the finished ones too).
 */
export function runningTasksRead(db: Db, actor: { orgId: string; userId: string }): Read<RunningTask[]> {
  return {
    stmts: [
      db
        .select()
        .from(tasks)
        .where(and(eq(tasks.createdBy, actor.userId), inArray(tasks.status, RUNNING), eq(tasks.orgId, actor.orgId)))
        .orderBy(desc(tasks.id))
        .limit(20),
    ],
    done: ([rows]) => rows as RunningTask[],
  }
}
