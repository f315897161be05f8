/** @module Task-ending events for the outbox (TASK_COMPLETED / TASK_FAILED). */
import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { newId } from '../../lib/ids'

/**
 * Adds the outbox event of a task that just ended. One INSERT … SELECT: it only writes when the
 * task row is in `status` with exactly this `finishedAt`, i.e. when this very call finished it
 * (a second completion of an already finished task adds nothing).
 */
export async function recordTaskEvent(db: Db, taskId: string, topic: 'TASK_COMPLETED' | 'TASK_FAILED', finishedAt: Date): Promise<void> {
  const status = topic === 'TASK_COMPLETED' ? 'COMPLETE' : 'FAILED'
  await db.run(sql`
    INSERT INTO events (id, org_id, project_id, topic, payload, created_at)
    SELECT ${newId('evt')}, org_id, CASE WHEN substr(subject_id, 1, 4) = 'prj_' THEN subject_id END, ${topic},
      json_object('task_id', id, 'type', type, 'name', name, 'status', status, 'subject_id', subject_id, 'failure_reason', failure_reason, 'finished_at', finished_at),
      ${finishedAt.getTime()}
    FROM tasks WHERE id = ${taskId} AND status = ${status} AND finished_at = ${finishedAt.getTime()}`)
}
