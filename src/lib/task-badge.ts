/** @module The Tasks badge of the app shell: ids of the person's running tasks, read for every
 * signed-in page (src/lib/render.tsx). Here, below the modules, because the shell of every page
 * reads it; the tasks module owns everything else about tasks. */
import { and, desc, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { Read } from '../db/reads'
import { RUNNING, tasks, type TaskType } from '../db/schema'

/** A running task as the shell knows it: enough for a page to pick its own (a dataset's imports). */
export type RunningTask = { id: string; type: TaskType; subjectId: string | null }

/** What the shell knows of the person's tasks: the running ones (the badge), and the newest few
 * (the Tasks menu's body, drawn with the page so the menu opens at once, with no request behind
 * a busy database; it refreshes itself when opened, and public/js/tasks.js keeps it live). */
export type ShellTasks = { running: RunningTask[]; recent: (typeof tasks.$inferSelect)[] }

/** How many tasks the Tasks menu shows (src/modules/tasks/web.tsx reads the same). */
export const MENU_TASKS = 8

/** The person's running tasks (at most 20) and their newest MENU_TASKS tasks: two statements, read
 * in one batch. */
export function runningTasksRead(db: Db, actor: { orgId: string; userId: string }): Read<ShellTasks> {
  return {
    stmts: [
      db
        .select({ id: tasks.id, type: tasks.type, subjectId: tasks.subjectId })
        .from(tasks)
        .where(and(eq(tasks.createdBy, actor.userId), inArray(tasks.status, RUNNING), eq(tasks.orgId, actor.orgId)))
        .orderBy(desc(tasks.id))
        .limit(20),
      db
        .select()
        .from(tasks)
        .where(and(eq(tasks.orgId, actor.orgId), eq(tasks.createdBy, actor.userId)))
        .orderBy(desc(tasks.id))
        .limit(MENU_TASKS),
    ],
    done: ([running, recent]) => ({ running: running as RunningTask[], recent: recent as ShellTasks['recent'] }),
  }
}
