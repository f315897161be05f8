/** @module /api/v1/tasks — the caller's background tasks. */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { doc, listOf } from '../../lib/api'
import { ListQuery, validate } from '../../lib/validate'
import { getTask, listMyTasks } from './service'

const TaskSchema = v.object({
  id: v.string(), name: v.string(), type: v.string(), status: v.string(), completion_percentage: v.number(), created_by: v.string(), created_at: v.string(),
  updated_at: v.string(), finished_at: v.nullable(v.string()), result_url: v.nullable(v.string()), errors_url: v.nullable(v.string()), failure_reason: v.nullable(v.string()),
  metadata: v.record(v.string(), v.unknown()),
})

export const tasksApi = new Hono<AppEnv>()
  .get('/tasks', doc('Tasks', 'Your tasks, newest first', { schema: listOf(TaskSchema) }), validate('query', ListQuery), async (c) => c.json(await listMyTasks(ctxOf(c), c.req.valid('query'))))
  .get('/tasks/:id', doc('Tasks', 'A task (its creator or an admin)', { schema: TaskSchema }), async (c) => c.json(await getTask(ctxOf(c), c.req.param('id'))))
