/** @module Inline SVG icons (no icon font, no CDN). Each icon's markup is built once, when the
 * module loads, and reused as a string: a list of 50 projects draws the same icons 50 times, and
 * rendering them as JSX elements each time is measurable in a page's CPU. */
import { raw } from 'hono/html'

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
const svg = (d: string, label?: string) => {
  const a11y = label ? ` role="img" aria-label="${attr(label)}"` : ' aria-hidden="true"'
  const markup = raw(
    `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"${a11y}>` +
      d
        .split('|')
        .map((p) => `<path d="${attr(p)}"></path>`)
        .join('') +
      '</svg>',
  )
  return () => markup
}
export const SearchIcon = svg('M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z|M21 21l-4.35-4.35')
export const DotsIcon = svg(
  'M12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z|M19 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z|M5 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z',
  'More actions',
)
export const FolderIcon = svg('M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z')
export const UsersIcon = svg(
  'M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2|M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z|M23 21v-2a4 4 0 0 0-3-3.87|M16 3.13a4 4 0 0 1 0 7.75',
)
export const DatabaseIcon = svg(
  'M12 8c4.97 0 9-1.34 9-3s-4.03-3-9-3-9 1.34-9 3 4.03 3 9 3z|M21 12c0 1.66-4 3-9 3s-9-1.34-9-3|M3 5v14c0 1.66 4 3 9 3s9-1.34 9-3V5',
)
export const TasksIcon = svg('M9 11l3 3L22 4|M21 12v7a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11')
export const KeyIcon = svg(
  'M21 2l-2 2m-7.61 7.61a5.5 5.5 0 1 1-7.78 7.78 5.5 5.5 0 0 1 7.78-7.78zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4',
)
const LOGO = raw(
  '<svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#3b5bdb"></rect>' +
    '<path d="M9 8h4v12h10v4H9z" fill="#fff"></path><rect x="17" y="8" width="6" height="8" rx="1.5" fill="#fff" opacity=".7"></rect></svg>',
)
export const Logo = () => LOGO
