// `node bench/cost-compare.mjs bench/results/cost-<small>.json bench/results/cost-<big>.json`: the
// two scales of `npm run bench -- cost` side by side, as BENCHMARKS.md shows them ("The cost
// table"). Both runs list the same routes and units in the same order (bench/scenarios/cost.mjs);
// the route names are the small run's, with ids read as their kind ({big}, {dataset}, …).
import { readFileSync } from 'node:fs'

const [smallFile, bigFile] = process.argv.slice(2)
if (!bigFile) throw new Error('usage: node bench/cost-compare.mjs <small run>.json <big run>.json')
const load = (f) => JSON.parse(readFileSync(f, 'utf8')).extra.find((x) => x.costs)
const small = load(smallFile)
const big = load(bigFile)
const names = small.table
  .split('\n')
  .slice(2)
  .map((l) => l.split('|')[1].trim())
const int = (n) => (n == null ? '–' : Math.round(n).toLocaleString('en-US'))
const cols = (c) => (!c || c.error ? ['failed', '', '', ''] : [c.trips, int(c.read), int(c.written), Math.round(c.cpu)])

console.log('| route | trips | rows read | rows written | CPU ms | trips | rows read | rows written | CPU ms |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
small.costs.forEach((c, i) => {
  const b = big.costs[i]
  if (b && !b.error && !c.error && b.route.split('?')[0].split('/').length !== c.route.split('?')[0].split('/').length)
    throw new Error(`the runs list different routes at ${i}: ${c.route} / ${b.route}`)
  console.log(`| ${names[i]} | ${[...cols(c), ...cols(b)].join(' | ')} |`)
})
console.log(`\n(The first four numbers are small, the last four big.) Per unit of work:\n`)
console.log('| unit of work | per | n | trips | rows read, small | rows read, big | rows written, small | rows written, big |')
console.log('|---|---|---:|---:|---:|---:|---:|---:|')
small.units.forEach((u, i) => {
  const b = big.units[i]
  if (b?.unit !== u.unit) throw new Error(`the runs list different units at ${i}`)
  console.log(
    `| ${u.unit} | ${u.per} | ${u.n} | ${u.trips.toFixed(2)} | ${u.read.toFixed(1)} | ${b.read.toFixed(1)} | ${u.written.toFixed(2)} | ${b.written.toFixed(2)} |`,
  )
})
