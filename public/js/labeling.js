// The labeling page's editor (views/labels/label.tsx): image tools (box, polygon, line, point, mask
// brush and eraser) with select, move, resize, undo and zoom; text entities from a selection; video
// frame answers; each object's nested questions; the required checks run again by the server
// (src/modules/labels/label-form.ts). Geometry is kept in the image's own pixels, whatever the zoom.
// Also the review page's read-only box overlay, number keys for answers and "s" to skip.
;(() => {
  'use strict'
  const SVG = 'http://www.w3.org/2000/svg'
  const svgEl = (tag, attrs, parent) => {
    const e = document.createElementNS(SVG, tag)
    for (const k in attrs) e.setAttribute(k, attrs[k])
    parent?.append(e)
    return e
  }
  const h = (tag, props, ...kids) => {
    const e = document.createElement(tag)
    for (const k in props || {}) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), props[k])
      else if (props[k] !== undefined && props[k] !== false) e.setAttribute(k, props[k] === true ? '' : props[k])
    }
    e.append(...kids.flat().filter((x) => x !== null && x !== undefined))
    return e
  }
  const parse = (s, d) => {
    try {
      return JSON.parse(s || '') ?? d
    } catch {
      return d
    }
  }
  const typing = (t) => t?.closest?.('textarea, input[type=text], input[type=search], input:not([type]), select')
  const round = (n) => Math.round(n * 10) / 10

  // ---------- Read-only overlay (review page) ----------
  function drawRect(svg, b, color, name) {
    const r = svgEl('rect', { x: b.left, y: b.top, width: b.width, height: b.height, fill: color, 'fill-opacity': '0.15', stroke: color })
    r.setAttribute('stroke-width', String(Math.max(2, (svg.viewBox.baseVal?.width || 800) / 400)))
    svgEl('title', {}, r).textContent = name || ''
    svg.append(r)
    return r
  }
  function setupView(wrap) {
    const img = wrap.querySelector('img')
    const svg = wrap.querySelector('svg')
    const on = () => {
      svg.setAttribute('viewBox', `0 0 ${img.naturalWidth} ${img.naturalHeight}`)
      const ro = wrap.closest('[data-boxes]')
      if (ro) for (const b of parse(ro.dataset.boxes, [])) drawRect(svg, b, b.color, b.name)
    }
    img.complete && img.naturalWidth ? on() : img.addEventListener('load', on, { once: true })
  }

  // ---------- Questions (nested under objects, at video frames) ----------
  // `list` is an annotation classification list ({feature_schema_id, radio_answer | checklist_answers
  // | text_answer}); the fields edit it in place and call `changed`.
  function questions(defs, list, changed, key) {
    return defs.map((d) => {
      const id = `${key}-${d.feature_schema_id}`
      const cur = () => list.find((c) => c.feature_schema_id === d.feature_schema_id)
      const drop = () => {
        const i = list.indexOf(cur())
        if (i >= 0) list.splice(i, 1)
      }
      const label = `${d.name}${d.required ? ' *' : ''}`
      if (d.type === 'text') {
        const ta = h('textarea', { class: 'textarea', id, rows: '2', 'data-q': d.feature_schema_id })
        ta.value = cur()?.text_answer?.content ?? ''
        ta.addEventListener('change', () => {
          drop()
          if (ta.value.trim()) list.push({ feature_schema_id: d.feature_schema_id, text_answer: { content: ta.value } })
          changed()
        })
        return h('div', { class: 'field' }, h('label', { for: id }, label), ta)
      }
      const chosen = () => {
        const c = cur()
        return c ? (c.radio_answer ? [c.radio_answer] : c.checklist_answers || []) : []
      }
      const fs = h('fieldset', { class: 'answer-group', 'data-q': d.feature_schema_id }, h('legend', {}, label))
      for (const o of d.options) {
        const a = chosen().find((x) => x.feature_schema_id === o.feature_schema_id)
        const input = h('input', { type: d.type === 'radio' ? 'radio' : 'checkbox', name: id, value: o.feature_schema_id, checked: !!a })
        const nested = h('div', { class: 'nested-answers' })
        const fill = () => {
          const ans = chosen().find((x) => x.feature_schema_id === o.feature_schema_id)
          nested.replaceChildren(
            ...(ans && o.classifications.length
              ? questions(o.classifications, (ans.classifications ||= []), changed, `${id}-${o.feature_schema_id}`)
              : []),
          )
        }
        input.addEventListener('change', () => {
          if (d.type === 'radio') {
            drop()
            list.push({ feature_schema_id: d.feature_schema_id, radio_answer: { feature_schema_id: o.feature_schema_id } })
            for (const n of fs.querySelectorAll(':scope > .nested-answers')) n.replaceChildren()
          } else {
            let c = cur()
            if (!c) list.push((c = { feature_schema_id: d.feature_schema_id, checklist_answers: [] }))
            c.checklist_answers = c.checklist_answers.filter((x) => x.feature_schema_id !== o.feature_schema_id)
            if (input.checked) c.checklist_answers.push({ feature_schema_id: o.feature_schema_id })
            if (!c.checklist_answers.length) drop()
          }
          fill()
          changed()
        })
        fs.append(h('label', { class: 'answer' }, input, h('span', {}, o.name)), nested)
        fill()
      }
      return fs
    })
  }

  // Required questions without an answer, named with their path (the server's missingRequired).
  function missingIn(defs, list, prefix, out) {
    for (const d of defs) {
      const c = list.find((x) => x.feature_schema_id === d.feature_schema_id)
      if (!c) {
        if (d.required) out.push(prefix + d.name)
        continue
      }
      for (const a of c.radio_answer ? [c.radio_answer] : c.checklist_answers || []) {
        const o = d.options.find((x) => x.feature_schema_id === a.feature_schema_id)
        if (o?.classifications.length) missingIn(o.classifications, a.classifications || [], `${prefix}${d.name} › `, out)
      }
    }
    return out
  }
  // The global answers of the form, in annotation shape (label-form.ts answersFromForm).
  function formAnswers(form, defs) {
    const out = []
    for (const d of defs) {
      const vals = [...form.querySelectorAll(`[name="cls.${d.feature_schema_id}"]`)]
        .filter((i) => (i.type === 'radio' || i.type === 'checkbox' ? i.checked : i.value.trim()))
        .map((i) => i.value)
      if (!vals.length) continue
      const ans = (v) => ({
        feature_schema_id: v,
        classifications: formAnswers(form, d.options.find((o) => o.feature_schema_id === v)?.classifications || []),
      })
      if (d.type === 'text') out.push({ feature_schema_id: d.feature_schema_id, text_answer: { content: vals[0] } })
      else if (d.type === 'radio') out.push({ feature_schema_id: d.feature_schema_id, radio_answer: ans(vals[0]) })
      else out.push({ feature_schema_id: d.feature_schema_id, checklist_answers: vals.map(ans) })
    }
    return out
  }

  // ---------- The editor ----------
  function editor(form) {
    const onto = parse(form.dataset.ontology, { tools: [], classifications: [] })
    const objInput = form.querySelector('#objects-input')
    const framesInput = form.querySelector('#frames-input')
    const list = form.querySelector('#object-list')
    const panel = form.querySelector('#object-questions')
    const problems = document.getElementById('label-problems')
    const assetError = form.querySelector('#asset-error')
    let objects = parse(objInput.value, [])
    const frames = framesInput ? parse(framesInput.value, {}) : {}
    let sel = -1
    const undo = []
    const redo = []
    const toolOf = (o) => onto.tools.find((t) => t.feature_schema_id === o.feature_schema_id)
    const kindOf = (o) => toolOf(o)?.tool
    const picked = () => form.querySelector('input[name=_tool]:checked')
    const nameOf = (i) => {
      const t = toolOf(objects[i])
      return `${t?.name || 'Object'} ${objects.slice(0, i + 1).filter((o) => o.feature_schema_id === t?.feature_schema_id).length}`
    }
    let view = { render() {}, describe: () => '' }
    let frameOpen = null

    const save = () => {
      objInput.value = JSON.stringify(objects)
      if (framesInput) framesInput.value = JSON.stringify(frames)
    }
    const sync = () => {
      save()
      view.render()
      renderList()
    }
    // Every change goes through `change`: the state before it is kept for undo.
    const change = (f) => {
      undo.push(JSON.stringify(objects))
      if (undo.length > 200) undo.shift()
      redo.length = 0
      f()
      sync()
    }
    const restore = (from, to) => {
      if (!from.length) return
      to.push(JSON.stringify(objects))
      objects = JSON.parse(from.pop())
      if (sel >= objects.length) sel = -1
      sync()
      openQuestions()
    }
    const select = (i, focusList) => {
      sel = i
      view.render()
      renderList()
      openQuestions()
      if (focusList) list?.querySelector(`[data-i="${i}"]`)?.focus()
    }
    const remove = (i) => {
      if (i < 0 || i >= objects.length) return
      change(() => objects.splice(i, 1))
      sel = -1
      sync()
      openQuestions()
      say('Deleted')
    }
    const add = (o) => {
      change(() => objects.push(o))
      select(objects.length - 1)
    }
    const say = (msg) => {
      const live = document.getElementById('label-live')
      if (live) live.textContent = msg
    }

    function renderList() {
      if (!list) return
      const empty = form.querySelector('#objects-empty')
      if (empty) empty.hidden = objects.length > 0
      list.replaceChildren(
        ...objects.map((o, i) =>
          h(
            'li',
            { class: i === sel ? 'selected' : undefined },
            h('span', { class: 'swatch', style: `background:${toolOf(o)?.color || '#3b5bdb'}` }),
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-sm btn-ghost obj-pick',
                'data-i': String(i),
                'aria-pressed': String(i === sel),
                onclick: () => select(i === sel ? -1 : i),
                onkeydown: (e) => {
                  if (e.key === 'Delete' || e.key === 'Backspace') {
                    e.preventDefault()
                    e.stopPropagation()
                    remove(i)
                    list.querySelector(`[data-i="${Math.min(i, objects.length - 1)}"]`)?.focus()
                  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault()
                    e.stopPropagation()
                    list.querySelector(`[data-i="${i + (e.key === 'ArrowDown' ? 1 : -1)}"]`)?.focus()
                  }
                },
              },
              `${nameOf(i)} · ${view.describe(o)}`,
            ),
            h(
              'button',
              { type: 'button', class: 'btn btn-sm btn-ghost', 'aria-label': `Delete ${nameOf(i)}`, onclick: () => remove(i) },
              '×',
            ),
          ),
        ),
      )
    }

    function openQuestions() {
      if (!panel) return
      const o = objects[sel]
      const t = o && toolOf(o)
      panel.hidden = !t?.classifications.length
      if (panel.hidden) return panel.replaceChildren()
      const before = { s: JSON.stringify(objects) }
      o.classifications ||= []
      panel.replaceChildren(
        h('h3', {}, `${nameOf(sel)}: questions`),
        ...questions(
          t.classifications,
          o.classifications,
          () => {
            undo.push(before.s)
            redo.length = 0
            before.s = JSON.stringify(objects)
            save()
          },
          `o${sel}`,
        ),
      )
    }

    // Submit: the same checks as the server, in the browser first.
    form.addEventListener('submit', (e) => {
      if (e.submitter?.name === 'skip') return
      view.finish?.()
      save()
      const missing = missingIn(onto.classifications, formAnswers(form, onto.classifications), '', [])
      const seen = {}
      for (const o of objects) {
        const t = toolOf(o)
        if (!t) continue
        seen[t.feature_schema_id] = (seen[t.feature_schema_id] || 0) + 1
        missingIn(t.classifications, o.classifications || [], `${t.name} ${seen[t.feature_schema_id]} › `, missing)
      }
      const empty = !objects.length && !formAnswers(form, onto.classifications).length && !Object.keys(frames).length
      if (!missing.length) return
      e.preventDefault()
      const msg = empty
        ? `Nothing is labeled. Answer the required question${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (or Skip when there is nothing to label).`
        : `Answer the required question${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`
      problems.replaceChildren(h('div', { class: 'alert alert-error' }, msg))
    })

    // Show nested global questions under the answers chosen.
    const toggleNested = () => {
      for (const n of form.querySelectorAll('.labeling-side .nested-answers[data-when]'))
        n.hidden = !form.querySelector(`input[value="${n.dataset.when}"]:checked`)
    }
    form.addEventListener('change', (e) => {
      if (e.target.name?.startsWith('cls.')) toggleNested()
      if (e.target.name === '_tool') view.tool?.()
    })
    toggleNested()

    const failed = (what, reason) => {
      if (!assetError) return
      assetError.hidden = false
      const skip = form.querySelector('button[name=skip]')
      assetError.replaceChildren(
        `The ${what} could not be loaded: ${reason}. `,
        skip ? h('button', { type: 'button', class: 'btn btn-sm', onclick: () => skip.click() }, 'Skip this row (S)') : '',
      )
    }
    const whyNot = (url) =>
      fetch(url, { method: 'HEAD' })
        .then((r) => (r.ok ? 'the file is not a format this browser can show' : `the server answered ${r.status} ${r.statusText}`.trim()))
        .catch(() => 'the network request failed')

    const wrap = form.querySelector('.canvas-wrap[data-canvas=draw]')
    const doc = form.querySelector('#text-doc')
    const video = form.querySelector('#label-video')
    if (wrap) view = imageView(wrap)
    else if (doc) view = textView(doc)
    if (video) frameView(video)
    renderList()

    // ---------- Images ----------
    function imageView(wrap) {
      const world = wrap.querySelector('.canvas-world')
      const img = wrap.querySelector('img')
      const svg = wrap.querySelector('svg')
      let W = 0
      let H = 0
      let scale = 1
      let pan = { x: 0, y: 0 }
      let pending = null // polygon / line being clicked
      let drag = null
      let space = false
      let cursor = null
      const masks = new Map() // object → offscreen canvas
      const zoomOut = form.querySelector('#zoom-level')
      const eraser = form.querySelector('#eraser')
      const brush = form.querySelector('#brush-size')
      const kind = () => picked()?.dataset.kind
      const px = (n) => n / scale // screen pixels in image pixels
      const at = (e) => {
        const r = svg.getBoundingClientRect()
        return { x: ((e.clientX - r.left) / r.width) * W, y: ((e.clientY - r.top) / r.height) * H }
      }
      const clamp = (p) => ({ x: Math.min(W, Math.max(0, p.x)), y: Math.min(H, Math.max(0, p.y)) })
      const place = () => {
        world.style.width = `${W * scale}px`
        world.style.height = `${H * scale}px`
        world.style.transform = `translate(${pan.x}px, ${pan.y}px)`
        if (zoomOut) zoomOut.textContent = `${Math.round(scale * 100)}%`
        render()
      }
      const fitView = () => {
        const r = wrap.getBoundingClientRect()
        scale = Math.min(r.width / W, r.height / H) || 1
        pan = { x: (r.width - W * scale) / 2, y: (r.height - H * scale) / 2 }
        place()
      }
      const zoom = (f, cx, cy) => {
        const r = wrap.getBoundingClientRect()
        cx ??= r.width / 2
        cy ??= r.height / 2
        const s = Math.min(32, Math.max(0.05, scale * f))
        pan = { x: cx - ((cx - pan.x) * s) / scale, y: cy - ((cy - pan.y) * s) / scale }
        scale = s
        place()
      }
      const panBy = (dx, dy) => {
        pan = { x: pan.x + dx, y: pan.y + dy }
        place()
      }

      const maskCanvas = (o) => {
        let c = masks.get(o.mask.url)
        if (c) return c
        c = document.createElement('canvas')
        c.width = W
        c.height = H
        if (o.mask.url.startsWith('data:')) {
          const im = new Image()
          im.onload = () => c.getContext('2d').drawImage(im, 0, 0, W, H)
          im.src = o.mask.url
        }
        masks.set(o.mask.url, c)
        return c
      }
      const paint = (pts, erase) => {
        const t = picked()
        let i = objects.findIndex((o) => o.feature_schema_id === t.value)
        const o = i >= 0 ? objects[i] : null
        if (!o && erase) return
        const c = o ? maskCanvas(o) : Object.assign(document.createElement('canvas'), { width: W, height: H })
        const copy = Object.assign(document.createElement('canvas'), { width: W, height: H })
        copy.getContext('2d').drawImage(c, 0, 0)
        const g = copy.getContext('2d')
        g.globalCompositeOperation = erase ? 'destination-out' : 'source-over'
        g.strokeStyle = g.fillStyle = t.dataset.color || '#3b5bdb'
        g.lineWidth = Number(brush?.value || 24)
        g.lineCap = g.lineJoin = 'round'
        g.beginPath()
        g.moveTo(pts[0].x, pts[0].y)
        for (const p of pts) g.lineTo(p.x, p.y)
        if (pts.length === 1) g.lineTo(pts[0].x + 0.1, pts[0].y)
        g.stroke()
        const url = copy.toDataURL('image/png')
        masks.set(url, copy)
        if (o) change(() => (objects[i] = { ...o, mask: { url } }))
        else {
          add({ feature_schema_id: t.value, mask: { url } })
          i = objects.length - 1
        }
        sel = i
        sync()
      }

      const shape = (o, i) => {
        const t = toolOf(o)
        const color = t?.color || '#3b5bdb'
        const a = {
          'data-i': String(i),
          stroke: color,
          fill: color,
          'fill-opacity': i === sel ? '0.3' : '0.15',
          class: i === sel ? 'shape sel' : 'shape',
        }
        switch (t?.tool) {
          case 'bounding_box': {
            const b = o.bounding_box
            return svgEl('rect', { ...a, x: b.left, y: b.top, width: b.width, height: b.height }, svg)
          }
          case 'polygon':
            return svgEl('polygon', { ...a, points: o.polygon.map((p) => `${p.x},${p.y}`).join(' ') }, svg)
          case 'line':
            return svgEl('polyline', { ...a, fill: 'none', points: o.line.map((p) => `${p.x},${p.y}`).join(' ') }, svg)
          case 'point':
            return svgEl('circle', { ...a, 'fill-opacity': '0.9', cx: o.point.x, cy: o.point.y, r: px(i === sel ? 7 : 5) }, svg)
          case 'mask': {
            const m = svgEl('image', { ...a, href: o.mask.url, x: 0, y: 0, width: W, height: H, opacity: i === sel ? '0.7' : '0.45' }, svg)
            m.removeAttribute('fill')
            return m
          }
        }
      }
      const handles = (o) => {
        const k = kindOf(o)
        const pts =
          k === 'bounding_box'
            ? ((b) => [
                { x: b.left, y: b.top },
                { x: b.left + b.width, y: b.top },
                { x: b.left + b.width, y: b.top + b.height },
                { x: b.left, y: b.top + b.height },
              ])(o.bounding_box)
            : k === 'polygon' || k === 'line'
              ? o[k]
              : []
        pts.forEach((p, j) =>
          svgEl('rect', { class: 'handle', 'data-h': String(j), x: p.x - px(5), y: p.y - px(5), width: px(10), height: px(10) }, svg),
        )
      }
      function render() {
        if (!W) return
        svg.replaceChildren()
        objects.forEach((o, i) => kindOf(o) === 'mask' && shape(o, i))
        objects.forEach((o, i) => kindOf(o) !== 'mask' && shape(o, i))
        if (objects[sel]) handles(objects[sel])
        if (pending?.pts.length) {
          const pts = [...pending.pts, ...(cursor ? [cursor] : [])]
          const g = svgEl(
            'polyline',
            { class: 'ghost', fill: 'none', stroke: picked()?.dataset.color, points: pts.map((p) => `${p.x},${p.y}`).join(' ') },
            svg,
          )
          g.setAttribute('stroke-dasharray', '4 3')
          svgEl('circle', { class: 'handle first', cx: pending.pts[0].x, cy: pending.pts[0].y, r: px(6) }, svg)
        }
        if (drag?.ghost) svg.append(drag.ghost)
      }
      const describe = (o) => {
        const k = kindOf(o)
        if (k === 'bounding_box') return `box ${Math.round(o.bounding_box.width)}×${Math.round(o.bounding_box.height)}`
        if (k === 'polygon') return `polygon, ${o.polygon.length} points`
        if (k === 'line') return `line, ${o.line.length} points`
        if (k === 'point') return `point ${Math.round(o.point.x)}, ${Math.round(o.point.y)}`
        return 'mask'
      }
      const finish = () => {
        if (!pending) return
        const { k, pts, tool } = pending
        pending = null
        if (pts.length >= (k === 'polygon' ? 3 : 2))
          add({ feature_schema_id: tool, [k]: pts.map((p) => ({ x: round(p.x), y: round(p.y) })) })
        else render()
      }
      const moved = (o, dx, dy) => {
        const k = kindOf(o)
        const mv = (p) => ({ x: round(p.x + dx), y: round(p.y + dy) })
        if (k === 'bounding_box')
          return { ...o, bounding_box: { ...o.bounding_box, left: round(o.bounding_box.left + dx), top: round(o.bounding_box.top + dy) } }
        if (k === 'polygon' || k === 'line') return { ...o, [k]: o[k].map(mv) }
        if (k === 'point') return { ...o, point: mv(o.point) }
        return o
      }
      const resized = (o, j, p) => {
        const k = kindOf(o)
        if (k === 'bounding_box') {
          const b = o.bounding_box
          const c = [
            { x: b.left, y: b.top },
            { x: b.left + b.width, y: b.top },
            { x: b.left + b.width, y: b.top + b.height },
            { x: b.left, y: b.top + b.height },
          ][(j + 2) % 4]
          return {
            ...o,
            bounding_box: {
              left: round(Math.min(c.x, p.x)),
              top: round(Math.min(c.y, p.y)),
              width: round(Math.abs(p.x - c.x)),
              height: round(Math.abs(p.y - c.y)),
            },
          }
        }
        return { ...o, [k]: o[k].map((q, n) => (n === j ? { x: round(p.x), y: round(p.y) } : q)) }
      }

      svg.addEventListener('pointerdown', (e) => {
        if (!W || e.button > 1) return
        wrap.focus({ preventScroll: true })
        const p = clamp(at(e))
        svg.setPointerCapture(e.pointerId)
        if (space || e.button === 1) return (drag = { pan: true, x: e.clientX, y: e.clientY })
        const k = kind()
        const tool = picked()?.value
        if (k === 'select' || !k) {
          if (e.target.dataset.h !== undefined && sel >= 0)
            return (drag = { handle: Number(e.target.dataset.h), before: JSON.stringify(objects), from: objects[sel] })
          const i = e.target.dataset.i
          if (i === undefined) return select(-1)
          select(Number(i))
          return (drag = { move: p, before: JSON.stringify(objects), from: objects[sel] })
        }
        if (k === 'bounding_box') {
          drag = {
            box: p,
            ghost: svgEl('rect', { class: 'ghost', x: p.x, y: p.y, width: 0, height: 0, stroke: picked().dataset.color, fill: 'none' }),
          }
        } else if (k === 'point') {
          add({ feature_schema_id: tool, point: { x: round(p.x), y: round(p.y) } })
        } else if (k === 'polygon' || k === 'line') {
          if (!pending || pending.tool !== tool) pending = { k, tool, pts: [] }
          const first = pending.pts[0]
          if (k === 'polygon' && first && pending.pts.length >= 3 && Math.hypot(first.x - p.x, first.y - p.y) < px(10)) return finish()
          const last = pending.pts[pending.pts.length - 1]
          if (!last || Math.hypot(last.x - p.x, last.y - p.y) > px(2)) pending.pts.push(p)
          render()
        } else if (k === 'mask') {
          drag = {
            paint: [p],
            ghost: svgEl('polyline', {
              class: 'ghost',
              fill: 'none',
              stroke: eraser?.checked ? '#fff' : picked().dataset.color,
              points: `${p.x},${p.y}`,
            }),
          }
          drag.ghost.setAttribute('stroke-width', brush?.value || 24)
          drag.ghost.setAttribute('stroke-linecap', 'round')
          drag.ghost.style.vectorEffect = 'none'
          render()
        }
      })
      svg.addEventListener('pointermove', (e) => {
        if (!W) return
        const p = clamp(at(e))
        cursor = p
        if (!drag) return pending && render()
        if (drag.pan) {
          panBy(e.clientX - drag.x, e.clientY - drag.y)
          drag.x = e.clientX
          drag.y = e.clientY
        } else if (drag.box) {
          const g = drag.ghost
          g.setAttribute('x', Math.min(drag.box.x, p.x))
          g.setAttribute('y', Math.min(drag.box.y, p.y))
          g.setAttribute('width', Math.abs(p.x - drag.box.x))
          g.setAttribute('height', Math.abs(p.y - drag.box.y))
        } else if (drag.paint) {
          drag.paint.push(p)
          drag.ghost.setAttribute('points', drag.paint.map((q) => `${q.x},${q.y}`).join(' '))
        } else if (drag.move) {
          objects[sel] = moved(drag.from, p.x - drag.move.x, p.y - drag.move.y)
          drag.changed = true
          render()
        } else if (drag.handle !== undefined) {
          objects[sel] = resized(drag.from, drag.handle, p)
          drag.changed = true
          render()
        }
      })
      svg.addEventListener('pointerup', (e) => {
        const d = drag
        drag = null
        if (!d) return
        const p = clamp(at(e))
        if (d.box) {
          const b = {
            left: Math.min(d.box.x, p.x),
            top: Math.min(d.box.y, p.y),
            width: Math.abs(p.x - d.box.x),
            height: Math.abs(p.y - d.box.y),
          }
          if (b.width >= 3 && b.height >= 3)
            add({
              feature_schema_id: picked().value,
              bounding_box: { top: round(b.top), left: round(b.left), height: round(b.height), width: round(b.width) },
            })
          else render()
        } else if (d.paint) paint(d.paint, eraser?.checked)
        else if (d.changed) {
          undo.push(d.before)
          redo.length = 0
          sync()
        }
      })
      svg.addEventListener('dblclick', () => pending?.k === 'line' && finish())
      wrap.addEventListener(
        'wheel',
        (e) => {
          if (!W) return
          e.preventDefault()
          const r = wrap.getBoundingClientRect()
          zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - r.left, e.clientY - r.top)
        },
        { passive: false },
      )
      document.addEventListener('keyup', (e) => {
        if (e.key === ' ') {
          space = false
          wrap.classList.remove('panning')
        }
      })

      // A new object of the picked tool in the middle of the view, for the keyboard.
      const addAtCentre = () => {
        const t = picked()
        const k = t?.dataset.kind
        const r = wrap.getBoundingClientRect()
        const c = clamp({ x: (r.width / 2 - pan.x) / scale, y: (r.height / 2 - pan.y) / scale })
        const s = Math.min(W, H) / 8
        const q = (dx, dy) => ({ x: round(c.x + dx * s), y: round(c.y + dy * s) })
        if (k === 'bounding_box')
          add({
            feature_schema_id: t.value,
            bounding_box: { left: round(c.x - s), top: round(c.y - s), width: round(2 * s), height: round(2 * s) },
          })
        else if (k === 'point') add({ feature_schema_id: t.value, point: q(0, 0) })
        else if (k === 'polygon') add({ feature_schema_id: t.value, polygon: [q(0, -1), q(1, 1), q(-1, 1)] })
        else if (k === 'line') add({ feature_schema_id: t.value, line: [q(-1, 0), q(1, 0)] })
        else if (k === 'mask') paint([c], eraser?.checked)
        else return false
        say(`${nameOf(objects.length - 1)} added`)
        return true
      }

      const load = () => {
        W = img.naturalWidth
        H = img.naturalHeight
        svg.setAttribute('viewBox', `0 0 ${W} ${H}`)
        fitView()
      }
      if (img.complete && img.naturalWidth) load()
      else {
        img.addEventListener('load', load, { once: true })
        img.addEventListener('error', () => whyNot(img.src).then((r) => failed('image', r)), { once: true })
      }
      if (img.complete && !img.naturalWidth && img.src) whyNot(img.src).then((r) => failed('image', r))
      window.addEventListener('resize', () => W && fitView())

      return {
        render,
        describe,
        finish,
        tool() {
          pending = null
          render()
        },
        key(e) {
          const k = e.key
          // Arrows belong to the focused control (radio groups, the list) except on the image.
          if (k.startsWith('Arrow') && e.target !== wrap && e.target !== document.body) return false
          if (k === ' ' && e.target === wrap) {
            space = true
            wrap.classList.add('panning')
            return true
          }
          if (k === 'Escape') {
            if (pending) {
              pending = null
              render()
            } else select(-1)
            return true
          }
          if (k === 'Enter' && pending) return (finish(), true)
          if (k === 'Enter' && e.target === wrap) return addAtCentre()
          if (k === '+' || k === '=') return (zoom(1.25), true)
          if (k === '-' || k === '_') return (zoom(0.8), true)
          if (k === '0') return (fitView(), true)
          if (k === 'e' && eraser) return ((eraser.checked = !eraser.checked), say(eraser.checked ? 'Eraser' : 'Brush'), true)
          if (k === '[' && brush) return ((brush.value = Number(brush.value) - 4), true)
          if (k === ']' && brush) return ((brush.value = Number(brush.value) + 4), true)
          const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[k]
          if (!dir) return false
          if (sel < 0) return (panBy(-dir[0] * 40, -dir[1] * 40), true)
          const step = Math.max(1, Math.round(px(e.altKey ? 1 : 10)))
          const o = objects[sel]
          if (e.shiftKey && kindOf(o) === 'bounding_box') {
            const b = o.bounding_box
            change(
              () =>
                (objects[sel] = {
                  ...o,
                  bounding_box: { ...b, width: Math.max(1, b.width + dir[0] * step), height: Math.max(1, b.height + dir[1] * step) },
                }),
            )
          } else change(() => (objects[sel] = moved(o, dir[0] * step, dir[1] * step)))
          return true
        },
        act(a) {
          if (a === 'zoom-in') zoom(1.25)
          if (a === 'zoom-out') zoom(0.8)
          if (a === 'fit') fitView()
        },
      }
    }

    // ---------- Text ----------
    function textView(doc) {
      let text = doc.textContent
      const offset = (node, off) => {
        const r = document.createRange()
        r.setStart(doc, 0)
        r.setEnd(node, off)
        return r.toString().length
      }
      const render = () => {
        // Segments between entity bounds, each marked with the first entity covering it.
        const ents = objects.map((o, i) => ({ o, i })).filter((x) => x.o.location)
        const cuts = [...new Set([0, text.length, ...ents.flatMap((x) => [x.o.location.start, x.o.location.end + 1])])]
          .filter((n) => n >= 0 && n <= text.length)
          .sort((a, b) => a - b)
        const parts = []
        for (let j = 0; j < cuts.length - 1; j++) {
          const s = text.slice(cuts[j], cuts[j + 1])
          const cover = ents.find((x) => x.o.location.start <= cuts[j] && x.o.location.end + 1 >= cuts[j + 1])
          if (!cover) parts.push(s)
          else {
            const t = toolOf(cover.o)
            const m = h(
              'mark',
              {
                class: cover.i === sel ? 'entity sel' : 'entity',
                'data-i': String(cover.i),
                style: `--entity:${t?.color || '#3b5bdb'}`,
                title: t?.name,
              },
              s,
            )
            m.addEventListener('click', () => select(cover.i))
            parts.push(m)
          }
        }
        doc.replaceChildren(...parts)
      }
      const fromSelection = () => {
        const s = window.getSelection()
        const t = picked()
        if (!s || s.isCollapsed || !t || !doc.contains(s.anchorNode) || !doc.contains(s.focusNode)) return false
        const a = offset(s.anchorNode, s.anchorOffset)
        const b = offset(s.focusNode, s.focusOffset)
        let start = Math.min(a, b)
        let end = Math.max(a, b) // exclusive here; stored inclusive
        while (start < end && /\s/.test(text[start])) start++
        while (end > start && /\s/.test(text[end - 1])) end--
        if (end <= start) return false
        s.removeAllRanges()
        add({ feature_schema_id: t.value, location: { start, end: end - 1 } })
        say(`${nameOf(objects.length - 1)} added: ${text.slice(start, end)}`)
        return true
      }
      doc.addEventListener('mouseup', () => setTimeout(fromSelection))
      if (doc.dataset.src)
        fetch(doc.dataset.src)
          .then((r) => (r.ok ? r.text() : Promise.reject(`the server answered ${r.status} ${r.statusText}`.trim())))
          .then((t) => {
            text = t
            render()
          })
          .catch((err) => failed('text', typeof err === 'string' ? err : 'the network request failed'))
      render()
      return {
        render,
        describe: (o) => (o.location ? `“${text.slice(o.location.start, o.location.end + 1).slice(0, 40)}”` : ''),
        key: (e) => (e.key === 'Enter' && e.target === doc ? fromSelection() : e.key === 'Escape' ? (select(-1), true) : false),
      }
    }

    // ---------- Video: answers at a frame ----------
    function frameView(video) {
      const fps = Number(video.dataset.fps) || 30
      const fq = form.querySelector('#frame-questions')
      const fl = form.querySelector('#frame-list')
      const now = form.querySelector('#frame-now')
      const frameAt = () => Math.floor(video.currentTime * fps + 1e-6) + 1
      const clean = () => {
        for (const k of Object.keys(frames)) if (!frames[k].classifications?.length) delete frames[k]
      }
      const renderFrames = () => {
        clean()
        save()
        fl.replaceChildren(
          ...Object.keys(frames)
            .sort((a, b) => a - b)
            .map((k) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => open(Number(k), true) },
                  `Frame ${k} · ${frames[k].classifications.length} answer(s)`,
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-sm btn-ghost',
                    'aria-label': `Remove the answers at frame ${k}`,
                    onclick: () => (delete frames[k], (fq.hidden = true), renderFrames()),
                  },
                  '×',
                ),
              ),
            ),
        )
      }
      const open = (n, seek) => {
        video.pause()
        if (seek) video.currentTime = (n - 1) / fps + 0.5 / fps
        frames[n] ||= { classifications: [] }
        fq.hidden = false
        fq.replaceChildren(
          h('h3', {}, `At frame ${n}`),
          ...questions(onto.classifications, frames[n].classifications, renderFrames, `fr${n}`),
        )
        fq.querySelector('input, textarea')?.focus()
      }
      video.addEventListener('timeupdate', () => (now.textContent = `Now: frame ${frameAt()} (${fps} fps).`))
      const broken = () => failed('video', video.error?.message || `media error ${video.error?.code ?? ''}`.trim())
      video.addEventListener('error', broken)
      if (video.error) broken()
      form.querySelector('[data-act=frame]').addEventListener('click', () => open(frameAt()))
      frameOpen = () => open(frameAt())
      renderFrames()
    }
    form.addEventListener('click', (e) => {
      const a = e.target.closest?.('[data-act]')?.dataset.act
      if (a === 'undo') restore(undo, redo)
      else if (a === 'redo') restore(redo, undo)
      else if (a) view.act?.(a)
    })

    return (e) => {
      const k = e.key
      const mod = e.ctrlKey || e.metaKey
      if (mod && (k === 'z' || k === 'Z' || k === 'y')) {
        if (typing(e.target)) return false
        if (k === 'y' || e.shiftKey) restore(redo, undo)
        else restore(undo, redo)
        return true
      }
      if (mod || e.altKey || typing(e.target)) return false
      if (e.shiftKey && /^Digit[1-9]$/.test(e.code)) {
        const tools = form.querySelectorAll('input[name=_tool]:not([value=_select])')
        const t = tools[Number(e.code.slice(5)) - 1]
        if (!t) return false
        t.checked = true
        view.tool?.()
        say(`Tool: ${t.dataset.name}`)
        return true
      }
      if (k === 'v' || k === 'V') {
        const s = form.querySelector('input[name=_tool][value=_select]')
        if (!s) return false
        s.checked = true
        view.tool?.()
        return true
      }
      if ((k === 'f' || k === 'F') && frameOpen) return (frameOpen(), true)
      if ((k === 'Delete' || k === 'Backspace') && sel >= 0) return (remove(sel), true)
      return view.key?.(e) || false
    }
  }

  let handler = null
  function setup(root) {
    for (const w of root.querySelectorAll?.('.canvas-wrap[data-canvas=view]') ?? []) {
      if (w.dataset.ready) continue
      w.dataset.ready = '1'
      setupView(w)
    }
    const form = document.getElementById('label-form')
    if (form && !form.dataset.ready) {
      form.dataset.ready = '1'
      if (!document.getElementById('label-live'))
        document.body.append(h('div', { id: 'label-live', class: 'visually-hidden', 'aria-live': 'polite' }))
      handler = editor(form)
    }
  }

  document.addEventListener('keydown', (e) => {
    const form = document.getElementById('label-form')
    if (!form) return
    if (handler?.(e)) return e.preventDefault()
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || typing(e.target)) return
    if (/^[1-9]$/.test(e.key)) {
      const input = form.querySelector(`input[data-shortcut="${e.key}"]`)
      if (!input || input.closest('[hidden]')) return
      e.preventDefault()
      input.checked = input.type === 'radio' ? true : !input.checked
      input.dispatchEvent(new Event('change', { bubbles: true }))
      input.focus()
    } else if (e.key === 's' || e.key === 'S') {
      const skip = form.querySelector('button[name=skip]')
      if (!skip) return
      e.preventDefault()
      skip.click()
    }
  })

  document.addEventListener('DOMContentLoaded', () => setup(document))
  document.addEventListener('htmx:after:swap', () => setup(document))
})()
