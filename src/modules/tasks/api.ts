/** @module /api/v1/tasks — the caller's background tasks. */
import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { AppError } from '../../lib/errors'
import { doc, listOf } from '../../lib/openapi'
import { ListQuery, validate } from '../../lib/validate'
import { getTask, getTaskRow, listMyTasks } from './service'
import { taskErrors, taskResult, taskResultMetadata } from './files'
import { TaskView } from './schemas'

export const tasksApi = new Hono<AppEnv>()
  .get('/tasks', doc('Tasks', 'Your tasks, newest first', { schema: listOf(TaskView) }), validate('query', ListQuery), async (c) =>
    c.json(await listMyTasks(ctxOf(c), c.req.valid('query'))),
  )
  .get('/tasks/:id', doc('Tasks', 'A task (its creator or an admin)', { schema: TaskView }), async (c) =>
    c.json(await getTask(ctxOf(c), c.req.param('id'))),
  )
  .get(
    '/tasks/:id/result',
    doc('Tasks', 'Download the result (Range supported); 409 until the task is complete', { description: 'The result file' }),
    async (c) => taskResult(ctxOf(c), c.req.param('id'), c.req.raw),
  )
  .get(
    '/tasks/:id/result/metadata',
    doc('Tasks', 'Size and line count of the result', { schema: v.object({ total_size: v.number(), total_lines: v.number() }) }),
    async (c) => c.json(await taskResultMetadata(ctxOf(c), c.req.param('id'))),
  )
  .get(
    '/tasks/:id/errors',
    doc('Tasks', 'Per-line errors as NDJSON (or ?format=csv); empty when there are none', { description: 'The errors file' }),
    async (c) => taskErrors(ctxOf(c), c.req.param('id'), c.req.query('format') === 'csv' ? 'csv' : 'ndjson'),
  )
  .get(
    '/tasks/:id/events',
    doc('Tasks', 'Live progress: Server-Sent Events, or a WebSocket when asked to upgrade', { description: 'text/event-stream' }),
    async (c) => {
      const t = await getTaskRow(ctxOf(c), c.req.param('id'))
      // A WebSocket upgrade the runtime would refuse (as a bare text/plain 400) is refused here first.
      if (
        c.req.header('Upgrade')?.toLowerCase() === 'websocket' &&
        (!c.req.header('Sec-WebSocket-Key') || c.req.header('Sec-WebSocket-Version') !== '13')
      ) {
        throw new AppError('VALIDATION', 'Sec-WebSocket-Key: a WebSocket upgrade needs Sec-WebSocket-Key and Sec-WebSocket-Version: 13', [
          { path: 'Sec-WebSocket-Key', message: 'required for Upgrade: websocket (with Sec-WebSocket-Version: 13)' },
        ])
      }
      const res = await c.env.TASK_STATUS.getByName(t.id).fetch(new Request('http://task/events', { headers: c.req.raw.headers }))
      // Responses from a stub have immutable headers; re-wrap so middleware can add ours.
      return res.webSocket
        ? new Response(null, { status: 101, webSocket: res.webSocket, headers: res.headers })
        : new Response(res.body, res)
    },
  )
