// Live task progress, pushed from each task's Durable Object over Server-Sent Events
// (GET /api/v1/tasks/{id}/events). Every element with data-task-id on the page (Tasks menu, Tasks
// page, import cards) is updated in place; the top bar badge counts running tasks. When the
// browser cannot keep an EventSource open, it falls back to polling the task every 5 s.
;(() => {
  'use strict'
  const live = new Map() // task id -> EventSource | interval id
  // Tasks this page saw end. A page keeps the ids it was rendered with (the badge's data-running,
  // a menu fetched earlier): following one of them again replays its last snapshot, which said
  // "Task finished" a second time. An ended task is never followed again.
  const ended = new Set()

  const badge = () => document.getElementById('tasks-running')
  function setBadge() {
    const b = badge()
    if (!b) return
    b.textContent = String(live.size)
    b.hidden = live.size === 0
    b.closest('summary')?.setAttribute('aria-label', live.size ? `Tasks, ${live.size} running` : 'Tasks')
  }

  const fmt = new Intl.NumberFormat('en-US')
  function apply(snap) {
    for (const el of document.querySelectorAll(`[data-task-id="${snap.task_id}"]`)) {
      el.dataset.taskStatus = snap.status
      const bar = el.querySelector('.progress-bar')
      if (bar) {
        const pct = Math.max(0, Math.min(100, snap.completion_percentage | 0))
        bar.setAttribute('aria-valuenow', String(pct))
        const span = bar.querySelector('span')
        if (span) span.style.width = `${pct}%`
        const label = el.querySelector('.progress-label span')
        if (label) label.textContent = `${pct}%`
      } else if (snap.status === 'IN_PROGRESS' && el.classList.contains('task-item')) {
        refresh(snap.task_id, el) // the spinner of a queued task becomes a bar
      }
      const resuming = el.querySelector('[data-task-resuming]')
      if (resuming) resuming.hidden = !snap.resuming
      const doneEl = el.querySelector('[data-task-done]')
      if (doneEl && snap.status === 'IN_PROGRESS') doneEl.textContent = fmt.format(snap.done || 0)
      const counts = el.querySelector('[data-task-counts]')
      if (counts && snap.phase && snap.status === 'IN_PROGRESS') {
        counts.hidden = false
        counts.textContent = snap.total ? `${snap.phase} · ${fmt.format(snap.done)} / ${fmt.format(snap.total)}` : snap.phase
      }
    }
    if (['COMPLETE', 'FAILED', 'CANCELED'].includes(snap.status)) finish(snap)
    else document.dispatchEvent(new CustomEvent('labeldesk:task-progress', { detail: snap }))
  }

  // Re-render a task's markup from the server (download links appear when it is done).
  function refresh(id, el) {
    const compact = el.classList.contains('compact') ? '?compact=1' : ''
    fetch(`/tasks/${id}/item${compact}`, { headers: { 'HX-Request': 'true' } })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => {
        if (!html || !el.isConnected) return
        const tpl = document.createElement('template')
        tpl.innerHTML = html.trim()
        const fresh = tpl.content.firstElementChild
        if (fresh) {
          el.replaceWith(fresh)
          window.htmx?.process?.(fresh)
        }
      })
      .catch(() => {})
  }

  function finish(snap) {
    const h = live.get(snap.task_id)
    if (h === undefined || ended.has(snap.task_id)) return
    ended.add(snap.task_id)
    if (typeof h === 'number') clearInterval(h)
    else h.close()
    live.delete(snap.task_id)
    const b = badge()
    if (b?.dataset.running)
      b.dataset.running = b.dataset.running
        .split(',')
        .filter((id) => id && id !== snap.task_id)
        .join(',')
    setBadge()
    // Task items are drawn again by the server (download links); other live views of a task (the
    // dataset page's import count) are replaced by whoever listens to labeldesk:task-finished.
    for (const el of document.querySelectorAll(`.task-item[data-task-id="${snap.task_id}"]`)) refresh(snap.task_id, el)
    const word = snap.status === 'COMPLETE' ? 'finished' : snap.status === 'FAILED' ? 'failed' : 'was canceled'
    window.labeldesk?.toast?.(`Task ${word}${snap.message ? `: ${snap.message}` : ''}`)
    document.dispatchEvent(new CustomEvent('labeldesk:task-finished', { detail: snap }))
  }

  function poll(id) {
    const tick = () =>
      fetch(`/api/v1/tasks/${id}`)
        .then((r) => (r.ok ? r.json() : null))
        .then(
          (t) =>
            t &&
            apply({
              task_id: t.id,
              status: t.status,
              completion_percentage: t.completion_percentage,
              phase: null,
              done: 0,
              total: null,
              message: t.failure_reason,
              resuming: t.resuming,
            }),
        )
        .catch(() => {})
    live.set(id, setInterval(tick, 5000))
    tick()
  }

  // A task started on this page is put in the Tasks menu's body at once (its body comes with the
  // page, src/lib/render.tsx), so opening the menu never waits for a request.
  function addToMenu(id) {
    const body = document.getElementById('tasks-menu-body')
    const has = () => body?.querySelector(`[data-task-id="${id}"]`)
    if (!body || has()) return
    fetch(`/tasks/${id}/item?compact=1`, { headers: { 'HX-Request': 'true' } })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => {
        if (!html || has()) return
        const tpl = document.createElement('template')
        tpl.innerHTML = html.trim()
        const fresh = tpl.content.firstElementChild
        if (!fresh) return
        let list = body.querySelector('.task-list')
        if (!list) {
          list = document.createElement('div')
          list.className = 'task-list'
          body.replaceChildren(list)
        }
        list.prepend(fresh)
        window.htmx?.process?.(fresh)
      })
      .catch(() => {})
  }

  function follow(id) {
    if (!id || live.has(id) || ended.has(id)) return
    addToMenu(id)
    if (!('EventSource' in window)) return poll(id)
    const es = new EventSource(`/api/v1/tasks/${id}/events`)
    live.set(id, es)
    es.addEventListener('progress', (e) => {
      try {
        apply(JSON.parse(e.data))
      } catch {}
    })
    es.onerror = () => {
      // The stream ended or broke: fall back to polling unless the task already finished.
      if (live.get(id) !== es) return
      es.close()
      live.delete(id)
      poll(id)
    }
    setBadge()
  }

  function scan(root) {
    const b = badge()
    for (const id of (b?.dataset.running || '').split(',').filter(Boolean)) follow(id)
    for (const el of (root || document).querySelectorAll('[data-task-id]')) {
      if (['QUEUED', 'IN_PROGRESS'].includes(el.dataset.taskStatus)) follow(el.dataset.taskId)
    }
    setBadge()
  }

  // Tasks started by a page (htmx answers with HX-Trigger: {"taskStarted": {"id": …}}, scripts
  // dispatch the same event) are followed at once.
  document.addEventListener('taskStarted', (e) => {
    follow(e.detail?.id ?? e.detail?.value?.id)
  })
  // The menu fetches its newest tasks when it opens, not again when it closes: `toggle` fires both
  // ways, and an hx-trigger filter (`toggle[…]`) needs eval, which the CSP forbids. `toggle` does
  // not bubble, hence the capture.
  document.addEventListener(
    'toggle',
    (e) => {
      const menu = e.target
      if (menu instanceof HTMLDetailsElement && menu.id === 'tasks-menu' && menu.open) menu.dispatchEvent(new Event('tasks-menu-open'))
    },
    true,
  )
  document.addEventListener('htmx:after:swap', (e) => scan(e.target))
  document.addEventListener('DOMContentLoaded', () => scan(document))
  window.labeldeskTasks = { follow }
})()
