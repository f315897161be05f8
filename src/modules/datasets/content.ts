/**
 * @module Serving a data row's asset to people allowed to see it: uploads stream from R2 (with
 * Range, so videos seek), URLs redirect, raw text is returned as text. Who may see it: anyone who
 * may see datasets, or a project-based member of a project that holds the row.
 */
import type { Ctx } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { serveObject } from '../../lib/r2'
import { loadDataRow, mayViewDataRow, r2Prefix } from './data-rows'

export async function dataRowContent(ctx: Ctx, id: string, request: Request): Promise<Response> {
  const row = await loadDataRow(ctx, { id })
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
  if (/^https?:\/\//i.test(rd)) return new Response(null, { status: 302, headers: { Location: rd, 'Cache-Control': 'private, max-age=60' } })
  if (/^s3:\/\//i.test(rd)) throw new AppError('CONFLICT', 'This data row lives in S3; it is served once its dataset uses a validated AWS integration')
  return new Response(rd, { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, max-age=300' } })
}
