/** @module One data row: the asset itself (image, video, audio, text; a download otherwise), its
 * fields, metadata, attachments and media attributes, and each project's labels drawn over it with
 * who made them, when, their review state and versions. The asset is always fetched through
 * /api/v1/data-rows/{id}/content, which decides who may see it. */
import type { DatasetView } from '../../src/modules/datasets/service'
import type { DataRowView } from '../../src/modules/datasets/data-rows'
import type { RowLabel } from '../../src/modules/labels/row-labels'
import type { ReviewState } from '../../src/db/schema'
import { formatBytes, formatNumber } from '../format'
import { Badge, CopyField, MediaBadge, PageHeader, Time, type Tone } from '../components/ui'
import { LabelOverlay } from '../labels/label-overlay'
import { attr, Breadcrumbs, contentUrl, FileIcon, rowTitle, sourceOf } from './parts'

/** How much of an uploaded text file the page shows (the rest is a download away). */
export const TEXT_PREVIEW_BYTES = 64 * 1024

const isHttpUrl = (s: string) => /^https?:\/\//i.test(s)

function Asset({ r, s3Servable }: { r: DataRowView; s3Servable: boolean }) {
  const src = sourceOf(r.row_data)
  const url = contentUrl(r.id)
  const name = String(attr(r, 'file_name') ?? r.external_id ?? r.id)
  if (src === 's3' && !s3Servable) {
    return (
      <div class="asset-empty">
        <FileIcon />
        <p>This row lives in S3. It is shown once its dataset uses a validated AWS integration.</p>
      </div>
    )
  }
  if (r.media_type === 'IMAGE')
    return (
      <div class="asset-frame">
        <img class="asset-image" src={url} alt={`Data row ${rowTitle(r)}`} />
      </div>
    )
  if (r.media_type === 'VIDEO') return <video class="asset-media" src={url} controls preload="metadata" />
  if (r.media_type === 'AUDIO') return <audio class="asset-audio" src={url} controls preload="metadata" />
  if (r.media_type === 'TEXT' || r.media_type === 'CONVERSATIONAL') {
    if (src === 'text') return <pre class="asset-text">{r.row_data}</pre>
    if (src === 'upload') {
      const size = attr(r, 'file_size')
      const partial = typeof size === 'number' && size > TEXT_PREVIEW_BYTES
      // The text is loaded as plain text (never parsed as HTML) after the page is shown.
      return (
        <>
          <pre
            class="asset-text"
            hx-get={url}
            hx-trigger="load"
            hx-swap="textContent"
            hx-headers={JSON.stringify({ Range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` })}
          >
            Loading the text…{' '}
            <a href={url} hx-boost="false">
              Open it
            </a>
          </pre>
          {partial ? (
            <p class="muted small">
              The first {formatBytes(TEXT_PREVIEW_BYTES)} of {formatBytes(size)} are shown; download the file for all of it.
            </p>
          ) : null}
        </>
      )
    }
  }
  return (
    <div class="asset-empty">
      <FileIcon />
      <p>
        {r.media_type === 'OTHER' ? 'No preview for this kind of file.' : `${r.media_type.toLowerCase()} files are not previewed here.`}
      </p>
      <a class="btn" href={url} hx-boost="false" download={src === 'upload' ? name : undefined}>
        {src === 'upload' ? `Download ${name}` : 'Open'}
      </a>
    </div>
  )
}

const REVIEW: Record<ReviewState, { label: string; tone: Tone }> = {
  UNREVIEWED: { label: 'Not reviewed', tone: 'neutral' },
  ACCEPTED: { label: 'Accepted', tone: 'green' },
  DECLINED: { label: 'Declined', tone: 'red' },
  AMBIGUOUS: { label: 'Reviews disagree', tone: 'amber' },
}

/** The edit route (src/modules/labels/web.tsx) with this page as where to come back to. */
export const editHref = (l: Pick<RowLabel, 'id' | 'project'>, back: string) =>
  `/projects/${l.project.id}/labels/${l.id}/edit?return=${encodeURIComponent(back)}`

function RowLabelCard({ l, r, back }: { l: RowLabel; r: DataRowView; back: string }) {
  const w = attr(r, 'width')
  const h = attr(r, 'height')
  const edited = l.version_count > 1 ? l.versions.find((v) => v.current) : undefined
  const review = REVIEW[l.review_state]
  return (
    <article class="row-label" id={`label-${l.id}`} aria-label={`Label by ${l.author ?? 'a former member'}`}>
      <header class="row-label-head">
        <div class="row-label-who">
          <strong>{l.author ?? <span class="muted">A former member</span>}</strong>{' '}
          <span class="muted small">
            labeled <Time value={l.created_at} />
          </span>{' '}
          {l.skipped ? <Badge tone="amber">Skipped</Badge> : <Badge tone={review.tone}>{review.label}</Badge>}
          {edited ? (
            <span class="muted small row-label-edited">
              {' '}
              · edited by {edited.by ?? 'a former member'} <Time value={edited.at} />, {l.version_count} versions
            </span>
          ) : null}
        </div>
        {l.can_edit ? (
          <a class="btn btn-sm" href={editHref(l, back)}>
            Open in editor
          </a>
        ) : null}
      </header>
      {l.skipped ? (
        <p class="muted small">Skipped: no annotations.</p>
      ) : (
        <LabelOverlay
          mediaType={r.media_type}
          src={contentUrl(r.id)}
          alt={`${rowTitle(r)} with the label by ${l.author ?? 'a former member'}`}
          width={typeof w === 'number' ? w : null}
          height={typeof h === 'number' ? h : null}
          text={sourceOf(r.row_data) === 'text' ? r.row_data : null}
          annotations={l.annotations}
          tools={l.project.ontology.tools ?? []}
        />
      )}
      {l.version_count > 1 ? (
        <details class="row-label-versions">
          <summary>{l.version_count} versions</summary>
          <ol class="plain-list small">
            {l.versions.map((v) => (
              <li>
                Version {v.number}
                {v.current ? ' (current)' : ''}: {v.number === 1 ? 'labeled' : 'edited'} by {v.by ?? 'a former member'}{' '}
                <Time value={v.at} />
                {v.objects !== null ? <span class="muted"> · {formatNumber(v.objects)} objects</span> : null}
              </li>
            ))}
            {l.versions.length < l.version_count ? (
              <li class="muted">Earlier versions are kept; {l.version_count - l.versions.length} more not listed here.</li>
            ) : null}
          </ol>
        </details>
      ) : null}
    </article>
  )
}

/** The row's labels, by project. */
function RowLabels({ labels, r, more, back }: { labels: RowLabel[]; r: DataRowView; more: boolean; back: string }) {
  const byProject = new Map<string, RowLabel[]>()
  for (const l of labels) byProject.set(l.project.id, [...(byProject.get(l.project.id) ?? []), l])
  return (
    <section class="section row-labels" aria-labelledby="row-labels-title">
      <h2 id="row-labels-title">
        Labels <span class="muted">{labels.length}</span>
      </h2>
      {labels.length ? (
        [...byProject.values()].map((ls) => (
          <section class="card card-tight row-project" aria-label={`Labels in ${ls[0]!.project.name}`}>
            <h3 class="card-title">
              <a href={`/projects/${ls[0]!.project.id}`}>{ls[0]!.project.name}</a> <MediaBadge type={ls[0]!.project.media_type} />{' '}
              <span class="muted">{ls.length}</span>
            </h3>
            {ls.map((l) => (
              <RowLabelCard l={l} r={r} back={back} />
            ))}
          </section>
        ))
      ) : (
        <p class="muted">No label you can see is on this row yet.</p>
      )}
      {more ? <p class="muted small">Only the newest labels are shown.</p> : null}
    </section>
  )
}

const show = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v))

export function DataRowPage(props: {
  d: DatasetView
  r: DataRowView
  creator?: { name: string; email: string } | null
  labels?: RowLabel[]
  moreLabels?: boolean
  /** This page's path: where "Open in editor" comes back to. */
  here?: string
}) {
  const { d, r } = props
  const src = sourceOf(r.row_data)
  const url = contentUrl(r.id)
  const attrs = Object.entries(r.media_attributes ?? {})
  return (
    <>
      <Breadcrumbs
        items={[{ href: '/datasets', label: 'Datasets' }, { href: `/datasets/${d.id}`, label: d.name }, { label: rowTitle(r) }]}
      />
      <PageHeader
        title={rowTitle(r)}
        subtitle={
          <span class="ds-facts">
            <MediaBadge type={r.media_type} />
            <span class="mono small">{r.id}</span>
            <span>
              Created <Time value={r.created_at} />
            </span>
          </span>
        }
        actions={
          src === 'text' ? undefined : (
            <a class="btn" href={url} hx-boost="false" target="_blank" rel="noopener">
              Open original
            </a>
          )
        }
      />
      <div class="row-layout">
        <section class="card asset-card" aria-label="Asset">
          <Asset r={r} s3Servable={d.integration_id !== null} />
        </section>
        <div class="row-side">
          <section class="card card-tight">
            <h2 class="card-title">Details</h2>
            <dl class="details ds-details">
              <dt>Data row ID</dt>
              <dd>
                <CopyField id="row-id" value={r.id} name="Data row ID" />
              </dd>
              <dt>Global key</dt>
              <dd>{r.global_key ? <span class="mono">{r.global_key}</span> : <span class="muted">—</span>}</dd>
              <dt>External ID</dt>
              <dd>{r.external_id ?? <span class="muted">—</span>}</dd>
              <dt>Media type</dt>
              <dd>
                <MediaBadge type={r.media_type} />
              </dd>
              <dt>Row data</dt>
              <dd class="ds-break">
                {src === 'text' ? (
                  <span>Raw text, {formatNumber(r.row_data.length)} characters</span>
                ) : src === 'upload' ? (
                  <span>Uploaded file{attr(r, 'file_name') ? <span class="muted"> · {String(attr(r, 'file_name'))}</span> : null}</span>
                ) : isHttpUrl(r.row_data) ? (
                  <a href={r.row_data} rel="noopener noreferrer" target="_blank">
                    {r.row_data}
                  </a>
                ) : (
                  <span class="mono">{r.row_data}</span>
                )}
              </dd>
              <dt>Dataset</dt>
              <dd>
                <a href={`/datasets/${d.id}`}>{d.name}</a>
              </dd>
              <dt>Created</dt>
              <dd>
                <Time value={r.created_at} />
              </dd>
              <dt>Updated</dt>
              <dd>
                <Time value={r.updated_at} />
              </dd>
              <dt>Created by</dt>
              <dd title={r.created_by}>
                {props.creator ? (
                  <>
                    {props.creator.name} <span class="muted small">{props.creator.email}</span>
                  </>
                ) : (
                  <span class="muted">A former member</span>
                )}
              </dd>
            </dl>
          </section>
          <section class="card card-tight">
            <h2 class="card-title">Media attributes</h2>
            {typeof r.media_attributes?.header_error === 'string' ? (
              <p class="small" role="note">
                <Badge tone="red">Size unknown</Badge> The image’s header could not be read: {r.media_attributes.header_error}. Exports give
                its width and height as null.
              </p>
            ) : null}
            {attrs.length ? (
              <table class="table kv-table">
                <tbody>
                  {attrs.map(([k, v]) => (
                    <tr>
                      <th scope="row">{k}</th>
                      <td class={typeof v === 'number' ? 'num' : undefined}>
                        {k === 'file_size' && typeof v === 'number' ? `${formatBytes(v)} (${formatNumber(v)} bytes)` : show(v)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted small">None recorded.</p>
            )}
          </section>
        </div>
      </div>
      <RowLabels labels={props.labels ?? []} r={r} more={props.moreLabels ?? false} back={props.here ?? `/datasets/${d.id}/rows/${r.id}`} />
      <div class="grid-2 section">
        <section class="card card-tight">
          <h2 class="card-title">
            Metadata <span class="muted">{r.metadata_fields.length}</span>
          </h2>
          {r.metadata_fields.length ? (
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Value</th>
                    <th>Schema</th>
                  </tr>
                </thead>
                <tbody>
                  {r.metadata_fields.map((f) => (
                    <tr>
                      <td>{f.name}</td>
                      <td class={typeof f.value === 'number' ? 'num' : 'ds-break'}>{show(f.value)}</td>
                      <td class="mono small">{f.schema_id ?? <span class="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="muted small">No metadata fields.</p>
          )}
        </section>
        <section class="card card-tight">
          <h2 class="card-title">
            Attachments <span class="muted">{r.attachments.length}</span>
          </h2>
          {r.attachments.length ? (
            <ul class="attachment-list">
              {r.attachments.map((a) => (
                <li>
                  <div class="row">
                    <Badge>{a.type}</Badge>
                    {a.name ? <strong>{a.name}</strong> : null}
                  </div>
                  {isHttpUrl(a.value) ? (
                    <a class="ds-break" href={a.value} rel="noopener noreferrer" target="_blank">
                      {a.value}
                    </a>
                  ) : (
                    <pre class="attachment-text">{a.value}</pre>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted small">No attachments.</p>
          )}
        </section>
      </div>
    </>
  )
}
