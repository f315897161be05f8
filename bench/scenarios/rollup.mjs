// The usage rollup at scale (issue 8 item 6): the cron's rollupUsage() (src/modules/usage/rollup.ts)
// over 1M annotations from scratch, and incremental runs after 10k new annotations with 100k and
// with 1M annotations of history, to show that an incremental run costs what is new, not what is old.
//
// Data: labels made like the other scenarios' (bench/data.mjs labeledProjectSql: 5 annotations a
// label, 9 authors, spread over the last 90 days, with the usage facts labelInsertStmts() writes),
// written with sqlite3 while the server is stopped. A batch of new labels is a project of its own
// (2,000 labels = 10,000 annotations, also spread over 90 days and 9 people, so it touches ~900
// rollup rows: the costliest shape of new data).
//
// The rollup runs the way the cron runs it: GET /__scheduled (wrangler dev --test-scheduled) calls
// the Worker's scheduled handler and answers when it has finished. The wall time of that request is
// what is measured, so it includes the handler's housekeeping (sessions, rate limits, tasks,
// webhooks); a run with nothing new, right after each incremental run, measures that alone. After
// every run GET /api/v1/usage must add up to exactly the annotations written so far (no fact missed,
// none counted twice); at the end sqlite3 compares the rollup tables row by row with a GROUP BY over
// all facts, and times that GROUP BY alone as the engine's floor.
//
// Two local states: A (100k annotations) and B (a copy of A grown to 1M). The server is stopped to
// write each batch of new labels anyway, so the incremental runs alternate between A and B (the
// state directory is swapped while the server is stopped): a busy spell on this shared box then
// lands on both sizes alike instead of on one of them.
import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BENCH_ONTOLOGY,
  api,
  assertConsistent,
  bootstrap,
  d1File,
  dataRowsSql,
  idJs,
  labeledProjectSql,
  labelerIds,
  labelersSql,
  q,
  sqlite,
  timedSqlite,
} from '../data.mjs'
import { withForeignCpu } from '../lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const [SMALL, LARGE] = (process.env.BENCH_ROLLUP_HISTORY ?? '100000,1000000').split(',').map(Number)
const NEW = Number(process.env.BENCH_ROLLUP_NEW ?? 10_000)
const REPEAT = Number(process.env.BENCH_ROLLUP_REPEAT ?? 7)
const PER_LABEL = 5 // annotations in each generated label (bench/data.mjs)
const LABELERS = 8
const DAY = 86_400_000
const CRON = /^\s*crons\s*=\s*\[\s*"([^"]+)"/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))?.[1]
/** Where the state that is not being served waits (under .wrangler/, gitignored). */
const PARKED = { A: '.wrangler/bench-state-rollup-a', B: '.wrangler/bench-state-rollup-b' }
const fmt = (n) => n.toLocaleString('en-US')
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
const ms = (sec) => `${Math.round(sec * 1000)} ms`

if (!CRON) throw new Error('no cron trigger in wrangler.toml')
if ([SMALL, LARGE, NEW].some((n) => n % PER_LABEL)) throw new Error(`sizes must be multiples of ${PER_LABEL} annotations`)
if (!(LARGE > SMALL)) throw new Error('the second history size must be the larger')

let s // state shared by setup and run

/** The day `n` days from today (GMT), YYYY-MM-DD. */
const day = (n) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10)

/** The organization's annotations as the usage API sums them (rollup rows only). */
async function rolledUp(ctx) {
  const u = await api(ctx.base, { key: s.key }, 'GET', `/usage?start_date=${day(-100)}&end_date=${day(1)}`)
  return u.totals.total
}

/** One cron run through wrangler dev's /__scheduled: seconds of wall time and others' CPU %. */
async function cronRun(ctx) {
  const [seconds, foreignCpuPct] = await withForeignCpu(ctx.pgid, async () => {
    const t = performance.now()
    const res = await fetch(`${ctx.base}/__scheduled?cron=${encodeURIComponent(CRON)}`)
    const body = await res.text()
    if (!res.ok || body !== 'Ran scheduled event') throw new Error(`/__scheduled answered ${res.status}: ${body.slice(0, 500)}`)
    return (performance.now() - t) / 1000
  })
  return { seconds, foreignCpuPct }
}

/** Serves state `which` from now on (call only while the server is stopped). */
function activate(ctx, which) {
  if (s.active === which) return
  renameSync(ctx.persistTo, PARKED[s.active])
  renameSync(PARKED[which], ctx.persistTo)
  s.active = which
}

/**
 * Server stopped: switches to state `which`, runs `before(db)`, writes `labels` labels (× 5
 * annotations) into the next unused project, checks its counters. Then the restarted server is
 * warmed up (Worker compiled, D1 opened), so a timed run measures the rollup, not a cold start.
 */
async function addLabels(ctx, which, labels, before) {
  const p = s.projects[s.used++]
  const now = Date.now() // label ids carry their time: a new `now` per project keeps them unique
  const seconds = await ctx.offline(() => {
    if (before) before()
    activate(ctx, which)
    const db = d1File(ctx.persistTo)
    const t = timedSqlite(
      db,
      `BEGIN;\n${labeledProjectSql({ orgId: s.orgId, projectId: p.id, datasetId: s.datasetId, rows: labels, authors: s.authors, reviewerId: s.userId, ontology: p.ontology, now, batchId: idJs('bat', now, s.used) })}\nCOMMIT;`,
    ).seconds
    const c = assertConsistent(db, p.id)
    if (c.annotations !== labels * PER_LABEL) throw new Error(`generated ${c.annotations} annotations, expected ${labels * PER_LABEL}`)
    return t
  })
  s.written[which] += labels * PER_LABEL
  await (await fetch(`${ctx.base}/healthz`)).arrayBuffer()
  await rolledUp(ctx)
  return seconds
}

/** Cron runs until the rollups hold all the annotations written (each run handles a bounded slice). */
async function catchUp(ctx, which) {
  const expected = s.written[which]
  const runs = []
  let before = await rolledUp(ctx)
  for (;;) {
    const run = await cronRun(ctx)
    const got = await rolledUp(ctx)
    runs.push({ ...run, facts: (got - before) / PER_LABEL })
    before = got
    if (got === expected) break
    if (got > expected) throw new Error(`state ${which}: the rollups count ${fmt(got)} annotations, more than the ${fmt(expected)} written`)
    if (runs.length > 200) throw new Error(`state ${which}: still ${fmt(expected - got)} annotations behind after 200 runs`)
  }
  const seconds = runs.reduce((a, r) => a + r.seconds, 0)
  console.log(
    `bench: from scratch, ${fmt(expected)} annotations: ${runs.length} cron run(s), ${seconds.toFixed(2)} s in all (${runs.map((r) => `${ms(r.seconds)} for ${fmt(r.facts)} facts`).join(', ')})`,
  )
  return { history: expected, runs, seconds, foreignCpuPct: Math.max(...runs.map((r) => r.foreignCpuPct ?? 0)) }
}

/** NEW annotations into state `which`, one timed cron run that must take exactly them, then a
 * timed run with nothing new (the handler's fixed cost, in the same state). */
async function increment(ctx, which) {
  const history = s.written[which]
  await addLabels(ctx, which, NEW / PER_LABEL)
  const run = await cronRun(ctx)
  if ((await rolledUp(ctx)) !== s.written[which])
    throw new Error(
      `state ${which}: one run after ${fmt(NEW)} new annotations left the rollups at ${fmt(await rolledUp(ctx))}, expected ${fmt(s.written[which])}`,
    )
  const idle = await cronRun(ctx)
  if ((await rolledUp(ctx)) !== s.written[which]) throw new Error(`state ${which}: a run with nothing new changed the rollups`)
  return { history, run, idle }
}

/** Row-by-row comparison of the rollup tables with the facts; the GROUP BY timed in sqlite3 alone. */
function verify(db) {
  const fromFacts = (keys) => `SELECT org_id, day, ${keys}, sum(annotations), sum(labels) FROM usage_facts GROUP BY 1, 2, 3, 4`
  const daily = fromFacts("asset_type, CASE WHEN imported THEN 'imported' ELSE 'human' END")
  const breakdown = fromFacts('project_id, user_id')
  const diff = sqlite(
    db,
    `
SELECT count(*) FROM (${daily} EXCEPT SELECT org_id, day, asset_type, source, annotations, labels FROM usage_daily);
SELECT count(*) FROM (SELECT org_id, day, asset_type, source, annotations, labels FROM usage_daily EXCEPT ${daily});
SELECT count(*) FROM (${breakdown} EXCEPT SELECT org_id, day, project_id, user_id, annotations, labels FROM usage_daily_breakdown);
SELECT count(*) FROM (SELECT org_id, day, project_id, user_id, annotations, labels FROM usage_daily_breakdown EXCEPT ${breakdown});`,
  ).trim()
  if (diff !== '0\n0\n0\n0') throw new Error(`the rollup tables differ from the facts (rows missing, extra, extra, missing):\n${diff}`)
  const facts = Number(sqlite(db, 'SELECT count(*) FROM usage_facts;').trim())
  const groupBy = `SELECT count(*) FROM (SELECT org_id, day, asset_type, imported, sum(annotations), sum(labels), sum(seconds_total) FROM usage_facts GROUP BY 1, 2, 3, 4);
SELECT count(*) FROM (SELECT org_id, day, project_id, user_id, sum(annotations), sum(labels), sum(seconds_total) FROM usage_facts GROUP BY 1, 2, 3, 4);`
  sqlite(db, groupBy) // warm the page cache first
  const rawSeconds = timedSqlite(db, groupBy).seconds
  const dbMiB = Math.round(
    Number(sqlite(db, 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();').trim()) / 1024 / 1024,
  )
  return { facts, rawSeconds, dbMiB }
}

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'rollup',
  description: `usage rollup (cron) from scratch over ${fmt(SMALL)} and ${fmt(LARGE)} annotations, and ${REPEAT} incremental runs after ${fmt(NEW)} new annotations at each history size`,
  async setup(ctx) {
    for (const dir of Object.values(PARKED)) rmSync(dir, { recursive: true, force: true }) // left by an aborted run
    const email = 'bench-rollup@bench.labeldesk.test'
    const { key } = await bootstrap(ctx.base, email)
    const auth = { key }
    const datasetId = (await api(ctx.base, auth, 'POST', '/datasets', { name: 'Bench images' })).id
    // A project per batch of labels: history A, what B adds, then one per increment.
    const projects = []
    for (let k = 0; k < 2 + 2 * REPEAT; k++)
      projects.push(
        await api(ctx.base, auth, 'POST', '/projects', { name: `Rollup bench ${k + 1}`, media_type: 'IMAGE', ontology: BENCH_ONTOLOGY }),
      )
    const rows = Math.max(SMALL, LARGE - SMALL, NEW) / PER_LABEL
    const t = Date.now()
    await ctx.offline(() => {
      const db = d1File(ctx.persistTo)
      const [userId, orgId] = sqlite(
        db,
        `SELECT u.id, m.org_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = ${q(email)};`,
        ['-separator', '\t'],
      )
        .trim()
        .split('\t')
      const now = Date.now()
      sqlite(
        db,
        `BEGIN;\n${labelersSql({ orgId, count: LABELERS, now })}\n${dataRowsSql({ orgId, datasetId, userId, count: rows, at: now - 100 * DAY })}\nCOMMIT;`,
      )
      s = {
        key,
        userId,
        orgId,
        datasetId,
        projects,
        used: 0,
        written: { A: 0, B: 0 },
        active: 'A',
        authors: [userId, ...labelerIds({ count: LABELERS, now })],
      }
    })
    console.log(`bench: ${fmt(rows)} data rows and ${LABELERS} labelers in ${((Date.now() - t) / 1000).toFixed(1)} s`)
    const seconds = await addLabels(ctx, 'A', SMALL / PER_LABEL)
    console.log(`bench: state A: ${fmt(SMALL / PER_LABEL)} labels = ${fmt(SMALL)} annotations, written in ${seconds.toFixed(1)} s`)
  },
  async run(ctx) {
    try {
      const scratch = { A: await catchUp(ctx, 'A') }
      // State B: a copy of A (its rollups cleared, as if the cron had never run) grown to LARGE.
      s.written.B = s.written.A
      const grow = await addLabels(ctx, 'B', (LARGE - SMALL) / PER_LABEL, () => {
        cpSync(ctx.persistTo, PARKED.B, { recursive: true })
        sqlite(d1File(PARKED.B), 'DELETE FROM usage_daily; DELETE FROM usage_daily_breakdown; DELETE FROM usage_rollup_state;')
      })
      console.log(
        `bench: state B: a copy of A, rollups cleared, ${fmt((LARGE - SMALL) / PER_LABEL)} more labels (${fmt(s.written.B)} annotations) written in ${grow.toFixed(1)} s`,
      )
      if (s.written.B !== LARGE) throw new Error(`state B has ${s.written.B} annotations, expected ${LARGE}`)
      scratch.B = await catchUp(ctx, 'B')

      // Incremental runs, alternating between the states (A B, B A, A B, …).
      const inc = { A: [], B: [] }
      for (let k = 0; k < REPEAT; k++) {
        for (const which of k % 2 ? ['B', 'A'] : ['A', 'B']) inc[which].push(await increment(ctx, which))
        console.log(
          `bench: round ${k + 1}: ${['A', 'B'].map((w) => `history ${fmt(inc[w][k].history)}: ${ms(inc[w][k].run.seconds)} (then nothing new: ${ms(inc[w][k].idle.seconds)})`).join('; ')}`,
        )
      }

      const checks = await ctx.offline(() => {
        const out = { [s.active]: verify(d1File(ctx.persistTo)) }
        const other = s.active === 'A' ? 'B' : 'A'
        out[other] = verify(d1File(PARKED[other]))
        return out
      })
      for (const w of ['A', 'B'])
        console.log(
          `bench: state ${w}: the rollup tables equal a GROUP BY over its ${fmt(checks[w].facts)} facts (${ms(checks[w].rawSeconds)} in sqlite3 alone); database ${checks[w].dbMiB} MiB`,
        )

      const runs = (w) => inc[w].map((r) => r.run.seconds)
      const idles = (w) => inc[w].map((r) => r.idle.seconds)
      const cpu = (xs) => `${Math.max(...xs.map((r) => r.foreignCpuPct ?? 0))}%`
      const ratio = median(runs('B')) / median(runs('A'))
      const netRatio = (median(runs('B')) - median(idles('B'))) / (median(runs('A')) - median(idles('A')))
      const minRatio = Math.min(...runs('B')) / Math.min(...runs('A'))
      const lines = [
        "| run | history (annotations) | facts read | cron runs | wall time of GET /__scheduled | other processes' CPU (max) |",
        '|---|---:|---:|---:|---|---:|',
        ...['A', 'B'].map(
          (w) =>
            `| from scratch | ${fmt(scratch[w].history)} | ${fmt(scratch[w].history / PER_LABEL)} | ${scratch[w].runs.length} | ${scratch[w].seconds.toFixed(2)} s = ${fmt(Math.round(scratch[w].history / PER_LABEL / scratch[w].seconds))} facts/s (${scratch[w].runs.map((r) => `${ms(r.seconds)} for ${fmt(r.facts)}`).join(', ')}) | ${scratch[w].foreignCpuPct}% |`,
        ),
        ...['A', 'B'].map(
          (w) =>
            `| incremental, after ${fmt(NEW)} new annotations (× ${REPEAT}) | ${fmt(inc[w][0].history)} → ${fmt(inc[w][REPEAT - 1].history)} | ${fmt(NEW / PER_LABEL)} each | 1 each | median ${ms(median(runs(w)))}, min ${ms(Math.min(...runs(w)))} (${runs(w).map(ms).join(', ')}) | ${cpu(inc[w].map((r) => r.run))} |`,
        ),
        ...['A', 'B'].map(
          (w) =>
            `| nothing new, right after each of those (× ${REPEAT}) | ${fmt(inc[w][0].history + NEW)} → ${fmt(inc[w][REPEAT - 1].history + NEW)} | 0 | 1 each | median ${ms(median(idles(w)))} (${idles(w).map(ms).join(', ')}) | ${cpu(inc[w].map((r) => r.idle))} |`,
        ),
      ]
      const summary = `Incremental run after ${fmt(NEW)} new annotations with ${fmt(LARGE)} vs ${fmt(SMALL)} annotations of history (${(LARGE / SMALL).toFixed(0)}×): median ${ms(median(runs('B')))} vs ${ms(median(runs('A')))} = ${ratio.toFixed(2)}×; without the fixed cost of a run with nothing new ${netRatio.toFixed(2)}×; fastest runs ${minRatio.toFixed(2)}×. sqlite3 alone, the GROUP BY over all ${fmt(checks.B.facts)} facts of the ${fmt(LARGE)}-annotation state: ${ms(checks.B.rawSeconds)}.`
      console.log(`\n${lines.join('\n')}\n\n${summary}`)
      const busy = [
        ...Object.values(scratch).map((x) => x.foreignCpuPct),
        ...['A', 'B'].flatMap((w) => inc[w].flatMap((r) => [r.run.foreignCpuPct ?? 0, r.idle.foreignCpuPct ?? 0])),
      ]
      if (busy.some((p) => p > 10))
        console.warn(
          'bench: warning: the box was busy with other work during a run (short runs make this figure coarse); rerun when it is idle before quoting these numbers',
        )
      return [{ scratch, incremental: inc, ratio, netRatio, minRatio, checks, table: lines.join('\n'), summary }]
    } finally {
      // The parked state is ours to remove; the served one is the runner's (wiped on its next run).
      for (const dir of Object.values(PARKED)) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
    }
  },
}
