/** @module Small pieces shared by the Datasets pages: asset tiles and previews of a data row, and
 * how a row names itself. */
import type { Child } from 'hono/jsx'
import type { DataRowView } from '../../src/modules/datasets/data-rows'

const icon = (paths: string) => (
  <svg
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
  >
    {paths.split('|').map((d) => (
      <path d={d} />
    ))}
  </svg>
)
export const UploadIcon = () => icon('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4|M17 8l-5-5-5 5|M12 3v12')
export const FileIcon = () => icon('M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z|M14 2v6h6')
const TextIcon = () => icon('M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z|M14 2v6h6|M16 13H8|M16 17H8|M10 9H8')
const VideoIcon = () => icon('M23 7l-7 5 7 5V7z|M3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z')
const AudioIcon = () => icon('M9 18V5l12-2v13|M6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6z|M18 19a3 3 0 1 0 0-6 3 3 0 0 0 0 6z')
const ImageIcon = () =>
  icon(
    'M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z|M8.5 10a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z|M21 15l-5-5L5 21',
  )
export const ImportIcon = () => icon('M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z|M14 2v6h6|M12 18v-6|M9 15l3 3 3-3')

export function MediaIcon({ type }: { type: string }) {
  if (type === 'VIDEO') return <VideoIcon />
  if (type === 'AUDIO') return <AudioIcon />
  if (type === 'IMAGE') return <ImageIcon />
  if (type === 'TEXT' || type === 'HTML' || type === 'CONVERSATIONAL') return <TextIcon />
  return <FileIcon />
}

export const contentUrl = (id: string) => `/api/v1/data-rows/${id}/content`
export const rowUrl = (r: Pick<DataRowView, 'id' | 'dataset_id'>) => `/datasets/${r.dataset_id}/rows/${r.id}`

/** Where the row's data lives. */
export type Source = 'upload' | 'url' | 's3' | 'text'
export function sourceOf(rowData: string): Source {
  if (rowData.startsWith('r2://')) return 'upload'
  if (/^s3:\/\//i.test(rowData)) return 's3'
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(rowData)) return 'url'
  return 'text'
}

/** The first ~80 characters of raw text, on one line. */
export function snippet(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat
}

export const attr = (r: DataRowView, k: string): unknown => r.media_attributes?.[k]

/** A short description of where the data is: a file name, a URL, or the text itself. */
export function describeData(r: DataRowView): string {
  const src = sourceOf(r.row_data)
  if (src === 'upload') return String(attr(r, 'file_name') ?? r.external_id ?? 'Uploaded file')
  if (src === 'text') return snippet(r.row_data)
  return r.row_data
}

/** How a data row names itself in titles: its external id, global key, or id. */
export const rowTitle = (r: DataRowView) => r.external_id || r.global_key || r.id

/** The small square in the rows table: a lazy thumbnail for images, an icon otherwise. */
export function AssetTile({ r, s3Servable = false }: { r: DataRowView; s3Servable?: boolean }) {
  if (r.media_type === 'IMAGE' && (s3Servable || sourceOf(r.row_data) !== 's3')) {
    return (
      <span class="ds-tile">
        <img src={contentUrl(r.id)} loading="lazy" decoding="async" width={40} height={40} alt="" />
      </span>
    )
  }
  return (
    <span class={`ds-tile ds-tile-icon media-${r.media_type === 'VIDEO' ? 'video' : r.media_type === 'TEXT' ? 'text' : 'other'}`}>
      <MediaIcon type={r.media_type} />
    </span>
  )
}

export function Breadcrumbs({ items }: { items: { href?: string; label: Child }[] }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      {items.map((it, i) => (
        <>
          {i > 0 ? <span aria-hidden="true">/</span> : null}
          {it.href ? <a href={it.href}>{it.label}</a> : <span aria-current="page">{it.label}</span>}
        </>
      ))}
    </nav>
  )
}
