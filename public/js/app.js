// LabelDesk's small client script: menus, copy buttons, confirmation dialogs, toasts.
// Everything here is progressive enhancement; pages read fine without it.
;(() => {
  'use strict'

  // Menus are <details class="menu">: close on outside click and on Escape.
  document.addEventListener('click', (e) => {
    for (const d of document.querySelectorAll('details.menu[open]')) {
      if (!d.contains(e.target)) d.removeAttribute('open')
    }
  })
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return
    for (const d of document.querySelectorAll('details.menu[open]')) {
      d.removeAttribute('open')
      d.querySelector('summary')?.focus()
    }
  })

  // Copy fields: <button data-copy="#input-id">.
  document.addEventListener('click', async (e) => {
    const btn = e.target.closest?.('[data-copy]')
    if (!btn) return
    const src = document.querySelector(btn.getAttribute('data-copy'))
    if (!src) return
    const value = 'value' in src ? src.value : src.textContent
    try {
      await navigator.clipboard.writeText(value)
    } catch {
      src.select?.()
      document.execCommand?.('copy')
    }
    const old = btn.textContent
    btn.textContent = 'Copied'
    toast('Copied to clipboard')
    setTimeout(() => {
      btn.textContent = old
    }, 1500)
  })

  // Toasts, announced to screen readers through the aria-live region. A toast about a task
  // (`until`: its id) stays until that task ends, when public/js/tasks.js says how it ended.
  function toast(message, { until } = {}) {
    const box = document.getElementById('toasts')
    if (!box) return
    const t = document.createElement('div')
    t.className = 'toast'
    t.textContent = message
    if (until) t.dataset.until = until
    box.append(t)
    if (!until) setTimeout(() => t.remove(), 3500)
  }
  document.addEventListener('labeldesk:task-finished', (e) => {
    for (const t of document.querySelectorAll('#toasts .toast[data-until]')) {
      if (t.dataset.until === e.detail?.task_id) t.remove()
    }
  })
  window.labeldesk = { toast }
  document.addEventListener('toast', (e) => toast(e.detail?.value ?? e.detail?.message ?? 'Done'))

  // Confirmation dialogs: hx-confirm (htmx) and data-confirm (plain forms) open a <dialog>
  // that names the thing; Escape or Cancel closes it.
  function confirmDialog(message, { danger = true, confirmLabel = 'Delete' } = {}) {
    return new Promise((resolve) => {
      const dlg = document.createElement('dialog')
      dlg.setAttribute('aria-labelledby', 'confirm-title')
      dlg.innerHTML =
        '<form method="dialog"><div class="dialog-body"><h2 id="confirm-title"></h2><p class="muted">This cannot be undone.</p></div>' +
        '<div class="dialog-actions"><button class="btn" value="cancel">Cancel</button><button class="btn" value="ok"></button></div></form>'
      dlg.querySelector('h2').textContent = message
      const ok = dlg.querySelector('button[value=ok]')
      ok.textContent = confirmLabel
      ok.classList.add(danger ? 'btn-danger' : 'btn-primary')
      document.body.append(dlg)
      dlg.addEventListener('close', () => {
        resolve(dlg.returnValue === 'ok')
        dlg.remove()
      })
      dlg.showModal()
      ok.focus()
    })
  }
  document.addEventListener('htmx:confirm', (e) => {
    const ctx = e.detail?.ctx
    if (!ctx?.confirm) return
    e.preventDefault()
    const src = ctx.sourceElement
    confirmDialog(ctx.confirm, {
      confirmLabel: src?.getAttribute('data-confirm-label') || 'Delete',
      danger: src?.getAttribute('data-confirm-tone') !== 'primary',
    }).then((yes) => (yes ? e.detail.issueRequest() : e.detail.dropRequest()))
  })
  document.addEventListener(
    'submit',
    (e) => {
      const form = e.target
      if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed) return
      e.preventDefault()
      e.stopImmediatePropagation()
      confirmDialog(form.dataset.confirm, {
        confirmLabel: form.dataset.confirmLabel || 'Delete',
        danger: form.dataset.confirmTone !== 'primary',
      }).then((yes) => {
        if (!yes) return
        form.dataset.confirmed = '1'
        form.requestSubmit(e.submitter || undefined)
        delete form.dataset.confirmed
      })
    },
    true,
  )

  // A table that scrolls inside its card (a phone, a narrow window) can be scrolled with the
  // keyboard: the box takes focus and is named after its card's heading. Boxes that fit lose it.
  const SCROLL_BOXES = '.table-wrap, .table-scroll, .chart-table-wrap'
  const markScrollBoxes = () => {
    for (const box of document.querySelectorAll(SCROLL_BOXES)) {
      const scrolls = box.scrollWidth > box.clientWidth + 1
      if (scrolls && !box.hasAttribute('tabindex')) {
        const heading = box.closest('section, .card, .dash-card')?.querySelector('h2, h3')
        box.setAttribute('tabindex', '0')
        box.setAttribute('role', 'region')
        // Two tables in one card differ by their first column ("Project", "Member").
        const first = box.querySelector('th')?.textContent.trim()
        const what = first ? `table by ${first.toLowerCase()}` : 'table'
        box.setAttribute('aria-label', `${heading ? `${heading.textContent.trim()}: ` : ''}${what}, scrolls sideways`)
        box.dataset.scrollBox = '1'
      } else if (!scrolls && box.dataset.scrollBox) {
        box.removeAttribute('tabindex')
        box.removeAttribute('role')
        box.removeAttribute('aria-label')
        delete box.dataset.scrollBox
      }
    }
  }
  let resizeTimer
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer)
    resizeTimer = setTimeout(markScrollBoxes, 150)
  })
  document.addEventListener('htmx:afterSettle', markScrollBoxes)
  document.addEventListener('toggle', markScrollBoxes, true)
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', markScrollBoxes)
  else markScrollBoxes()

  // A field's server error goes once the person changes that field: a stale "Name is required"
  // must not sit under a name that is now typed in. The next submit checks it again.
  const clearFieldError = (e) => {
    const field = e.target.closest?.('.field.has-error')
    if (!field || !e.target.matches('input, select, textarea')) return
    field.classList.remove('has-error')
    e.target.removeAttribute('aria-invalid')
    for (const err of field.querySelectorAll(':scope > .error')) {
      err.hidden = true
      if (err.id && e.target.getAttribute('aria-describedby') === err.id) e.target.removeAttribute('aria-describedby')
    }
  }
  document.addEventListener('input', clearFieldError)
  document.addEventListener('change', clearFieldError)
})()
