// `node bench/price.mjs bench/results/cost-<time>.json`: the cost table of a `npm run bench -- cost`
// run in dollars, at Cloudflare's published usage prices (Workers Paid plan; the prices and their
// date are in BENCHMARKS.md, "What it costs in dollars"). Marginal prices, past the plan's included
// amounts: what one more million page views (or annotations) adds to the bill.
import { readFileSync } from 'node:fs'

/** US dollars per unit, as published (checked 2026-12-05). */
export const PRICES = {
  request: 0.3 / 1e6, // Workers: per request past 10M/month
  cpuMs: 0.02 / 1e6, // Workers: per CPU ms past 30M/month
  rowRead: 0.001 / 1e6, // D1: per row read past 25 billion/month
  rowWritten: 1.0 / 1e6, // D1: per row written past 50M/month
  queueOp: 0.4 / 1e6, // Queues: per operation (a message is written, read and deleted: 3) past 1M/month
  doRequest: 0.15 / 1e6, // Durable Objects: per request past 1M/month
}

const file = process.argv[2]
if (!file) throw new Error('usage: node bench/price.mjs bench/results/cost-<time>.json')
const run = JSON.parse(readFileSync(file, 'utf8'))
const extra = run.extra.find((x) => x.costs)
const $ = (n) => (n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(3)}`)
const M = 1e6

const routes = extra.costs
  .filter((c) => !c.error)
  .map((c) => {
    const parts = {
      requests: PRICES.request,
      cpu: c.cpu * PRICES.cpuMs,
      read: c.read * PRICES.rowRead,
      written: c.written * PRICES.rowWritten,
    }
    const total = Object.values(parts).reduce((a, b) => a + b, 0)
    // Ids of the run read as their kind: {prj}, {ds}, …
    const route = c.route.replace(/\b(prj|ds|dr|lbl|whk|int|tsk)_[0-9A-Z]{26}\b/g, '{$1}')
    return { route, ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v * M])), total: total * M }
  })
console.log(`| route (${extra.scale}) | requests | CPU | D1 rows read | D1 rows written | per million views |`)
console.log('|---|---:|---:|---:|---:|---:|')
for (const r of routes) console.log(`| ${r.route} | ${$(r.requests)} | ${$(r.cpu)} | ${$(r.read)} | ${$(r.written)} | **${$(r.total)}** |`)

console.log(`\n| unit of work (${extra.scale}) | per | D1 rows read | D1 rows written | D1 per million units |`)
console.log('|---|---|---:|---:|---:|')
for (const u of extra.units) {
  const d = (u.read * PRICES.rowRead + u.written * PRICES.rowWritten) * M
  console.log(`| ${u.unit} | ${u.per} | ${u.read.toFixed(1)} | ${u.written.toFixed(2)} | **${$(d)}** |`)
}
