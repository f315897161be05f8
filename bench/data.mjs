// Data at scale for the benchmark scenarios. Nothing big goes through the HTTP API: a real person,
// session, API key, dataset and project are made over HTTP (so ids, hashes and ontologies are the
// app's own), then the bulk rows are written with SQL straight into the local D1 SQLite file while
// the server is stopped (ctx.offline), with recursive CTEs. The database's own triggers
// (migrations/0001_counters.sql, 0003_label_counters.sql, 0009_member_review_triggers.sql) keep
// every counter, and 0010_projects_fts.sql the name index, while the rows go in;
// the aggregates the app writes itself (feature counts, usage facts, reviews) are derived here from
// the generated rows, so the dashboard's numbers are exactly what the app would show.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { withForeignCpu } from './lib.mjs'

// HTTP --------------------------------------------------------------------------------------------

export const PASSWORD = 'bench-password-1'

/** Signs a new person (and their organization) up through the form; returns the session cookie. */
export async function signUp(base, { email, name = 'Bench Admin', org = 'Bench Org' }) {
  const res = await fetch(`${base}/signup`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
    body: new URLSearchParams({ full_name: name, email, password: PASSWORD, organization_name: org }),
  })
  await res.arrayBuffer()
  const m = /ld_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')
  if (res.status !== 303 || !m) throw new Error(`sign-up failed: ${res.status}`)
  return `ld_session=${m[1]}`
}

/** One JSON API call as the session (`{ cookie }`) or an API key (`{ key }`); throws on non-2xx. */
export async function api(base, auth, method, path, body, headers = {}, signal = undefined) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    signal,
    headers: {
      ...(auth.key ? { Authorization: `Bearer ${auth.key}` } : { Cookie: auth.cookie, Origin: base }),
      ...(body !== undefined && typeof body === 'string' ? {} : body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body:
      body === undefined
        ? undefined
        : typeof body === 'string' || body instanceof Uint8Array || body?.getReader
          ? body
          : JSON.stringify(body),
    duplex: 'half',
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`)
  return text ? JSON.parse(text) : null
}

/** The person, their organization, an ADMIN API key, over HTTP. */
export async function bootstrap(base, email) {
  const cookie = await signUp(base, { email })
  const key = (await api(base, { cookie }, 'POST', '/api-keys', { name: 'bench', expires_in_days: 7 })).key
  return { cookie, key }
}

/**
 * Polls GET /tasks/{id} until the task ends; returns it with the seconds from `startedAt`
 * (performance.now() time) to the task's own `finished_at`, so the 500 ms polling interval does
 * not add to short runs (`polledSeconds`: to the poll that saw it). The Worker runs on this
 * machine, so its clock is ours. A task that reports a failure reason while still running and then
 * makes no progress for `stuckAfterMs` (its message failing on every retry, or the task left
 * IN_PROGRESS) is returned as `stuck`, with the seconds at which the failure was first seen.
 */
export async function waitForTask(
  base,
  auth,
  id,
  { startedAt = performance.now(), timeoutMs = 20 * 60_000, everyMs = 500, stuckAfterMs = 60_000, onPoll } = {},
) {
  const startedWall = Date.now() - (performance.now() - startedAt)
  let lastState = ''
  let lastChange = performance.now()
  let failureSeenAt = null
  for (;;) {
    // A poll that gets no answer in 15 s is sent again: twice (COCO exports, 2026-12-05) one sent
    // on a kept-alive connection near the end of the export waited 95–230 s while a new
    // connection was answered at once.
    let t
    for (let tries = 1; !t; tries++) {
      try {
        t = await api(base, auth, 'GET', `/tasks/${id}`, undefined, {}, AbortSignal.timeout(15_000))
      } catch (e) {
        if (e?.name !== 'TimeoutError' || tries >= 5) throw e
        console.warn(`bench: GET /tasks/${id} did not answer in 15 s; asking again`)
      }
    }
    const now = performance.now()
    onPoll?.(t)
    const seconds = (now - startedAt) / 1000
    if (t.status === 'COMPLETE' || t.status === 'FAILED') {
      const finished = t.finished_at ? (Date.parse(t.finished_at) - startedWall) / 1000 : seconds
      return { task: t, seconds: Math.min(finished, seconds), polledSeconds: seconds }
    }
    const state = `${t.status} ${t.completion_percentage} ${t.updated_at} ${t.failure_reason}`
    if (state !== lastState) (lastState = state), (lastChange = now)
    if (t.failure_reason && failureSeenAt === null) failureSeenAt = seconds
    if (t.failure_reason && now - lastChange > stuckAfterMs) return { task: t, seconds, stuck: true, failureSeenAt }
    if (now - startedAt > timeoutMs)
      throw new Error(`task ${id} still ${t.status} after ${timeoutMs / 1000} s (${t.completion_percentage}%)`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Streams a download: bytes, lines and sha256, never the whole body in memory. */
export async function download(base, auth, path) {
  const res = await fetch(`${base}/api/v1${path}`, {
    headers: auth.key ? { Authorization: `Bearer ${auth.key}` } : { Cookie: auth.cookie },
  })
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
  const hash = createHash('sha256')
  let bytes = 0
  let lines = 0
  for await (const chunk of res.body) {
    hash.update(chunk)
    bytes += chunk.byteLength
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
  }
  return { bytes, lines, sha256: hash.digest('hex') }
}

/**
 * workerd's memory in MiB, summed over the workerd processes of process group `pgid`: VmRSS (what
 * bench/lib.mjs groupRssMiB reports), split into RssAnon (heaps: V8 isolates, SQLite's page cache,
 * buffers) and RssFile (file pages mapped in, e.g. the database file). Linux /proc only.
 */
export function workerdMemory(pgid) {
  const m = { rss: 0, anon: 0, file: 0 }
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'workerd') continue
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
      m.rss += kb('VmRSS')
      m.anon += kb('RssAnon')
      m.file += kb('RssFile') + kb('RssShmem')
    } catch {} // the process ended meanwhile
  }
  return { rss: Math.round(m.rss / 1024), anon: Math.round(m.anon / 1024), file: Math.round(m.file / 1024) }
}

/** Samples workerd's memory every `everyMs` until stopped: start, peak and end of RSS and of RssAnon. */
export function sampleRss(ctx, everyMs = 250) {
  const samples = []
  const take = () => {
    const v = workerdMemory(ctx.pgid)
    if (v.rss) samples.push(v)
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop() {
      clearInterval(timer)
      take()
      const first = samples[0]
      const last = samples[samples.length - 1]
      return {
        startMiB: first.rss,
        peakMiB: Math.max(...samples.map((x) => x.rss)),
        endMiB: last.rss,
        anonStartMiB: first.anon,
        anonPeakMiB: Math.max(...samples.map((x) => x.anon)),
        anonEndMiB: last.anon,
        filePeakMiB: Math.max(...samples.map((x) => x.file)),
        samples: samples.length,
        // RSS / RssAnon at 0 %, 10 % … 100 % of the run's duration: flat, or growing with the work?
        timeline: Array.from({ length: 11 }, (_, k) => samples[Math.round((k / 10) * (samples.length - 1))])
          .map((x) => `${x.rss}/${x.anon}`)
          .join(' '),
      }
    },
  }
}

/** Pids of the workerd processes in process group `pgid`. */
function workerdPids(pgid) {
  const out = []
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (
        Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid &&
        readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd'
      )
        out.push(pid)
    } catch {}
  }
  return out
}

/** Loopback ports that `pids` listen on (from /proc/net/tcp and their open sockets). */
function listeningPorts(pids) {
  const inodes = new Set()
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
          if (m) inodes.add(m[1])
        } catch {}
      }
    } catch {}
  }
  const ports = []
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f[3] === '0A' && f[1]?.startsWith('0100007F:') && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16))
  }
  return ports
}

/**
 * The JavaScript heap of the app's own isolate — what the Workers runtime limits to 128 MB — read
 * with Runtime.getHeapUsage from workerd's inspector (wrangler dev starts it on a free loopback
 * port; the worker is "core:user:<name>"), sampled every `everyMs` until stopped. workerd's RSS
 * above also holds Miniflare's D1/R2/queue simulators and SQLite's caches, which production
 * doesn't put in the Worker. Resolves to null when the inspector can't be found.
 */
export async function sampleWorkerHeap(ctx, { worker = 'core:user:labeldesk', everyMs = 250 } = {}) {
  // BENCH_HEAP=0 leaves the inspector alone (the sampler takes over the session wrangler's own
  // inspector proxy holds; see BENCHMARKS.md for what that was seen to do to long runs).
  if (process.env.BENCH_HEAP === '0') return null
  let url
  for (let round = 0; round < 10 && !url; round++) {
    if (round) await new Promise((r) => setTimeout(r, 500))
    for (const port of listeningPorts(workerdPids(ctx.pgid))) {
      try {
        const list = await (await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(1000) })).json()
        url = list.find?.((t) => t.id === worker)?.webSocketDebuggerUrl
        if (url) break
      } catch {}
    }
  }
  if (!url) return null
  const { default: WebSocket } = await import('ws') // a dependency of wrangler/miniflare
  // workerd's inspector leaves a worker's first session unanswered (seen with wrangler 4.86):
  // connect until a session answers.
  const samples = []
  let ws
  for (let attempt = 0; attempt < 6 && !ws; attempt++) {
    const s = new WebSocket(url)
    const answered = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 1500)
      s.once('error', () => (clearTimeout(t), resolve(false)))
      s.once('open', () => s.send(JSON.stringify({ id: 0, method: 'Runtime.getHeapUsage' })))
      s.once('message', () => (clearTimeout(t), resolve(true)))
    })
    if (answered) ws = s
    else s.terminate()
  }
  if (!ws) return null
  let id = 0
  ws.on('message', (m) => {
    const r = JSON.parse(m.toString())
    if (r.result?.usedSize !== undefined) samples.push({ used: r.result.usedSize, total: r.result.totalSize })
  })
  ws.on('error', () => {})
  const ask = () => ws.readyState === 1 && ws.send(JSON.stringify({ id: ++id, method: 'Runtime.getHeapUsage' }))
  ask()
  const timer = setInterval(ask, everyMs)
  return {
    async stop() {
      clearInterval(timer)
      ask()
      await new Promise((r) => setTimeout(r, 200))
      ws.close()
      if (!samples.length) return null
      const mib = (b) => Math.round((b / 1024 / 1024) * 10) / 10
      return {
        usedStartMiB: mib(samples[0].used),
        usedPeakMiB: mib(Math.max(...samples.map((x) => x.used))),
        usedEndMiB: mib(samples[samples.length - 1].used),
        totalPeakMiB: mib(Math.max(...samples.map((x) => x.total))),
        samples: samples.length,
        timeline: Array.from({ length: 11 }, (_, k) => samples[Math.round((k / 10) * (samples.length - 1))])
          .map((x) => mib(x.used))
          .join(' '),
      }
    },
  }
}

// SQLite ------------------------------------------------------------------------------------------

/** The local D1 database file of `wrangler dev --persist-to <persistTo>` (Miniflare's layout). */
export function d1File(persistTo) {
  const dir = join(persistTo, 'v3/d1/miniflare-D1DatabaseObject')
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(', ') || 'none'}`)
  return join(dir, files[0])
}

/** Runs a SQL script with the sqlite3 CLI (stops at the first error); returns stdout. */
export function sqlite(db, script, args = []) {
  const r = spawnSync('sqlite3', ['-bail', ...args, db], { input: script, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr.slice(0, 2000)}`)
  return r.stdout
}

/** Like sqlite() but returns the wall time in seconds too. */
export function timedSqlite(db, script, args = []) {
  const t = process.hrtime.bigint()
  const out = sqlite(db, script, args)
  return { out, seconds: Number(process.hrtime.bigint() - t) / 1e9 }
}

/** A SQL string literal. */
export const q = (s) => (s === null || s === undefined ? 'NULL' : `'${String(s).replace(/'/g, "''")}'`)

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** SQL for the 10-character Crockford base32 of a millisecond time, as src/lib/ids.ts writes it. */
const b32Time = (t) => Array.from({ length: 10 }, (_, k) => `substr('${ALPHABET}', ((${t}) >> ${5 * (9 - k)} & 31) + 1, 1)`).join(' || ')
/**
 * SQL for an id like the app's (`prj_` + 10 chars of time + 16 more, 26 in all, time-sortable):
 * the time part is the row's created_at, the rest is the row number in 16 digits (digits are
 * Crockford characters), so ids are unique and sort by creation time like `newId()`'s.
 */
export const idSql = (prefix, t, i) => `'${prefix}_' || ${b32Time(t)} || printf('%016d', ${i})`

/** The same id, computed in JS (for the few rows the generator refers to by id). */
export function idJs(prefix, t, i) {
  let s = ''
  for (let k = 9; k >= 0; k--) s += ALPHABET[Math.floor(t / 2 ** (5 * k)) % 32]
  return `${prefix}_${s}${String(i).padStart(16, '0')}`
}

const DAY = 86_400_000

// Generators --------------------------------------------------------------------------------------

/** Other members of the organization who made labels (SQL-only people: they never log in). */
export function labelersSql({ orgId, count, now }) {
  return `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO users (id, email, full_name, password_hash, created_at, updated_at)
  SELECT ${idSql('usr', now - 200 * DAY, 'i')}, 'labeler' || i || '@bench.labeldesk.test', 'Bench Labeler ' || i, 'bench:no-login', ${now - 200 * DAY}, ${now - 200 * DAY} FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO memberships (id, org_id, user_id, role, created_at)
  SELECT ${idSql('mem', now - 200 * DAY, 'i')}, ${q(orgId)}, ${idSql('usr', now - 200 * DAY, 'i')}, 'LABELER', ${now - 200 * DAY} FROM n;
`
}
export const labelerIds = ({ count, now }) => Array.from({ length: count }, (_, k) => idJs('usr', now - 200 * DAY, k + 1))

/**
 * `count` projects in the organization, one a minute up to `until` (so older than anything made
 * over HTTP), with the given ontology JSON. Every `needleEvery`-th name contains "Needle": a search
 * that matches only a few. A tenth of the names say "Retail": a search that matches many.
 */
export function projectsSql({ orgId, userId, count, until, ontologyJson, needleEvery = 25_000 }) {
  const t = `${until - count * 60_000} + i * 60000`
  return `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO projects (id, org_id, name, description, media_type, ontology, created_by, created_at, updated_at, deleted_at,
                      data_row_count, label_count, labeled_count, skipped_count, reviews_accepted, reviews_declined, reviews_ambiguous)
  SELECT ${idSql('prj', t, 'i')}, ${q(orgId)},
         CASE WHEN i % ${needleEvery} = 1234 % ${needleEvery} THEN 'Needle inspection ' || printf('%06d', i)
              ELSE CASE i % 10 WHEN 0 THEN 'Retail shelves' WHEN 1 THEN 'Street scenes' WHEN 2 THEN 'Drone survey' WHEN 3 THEN 'Medical scans'
                   WHEN 4 THEN 'Document layout' WHEN 5 THEN 'Warehouse pallets' WHEN 6 THEN 'Crop health' WHEN 7 THEN 'Traffic signs'
                   WHEN 8 THEN 'Sentiment review' ELSE 'Parking lots' END || ' ' || printf('%06d', i) END,
         'Generated for the benchmark', CASE WHEN i % 10 = 8 THEN 'TEXT' WHEN i % 10 = 3 THEN 'DICOM' WHEN i % 17 = 0 THEN 'VIDEO' ELSE 'IMAGE' END,
         ${q(ontologyJson)}, ${q(userId)}, ${t}, ${t}, NULL, 0, 0, 0, 0, 0, 0, 0
  FROM n;
-- Folded for search as the app folds them (migration 0011; the names are ASCII, so lower() is exact).
UPDATE projects SET name_fold = lower(name) WHERE org_id = ${q(orgId)} AND name_fold IS NULL;
`
}

/**
 * `count` data rows (image URLs, global keys, external ids) in a dataset, one per 10 ms from `at`,
 * with a known size (640×480 JPEG, as "Read image sizes" stores it): COCO, YOLO and VOC exports
 * leave out rows without one.
 */
export function dataRowsSql({ orgId, datasetId, userId, count, at, tag = 'img' }) {
  const t = `${at} + i * 10`
  return `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO data_rows (id, org_id, dataset_id, row_data, global_key, global_key_lower, external_id, media_type, metadata_fields, attachments, media_attributes, created_by, created_at, updated_at)
  SELECT ${idSql('dr', t, 'i')}, ${q(orgId)}, ${q(datasetId)},
         'https://storage.example.com/bench/${tag}/' || printf('%07d', i) || '.jpg',
         'bench-${tag}-' || printf('%07d', i), 'bench-${tag}-' || printf('%07d', i), 'ext-${tag}-' || i, 'IMAGE',
         json_array(json_object('name', 'split', 'value', CASE WHEN i % 10 = 0 THEN 'test' ELSE 'train' END)), '[]',
         json_object('width', 640, 'height', 480, 'mime_type', 'image/jpeg'), ${q(userId)}, ${t}, ${t}
  FROM n;
`
}

/**
 * A labeled project: its first `rows` data rows of the dataset attached as one batch, one label of
 * 5 annotations per row (2 cars, a person, a road polygon, a weather answer — 4 objects + 1 answer,
 * the app's annotation count), by the given people in turn, spread over the last 90 days; a tenth
 * reviewed by `reviewerId` (1 in 5 of those declined). Triggers keep the project's counters, the
 * batch size, member stats and label days; feature counts, usage facts, reviews, review states and
 * workflow statuses are written here the way the label and review services write them.
 * `ontology` is the project's ontology as the API returned it (feature_schema_ids). Every box and
 * polygon lies inside the rows' 640×480 image (they used to reach x = 1,019 and y = 700): COCO,
 * YOLO and VOC clip to the image, and geometry outside it would measure work no real export does.
 */
export function labeledProjectSql({ orgId, projectId, datasetId, rows, authors, reviewerId, ontology, now, batchId }) {
  const tool = (name) => ontology.tools.find((t) => t.name === name)
  const car = tool('Car')
  const person = tool('Person')
  const road = tool('Road')
  const weather = ontology.classifications.find((c) => c.name === 'Weather')
  const [sunny, rainy] = weather.options
  const start = now - 90 * DAY
  const step = Math.floor((90 * DAY - 60_000) / rows)
  const t = `${start} + i * ${step}`
  const ann = (k) => `'ann_' || ${b32Time(t)} || printf('%015d', i) || '${k}'`
  const box = (k, f, top, left) =>
    `json_object('feature_id', ${ann(k)}, 'feature_schema_id', ${q(f.feature_schema_id)}, 'name', ${q(f.name)}, 'annotation_kind', 'ImageBoundingBox', 'classifications', json_array(),
       'bounding_box', json_object('top', ${top}, 'left', ${left}, 'height', 20 + i % 80, 'width', 30 + i % 90))`
  const annotations = `json_object(
      'objects', json_array(
        ${box(1, car, 'i % 380', '(i * 7) % 520')},
        ${box(2, car, '(i * 3) % 380', '(i * 11) % 520')},
        ${box(3, person, '(i * 5) % 380', '(i * 13) % 520')},
        json_object('feature_id', ${ann(4)}, 'feature_schema_id', ${q(road.feature_schema_id)}, 'name', ${q(road.name)}, 'annotation_kind', 'ImagePolygon', 'classifications', json_array(),
          'polygon', json_array(json_object('x', 0, 'y', 380 + i % 50), json_object('x', 600, 'y', 400 + i % 40), json_object('x', 600, 'y', 470), json_object('x', 0, 'y', 470)))),
      'classifications', json_array(
        json_object('feature_id', ${ann(5)}, 'feature_schema_id', ${q(weather.feature_schema_id)}, 'name', ${q(weather.name)}, 'value', ${q(weather.name.toLowerCase().replace(/[^a-z0-9]+/g, '_'))},
          'radio_answer', CASE WHEN i % 3 = 0
            THEN json_object('feature_id', ${ann(6)}, 'feature_schema_id', ${q(rainy.feature_schema_id)}, 'name', ${q(rainy.name)}, 'value', ${q(rainy.value)}, 'classifications', json_array())
            ELSE json_object('feature_id', ${ann(6)}, 'feature_schema_id', ${q(sunny.feature_schema_id)}, 'name', ${q(sunny.name)}, 'value', ${q(sunny.value)}, 'classifications', json_array()) END)),
      'relationships', json_array())`
  const people = `authors(k, id) AS (VALUES ${authors.map((a, k) => `(${k}, ${q(a)})`).join(', ')})`
  const P = q(projectId)
  return `
INSERT INTO batches (id, org_id, project_id, name, priority, size, created_by, created_at)
  VALUES (${q(batchId)}, ${q(orgId)}, ${P}, 'Bench batch of ${rows} rows', 3, 0, ${q(reviewerId)}, ${start - DAY});
INSERT INTO project_data_rows (project_id, data_row_id, batch_id, priority, workflow_status, label_count, skip_count, reserved_by, reserved_until, created_at)
  SELECT ${P}, id, ${q(batchId)}, 3, 'TO_LABEL', 0, 0, NULL, NULL, ${start - DAY} FROM data_rows WHERE dataset_id = ${q(datasetId)} ORDER BY id LIMIT ${rows};
WITH ${people}, r AS (SELECT data_row_id, row_number() OVER (ORDER BY data_row_id) AS i FROM project_data_rows WHERE project_id = ${P})
INSERT INTO labels (id, org_id, project_id, data_row_id, created_by, annotations, annotation_count, seconds_to_create, skipped, imported, import_key, review_state, created_at, updated_at)
  SELECT ${idSql('lbl', t, 'i')}, ${q(orgId)}, ${P}, r.data_row_id, (SELECT id FROM authors WHERE k = i % ${authors.length}),
         ${annotations}, 5, 20 + (i * 37) % 160 + 0.5, 0, 0, NULL, 'UNREVIEWED', ${t}, ${t}
  FROM r;
-- What labelInsertStmts() writes besides the label: the row goes to review, usage is recorded.
UPDATE project_data_rows SET workflow_status = 'IN_REVIEW' WHERE project_id = ${P} AND label_count > 0;
INSERT INTO usage_facts (org_id, project_id, user_id, day, asset_type, imported, annotations, labels, seconds_total, created_at)
  SELECT org_id, project_id, created_by, date(created_at / 1000, 'unixepoch'), 'IMAGE', 0, annotation_count, 1, seconds_to_create, created_at FROM labels WHERE project_id = ${P};
-- Feature counts per person, from the stored annotations (what featureCountStmt() adds up).
INSERT INTO project_feature_counts (project_id, feature_schema_id, answer_schema_id, user_id, kind, name, answer, count)
  SELECT l.project_id, json_extract(o.value, '$.feature_schema_id'), '', l.created_by, 'object', json_extract(o.value, '$.name'), '', count(*)
  FROM labels l, json_each(l.annotations, '$.objects') o WHERE l.project_id = ${P} GROUP BY 2, 4;
INSERT INTO project_feature_counts (project_id, feature_schema_id, answer_schema_id, user_id, kind, name, answer, count)
  SELECT l.project_id, json_extract(c.value, '$.feature_schema_id'), json_extract(c.value, '$.radio_answer.feature_schema_id'), l.created_by, 'answer',
         json_extract(c.value, '$.name'), json_extract(c.value, '$.radio_answer.name'), count(*)
  FROM labels l, json_each(l.annotations, '$.classifications') c WHERE l.project_id = ${P} GROUP BY 2, 3, 4;
-- A tenth of the labels reviewed (reviewLabel(): review row, review state by the same CASE, workflow).
WITH r AS (SELECT id, created_at, row_number() OVER (ORDER BY id) AS i FROM labels WHERE project_id = ${P})
INSERT INTO reviews (id, org_id, label_id, project_id, score, created_by, created_at, updated_at)
  SELECT ${idSql('rev', 'r.created_at + 3600000', 'i')}, ${q(orgId)}, r.id, ${P}, CASE WHEN i % 50 = 0 THEN -1 ELSE 1 END, ${q(reviewerId)}, r.created_at + 3600000, r.created_at + 3600000
  FROM r WHERE i % 10 = 0;
UPDATE labels SET review_state = (SELECT CASE WHEN count(*) = 0 THEN 'UNREVIEWED' WHEN min(score) = 1 THEN 'ACCEPTED' WHEN max(score) = -1 THEN 'DECLINED' ELSE 'AMBIGUOUS' END FROM reviews WHERE reviews.label_id = labels.id)
  WHERE project_id = ${P} AND id IN (SELECT label_id FROM reviews WHERE project_id = ${P});
UPDATE project_data_rows SET workflow_status = CASE (SELECT review_state FROM labels WHERE labels.project_id = project_data_rows.project_id AND labels.data_row_id = project_data_rows.data_row_id)
    WHEN 'ACCEPTED' THEN 'DONE' WHEN 'DECLINED' THEN 'IN_REWORK' ELSE workflow_status END
  WHERE project_id = ${P};
`
}

/** The ontology every generated labeled project uses (sent to POST /projects; ids come back). */
export const BENCH_ONTOLOGY = {
  tools: [
    { name: 'Car', tool: 'bounding_box' },
    { name: 'Person', tool: 'bounding_box' },
    { name: 'Road', tool: 'polygon' },
  ],
  classifications: [{ name: 'Weather', type: 'radio', options: [{ name: 'Sunny' }, { name: 'Rainy' }] }],
}

/** Counts that must hold after generation (a cheap consistency check, printed with the setup). */
export function checkSql(projectId) {
  const P = q(projectId)
  return `
SELECT 'data_row_count', data_row_count, (SELECT count(*) FROM project_data_rows WHERE project_id = ${P}) FROM projects WHERE id = ${P}
UNION ALL SELECT 'label_count', label_count, (SELECT count(*) FROM labels WHERE project_id = ${P} AND NOT skipped) FROM projects WHERE id = ${P}
UNION ALL SELECT 'labeled_count', labeled_count, (SELECT count(*) FROM project_data_rows WHERE project_id = ${P} AND label_count > 0) FROM projects WHERE id = ${P}
UNION ALL SELECT 'annotations', (SELECT sum(count) FROM project_feature_counts WHERE project_id = ${P}), (SELECT sum(annotation_count) FROM labels WHERE project_id = ${P})
UNION ALL SELECT 'reviews_accepted+declined', reviews_accepted + reviews_declined, (SELECT count(*) FROM reviews WHERE project_id = ${P}) FROM projects WHERE id = ${P}
UNION ALL SELECT 'member_stats.labels', (SELECT sum(labels) FROM project_member_stats WHERE project_id = ${P}), label_count FROM projects WHERE id = ${P}
UNION ALL SELECT 'member_stats.reviews', (SELECT sum(reviews_accepted + reviews_declined + reviews_ambiguous) FROM project_member_stats WHERE project_id = ${P}), (SELECT count(*) FROM labels WHERE project_id = ${P} AND NOT skipped AND review_state <> 'UNREVIEWED')
UNION ALL SELECT 'label_days', (SELECT sum(count) FROM project_label_days WHERE project_id = ${P}), label_count FROM projects WHERE id = ${P};
`
}

/** Runs checkSql and throws when a counter disagrees with a recount. */
export function assertConsistent(db, projectId) {
  const rows = sqlite(db, checkSql(projectId), ['-separator', '\t'])
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
  const bad = rows.filter(([, a, b]) => a !== b)
  if (bad.length) throw new Error(`generated data is inconsistent: ${bad.map((r) => r.join(' ')).join('; ')}`)
  return Object.fromEntries(rows.map(([k, a]) => [k, Number(a)]))
}

// A whole workspace -------------------------------------------------------------------------------

/**
 * Signs up `email` (session + API key over HTTP), creates a dataset and the `labeled` projects over
 * HTTP (with BENCH_ONTOLOGY), then — server stopped — writes with SQL: 8 more labelers, `many`
 * small projects, enough data rows for the biggest labeled project, each labeled project's batch,
 * labels, reviews and aggregates, and `pins` pins (the first labeled project and the newest
 * generated ones). `inspect(db, ids)` runs on the finished database while the server is still
 * stopped (query plans, raw dumps). Returns ids, timings and the consistency check.
 */
export async function seedWorkspace(ctx, { email, labeled, many = 0, pins = 0, inspect }) {
  const t0 = Date.now()
  const { cookie, key } = await bootstrap(ctx.base, email)
  const auth = { cookie }
  const dataset = await api(ctx.base, auth, 'POST', '/datasets', { name: 'Bench images' })
  const projects = []
  for (const p of labeled)
    projects.push({
      ...p,
      ...(await api(ctx.base, auth, 'POST', '/projects', { name: p.name, media_type: 'IMAGE', ontology: BENCH_ONTOLOGY })),
    })
  const timings = { http: (Date.now() - t0) / 1000 }
  const result = await ctx.offline(async () => {
    const db = d1File(ctx.persistTo)
    const [userId, orgId] = sqlite(
      db,
      `SELECT u.id, m.org_id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = ${q(email)};`,
      ['-separator', '\t'],
    )
      .trim()
      .split('\t')
    if (!userId || !orgId) throw new Error(`could not find ${email} in the database`)
    const now = Date.now()
    const lap = (name, f) => {
      const t = Date.now()
      f()
      timings[name] = (Date.now() - t) / 1000
    }
    const labelers = 8
    const oldest = Math.min(...projects.map((p) => Date.parse(p.created_at)))
    lap('people+projects', () =>
      sqlite(
        db,
        `BEGIN;\n${labelersSql({ orgId, count: labelers, now })}\n${many ? projectsSql({ orgId, userId, count: many, until: oldest - 60_000, ontologyJson: JSON.stringify(projects[0].ontology) }) : ''}\nCOMMIT;`,
      ),
    )
    const rows = Math.max(...projects.map((p) => p.rows))
    lap('data rows', () =>
      sqlite(db, `BEGIN;\n${dataRowsSql({ orgId, datasetId: dataset.id, userId, count: rows, at: now - 100 * DAY })}\nCOMMIT;`),
    )
    const authors = [userId, ...labelerIds({ count: labelers, now })]
    const checks = {}
    projects.forEach((p, k) => {
      lap(`labels of ${p.name}`, () =>
        sqlite(
          db,
          `BEGIN;\n${labeledProjectSql({ orgId, projectId: p.id, datasetId: dataset.id, rows: p.rows, authors, reviewerId: userId, ontology: p.ontology, now, batchId: idJs('bat', now, k + 1) })}\nCOMMIT;`,
        ),
      )
      checks[p.name] = assertConsistent(db, p.id)
    })
    if (pins > 0) {
      const pinned = [
        projects[0].id,
        ...Array.from({ length: Math.min(pins - 1, many) }, (_, k) =>
          idJs('prj', oldest - 60_000 - many * 60_000 + (many - k) * 60_000, many - k),
        ),
      ]
      sqlite(
        db,
        pinned
          .map((id) => `INSERT INTO project_pins (user_id, project_id, created_at) VALUES (${q(userId)}, ${q(id)}, ${now});`)
          .join('\n'),
      )
      const found = Number(
        sqlite(db, `SELECT count(*) FROM project_pins p JOIN projects j ON j.id = p.project_id WHERE p.user_id = ${q(userId)};`).trim(),
      )
      if (found !== pinned.length) throw new Error(`pinned ${pinned.length} projects but ${found} exist`)
    }
    // The trigram index of project names (migrations/0010_projects_fts.sql) follows the generated
    // projects through its triggers; FTS5 compares it with the names here (throws when it differs).
    sqlite(db, "INSERT INTO projects_fts(projects_fts, rank) VALUES ('integrity-check', 1);")
    const fk = sqlite(db, 'PRAGMA foreign_key_check;').trim()
    if (fk) throw new Error(`foreign key violations after generation:\n${fk.slice(0, 1000)}`)
    const size = Number(sqlite(db, 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size();').trim())
    const ids = { userId, orgId, datasetId: dataset.id, projects: projects.map((p) => ({ id: p.id, name: p.name, rows: p.rows })) }
    const inspected = inspect ? await inspect(db, ids) : undefined
    return { ids, checks, dbMiB: Math.round(size / 1024 / 1024), inspected }
  })
  return { cookie, key, ...result, timings }
}

// Imports ------------------------------------------------------------------------------------------

/**
 * POSTs the NDJSON `file` (`bytes` long, streamed) to `path` and waits for the task it starts,
 * printing progress every `stepPct` %. Resolves with [{ done, uploaded, mem, js }, other processes'
 * CPU %]: `done` from waitForTask, `uploaded` the seconds the POST took, `mem` workerd's RSS and
 * `js` the worker's heap while it ran.
 */
export async function importFile(ctx, auth, path, file, bytes, label, stepPct = 10) {
  return withForeignCpu(ctx.pgid, async () => {
    const rss = sampleRss(ctx)
    const heap = await sampleWorkerHeap(ctx)
    const t0 = performance.now()
    const body = Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 }))
    const task = await api(ctx.base, auth, 'POST', path, body, { 'Content-Type': 'application/x-ndjson', 'Content-Length': String(bytes) })
    const uploaded = (performance.now() - t0) / 1000
    let last = -1
    const done = await waitForTask(ctx.base, auth, task.id, {
      startedAt: t0,
      timeoutMs: 14 * 60_000,
      onPoll: (t) => {
        const pct = Math.floor(t.completion_percentage / stepPct) * stepPct
        if (pct !== last) {
          last = pct
          process.stdout.write(
            `bench: ${label}: ${t.status} ${t.completion_percentage}% after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
          )
        }
      },
    })
    return { done, uploaded, mem: rss.stop(), js: heap ? await heap.stop() : null }
  })
}
