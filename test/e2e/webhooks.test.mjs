// Account → Webhooks in a real Chromium: create a webhook pointing at a plain Node receiver on
// 127.0.0.1 (the e2e dev server runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true), press Ping, and watch
// the delivery appear in the log without a reload; the receiver checks the signatures with the
// `standardwebhooks` library and a plain HMAC. Then a label made through the API reaches the
// receiver right away (no cron run).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { createHmac } from 'node:crypto'
import { Webhook } from 'standardwebhooks'
import { BASE, openBrowser, shot, signUp, uniq } from './browser.mjs'

/** A receiver that records every request and answers 200. */
async function startReceiver() {
  const requests = []
  const waiters = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      requests.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks')
      for (const w of waiters.splice(0)) w()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** Resolves when a request matching `pred` has arrived. */
    async waitFor(pred, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const hit = requests.find(pred)
        if (hit) return hit
        if (Date.now() > deadline) throw new Error(`receiver: no matching request within ${timeoutMs} ms (got ${requests.length})`)
        await new Promise((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 250)
        })
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}

/** Checks the three signatures of one delivery against the secret, independently of LabelDesk. */
function assertSigned(req, secret) {
  const parsed = JSON.parse(req.body)
  assert.deepEqual(new Webhook(secret).verify(req.body, req.headers), parsed, 'webhook-signature verifies with standardwebhooks')
  assert.equal(req.headers['x-hub-signature-256'], `sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`)
  assert.equal(req.headers['x-hub-signature'], `sha1=${createHmac('sha1', secret).update(req.body).digest('hex')}`)
  assert.equal(req.headers['webhook-id'], parsed.id)
  assert.equal(req.headers['x-labelbox-id'], parsed.id)
  assert.equal(req.headers['x-labelbox-event'], parsed.topic)
  assert.ok(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000) < 120)
  return parsed
}

test('create a webhook, ping it, see the delivery in the log live; a new label is delivered at once', async () => {
  const receiver = await startReceiver()
  let b
  try {
    b = await openBrowser()
    const { page } = b
    await signUp(page, { name: 'Wendy Webhooks', email: `${uniq('hooks')}@example.com`, org: 'Hook Co' })
    await page.goto(`${BASE}/account/webhooks`)
    await page.waitForSelector('text=No webhooks yet')

    // Create (secret generated and shown once).
    const url = `${receiver.url}/labeldesk`
    await page.fill('#create-webhook #f-url', url)
    await page.click('#create-webhook button[type=submit]')
    await page.waitForSelector('.secret-box')
    const secret = await page.inputValue('.secret-box input')
    assert.match(secret, /^whsec_/)
    await page.click(`#webhook-rows a:has-text("${url}")`)
    await page.waitForSelector('#webhook-settings')
    await page.waitForSelector('#deliveries >> text=No deliveries yet')

    // Ping: the page answers at once; the delivery row appears by itself (no reload).
    const loads = []
    page.on('load', () => loads.push(page.url()))
    await page.click('#webhook-settings button:has-text("Ping")')
    await page.waitForSelector('.alert >> text=/Ping evt_\\w+ queued/')
    const notice = await page.textContent('.alert')
    const eventId = /Ping (evt_\w+) queued/.exec(notice)[1]
    // Ping answers with a redirect: the address is the webhook's page, which a reload shows again.
    assert.match(new URL(page.url()).pathname, /^\/account\/webhooks\/whk_\w+$/)
    loads.length = 0
    const row = page.locator('#deliveries tbody tr', { hasText: eventId })
    await row.waitFor({ timeout: 30_000 })
    assert.deepEqual(loads, [], 'the log refreshed itself without a page load')
    assert.match(await row.textContent(), /PING/)
    assert.equal((await row.locator('.badge').first().textContent()).trim(), '200')
    assert.match(await row.textContent(), /\d+ ms/)

    const req = await receiver.waitFor((r) => r.headers['webhook-id'] === eventId)
    assert.equal(req.method, 'POST')
    assert.equal(req.path, '/labeldesk')
    assert.equal(req.headers['content-type'], 'application/json')
    const ping = assertSigned(req, secret)
    assert.equal(ping.topic, 'PING')
    await shot(page, 'webhooks')

    // A label created through the API (the browser's session) reaches the receiver right away:
    // the label service queues the dispatch itself; nothing here runs the cron.
    const labelId = await page.evaluate(async () => {
      const post = async (path, body) => {
        const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
        return r.json()
      }
      const ds = await post('/api/v1/datasets', { name: 'Hook rows' })
      const rows = (await post(`/api/v1/datasets/${ds.id}/data-rows`, [{ row_data: 'https://x.test/a.jpg' }])).created
      const p = await post('/api/v1/projects', {
        name: 'Hook project',
        media_type: 'IMAGE',
        ontology: { classifications: [{ name: 'Q', type: 'text' }] },
      })
      await post(`/api/v1/projects/${p.id}/batches`, { name: 'b', data_row_ids: [rows[0].id] })
      const l = await post(`/api/v1/projects/${p.id}/labels`, {
        data_row_id: rows[0].id,
        annotations: { classifications: [{ name: 'Q', text_answer: { content: 'y' } }] },
      })
      return l.id
    })
    const labelReq = await receiver.waitFor((r) => r.body.includes(labelId))
    const created = assertSigned(labelReq, secret)
    assert.equal(created.topic, 'LABEL_CREATED')
    assert.equal(created.data.label_id, labelId)
    await page.locator('#deliveries tbody tr', { hasText: created.id }).waitFor({ timeout: 30_000 })

    assert.deepEqual(b.offsite, [])
    assert.deepEqual(b.consoleErrors, [])
  } finally {
    await b?.close()
    await receiver.close()
  }
})
