// EXPLAIN QUERY PLAN for the SQL the app really sends: bench/queries.ts runs the service functions
// against a recording D1 stand-in (bundled here with esbuild, the bundler wrangler uses), then
// sqlite3 explains each distinct statement, with its parameters bound, on the benchmark database.
// Run it while the server is stopped (ctx.offline): it opens the D1 file directly.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { q, sqlite } from './data.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

async function loadCapture() {
  const { build } = await import('esbuild')
  const outfile = join(root, '.wrangler/bench-sql/queries.mjs')
  mkdirSync(dirname(outfile), { recursive: true })
  await build({
    entryPoints: [join(root, 'bench/queries.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    // Same alias as wrangler.toml: hono-openapi's optional zod import stays out of the bundle.
    alias: { 'zod/v4/core': join(root, 'src/stubs/no-zod.ts') },
  })
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`)
}

/** Long select lists make plans unreadable: `select "projects"."id", … (17 columns) from …`. */
function shorten(sql) {
  return sql.replace(/^select (.+?) from /, (m, cols) => {
    const n = cols.split(', ').length
    return n > 4 ? `select ${cols.split(', ')[0]}, … (${n} columns) from ` : m
  })
}

/** [{ name, sql, params, plan, sqliteMs }] for each distinct statement of the Projects list, search
 * and dashboard, in the order the app runs them. */
export async function explainAppQueries(db, ids) {
  const { captureQueries } = await loadCapture()
  return explain(db, await captureQueries(ids))
}

/** The same for one export slice; `dataRowIds` are real ids of the project (the first is the cursor). */
export async function explainExportQueries(db, ids) {
  const { captureExportQueries } = await loadCapture()
  const reads = (await captureExportQueries(ids)).filter((c) => /^select /i.test(c.sql))
  return explain(db, reads)
}

function explain(db, captured) {
  const seen = new Set()
  const out = []
  for (const c of captured) {
    const key = c.sql + JSON.stringify(c.params)
    if (seen.has(key)) continue
    seen.add(key)
    let i = 0
    const numbered = c.sql.replace(/\?/g, () => `?${++i}`)
    const binds = c.params
      .map((p, k) => `INSERT INTO temp.sqlite_parameters(key, value) VALUES ('?${k + 1}', ${typeof p === 'number' ? p : q(p)});`)
      .join('\n')
    const plan = sqlite(db, `.parameter init\n${binds}\nEXPLAIN QUERY PLAN ${numbered};\n`).trim()
    // What the statement costs SQLite alone on this database: the median of `runs` runs, warm cache.
    const runs = 9
    const timed = sqlite(db, `.parameter init\n${binds}\n.output /dev/null\n.timer on\n${`${numbered};\n`.repeat(runs)}`)
    const times = [...timed.matchAll(/Run Time: real ([\d.]+)/g)].map((m) => Number(m[1]) * 1000).sort((a, b) => a - b)
    out.push({ name: c.name, sql: shorten(c.sql), params: c.params, plan, sqliteMs: times[Math.floor(times.length / 2)] })
  }
  return out
}

/** Statements whose plan reads a whole table or index instead of searching it (the json_each of a
 * parameter list is not a table, nor is a full-text MATCH — `INDEX 0:M…` — or a subquery's
 * co-routine). NB: a SEARCH on a prefix matching 100k rows reads them all too. */
export const scans = (plans) =>
  plans.filter((p) =>
    p.plan
      .split('\n')
      .some((l) => /\bSCAN\b/.test(l) && !/SCAN (CONSTANT ROW|json_each VIRTUAL TABLE|\w+ VIRTUAL TABLE INDEX \d+:M|\(subquery-)/.test(l)),
  )

/** Markdown: each statement with its plan. */
export function plansMarkdown(plans) {
  return plans
    .map(
      (p) =>
        `**${p.name}** (sqlite3 alone: ${p.sqliteMs < 1 ? '< 1' : p.sqliteMs.toFixed(0)} ms, median of 9 warm runs)\n\n\`\`\`sql\n${p.sql}\n-- params: ${JSON.stringify(p.params.map((v) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 60)}… (${v.length} characters)` : v)))}\n\`\`\`\n\n\`\`\`\n${p.plan}\n\`\`\``,
    )
    .join('\n\n')
}
