/**
 * The floor of a route that reads D1, measured in the projects benchmark next to the app's routes.
 * Served only by `wrangler dev bench/floor-worker.ts` during `npm run bench -- projects`; never
 * deployed (wrangler.toml's `main` is src/index.ts) and no route of the app.
 *
 * `GET /__bench/d1?calls=N` makes N bare D1 queries (`SELECT 1`), one after the other, with no
 * middleware, session, ORM or rendering; anything else goes to the app unchanged (its /healthz
 * is the baseline). What this route reaches against /healthz is the most any route with N D1
 * round trips can reach on this setup, whatever its queries and indexes.
 */
import worker, { TaskStatus } from '../src/index'
import type { Env } from '../src/env'
import type { QueueMessage } from '../src/handlers/queue'

export { TaskStatus }

export default {
  ...worker,
  async fetch(req, env, ctx) {
    const url = new URL(req.url)
    if (url.pathname !== '/__bench/d1') return worker.fetch(req, env, ctx)
    const calls = Math.min(10, Math.max(1, Number(url.searchParams.get('calls') ?? 1) || 1))
    const stmt = env.DB.prepare('SELECT 1 AS one')
    let one: unknown
    for (let i = 0; i < calls; i++) one = await stmt.first('one')
    return new Response(String(one))
  },
} satisfies ExportedHandler<Env, QueueMessage>
