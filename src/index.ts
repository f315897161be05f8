/** @module The Worker entry: a table of contents. */
import { app } from './app'
import type { Env } from './env'
import { handleQueue, type QueueMessage } from './handlers/queue'
import { handleScheduled } from './handlers/scheduled'

export { TaskStatus } from './modules/tasks/status-object'

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, _ctx) => handleQueue(batch, env),
  scheduled: (controller, env, _ctx) => handleScheduled(controller, env),
} satisfies ExportedHandler<Env, QueueMessage>
