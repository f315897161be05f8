// The ontology editor's client-side behaviour: removing a row (a tool, a classification), and
// Enter in its fields moving on instead of submitting the whole project form.
// Adding rows is htmx's job (the server renders them). Loaded by the editor itself, possibly more
// than once as htmx swaps pages in, so it installs its listener only once.
;(() => {
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

  // Enter in a name or options field goes to the next field of the editor; it submits the project
  // only from outside the editor (the project's own fields, the Create button).
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing || !e.target.matches?.('.onto-editor input:not([type=checkbox]):not([type=radio])')) return
    e.preventDefault()
    const editor = e.target.closest('.onto-editor')
    const fields = [...editor.querySelectorAll('input:not([type=hidden]), select, textarea, button')].filter(
      (el) => !el.disabled && el.offsetParent !== null,
    )
    fields[fields.indexOf(e.target) + 1]?.focus()
  })
})()
