/**
 * The export benchmark's second raw baseline (issue 7 item 6: "or a bare query loop in the same
 * Worker"). Served only by `wrangler dev bench/raw-export-worker.ts` during `npm run bench -- export`;
 * it is never deployed (wrangler.toml's `main` is src/index.ts) and has no route in the app.
 *
 * `POST /__bench/raw-export?project=<id>` writes the same NDJSON as an export with params {} the
 * barest way the platform allows: SQLite builds each line (json_object, as the sqlite3 dump does),
 * one keyset page of 1,000 rows per D1 query, and the lines go to R2 through one multipart upload
 * of equal parts (the export's PART_BYTES: R2 wants every part but the last of one size). No task, no queue, no Durable Object, no resume, no validation, no progress: the
 * cost of doing the work here (local D1 round trips, the local R2 simulator) without the framework.
 */
import worker, { TaskStatus } from '../src/index'
import type { Env } from '../src/env'
import type { QueueMessage } from '../src/handlers/queue'
import { PART_BYTES as PART } from '../src/modules/exports/service'

export { TaskStatus }

const PAGE = 1000

const PAGE_SQL = `
SELECT pdr.data_row_id AS id, json_object(
  'data_row', json_object('id', d.id, 'global_key', d.global_key, 'external_id', d.external_id, 'row_data', d.row_data),
  'projects', json_object(?1, json_object('name', p.name, 'labels',
    (SELECT json_group_array(json_object('id', l.id, 'label_kind', 'Default', 'version', '1.0.0', 'annotations', json(l.annotations)))
       FROM (SELECT id, annotations FROM labels INDEXED BY labels_import_uq WHERE project_id = ?1 AND data_row_id = pdr.data_row_id ORDER BY id) l)))) AS line
FROM project_data_rows pdr
CROSS JOIN projects p ON p.id = ?1
CROSS JOIN data_rows d ON d.id = pdr.data_row_id AND d.org_id = p.org_id
CROSS JOIN datasets ds ON ds.id = d.dataset_id
WHERE pdr.project_id = ?1 AND pdr.data_row_id > ?2
ORDER BY pdr.data_row_id
LIMIT ${PAGE}`

async function rawExport(env: Env, projectId: string) {
  const t0 = performance.now()
  const key = `bench/raw-export-${projectId}-${Date.now()}.ndjson`
  const upload = await env.EXPORTS.createMultipartUpload(key, { httpMetadata: { contentType: 'application/x-ndjson' } })
  const enc = new TextEncoder()
  const parts: R2UploadedPart[] = []
  let part = new Uint8Array(PART)
  let filled = 0
  let lines = 0
  let bytes = 0
  let after = ''
  const stmt = env.DB.prepare(PAGE_SQL)
  for (;;) {
    const { results } = await stmt.bind(projectId, after).all<{ id: string; line: string }>()
    if (!results.length) break
    const chunk = enc.encode(`${results.map((r) => r.line).join('\n')}\n`)
    lines += results.length
    bytes += chunk.length
    after = results[results.length - 1]!.id
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(PART - filled, chunk.length - at)
      part.set(chunk.subarray(at, at + n), filled)
      filled += n
      at += n
      if (filled === PART) {
        parts.push(await upload.uploadPart(parts.length + 1, part))
        part = new Uint8Array(PART)
        filled = 0
      }
    }
  }
  if (filled || !parts.length) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)))
  await upload.complete(parts)
  const seconds = (performance.now() - t0) / 1000
  await env.EXPORTS.delete(key)
  return { lines, bytes, parts: parts.length, seconds }
}

export default {
  ...worker,
  async fetch(request, env, ctx) {
    const url = new URL(request.url)
    if (request.method === 'POST' && url.pathname === '/__bench/raw-export') {
      return Response.json(await rawExport(env, url.searchParams.get('project') ?? ''))
    }
    return worker.fetch(request, env, ctx)
  },
} satisfies ExportedHandler<Env, QueueMessage>
