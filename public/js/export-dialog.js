// The project dashboard's "Generate export" dialog. The header's button is a plain link to
// GET /projects/{id}/export (a page with the same form, for browsers without JavaScript); here it
// opens the <dialog> of the page instead. Escape and the ✕ button close it natively; this adds
// closing by the backdrop and by buttons marked data-dialog-close (Cancel, Done).
//
// Loaded by the dashboard itself, possibly again as htmx swaps pages in: listeners go on once.
;(() => {
  'use strict'
  if (window.__labeldeskExportDialog) return
  window.__labeldeskExportDialog = true

  document.addEventListener('click', (e) => {
    const opener = e.target.closest?.('[data-dialog-open]')
    if (opener) {
      const dlg = document.getElementById(opener.getAttribute('data-dialog-open'))
      if (!(dlg instanceof HTMLDialogElement) || dlg.open) return // no dialog here: follow the link
      e.preventDefault()
      dlg.showModal()
      return
    }
    const closer = e.target.closest?.('[data-dialog-close]')
    if (closer) {
      closer.closest('dialog')?.close()
      return
    }
    // A click on the backdrop lands on the <dialog> itself, outside its box.
    if (e.target instanceof HTMLDialogElement && e.target.open) {
      const r = e.target.getBoundingClientRect()
      const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom
      if (!inside && e.clientX + e.clientY > 0) e.target.close()
    }
  })
})()
