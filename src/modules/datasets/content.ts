/**
 * @module Serving a data row's asset to people allowed to see it: uploads stream from R2 (with
 * Range, so videos seek), S3 objects of a dataset with an AWS integration redirect to a presigned
 * URL (≤ 15 min), other URLs redirect, raw text is returned as text. Who may see it: anyone who
 * may see datasets, or a project-based member of a project that holds the row.
 */
import type { Ctx } from '../../env'
import { notFound } from '../../lib/errors'
import { serveObject } from '../../lib/r2'
import { presignedAssetUrl } from '../integrations/service'
import { parseS3Url } from '../integrations/aws'
import { loadDataRowAndDataset, mayViewDataRow, r2Prefix } from './data-rows'

export async function dataRowContent(ctx: Ctx, id: string, request: Request): Promise<Response> {
  const { row, integrationId } = await loadDataRowAndDataset(ctx, { id })
  if (!(await mayViewDataRow(ctx, row))) throw notFound('Data row')
  const rd = row.rowData
  const mime = String(row.mediaAttributes?.mime_type ?? '') || undefined
  if (rd.startsWith('r2://')) {
    const key = rd.slice('r2://'.length)
    if (!key.startsWith(r2Prefix(row.orgId))) throw notFound('Data row content')
    // Uploaded HTML or SVG shown inline from our origin could pose as one of our pages (forms
    // posting to us): those are always downloads.
    const active = !mime || /^(text\/html|image\/svg\+xml|application\/xhtml|text\/xml|application\/xml)/i.test(mime)
    return serveObject(ctx.env.ASSETS_BUCKET, key, request, {
      ...(mime ? { 'Content-Type': mime } : {}),
      'Cache-Control': 'private, max-age=300',
      'Content-Disposition': active ? 'attachment' : 'inline',
      'X-Content-Type-Options': 'nosniff',
    })
  }
  // Only S3 locations need the dataset's integration (read with the row); other URLs skip it.
  if (/^s3:\/\//i.test(rd) || parseS3Url(rd)) {
    const signed = await presignedAssetUrl(ctx, integrationId, rd)
    // The browser may keep the redirect a little, never past the URL's own expiry.
    if (signed) return new Response(null, { status: 302, headers: { Location: signed.url, 'Cache-Control': `private, max-age=${Math.min(60, signed.expiresIn)}` } })
  }
  if (/^https?:\/\//i.test(rd)) return new Response(null, { status: 302, headers: { Location: rd, 'Cache-Control': 'private, max-age=60' } })
  return new Response(rd, { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, max-age=300' } })
}
