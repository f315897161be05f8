// The ontology editor's one client-side behaviour: removing a row (a tool, a classification).
// Adding rows is htmx's job (the server renders them). Loaded by the editor itself, possibly more
// than once as htmx swaps pages in, so it installs its listener only once.
(() => {
  'use strict'
  // Remove buttons are hidden until this script runs (without it, clearing a row's name drops it).
  document.documentElement.classList.add('js-onto')
  if (window.__labeldeskOntologyEditor) return
  window.__labeldeskOntologyEditor = true

  document.addEventListener('click', (e) => {
    const btn = e.target.closest?.('[data-remove-row]')
    if (!btn) return
    const row = btn.closest('.onto-row')
    if (!row) return
    e.preventDefault()
    // Keep keyboard users in place: focus the section's "Add" button after the row is gone.
    const section = row.parentElement?.closest('.onto-nested, .onto-section')
    row.remove()
    const add = section && [...section.children].find((el) => el.matches?.('.onto-add'))
    add?.focus()
  })
})()
