/** @module The asset of a data row as the labeling and review pages show it. */
import type { DataRowView } from '../../src/modules/datasets/data-rows'

const content = (id: string) => `/api/v1/data-rows/${id}/content`
const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s)

/** Frames per second of a video row (its media attributes), else 30, Labelbox's usual default. */
export function frameRate(row: DataRowView): number {
  const a = row.media_attributes as Record<string, unknown> | null
  const r = Number(a?.frame_rate ?? a?.frameRate ?? a?.fps)
  return Number.isFinite(r) && r > 0 && r <= 1000 ? r : 30
}

/** Images get a drawing surface (public/js/labeling.js); other media their own player. With
 * `draw` (the labeling page): an image viewport that zooms and pans, the text of a text row for
 * entity selection, a video that reports its frame. */
export function Asset({ row, draw }: { row: DataRowView; draw?: boolean }) {
  const name = row.external_id ?? row.global_key ?? row.id
  switch (row.media_type) {
    case 'IMAGE':
      if (draw)
        return (
          <div class="canvas-wrap" data-canvas="draw" tabindex={0} role="application" aria-label={`Image ${name}: drawing surface`}>
            <div class="canvas-world">
              <img class="canvas-image" src={content(row.id)} alt={name} draggable={false} />
              <svg class="canvas-overlay" aria-hidden="true"></svg>
            </div>
          </div>
        )
      return (
        <div class="canvas-wrap" data-canvas={draw ? 'draw' : 'view'}>
          <img class="canvas-image" src={content(row.id)} alt={row.external_id ?? row.global_key ?? row.id} draggable={false} />
          <svg class="canvas-overlay" aria-hidden="true"></svg>
        </div>
      )
    case 'VIDEO':
      if (draw)
        return (
          <video
            class="asset-media"
            id="label-video"
            src={content(row.id)}
            controls
            preload="metadata"
            data-fps={String(frameRate(row))}
          ></video>
        )
      return <video class="asset-media" src={content(row.id)} controls preload="metadata"></video>
    case 'AUDIO':
      return <audio class="asset-media" src={content(row.id)} controls preload="metadata"></audio>
    case 'TEXT':
      // Entity offsets are characters of the row's text, so the page needs the text itself.
      if (draw)
        return (
          <pre class="asset-text text-doc" id="text-doc" tabindex={0} data-src={isUrl(row.row_data) ? content(row.id) : undefined}>
            {isUrl(row.row_data) ? '' : row.row_data}
          </pre>
        )
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
