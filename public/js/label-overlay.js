// Label overlays (views/labels/label-overlay.tsx) are drawn by the server in the image's own
// pixels. When the image's size was never read, the server cannot write the SVG's viewBox: it is
// taken from the loaded image here, and the drawing is shown. Without this script the page lists
// each object's position in words instead.
;(() => {
  'use strict'
  function sizeOverlays(root) {
    for (const svg of root.querySelectorAll('svg[data-natural-size]')) {
      const img = svg.parentElement?.querySelector('img')
      if (!img) continue
      const done = () => {
        if (!img.naturalWidth) return
        svg.setAttribute('viewBox', `0 0 ${img.naturalWidth} ${img.naturalHeight}`)
        for (const m of svg.querySelectorAll('image')) {
          m.setAttribute('width', String(img.naturalWidth))
          m.setAttribute('height', String(img.naturalHeight))
        }
        svg.removeAttribute('data-natural-size')
        svg.removeAttribute('hidden')
      }
      if (img.complete) done()
      else img.addEventListener('load', done, { once: true })
    }
  }
  document.addEventListener('DOMContentLoaded', () => sizeOverlays(document))
  document.addEventListener('htmx:after:swap', () => sizeOverlays(document))
})()
