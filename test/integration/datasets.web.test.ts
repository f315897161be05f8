// The Datasets pages through the Worker: list, search and paging fragments, the create form,
// a dataset's page (thumbnails, snippets, panels), a data row's page, delete, the no-JavaScript
// upload and import posts with the self-updating import card, and who sees what.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createDataset } from '../../src/modules/datasets/service'
import { ctxFor, makeOrg, makeUser, seedTwoOrgs, unique } from '../helpers/factories'
import { call, json, type Auth } from '../helpers/harness'

let orgs: Awaited<ReturnType<typeof seedTwoOrgs>>
beforeAll(async () => {
  orgs = await seedTwoOrgs()
})
const admin = (): Auth => ({ cookie: orgs.orgA.ADMIN.cookie })
const labeler = (): Auth => ({ cookie: orgs.orgA.LABELER.cookie })
// A 1×1 PNG.
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (c) =>
  c.charCodeAt(0),
)
const LONG_TEXT = 'The quick brown fox jumps over the lazy dog, then naps under the old oak tree while the farmer counts his sheep twice.'

async function dataset(name = unique('ds'), description = '') {
  const res = await call('POST', '/api/v1/datasets', admin(), { json: { name, description } })
  expect(res.status).toBe(201)
  return json(res)
}

async function uploadFiles(datasetId: string, files: File[]) {
  const form = new FormData()
  for (const f of files) form.append('file', f)
  const res = await call('POST', `/api/v1/datasets/${datasetId}/files`, admin(), { body: form })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await json(res)).created as any[]
}

async function addRows(datasetId: string, rows: unknown[]) {
  const res = await call('POST', `/api/v1/datasets/${datasetId}/data-rows`, admin(), { json: rows })
  expect(res.status).toBe(201)
  return (await json(res)).created as any[]
}

describe('Datasets tab', () => {
  it('lists datasets newest first with row counts; admins get the upload button and a delete menu', async () => {
    const older = await dataset(unique('Older'))
    const newer = await dataset(unique('Newer'), 'Street scenes')
    await addRows(
      newer.id,
      Array.from({ length: 1000 }, (_, i) => ({ row_data: `text ${i}` })),
    )
    await addRows(
      newer.id,
      Array.from({ length: 234 }, (_, i) => ({ row_data: `more text ${i}` })),
    )
    const html = await (await call('GET', '/datasets', admin())).text()
    expect(html).toContain('<title>Datasets · LabelDesk</title>')
    expect(html).toContain('Upload new dataset')
    const iNewer = html.indexOf(newer.name)
    const iOlder = html.indexOf(older.name)
    expect(iNewer).toBeGreaterThan(-1)
    expect(iOlder).toBeGreaterThan(iNewer)
    expect(html).toContain('1,234')
    expect(html).toContain('Street scenes')
    expect(html).toContain(`<a class="menu-item danger" href="/datasets/${newer.id}/delete">`)
    expect(html).toContain('hx-trigger="input changed delay:250ms, search"')
    // Nothing of the other organization.
    const theirs = await call('POST', '/api/v1/datasets', { cookie: orgs.orgB.ADMIN.cookie }, { json: { name: unique('Theirs') } })
    const their = await json(theirs)
    expect(await (await call('GET', '/datasets', admin())).text()).not.toContain(their.name)
  })

  it('search as you type answers the table fragment and moves the address bar along', async () => {
    const tag = unique('zebra')
    const a = await dataset(`${tag} alpha`)
    const b = await dataset(unique('other'))
    const res = await call('GET', `/datasets?search=${encodeURIComponent(tag.toUpperCase())}`, admin(), { htmx: true })
    expect(res.status).toBe(200)
    expect(res.headers.get('HX-Replace-Url')).toBe(`/datasets?search=${encodeURIComponent(tag.toUpperCase())}`)
    expect(res.headers.get('Vary')).toContain('HX-Request')
    const html = await res.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('id="datasets-table"')
    expect(html).toContain(a.name)
    expect(html).not.toContain(b.name)
    // No match: an empty state naming the search; clearing it gives back /datasets.
    const none = await call('GET', `/datasets?search=${unique('nothing')}`, admin(), { htmx: true })
    expect(await none.text()).toContain('No dataset matches')
    expect((await call('GET', '/datasets?search=', admin(), { htmx: true })).headers.get('HX-Replace-Url')).toBe('/datasets')
    // The same address without htmx is the whole page, filtered.
    const full = await (await call('GET', `/datasets?search=${encodeURIComponent(tag)}`, admin())).text()
    expect(full).toContain('<html')
    expect(full).toContain(a.name)
    expect(full).not.toContain(b.name)
  })

  it('pages with "Load more": the next rows as a fragment, or the next page without JavaScript', async () => {
    const org = await makeOrg()
    const boss = await makeUser(org, 'ADMIN')
    const names: string[] = []
    for (let i = 0; i < 53; i++)
      names.push((await createDataset(ctxFor(boss.actor), { name: `Set ${String(i).padStart(2, '0')}`, description: '' })).name)
    const first = await (await call('GET', '/datasets', { cookie: boss.cookie })).text()
    expect(first).toContain('Set 52')
    expect(first).not.toContain('Set 02')
    const cursor = /hx-get="\/datasets\?cursor=([^"]+)"/.exec(first)?.[1]
    expect(cursor).toBeTruthy()
    const more = await call('GET', `/datasets?cursor=${cursor}`, { cookie: boss.cookie }, { htmx: true })
    expect(more.headers.get('HX-Replace-Url')).toBeNull()
    const rows = await more.text()
    expect(rows.trimStart().startsWith('<tr')).toBe(true)
    expect(rows).toContain('Set 00')
    expect(rows).not.toContain('Set 52')
    expect(rows).not.toContain('Load more')
    const page2 = await (await call('GET', `/datasets?cursor=${cursor}`, { cookie: boss.cookie })).text()
    expect(page2).toContain('<html')
    expect(page2).toContain('Set 02')
  })

  it('an organization without datasets sees an empty state with one call to action', async () => {
    const org = await makeOrg()
    const boss = await makeUser(org, 'ADMIN')
    const html = await (await call('GET', '/datasets', { cookie: boss.cookie })).text()
    expect(html).toContain('No datasets yet')
    expect(html).toContain('href="/datasets/new"')
    const lab = await makeUser(org, 'LABELER')
    const asLabeler = await (await call('GET', '/datasets', { cookie: lab.cookie })).text()
    expect(asLabeler).toContain('No datasets yet')
    expect(asLabeler).not.toContain('href="/datasets/new"')
  })
})

describe('Create a dataset', () => {
  it('errors come back inline with the values kept; success opens the dataset with the upload panel', async () => {
    const page = await (await call('GET', '/datasets/new', admin())).text()
    expect(page).toContain('New dataset')
    expect(page).toContain('name="description"')
    const bad = await call('POST', '/datasets', admin(), { form: { name: '   ', description: 'Kept <b>text</b>' }, htmx: true })
    expect(bad.status).toBe(422)
    const badHtml = await bad.text()
    expect(badHtml).toContain('Name is required')
    expect(badHtml).toContain('Kept &lt;b&gt;text&lt;/b&gt;</textarea>')
    const long = await call('POST', '/datasets', admin(), { form: { name: 'x'.repeat(201), description: '' } })
    expect(long.status).toBe(422)
    expect(await long.text()).toContain(`value="${'x'.repeat(201)}"`)

    const name = unique('Fresh set')
    const ok = await call('POST', '/datasets', admin(), { form: { name: `  ${name}  `, description: 'From the web' } })
    expect(ok.status).toBe(303)
    const loc = ok.headers.get('Location')!
    expect(loc).toMatch(/^\/datasets\/ds_[0-9A-Z]+\?panel=upload$/)
    const html = await (await call('GET', loc, admin())).text()
    expect(html).toContain(`<h1>${name}</h1>`)
    expect(html).toContain('From the web')
    // The upload panel is open (not hidden), the import panel is closed, and the script is loaded.
    expect(html).toMatch(/<section class="card ds-panel" id="upload-panel" aria-labelledby/)
    expect(html).toMatch(/<section class="card ds-panel" id="import-panel" hidden/)
    expect(html).toContain('<script src="/js/uploads.js" defer="">')
    expect(html).toContain('No data rows yet')
  })

  it('only admins may create', async () => {
    expect((await call('GET', '/datasets/new', labeler())).status).toBe(403)
    expect((await call('POST', '/datasets', { cookie: orgs.orgA.TEAM_MANAGER.cookie }, { form: { name: 'nope' } })).status).toBe(403)
  })
})

describe('A dataset', () => {
  it('shows its rows: a lazy thumbnail for images, a snippet for raw text, keys, ids, types and times', async () => {
    const d = await dataset(unique('Mixed'), 'Images and notes')
    const [img, txt] = await uploadFiles(d.id, [new File([PNG], 'cat.png'), new File(['hello labelers'], 'note.txt')])
    const gk = unique('gk')
    const [raw] = await addRows(d.id, [{ row_data: LONG_TEXT, global_key: gk, external_id: 'ext-7' }])
    const res = await call('GET', `/datasets/${d.id}`, admin())
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`<title>${d.name} · Datasets · LabelDesk</title>`)
    expect(html).toContain('3 data rows')
    expect(html).toContain(`<img src="/api/v1/data-rows/${img.id}/content" loading="lazy"`)
    expect(html).not.toContain(`<img src="/api/v1/data-rows/${txt.id}/content"`)
    expect(html).toContain('cat.png')
    expect(html).toContain('note.txt')
    // The first ~80 characters of raw text, on one line.
    expect(html).toContain(LONG_TEXT.slice(0, 60))
    expect(html).not.toContain(LONG_TEXT)
    expect(html).toContain('…')
    expect(html).toContain(gk)
    expect(html).toContain('ext-7')
    expect(html).toContain('media-image')
    expect(html).toContain(`href="/datasets/${d.id}/rows/${raw.id}"`)
    expect(html).toMatch(/<time datetime="[^"]+" title="[^"]+ UTC">/)
    // Admin controls, panels closed.
    expect(html).toContain('data-upload-panel')
    expect(html).toContain(`<a class="menu-item danger" href="/datasets/${d.id}/delete">`)
    expect(html).toMatch(/id="upload-panel" hidden/)
    // ?panel=import opens the import panel; a malformed hint is ignored, not refused.
    expect(await (await call('GET', `/datasets/${d.id}?panel=import`, admin())).text()).toMatch(
      /<section class="card ds-panel" id="import-panel" aria-labelledby/,
    )
    const odd = await call('GET', `/datasets/${d.id}?panel=bogus&import=nope&uploaded=x`, admin())
    expect(odd.status).toBe(200)
    expect(await odd.text()).toMatch(/id="upload-panel" hidden/)
  })

  it('answers htmx with the rows section and the new row count (refresh after uploads), and pages rows', async () => {
    const d = await dataset()
    await addRows(
      d.id,
      Array.from({ length: 52 }, (_, i) => ({ row_data: `row number ${i}` })),
    )
    const res = await call('GET', `/datasets/${d.id}`, admin(), { htmx: true })
    const html = await res.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('id="data-rows"')
    expect(html).toContain('<hx-partial hx-target="#dataset-row-count" hx-swap="innerHTML">52 data rows</hx-partial>')
    expect(html).toContain('row number 51')
    expect(html).not.toContain('row number 1<')
    const cursor = /hx-get="\/datasets\/ds_[0-9A-Z]+\?cursor=([^"]+)"/.exec(html)?.[1]
    expect(cursor).toBeTruthy()
    const more = await (await call('GET', `/datasets/${d.id}?cursor=${cursor}`, admin(), { htmx: true })).text()
    expect(more.trimStart().startsWith('<tr')).toBe(true)
    expect(more).toContain('row number 0')
    expect(more).toContain('row number 1<')
    expect(more).not.toContain('Load more')
  })

  it('labelers see rows without admin controls; other organizations get 404; project-based members 403', async () => {
    const d = await dataset(unique('Shared'))
    await addRows(d.id, [{ row_data: 'visible to labelers' }])
    const list = await (await call('GET', '/datasets', labeler())).text()
    expect(list).toContain(d.name)
    expect(list).not.toContain('Upload new dataset')
    expect(list).not.toContain('/delete')
    expect(list).not.toContain('hx-confirm')
    const page = await (await call('GET', `/datasets/${d.id}`, labeler())).text()
    expect(page).toContain('visible to labelers')
    expect(page).not.toContain('data-upload-panel')
    expect(page).not.toContain('Add files')
    expect(page).not.toContain('Import manifest')
    expect(page).not.toContain('/js/uploads.js')
    expect((await call('POST', `/datasets/${d.id}/delete`, labeler(), { form: {} })).status).toBe(403)
    expect((await call('GET', `/datasets/${d.id}`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('POST', `/datasets/${d.id}/delete`, { cookie: orgs.orgB.ADMIN.cookie }, { form: {} })).status).toBe(404)
    expect((await call('GET', '/datasets', { cookie: orgs.orgA.NONE.cookie })).status).toBe(403)
    expect((await call('GET', `/datasets/${d.id}`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(403)
    expect((await call('GET', `/datasets/${d.id}`, { cookie: orgs.orgA.NONE.cookie })).headers.get('Content-Type')).toContain('text/html')
  })

  it('deletes from the list (the row goes, a toast says so) and from its page (back to the list)', async () => {
    const d = await dataset(unique('Doomed'))
    await uploadFiles(d.id, [new File([PNG], 'a.png')])
    const res = await call('POST', `/datasets/${d.id}/delete`, admin(), { form: {}, htmx: true })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    // Header values must be ASCII for browsers: the curly quotes travel as JSON escapes.
    expect(res.headers.get('HX-Trigger')).toMatch(/^[\x20-\x7e]+$/)
    expect(JSON.parse(res.headers.get('HX-Trigger')!)).toEqual({ toast: { value: `Dataset “${d.name}” deleted.` } })
    expect((await call('GET', `/datasets/${d.id}`, admin())).status).toBe(404)
    expect(await (await call('GET', '/datasets', admin())).text()).not.toContain(d.name)

    // A big dataset is deleted by a task: gone from the list at once, the toast points to Tasks.
    const big = await dataset(unique('Doomed big'))
    for (let i = 0; i < 3; i++)
      await addRows(
        big.id,
        Array.from({ length: i < 2 ? 1000 : 5 }, (_, k) => ({ row_data: `big ${i}-${k}` })),
      )
    const bigRes = await call('POST', `/datasets/${big.id}/delete`, admin(), { form: {}, htmx: true })
    expect(bigRes.status).toBe(200)
    expect(JSON.parse(bigRes.headers.get('HX-Trigger')!).toast.value).toBe(
      `Deleting “${big.name}” continues in the background; follow it in the Tasks menu.`,
    )
    // (Its name is still in the Tasks menu, which shows the running delete.)
    expect(await (await call('GET', '/datasets', admin())).text()).not.toContain(`href="/datasets/${big.id}"`)

    const e = await dataset(unique('Doomed too'))
    const plain = await call('POST', `/datasets/${e.id}/delete`, admin(), { form: {} })
    expect(plain.status).toBe(303)
    expect(plain.headers.get('Location')).toBe('/datasets?deleted=1')
    expect(await (await call('GET', '/datasets?deleted=1', admin())).text()).toContain('Dataset deleted.')
  })
})

describe('A data row', () => {
  it('shows the image, its fields and media attributes', async () => {
    const d = await dataset()
    const [img] = await uploadFiles(d.id, [new File([PNG], 'cat.png')])
    const res = await call('GET', `/datasets/${d.id}/rows/${img.id}`, admin())
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`<title>cat.png · ${d.name} · LabelDesk</title>`)
    expect(html).toContain(`<img class="asset-image" src="/api/v1/data-rows/${img.id}/content"`)
    expect(html).toContain(`value="${img.id}"`)
    expect(html).toContain('image/png')
    expect(html).toContain('mime_type')
    expect(html).toContain(`href="/datasets/${d.id}"`)
  })

  it('shows raw text in a <pre>, metadata as a table and attachments', async () => {
    const d = await dataset()
    const [r] = await addRows(d.id, [
      {
        row_data: 'Line one <script>alert(1)</script>\nLine two',
        global_key: unique('txt'),
        metadata_fields: [
          { name: 'split', value: 'train' },
          { name: 'score', value: 0.75 },
        ],
        attachments: [
          { type: 'RAW_TEXT', value: 'a note for labelers', name: 'Hint' },
          { type: 'IMAGE', value: 'https://example.com/ref.png' },
        ],
      },
    ])
    const html = await (await call('GET', `/datasets/${d.id}/rows/${r.id}`, admin())).text()
    expect(html).toContain('<pre class="asset-text">Line one &lt;script&gt;alert(1)&lt;/script&gt;\nLine two</pre>')
    expect(html).toMatch(/<td>split<\/td><td class="ds-break">train<\/td>/)
    expect(html).toContain('0.75')
    expect(html).toContain('a note for labelers')
    expect(html).toContain('Hint')
    expect(html).toContain('href="https://example.com/ref.png"')
  })

  it('plays video and audio, loads uploaded text as plain text, offers a download otherwise', async () => {
    const d = await dataset()
    const mp4 = new Uint8Array(64)
    mp4.set([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d])
    const [video, audio, text, bin] = await uploadFiles(d.id, [
      new File([mp4], 'clip.mp4'),
      new File([new TextEncoder().encode('ID3\u0003\u0000rest')], 'song.mp3'),
      new File(['hello from a file'], 'note.txt'),
      new File([new Uint8Array([0, 1, 2, 3, 0, 255])], 'blob.bin'),
    ])
    const page = async (id: string) => (await call('GET', `/datasets/${d.id}/rows/${id}`, admin())).text()
    expect(await page(video.id)).toContain(`<video class="asset-media" src="/api/v1/data-rows/${video.id}/content" controls=""`)
    expect(await page(audio.id)).toContain(`<audio class="asset-audio" src="/api/v1/data-rows/${audio.id}/content" controls=""`)
    const t = await page(text.id)
    expect(t).toContain(`hx-get="/api/v1/data-rows/${text.id}/content" hx-trigger="load" hx-swap="textContent"`)
    const b = await page(bin.id)
    expect(b).toContain('No preview for this kind of file.')
    expect(b).toContain(`href="/api/v1/data-rows/${bin.id}/content"`)
    expect(b).toContain('download="blob.bin"')
  })

  it('is found only under its own dataset, in its own organization', async () => {
    const d1 = await dataset()
    const d2 = await dataset()
    const [r] = await addRows(d1.id, [{ row_data: 'mine' }])
    expect((await call('GET', `/datasets/${d2.id}/rows/${r.id}`, admin())).status).toBe(404)
    expect((await call('GET', `/datasets/${d1.id}/rows/${r.id}`, { cookie: orgs.orgB.ADMIN.cookie })).status).toBe(404)
    expect((await call('GET', `/datasets/${d1.id}/rows/dr_00000000000000000000000000`, admin())).status).toBe(404)
    expect((await call('GET', `/datasets/${d1.id}/rows/${r.id}`, labeler())).status).toBe(200)
    expect((await call('GET', `/datasets/${d1.id}/rows/${r.id}`, { cookie: orgs.orgA.NONE.cookie })).status).toBe(403)
  })
})

describe('Uploads and imports without JavaScript', () => {
  it('the upload form stores every file and reports each failure without stopping the others', async () => {
    const d = await dataset()
    const form = new FormData()
    form.append('file', new File([PNG], 'one.png'))
    form.append('file', new File(['two'], 'two.txt'))
    const ok = await call('POST', `/datasets/${d.id}/files`, admin(), { body: form })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('Location')).toBe(`/datasets/${d.id}?uploaded=2`)
    const html = await (await call('GET', ok.headers.get('Location')!, admin())).text()
    expect(html).toContain('2 files uploaded.')
    expect(html).toContain('one.png')

    const mixed = new FormData()
    mixed.append('file', new File([], 'empty.png'))
    mixed.append('file', new File(['three'], 'three.txt'))
    const res = await call('POST', `/datasets/${d.id}/files`, admin(), { body: mixed })
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('1 of 2 files uploaded; these failed:')
    expect(page).toContain('empty.png: empty.png is empty')
    expect(page).toContain('3 data rows')
    expect((await call('POST', `/datasets/${d.id}/files`, admin(), { body: new FormData() })).status).toBe(422)
    expect((await call('POST', `/datasets/${d.id}/files`, labeler(), { body: form })).status).toBe(403)
  })

  it('the import form starts a task; its card updates itself and, once done, links the error report and refreshes the rows', async () => {
    const d = await dataset()
    const manifest = [
      JSON.stringify({ row_data: 'good one', global_key: unique('imp') }),
      '{"row_data": "broken',
      JSON.stringify({ row_data: 'good two' }),
      JSON.stringify({ row_data: 'ftp://example.com/x.jpg' }),
    ].join('\n')
    const form = new FormData()
    form.append('manifest', new File([manifest], 'rows.ndjson'))
    const res = await call('POST', `/datasets/${d.id}/imports`, admin(), { body: form })
    expect(res.status, await res.clone().text()).toBe(303)
    const loc = res.headers.get('Location')!
    const taskId = /import=(tsk_[0-9A-Z]+)/.exec(loc)?.[1]
    expect(loc).toBe(`/datasets/${d.id}?panel=import&import=${taskId}`)
    const page = await (await call('GET', loc, admin())).text()
    expect(page).toContain(`id="import-${taskId}"`)
    expect(page).toContain('Import “rows.ndjson” into')
    expect(page).toMatch(/<section class="card ds-panel" id="import-panel" aria-labelledby/)

    let card = ''
    await vi.waitFor(
      async () => {
        const r = await call('GET', `/datasets/${d.id}/imports/${taskId}`, admin(), { htmx: true })
        expect(r.status).toBe(200)
        card = await r.text()
        expect(card).toContain('data-status="COMPLETE"')
      },
      { timeout: 30_000, interval: 250 },
    )
    expect(card).not.toContain('hx-trigger="every 1s"')
    expect(card).toContain('<strong data-rows-created="true">2</strong>')
    expect(card).toContain('<strong data-rows-failed="true">2</strong>')
    expect(card).toContain(`href="/api/v1/tasks/${taskId}/errors"`)
    expect(card).toContain(`href="/api/v1/tasks/${taskId}/errors?format=csv"`)
    expect(card).toContain('<hx-partial hx-target="#data-rows" hx-swap="outerHTML">')
    expect(card).toContain('good two')
    expect(card).toContain('2 data rows')
    // A plain GET of the card goes to the page that shows it.
    const plain = await call('GET', `/datasets/${d.id}/imports/${taskId}`, admin())
    expect(plain.status).toBe(303)
    // The task is its creator's (or an admin's); it belongs to this dataset only.
    expect((await call('GET', `/datasets/${d.id}/imports/${taskId}`, labeler(), { htmx: true })).status).toBe(404)
    const other = await dataset()
    expect((await call('GET', `/datasets/${other.id}/imports/${taskId}`, admin(), { htmx: true })).status).toBe(404)
    expect((await call('GET', `/datasets/${d.id}/imports/${taskId}`, { cookie: orgs.orgB.ADMIN.cookie }, { htmx: true })).status).toBe(404)
  })

  it('a running import polls every second; a wrong file is refused inline', async () => {
    const d = await dataset()
    const form = new FormData()
    form.append('manifest', new File(['{"row_data": "x"}\n'], 'one.jsonl'))
    const loc = (await call('POST', `/datasets/${d.id}/imports`, admin(), { body: form })).headers.get('Location')!
    const taskId = /import=(tsk_[0-9A-Z]+)/.exec(loc)![1]
    // Right after starting, the task is queued or running: the card polls itself.
    const page = await (await call('GET', loc, admin())).text()
    if (!page.includes('data-status="COMPLETE"'))
      expect(page).toContain(`hx-get="/datasets/${d.id}/imports/${taskId}" hx-trigger="every 1s" hx-swap="outerHTML"`)

    const bad = new FormData()
    bad.append('manifest', new File(['a,b'], 'rows.txt'))
    const res = await call('POST', `/datasets/${d.id}/imports`, admin(), { body: bad })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('The manifest must be a .ndjson, .jsonl, .json or .csv file.')
    const empty = new FormData()
    empty.append('manifest', new File([''], 'rows.csv'))
    const res2 = await call('POST', `/datasets/${d.id}/imports`, admin(), { body: empty })
    expect(res2.status).toBe(422)
    expect(await res2.text()).toContain('The manifest is empty')
  })
})
