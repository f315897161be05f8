/** @module The asset of a data row as the labeling and review pages show it. */
import type { DataRowView } from '../../src/modules/datasets/data-rows'

const content = (id: string) => `/api/v1/data-rows/${id}/content`
const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s)

/** Images get a drawing surface (public/js/labeling.js); other media their own player. */
export function Asset({ row, draw }: { row: DataRowView; draw?: boolean }) {
  switch (row.media_type) {
    case 'IMAGE':
      return (
        <div class="canvas-wrap" data-canvas={draw ? 'draw' : 'view'}>
          <img class="canvas-image" src={content(row.id)} alt={row.external_id ?? row.global_key ?? row.id} draggable={false} />
          <svg class="canvas-overlay" aria-hidden="true"></svg>
        </div>
      )
    case 'VIDEO':
      return <video class="asset-media" src={content(row.id)} controls preload="metadata"></video>
    case 'AUDIO':
      return <audio class="asset-media" src={content(row.id)} controls preload="metadata"></audio>
    case 'TEXT':
      return isUrl(row.row_data) ? (
        <iframe class="asset-frame" src={content(row.id)} title="Text asset" sandbox=""></iframe>
      ) : (
        <pre class="asset-text">{row.row_data}</pre>
      )
    default:
      return (
        <p>
          <a href={content(row.id)} target="_blank" rel="noopener">
            Open the asset
          </a>{' '}
          ({row.media_type.toLowerCase()})
        </p>
      )
  }
}
