// The dataset page's browser side: opening the "Add files" and "Import manifest" panels, uploading
// files (drop zone or file picker) with a progress bar per file and overall, and sending a manifest
// for import. Files up to the panel's `data-single-max` go in one multipart request each; bigger ones
// in parts (POST …/uploads, PUT …/uploads/parts, POST …/uploads/complete), since a Worker request
// body is capped. XMLHttpRequest is used (not fetch) because it reports upload progress.
// The session cookie authenticates; same-origin requests carry the Origin our CSRF check wants.
//
// Loaded by the dataset page itself, possibly more than once as htmx swaps pages in, so it installs
// its listeners once and finds its elements at the time of each event.
;(() => {
  'use strict'
  document.documentElement.classList.add('js-uploads')
  if (window.__labeldeskUploads) return
  window.__labeldeskUploads = true

  const CONCURRENCY = 3

  // Formatting ----------------------------------------------------------------------------------

  const nf = new Intl.NumberFormat('en-US')
  function bytes(n) {
    if (n < 1024) return `${n} B`
    const units = ['KB', 'MB', 'GB', 'TB']
    let v = n / 1024
    let i = 0
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024
      i++
    }
    return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
  }
  const toast = (msg) => window.labeldesk?.toast?.(msg)

  /** Sets a `.progress` block (bar, percentage, counts). */
  function setProgress(box, fraction, countText, state) {
    if (!box) return
    const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)))
    const bar = box.querySelector('.progress-bar')
    bar.setAttribute('aria-valuenow', String(pct))
    bar.querySelector('span').style.width = `${pct}%`
    box.querySelector('[data-pct]').textContent = `${pct}%`
    if (countText !== undefined) box.querySelector('[data-count]').textContent = countText
    box.classList.toggle('complete', state === 'complete')
    box.classList.toggle('failed', state === 'failed')
  }

  // Requests ------------------------------------------------------------------------------------

  /** A readable message from a failed response: problem+json `detail`, or the status. */
  function problemOf(xhr) {
    try {
      const p = JSON.parse(xhr.responseText)
      if (p && typeof p.detail === 'string' && p.detail) return p.detail
    } catch {
      /* not JSON */
    }
    if (xhr.status === 413) return 'The file is too large for one request.'
    return xhr.status
      ? `The server answered ${xhr.status} ${xhr.statusText || ''}`.trim()
      : 'Network error: check your connection and try again.'
  }

  /** One request with upload progress; resolves with the parsed JSON answer. */
  function send(method, url, body, { headers = {}, onProgress } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open(method, url)
      xhr.setRequestHeader('Accept', 'application/json')
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
      if (onProgress)
        xhr.upload.addEventListener('progress', (e) => {
          if (e.lengthComputable) onProgress(e.loaded, e.total)
        })
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null)
          } catch {
            resolve(null)
          }
        } else reject(new Error(problemOf(xhr)))
      })
      xhr.addEventListener('error', () => reject(new Error(problemOf(xhr))))
      xhr.addEventListener('abort', () => reject(new Error('The upload was canceled.')))
      xhr.send(body)
    })
  }

  const json = (body) => [JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } }]

  // Uploads -------------------------------------------------------------------------------------

  /** The running batch: files queued and in flight, and totals for the overall bar. */
  let batch = null

  function panelParts(panel) {
    return {
      list: panel.querySelector('[data-upload-list]'),
      overall: panel.querySelector('[data-upload-overall]'),
      template: panel.querySelector('#upload-item-template'),
    }
  }

  function addFiles(panel, files) {
    if (!files.length) return
    const datasetId = panel.dataset.datasetId
    const singleMax = Number(panel.dataset.singleMax) || 50 * 1024 * 1024
    const { list, overall, template } = panelParts(panel)
    if (!batch || batch.done) {
      batch = { panel, queue: [], active: 0, total: 0, loaded: 0, files: 0, finished: 0, failed: 0, done: false }
      list.replaceChildren()
    }
    for (const file of files) {
      const li = template.content.firstElementChild.cloneNode(true)
      li.querySelector('[data-name]').textContent = file.name
      li.querySelector('[data-name]').title = file.name
      li.querySelector('[data-size]').textContent = bytes(file.size)
      li.dataset.state = 'waiting'
      li.querySelector('[data-count]').textContent = `0 B / ${bytes(file.size)}`
      list.append(li)
      const item = { file, li, loaded: 0, datasetId, chunked: file.size > singleMax }
      batch.queue.push(item)
      batch.total += file.size
      batch.files++
    }
    overall.hidden = false
    renderOverall()
    pump()
  }

  function setState(item, state, label, tone) {
    item.li.dataset.state = state
    const badge = item.li.querySelector('[data-state]')
    badge.textContent = label
    badge.className = `badge${tone ? ` badge-${tone}` : ''}`
  }

  function itemProgress(item, loaded) {
    const b = batch
    b.loaded += loaded - item.loaded
    item.loaded = loaded
    const size = item.file.size || 1
    setProgress(item.li.querySelector('[data-progress]'), loaded / size, `${bytes(loaded)} / ${bytes(item.file.size)}`)
    renderOverall()
  }

  function renderOverall() {
    const b = batch
    const { overall } = panelParts(b.panel)
    const frac = b.total ? b.loaded / b.total : 0
    const state = b.done ? (b.failed === b.files ? 'failed' : 'complete') : undefined
    // Done with failures: the bar shows what arrived, not 100%.
    setProgress(
      overall.querySelector('[data-progress]'),
      b.done && !b.failed ? 1 : frac,
      `${nf.format(b.finished)} of ${nf.format(b.files)} files`,
      state,
    )
    overall.querySelector('[data-upload-bytes]').textContent = `${bytes(b.loaded)} / ${bytes(b.total)}`
    overall.querySelector('[data-upload-summary]').textContent = b.done
      ? b.failed
        ? `${nf.format(b.files - b.failed)} uploaded, ${nf.format(b.failed)} failed`
        : `${nf.format(b.files)} ${b.files === 1 ? 'file' : 'files'} uploaded`
      : `Uploading ${nf.format(b.files)} ${b.files === 1 ? 'file' : 'files'}…`
  }

  function pump() {
    const b = batch
    while (b.active < CONCURRENCY && b.queue.length) {
      const item = b.queue.shift()
      b.active++
      upload(item)
        .then(() => {
          setState(item, 'done', 'Uploaded', 'green')
          itemProgress(item, item.file.size)
          setProgress(item.li.querySelector('[data-progress]'), 1, `${bytes(item.file.size)} / ${bytes(item.file.size)}`, 'complete')
        })
        .catch((err) => {
          b.failed++
          setState(item, 'error', 'Failed', 'red')
          const box = item.li.querySelector('[data-error]')
          box.textContent = err.message
          box.hidden = false
          // Its bytes no longer count towards the total.
          b.total -= item.file.size
          b.loaded -= item.loaded
          item.loaded = 0
          setProgress(item.li.querySelector('[data-progress]'), 0, 'Not uploaded', 'failed')
        })
        .finally(() => {
          b.active--
          b.finished++
          if (!b.queue.length && !b.active) finish(b)
          else {
            renderOverall()
            pump()
          }
        })
    }
  }

  async function upload(item) {
    setState(item, 'uploading', 'Uploading', 'amber')
    if (item.file.size === 0) throw new Error(`${item.file.name} is empty`)
    const base = `/api/v1/datasets/${encodeURIComponent(item.datasetId)}`
    if (!item.chunked) {
      const form = new FormData()
      form.append('file', item.file, item.file.name)
      // The multipart envelope adds a few hundred bytes; scale its progress to the file's size.
      await send('POST', `${base}/files`, form, {
        onProgress: (loaded, total) => itemProgress(item, Math.min(item.file.size, Math.round((loaded / total) * item.file.size))),
      })
      return
    }
    const begin = await send('POST', `${base}/uploads`, ...json({ filename: item.file.name, size: item.file.size }))
    const parts = []
    for (let n = 1; n <= begin.parts; n++) {
      const start = (n - 1) * begin.part_size
      const slice = item.file.slice(start, Math.min(item.file.size, start + begin.part_size))
      const q = new URLSearchParams({ key: begin.key, upload_id: begin.upload_id, part: String(n) })
      const part = await send('PUT', `${base}/uploads/parts?${q}`, slice, {
        headers: { 'Content-Type': 'application/octet-stream' },
        onProgress: (loaded) => itemProgress(item, start + Math.min(loaded, slice.size)),
      })
      parts.push({ part_number: part.part_number, etag: part.etag })
      itemProgress(item, start + slice.size)
    }
    await send('POST', `${base}/uploads/complete`, ...json({ key: begin.key, upload_id: begin.upload_id, filename: item.file.name, parts }))
  }

  function finish(b) {
    b.done = true
    renderOverall()
    const ok = b.files - b.failed
    toast(
      b.failed
        ? `${nf.format(ok)} ${ok === 1 ? 'file' : 'files'} uploaded, ${nf.format(b.failed)} failed`
        : `${nf.format(ok)} ${ok === 1 ? 'file' : 'files'} uploaded`,
    )
    if (ok) refreshRows(b.panel.dataset.rowsUrl)
    if (ok && b.panel.dataset.attachProject) attachToProject(b.panel)
  }

  /**
   * Uploads started from a project's Data settings: once the files are in, the dataset's rows go to
   * the project as a batch (rows already in the project are skipped by the server, so a second round
   * of files adds only the new ones, as "name (2)"). The note in the panel says what happened.
   */
  async function attachToProject(panel) {
    const projectId = panel.dataset.attachProject
    const note = panel.querySelector('[data-attach-note] .alert') || panel.querySelector('[data-attach-note]')
    const say = (tone, text, link) => {
      if (!note) return
      note.className = `alert alert-${tone}`
      note.setAttribute('role', 'status')
      note.textContent = text
      if (link) {
        const a = document.createElement('a')
        a.href = `/projects/${encodeURIComponent(projectId)}/settings/data`
        a.textContent = link
        note.append(' ', a)
      }
    }
    const base = panel.dataset.attachName || 'Uploads'
    say('info', 'Adding the files to the project…')
    for (let n = 1; n <= 50; n++) {
      const name = n === 1 ? base : `${base} (${n})`
      try {
        const r = await send(
          'POST',
          `/api/v1/projects/${encodeURIComponent(projectId)}/batches`,
          ...json({ name, priority: Number(panel.dataset.attachPriority) || 3, dataset_id: panel.dataset.datasetId }),
        )
        const rows = `${nf.format(r.size)} data ${r.size === 1 ? 'row' : 'rows'}`
        say(
          'success',
          r.size ? `${rows} added to the project as batch “${name}”.` : 'These files were already in the project.',
          'Open the project’s data',
        )
        toast(r.size ? `${rows} added to the project` : 'Already in the project')
        return
      } catch (err) {
        if (/already has a batch named/.test(err.message)) continue
        say(
          'error',
          `The files are uploaded but could not be added to the project: ${err.message}`,
          'Attach them from the project’s settings',
        )
        return
      }
    }
  }

  /** The rows section again (the new rows on top), and the header's row count. */
  function refreshRows(url) {
    if (!url || !document.getElementById('data-rows')) return
    if (window.htmx) window.htmx.ajax('GET', url, { target: '#data-rows', swap: 'outerHTML' }).catch(() => {})
  }

  document.addEventListener('change', (e) => {
    const input = e.target
    if (!(input instanceof HTMLInputElement) || !input.matches('[data-upload-input]')) return
    const panel = input.closest('[data-upload-panel]')
    if (!panel) return
    addFiles(panel, [...input.files])
    input.value = ''
  })

  // Drag and drop onto the zone (the zone is the input's <label>, so keyboards use the picker).
  const zoneOf = (e) => (e.target instanceof Element ? e.target.closest('[data-dropzone]') : null)
  for (const type of ['dragenter', 'dragover']) {
    document.addEventListener(type, (e) => {
      const zone = zoneOf(e)
      if (!zone || !e.dataTransfer?.types?.includes('Files')) return
      e.preventDefault()
      e.dataTransfer.dropEffect = 'copy'
      zone.classList.add('is-dragover')
    })
  }
  // A file dropped beside the zone would make the browser open it and leave the page (and any
  // upload in flight): refuse drops outside the zone while an upload panel is on the page.
  for (const type of ['dragover', 'drop']) {
    document.addEventListener(type, (e) => {
      if (zoneOf(e) || !e.dataTransfer?.types?.includes('Files') || !document.querySelector('[data-upload-panel]')) return
      e.preventDefault()
      if (type === 'dragover') e.dataTransfer.dropEffect = 'none'
    })
  }
  // Leaving the page for another site or a reload cancels uploads in flight: ask first.
  window.addEventListener('beforeunload', (e) => {
    if (batch && !batch.done) e.preventDefault()
  })

  document.addEventListener('dragleave', (e) => {
    const zone = zoneOf(e)
    if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove('is-dragover')
  })
  document.addEventListener('drop', (e) => {
    const zone = zoneOf(e)
    if (!zone) return
    e.preventDefault()
    zone.classList.remove('is-dragover')
    const panel = zone.closest('[data-upload-panel]')
    if (panel && e.dataTransfer?.files?.length) addFiles(panel, [...e.dataTransfer.files])
  })

  // A file picked while no script handled the form (or Enter in it): never post the plain form
  // once the script is here; the upload has already started on "change".
  document.addEventListener(
    'submit',
    (e) => {
      const form = e.target
      if (form instanceof HTMLFormElement && form.matches('.ds-upload-form')) e.preventDefault()
    },
    true,
  )

  // Manifest import -----------------------------------------------------------------------------

  const MANIFEST_TYPES = [
    [/\.(ndjson|jsonl)$/i, 'application/x-ndjson'],
    [/\.json$/i, 'application/json'],
    [/\.csv$/i, 'text/csv'],
  ]

  document.addEventListener(
    'submit',
    async (e) => {
      const form = e.target
      if (!(form instanceof HTMLFormElement) || !form.matches('[data-import-form]')) return
      e.preventDefault()
      e.stopImmediatePropagation()
      const input = form.querySelector('input[type=file]')
      const errorBox = form.querySelector('[data-import-error]')
      const field = input.closest('.field')
      const showError = (msg) => {
        errorBox.textContent = msg
        errorBox.hidden = !msg
        field.classList.toggle('has-error', !!msg)
        if (msg) input.setAttribute('aria-invalid', 'true')
        else input.removeAttribute('aria-invalid')
        input.setAttribute('aria-describedby', msg ? 'import-file-error' : 'import-file-help')
      }
      const file = input.files?.[0]
      if (!file) return showError('Choose a manifest file to import.')
      const type = MANIFEST_TYPES.find(([re]) => re.test(file.name))?.[1]
      if (!type) return showError('The manifest must be a .ndjson, .jsonl, .json or .csv file.')
      if (file.size === 0) return showError(`${file.name} is empty.`)
      showError('')
      const datasetId = form.dataset.datasetId
      const submit = form.querySelector('[data-import-submit]')
      const progress = form.querySelector('[data-import-progress]')
      submit.disabled = true
      progress.hidden = false
      setProgress(progress.querySelector('[data-progress]'), 0, `0 B / ${bytes(file.size)}`)
      try {
        const task = await send(
          'POST',
          `/api/v1/datasets/${encodeURIComponent(datasetId)}/imports?filename=${encodeURIComponent(file.name)}`,
          file,
          {
            headers: { 'Content-Type': type },
            onProgress: (loaded, total) =>
              setProgress(
                progress.querySelector('[data-progress]'),
                loaded / total,
                `${bytes(Math.min(loaded, file.size))} / ${bytes(file.size)}`,
              ),
          },
        )
        setProgress(progress.querySelector('[data-progress]'), 1, `${bytes(file.size)} / ${bytes(file.size)} sent`, 'complete')
        form.reset()
        // The toast stays while the import runs; public/js/tasks.js follows the task and, when it
        // ends, this toast goes and one "Task finished" toast says how it went.
        window.labeldesk?.toast?.('Import started; it continues in the background', { until: task.id })
        window.labeldeskTasks?.follow(task.id)
        startedHere.set(task.id, `/datasets/${encodeURIComponent(datasetId)}`)
        // The task card polls itself from here on; the address keeps it across reloads.
        const url = new URL(location.href)
        url.searchParams.set('panel', 'import')
        url.searchParams.set('import', task.id)
        history.replaceState(history.state, '', url)
        if (window.htmx)
          await window.htmx.ajax('GET', `/datasets/${encodeURIComponent(datasetId)}/imports/${encodeURIComponent(task.id)}`, {
            target: '#import-status',
            swap: 'innerHTML',
          })
        // From here on the task card tells the story.
        progress.hidden = true
      } catch (err) {
        progress.hidden = true
        showError(err.message)
      } finally {
        submit.disabled = false
      }
    },
    true,
  )

  // Picking rows for "Add to project…" ------------------------------------------------------------

  const picked = () => [...document.querySelectorAll('[data-pick-row]:checked')]
  function syncPicks() {
    const bar = document.querySelector('[data-pick-bar]')
    if (!bar) return
    const rows = document.querySelectorAll('[data-pick-row]')
    const n = picked().length
    const count = bar.querySelector('[data-pick-count]')
    count.textContent = n ? `${nf.format(n)} ${n === 1 ? 'row' : 'rows'} selected` : 'Tick rows to add them to a project.'
    bar.querySelector('[data-pick-submit]').disabled = n === 0
    const all = document.querySelector('[data-pick-all]')
    if (all) {
      all.checked = n > 0 && n === rows.length
      all.indeterminate = n > 0 && n < rows.length
    }
  }
  document.addEventListener('change', (e) => {
    const el = e.target
    if (!(el instanceof HTMLInputElement)) return
    if (el.matches('[data-pick-all]')) {
      for (const box of document.querySelectorAll('[data-pick-row]')) box.checked = el.checked
      syncPicks()
    } else if (el.matches('[data-pick-row]')) syncPicks()
  })
  document.addEventListener('click', (e) => {
    const close = e.target instanceof Element ? e.target.closest('[data-add-close]') : null
    if (!close || !document.getElementById('add-to-project-slot')) return
    e.preventDefault()
    document.getElementById('add-to-project-slot').replaceChildren()
    document.querySelector('[data-pick-submit]')?.focus()
  })
  document.addEventListener('htmx:after:swap', () => {
    const panel = document.querySelector('#add-to-project-slot [data-add-panel]')
    if (panel && !panel.dataset.seen) {
      panel.dataset.seen = '1'
      // The rows went in: the selection is done with.
      if (panel.querySelector('[data-add-done]')) for (const box of picked()) box.checked = false
      ;(panel.querySelector('[aria-invalid=true], select, [data-add-done] a') || panel).focus()
    }
    syncPicks()
  })
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', syncPicks)
  else syncPicks()

  // The header's row count moves with a running import: the rows it adds after the page was drawn
  // (its first snapshot is the state at about that moment).
  const importBase = new Map() // task id -> [header count, import count] when first seen
  // Imports started from this page (no server-drawn live box: the import panel's card shows them),
  // task id -> the dataset's rows URL; they move the header and refresh the table all the same.
  const startedHere = new Map()
  document.addEventListener('labeldesk:task-progress', (e) => {
    const snap = e.detail
    const box = snap && document.querySelector(`[data-live-import][data-task-id="${snap.task_id}"]`)
    const header = document.getElementById('dataset-row-count')
    if ((!box && !startedHere.has(snap?.task_id)) || !header || snap.status !== 'IN_PROGRESS') return
    // An empty table is not "no data rows" while rows are arriving.
    const empty = document.querySelector('#data-rows .empty-title')
    if (empty) empty.textContent = 'Rows appear here when the import ends'
    if (!importBase.has(snap.task_id))
      importBase.set(snap.task_id, [Number(header.textContent.replace(/[^0-9]/g, '')) || 0, snap.done || 0])
    const [rows, done] = importBase.get(snap.task_id)
    const n = rows + Math.max(0, (snap.done || 0) - done)
    header.textContent = `${nf.format(n)} data ${n === 1 ? 'row' : 'rows'}`
  })

  // A running import on the dataset page: when it ends, the table and the row count are fetched
  // again (unless rows are ticked: then a link offers them, so the selection is not lost).
  document.addEventListener('labeldesk:task-finished', (e) => {
    const id = e.detail?.task_id
    const box = id && document.querySelector(`[data-live-import][data-task-id="${id}"]`)
    if (!box) {
      if (startedHere.has(id) && !picked().length) refreshRows(startedHere.get(id))
      return
    }
    if (!picked().length) return refreshRows(box.dataset.rowsUrl)
    box.dataset.taskStatus = e.detail.status
    const note = document.createElement('div')
    const a = document.createElement('a')
    a.href = box.dataset.rowsUrl
    a.textContent = 'Show the new rows'
    note.append('The import has ended. ', a)
    box.replaceChildren(note)
  })

  // Panels --------------------------------------------------------------------------------------

  function setPanel(id, open) {
    const panel = document.getElementById(id)
    if (!panel) return false
    panel.hidden = !open
    for (const t of document.querySelectorAll(`[data-panel="${id}"][aria-controls]`)) t.setAttribute('aria-expanded', String(open))
    const url = new URL(location.href)
    if (open) url.searchParams.set('panel', id.replace(/-panel$/, ''))
    else if (url.searchParams.get('panel') === id.replace(/-panel$/, '')) url.searchParams.delete('panel')
    history.replaceState(history.state, '', url)
    return true
  }

  document.addEventListener('click', (e) => {
    const toggle = e.target instanceof Element ? e.target.closest('[data-panel], [data-panel-close]') : null
    if (!toggle) return
    const close = toggle.getAttribute('data-panel-close')
    if (close) {
      if (setPanel(close, false)) {
        e.preventDefault()
        document.querySelector(`[data-panel="${close}"][aria-controls]`)?.focus()
      }
      return
    }
    const id = toggle.getAttribute('data-panel')
    const panel = document.getElementById(id)
    if (!panel) return
    e.preventDefault()
    const open = panel.hidden || !toggle.hasAttribute('aria-controls')
    // One panel at a time keeps the page calm.
    for (const other of document.querySelectorAll('.ds-panel')) if (other.id !== id && !other.hidden) setPanel(other.id, false)
    setPanel(id, open)
    if (open) {
      panel.scrollIntoView({ block: 'nearest' })
      ;(panel.querySelector('[data-upload-input], input[type=file]') ?? panel).focus({ preventScroll: true })
    }
  })
})()
