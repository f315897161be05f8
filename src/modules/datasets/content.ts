/**
 * @module Serving a data row's asset to people allowed to see it: uploads stream from R2 (with
 * Range, so videos seek), S3 objects of a dataset with an AWS integration redirect to a presigned
 * URL (≤ 15 min), other URLs redirect, raw text is returned as text. Who may see it: anyone who
 * may see datasets, or a project-based member of a project that holds the row.
 */
import { and, eq, isNull } from 'drizzle-orm'
import type { Ctx, Env } from '../../env'
import type { Db } from '../../db/client'
import { dataRows, datasets } from '../../db/schema'
import { AppError, notFound } from '../../lib/errors'
import { serveObject } from '../../lib/r2'
import { presignedAssetUrl } from '../integrations/service'
import { parseS3Url } from '../integrations/aws'
import { loadDataRowAndDataset, mayViewDataRow, r2Prefix } from './data-rows'
import { assetLinkProblem } from './asset-urls'

/** An uploaded file as the response, with the headers that keep it from acting as one of our pages. */
function serveUpload(
  env: Env,
  row: { rowData: string; orgId: string; mediaAttributes: Record<string, unknown> | null },
  request: Request,
): Promise<Response> {
  const key = row.rowData.slice('r2://'.length)
  if (!key.startsWith(r2Prefix(row.orgId))) throw notFound('Data row content')
  const mime = String(row.mediaAttributes?.mime_type ?? '') || undefined
  // Uploaded HTML or SVG shown inline from our origin could pose as one of our pages (forms
  // posting to us): those are always downloads.
  const active = !mime || /^(text\/html|image\/svg\+xml|application\/xhtml|text\/xml|application\/xml)/i.test(mime)
  return serveObject(env.ASSETS_BUCKET, key, request, {
    ...(mime ? { 'Content-Type': mime } : {}),
    'Cache-Control': 'private, max-age=300',
    'Content-Disposition': active ? 'attachment' : 'inline',
    'X-Content-Type-Options': 'nosniff',
  })
}

/**
 * A signed link from an export (src/modules/datasets/asset-urls.ts): no session or key, the
 * signature over the row id and expiry is the permission. Only uploads are linked this way; the
 * row must still exist in a live dataset.
 */
export async function signedDataRowContent(
  env: Env,
  db: Db,
  id: string,
  q: { expires: string; signature: string },
  request: Request,
): Promise<Response> {
  const problem = await assetLinkProblem(env, id, q.expires, q.signature)
  if (problem) throw new AppError('FORBIDDEN', problem)
  const row = await db
    .select({ rowData: dataRows.rowData, orgId: dataRows.orgId, mediaAttributes: dataRows.mediaAttributes })
    .from(dataRows)
    .innerJoin(datasets, eq(datasets.id, dataRows.datasetId))
    .where(and(eq(dataRows.id, id), isNull(datasets.deletedAt)))
    .get()
  if (!row?.rowData.startsWith('r2://')) throw notFound('Data row')
  return serveUpload(env, row, request)
}

export async function dataRowContent(ctx: Ctx, id: string, request: Request): Promise<Response> {
  const { row, integrationId } = await loadDataRowAndDataset(ctx, { id })
  if (!(await mayViewDataRow(ctx, row))) throw notFound('Data row')
  const rd = row.rowData
  if (rd.startsWith('r2://')) return serveUpload(ctx.env, row, request)
  // Only S3 locations need the dataset's integration (read with the row); other URLs skip it.
  if (/^s3:\/\//i.test(rd) || parseS3Url(rd)) {
    const signed = await presignedAssetUrl(ctx, integrationId, rd)
    // The browser may keep the redirect a little, never past the URL's own expiry.
    if (signed)
      return new Response(null, {
        status: 302,
        headers: { Location: signed.url, 'Cache-Control': `private, max-age=${Math.min(60, signed.expiresIn)}` },
      })
  }
  if (/^https?:\/\//i.test(rd))
    return new Response(null, { status: 302, headers: { Location: rd, 'Cache-Control': 'private, max-age=60' } })
  return new Response(rd, { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, max-age=300' } })
}
