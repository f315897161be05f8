// The labeling page's drawing surface: drag on the image to draw a bounding box for the picked
// tool; boxes are kept in image pixel coordinates in the hidden "objects" field. Also number-key
// shortcuts for answers, "s" to skip, and the review page's read-only box overlay.
;(() => {
  'use strict'
  const SVG = 'http://www.w3.org/2000/svg'

  function setup(root) {
    const wrap = root.querySelector?.('.canvas-wrap')
    if (!wrap || wrap.dataset.ready) return
    wrap.dataset.ready = '1'
    const img = wrap.querySelector('img')
    const svg = wrap.querySelector('svg')
    const readonly = wrap.closest('[data-boxes]')
    const whenLoaded = (f) => (img.complete && img.naturalWidth ? f() : img.addEventListener('load', f, { once: true }))
    whenLoaded(() => {
      svg.setAttribute('viewBox', `0 0 ${img.naturalWidth} ${img.naturalHeight}`)
      if (readonly) {
        for (const b of JSON.parse(readonly.dataset.boxes || '[]')) drawRect(svg, b, b.color, b.name)
        return
      }
      if (wrap.dataset.canvas === 'draw') draw(wrap, img, svg)
    })
  }

  function drawRect(svg, b, color, name) {
    const r = document.createElementNS(SVG, 'rect')
    r.setAttribute('x', b.left)
    r.setAttribute('y', b.top)
    r.setAttribute('width', b.width)
    r.setAttribute('height', b.height)
    r.setAttribute('fill', color)
    r.setAttribute('fill-opacity', '0.15')
    r.setAttribute('stroke', color)
    r.setAttribute('stroke-width', String(Math.max(2, (svg.viewBox.baseVal?.width || 800) / 400)))
    const t = document.createElementNS(SVG, 'title')
    t.textContent = name || ''
    r.append(t)
    svg.append(r)
    return r
  }

  function draw(wrap, img, svg) {
    const form = wrap.closest('form')
    const input = form.querySelector('#objects-input')
    const list = form.querySelector('#box-list')
    let boxes = []
    try {
      boxes = JSON.parse(input.value || '[]')
    } catch {
      boxes = []
    }
    const tool = () => form.querySelector('input[name=_tool]:checked')
    const toImage = (e) => {
      const rect = img.getBoundingClientRect()
      return { x: ((e.clientX - rect.left) / rect.width) * img.naturalWidth, y: ((e.clientY - rect.top) / rect.height) * img.naturalHeight }
    }
    const render = () => {
      svg.replaceChildren()
      list.replaceChildren()
      boxes.forEach((b, i) => {
        const t = form.querySelector(`input[name=_tool][value="${b.feature_schema_id}"]`)
        drawRect(svg, b.bounding_box, t?.dataset.color || '#3b5bdb', t?.dataset.name)
        const li = document.createElement('li')
        li.textContent = `${t?.dataset.name || 'Box'} · ${Math.round(b.bounding_box.width)}×${Math.round(b.bounding_box.height)} `
        const del = document.createElement('button')
        del.type = 'button'
        del.className = 'btn btn-sm btn-ghost'
        del.textContent = '×'
        del.setAttribute('aria-label', `Delete box ${i + 1}`)
        del.addEventListener('click', () => {
          boxes.splice(i, 1)
          sync()
        })
        li.append(del)
        list.append(li)
      })
    }
    const sync = () => {
      input.value = JSON.stringify(boxes)
      render()
    }
    let start = null
    let ghost = null
    svg.addEventListener('pointerdown', (e) => {
      if (!tool()) return
      start = toImage(e)
      svg.setPointerCapture(e.pointerId)
      ghost = drawRect(svg, { left: start.x, top: start.y, width: 0, height: 0 }, tool().dataset.color)
    })
    svg.addEventListener('pointermove', (e) => {
      if (!start) return
      const p = toImage(e)
      ghost.setAttribute('x', Math.min(start.x, p.x))
      ghost.setAttribute('y', Math.min(start.y, p.y))
      ghost.setAttribute('width', Math.abs(p.x - start.x))
      ghost.setAttribute('height', Math.abs(p.y - start.y))
    })
    svg.addEventListener('pointerup', (e) => {
      if (!start) return
      const p = toImage(e)
      const b = {
        left: Math.min(start.x, p.x),
        top: Math.min(start.y, p.y),
        width: Math.abs(p.x - start.x),
        height: Math.abs(p.y - start.y),
      }
      start = null
      if (b.width >= 3 && b.height >= 3)
        boxes.push({
          feature_schema_id: tool().value,
          bounding_box: { top: Math.round(b.top), left: Math.round(b.left), height: Math.round(b.height), width: Math.round(b.width) },
        })
      sync()
    })
    render()
  }

  // Number keys toggle answers; "s" skips. Not while typing in a text field.
  document.addEventListener('keydown', (e) => {
    const form = document.getElementById('label-form')
    if (!form || e.ctrlKey || e.metaKey || e.altKey) return
    if (e.target.closest?.('textarea, input[type=text], input[type=search]')) return
    if (/^[1-9]$/.test(e.key)) {
      const input = form.querySelector(`input[data-shortcut="${e.key}"]`)
      if (!input) return
      e.preventDefault()
      input.checked = input.type === 'radio' ? true : !input.checked
      input.focus()
    } else if (e.key === 's') {
      e.preventDefault()
      form.querySelector('button[name=skip]')?.click()
    }
  })

  document.addEventListener('DOMContentLoaded', () => setup(document))
  document.addEventListener('htmx:after:swap', () => setup(document))
})()
