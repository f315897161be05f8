// Baseline: the cheapest routes, measured on an empty, freshly migrated database. Every later
// scenario is read as a ratio to GET /healthz of the same run (the runner always measures it
// first), so this scenario only adds one server-rendered page to show what rendering costs.

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'baseline',
  description: 'GET /healthz (full middleware stack, no D1) and GET /login (server-rendered page, anonymous)',
  // No setup: an empty database is the point of a baseline.
  routes: [{ title: 'GET /login', path: '/login', expectStatus: 200 }],
}
