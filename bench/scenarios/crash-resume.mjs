// Crash-resume under a real kill (issue 22 item 7): a project of BENCH_CRASH_ROWS labeled data rows
// (default 100k, generated like the `export` scenario's) is exported once without interruption;
// a second export of it is then killed at BENCH_CRASH_AT % (default 28) — SIGKILL to the whole
// `wrangler dev` process group, workerd included, no shutdown of any kind — and the server is
// started again on the same local state. Cloudflare fires the every-minute cron trigger itself;
// `wrangler dev` never does, so this runner fires it every 60 s, from the restart on (as
// `npm start` does). The export must then resume on its own (the cron revives a task 90 s after
// its last heartbeat, src/modules/tasks/service.ts), show "resuming" meanwhile, and finish with a
// file byte-identical to the uninterrupted one, its first progress after the kill within 3 minutes
// of its last progress before it (90 s + the cron's minute + the restart). Too slow for
// `npm test` (~4 min): `npm run bench -- crash-resume`.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seedWorkspace } from '../data.mjs'

const ROWS = Number(process.env.BENCH_CRASH_ROWS ?? 100_000)
const KILL_AT = Number(process.env.BENCH_CRASH_AT ?? 28)
const RESUME_WITHIN_S = 180
const MINUTE_CRON = '* * * * *'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * One API call with a time limit, asked again when it fails: on this machine a poll through Node's
 * fetch to wrangler dev sometimes never answered (minutes, then "fetch failed") while curl got
 * answers at once, and wrangler dev now and then answers 503 "Your worker restarted mid-request"
 * (issue 22 item 4). Asking again is safe for everything here: GETs, and starting the same export
 * while one runs returns that one.
 */
async function call(ctx, key, method, path, body) {
  for (let i = 1; ; i++) {
    try {
      const res = await fetch(`${ctx.base}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(15_000),
      })
      const text = await res.text()
      if (res.ok) return JSON.parse(text)
      if (res.status !== 503) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`), { final: true })
      throw new Error(`${method} ${path}: 503 ${text.slice(0, 200)}`)
    } catch (e) {
      if (e.final || i >= 8) throw e
      console.warn(`bench: ${e.message}; asking again`)
      await sleep(1000)
    }
  }
}

/** Polls the task until it ends; `onPoll` sees every answer. */
async function waitFor(ctx, key, id, { timeoutMs, everyMs = 250, onPoll = () => {} }) {
  const started = Date.now()
  for (;;) {
    const t = await call(ctx, key, 'GET', `/tasks/${id}`)
    onPoll(t)
    if (t.status === 'COMPLETE' || t.status === 'FAILED') return { task: t, seconds: (Date.now() - started) / 1000 }
    if (Date.now() - started > timeoutMs)
      throw new Error(`task ${id} still ${t.status} ${t.completion_percentage}% after ${timeoutMs / 1000} s`)
    await sleep(everyMs)
  }
}

const WORK = join(dirname(fileURLToPath(import.meta.url)), '../results/crash-resume') // gitignored

/**
 * Bytes, lines and sha256 of a task's result. Fetched with curl into a file: Node's fetch of a
 * ~170 MB result from wrangler dev stalled for minutes and then failed ("fetch failed") on this
 * machine, where curl takes seconds.
 */
async function resultFacts(ctx, key, taskId) {
  mkdirSync(WORK, { recursive: true })
  const file = join(WORK, `${taskId}.ndjson`)
  const r = spawnSync(
    'curl',
    ['-sS', '--fail', '-m', '600', '-o', file, '-H', `Authorization: Bearer ${key}`, `${ctx.base}/api/v1/tasks/${taskId}/result`],
    { encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`downloading the result of ${taskId}: ${r.stderr}`)
  const hash = createHash('sha256')
  let bytes = 0
  let lines = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk)
    bytes += chunk.length
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
  }
  rmSync(file, { force: true })
  return { bytes, lines, sha256: hash.digest('hex') }
}

let s

/** @type {import('../run.mjs').Scenario} */
export default {
  name: 'crash-resume',
  description: `kill -9 of wrangler dev at ${KILL_AT}% of a ${ROWS.toLocaleString('en-US')}-row export; after a restart it must resume within ${RESUME_WITHIN_S} s of its last progress and match an uninterrupted run byte for byte`,
  async setup(ctx) {
    const seeded = await seedWorkspace(ctx, {
      email: 'bench-crash@bench.labeldesk.test',
      labeled: [{ name: 'Crash-resume (bench)', rows: ROWS }],
    })
    s = { key: seeded.key, project: seeded.ids.projects[0] }
  },
  async run(ctx) {
    const path = `/projects/${s.project.id}/exports`

    const clean = await call(ctx, s.key, 'POST', path, {})
    const cleanDone = await waitFor(ctx, s.key, clean.id, { timeoutMs: 15 * 60_000 })
    if (cleanDone.task.status !== 'COMPLETE')
      throw new Error(`uninterrupted export: ${cleanDone.task.status} ${cleanDone.task.failure_reason}`)
    const cleanFile = await resultFacts(ctx, s.key, clean.id)
    console.log(`bench: uninterrupted export: ${cleanDone.seconds.toFixed(1)} s, ${cleanFile.lines} lines`)

    const task = await call(ctx, s.key, 'POST', path, {})
    let before
    for (;;) {
      before = await call(ctx, s.key, 'GET', `/tasks/${task.id}`)
      if (before.status !== 'QUEUED' && before.status !== 'IN_PROGRESS')
        throw new Error(`the export ended (${before.status}) before ${KILL_AT}%; raise BENCH_CRASH_ROWS`)
      if (before.completion_percentage >= KILL_AT) break
      await sleep(100)
    }
    const lastProgress = Date.parse(before.updated_at) // the Worker runs on this machine: our clock
    process.kill(-ctx.pgid, 'SIGKILL')
    const killedAt = Date.now()
    console.log(`bench: killed the server (SIGKILL to process group ${ctx.pgid}) at ${before.completion_percentage}%`)
    await ctx.offline(() => {}) // waits until every killed process is gone, then starts a new server on the same state
    const restartedAt = Date.now()
    const after = await call(ctx, s.key, 'GET', `/tasks/${task.id}`)
    console.log(
      `bench: restarted in ${((restartedAt - killedAt) / 1000).toFixed(1)} s; the task says ${after.status} ${after.completion_percentage}%`,
    )

    const tick = () =>
      fetch(`${ctx.base}/__scheduled?cron=${encodeURIComponent(MINUTE_CRON)}`).then(
        (r) => r.arrayBuffer(),
        () => {},
      )
    void tick()
    const cron = setInterval(tick, 60_000)
    let resumingSeen = false
    let resumedAt = null
    let done
    try {
      done = await waitFor(ctx, s.key, task.id, {
        timeoutMs: 10 * 60_000,
        onPoll: (t) => {
          if (t.resuming) resumingSeen = true
          if (resumedAt === null && (t.completion_percentage > after.completion_percentage || t.status === 'COMPLETE'))
            resumedAt = Date.now()
        },
      })
    } finally {
      clearInterval(cron)
    }
    const file = done.task.status === 'COMPLETE' ? await resultFacts(ctx, s.key, task.id) : null
    const resumeAfterS = resumedAt === null ? null : (resumedAt - lastProgress) / 1000
    const r = {
      rows: ROWS,
      killedAtPct: before.completion_percentage,
      restartSeconds: (restartedAt - killedAt) / 1000,
      resumedSecondsAfterLastProgress: resumeAfterS,
      resumingShown: resumingSeen,
      status: done.task.status,
      identical: file ? file.sha256 === cleanFile.sha256 && file.lines === cleanFile.lines : false,
      totalSeconds: (Date.now() - killedAt) / 1000,
    }
    console.log(`bench: crash-resume: ${JSON.stringify(r)}`)
    const ok = r.status === 'COMPLETE' && r.identical && resumeAfterS !== null && resumeAfterS <= RESUME_WITHIN_S && r.resumingShown
    if (!ok) {
      console.error(
        `bench: FAILED: the killed export must complete byte-identical, show "resuming", and resume within ${RESUME_WITHIN_S} s of its last progress`,
      )
      process.exitCode = 1
    }
    return [{ crashResume: r }]
  },
}
