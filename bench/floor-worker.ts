/**
 * The floor of a route that reads D1, measured in the projects benchmark next to the app's routes.
 * Served only by `wrangler dev bench/floor-worker.ts` during `npm run bench -- projects`; never
 * deployed (wrangler.toml's `main` is src/index.ts) and no route of the app.
 *
 * `GET /__bench/d1?calls=N` makes N bare D1 queries (`SELECT 1`), one after the other, with no
 * middleware, session, ORM or rendering; anything else goes to the app unchanged (its /healthz
 * is the baseline). What this route reaches against /healthz is the most any route with N D1
 * round trips can reach on this setup, whatever its queries and indexes.
 *
 * `&bytes=B` answers B bytes (made once per isolate) instead of the query's answer: the floor of a
 * route whose page is B bytes long. Locally every byte also crosses wrangler dev's proxy, a cost a
 * deployed Worker does not have, so this floor tells the page's size apart from our own work.
 */
import worker, { TaskStatus } from '../src/index'
import type { Env } from '../src/env'
import type { QueueMessage } from '../src/handlers/queue'

export { TaskStatus }

const bodies = new Map<number, Uint8Array>()
/** `n` bytes of markup-like text, made once per size. */
function body(n: number): Uint8Array {
  let b = bodies.get(n)
  if (!b) bodies.set(n, (b = new TextEncoder().encode('<td class="x">lorem</td>\n'.repeat(Math.ceil(n / 25)).slice(0, n))))
  return b
}

export default {
  ...worker,
  async fetch(req, env, ctx) {
    const url = new URL(req.url)
    if (url.pathname !== '/__bench/d1') return worker.fetch(req, env, ctx)
    const calls = Math.min(10, Math.max(1, Number(url.searchParams.get('calls') ?? 1) || 1))
    const stmt = env.DB.prepare('SELECT 1 AS one')
    let one: unknown
    for (let i = 0; i < calls; i++) one = await stmt.first('one')
    const bytes = Math.min(2_000_000, Math.max(0, Number(url.searchParams.get('bytes') ?? 0) || 0))
    if (!bytes) return new Response(String(one))
    return new Response(body(bytes), { headers: { 'Content-Type': 'text/html; charset=utf-8' } })
  },
} satisfies ExportedHandler<Env, QueueMessage>
