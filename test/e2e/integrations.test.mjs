// AWS IAM delegated access in a real Chromium against a real AWS emulator (moto_server, started by
// scripts/e2e.mjs): put an image in an emulated private bucket, connect it with a role, validate
// (every check shown), attach it to a dataset, and see the image through a presigned URL.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AwsClient } from 'aws4fetch'
import { BASE, openBrowser, shot, signUp, uniq } from './browser.mjs'
import { demoPng } from '../../scripts/seed.mjs'

const AWS = process.env.E2E_AWS_ENDPOINT
const s3 = new AwsClient({ accessKeyId: 'owner', secretAccessKey: 'owner', region: 'us-east-1', service: 's3' })

test('integrations: connect an S3 bucket with a role, validate, and see its image', async () => {
  assert.ok(AWS, 'scripts/e2e.mjs passes the emulator endpoint')
  // The customer's private bucket, in the emulator.
  const bucket = uniq('private-images').toLowerCase()
  const key = 'street/frame 0001.png'
  assert.equal((await s3.fetch(`${AWS}/${bucket}`, { method: 'PUT' })).status, 200)
  const image = demoPng(96, 64, 7)
  assert.equal(
    (
      await s3.fetch(`${AWS}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, {
        method: 'PUT',
        body: image,
        headers: { 'content-type': 'image/png' },
      })
    ).status,
    200,
  )

  const b = await openBrowser()
  const { page } = b
  try {
    await signUp(page, { name: 'Ivy Integrations', org: 'Private Pixels' })

    await page.goto(`${BASE}/account/integrations`)
    await page.waitForSelector('h2:has-text("Connect a private S3 bucket")')
    const externalId = await page.inputValue('#external-id')
    assert.match(externalId, /^ld-[A-Za-z0-9_-]{16,}$/)
    assert.ok((await page.inputValue('#trust-policy')).includes(externalId), 'the trust policy is filled in')
    await page.waitForSelector('#coming-soon >> text=Google Cloud Storage')
    await page.waitForSelector('text=No integrations yet')

    // A malformed ARN is refused inline; then the real one.
    await page.fill('#f-name', 'Street cameras')
    await page.fill('#f-role_arn', 'arn:aws:iam::42:role/nope')
    await page.click('button:has-text("Add integration")')
    await page.waitForSelector('.field.has-error >> text=role_arn must look like')
    await page.fill('#f-role_arn', 'arn:aws:iam::210987654321:role/LabelDeskAccess')
    await page.click('button:has-text("Add integration")')
    await page.waitForURL(/\/account\/integrations\/int_[0-9A-Z]+$/)
    const integrationUrl = page.url()
    await page.waitForSelector('#integration-settings >> text=Not validated')

    // Validate against a missing object first (the read check explains), then the real one.
    await page.fill('#f-test_object_url', `s3://${bucket}/street/missing.png`)
    await page.click('#validate button:has-text("Validate")')
    await page.waitForSelector('.alert >> text=Validation failed')
    assert.match(await page.textContent('#checks .check-failed'), /NoSuchKey/)
    await page.fill('#f-test_object_url', `s3://${bucket}/${key}`)
    await page.click('#validate button:has-text("Validate")')
    await page.waitForSelector('.alert >> text=All checks passed.')
    assert.equal(await page.locator('#checks .check-ok').count(), 3)
    await page.waitForSelector('#integration-settings >> text=Valid')
    await shot(page, 'integrations')

    // A dataset, attached from the integration page, with a row in the private bucket.
    const ds = await page.evaluate(async () => {
      const r = await fetch('/api/v1/datasets', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Street cameras (S3)' }),
      })
      return r.json()
    })
    await page.goto(integrationUrl)
    await page.selectOption('#f-dataset_id', ds.id)
    await page.click('#integration-datasets button:has-text("Attach")')
    await page.waitForSelector('.alert >> text=Street cameras (S3) now uses this integration.')
    const made = await page.evaluate(
      async ([id, rowData]) => {
        const r = await fetch(`/api/v1/datasets/${id}/data-rows`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify([{ row_data: rowData, media_type: 'IMAGE', external_id: 'frame 0001' }]),
        })
        return r.json()
      },
      [ds.id, `s3://${bucket}/${key}`],
    )
    assert.deepEqual(made.errors, [])

    // The dataset's thumbnail and the row's page load the image from the emulator through a
    // presigned URL (the browser never sees the platform's keys).
    const presigned = page.waitForResponse((r) => r.url().startsWith(`${AWS}/${bucket}/`) && r.status() === 200)
    await page.goto(`${BASE}/datasets/${ds.id}/rows/${made.created[0].id}`)
    const res = await presigned
    const url = new URL(res.url())
    assert.ok(Number(url.searchParams.get('X-Amz-Expires')) <= 900, 'presigned for at most 15 minutes')
    assert.ok(url.searchParams.get('X-Amz-Security-Token'), 'signed with temporary role credentials')
    await page.waitForFunction(
      () => {
        const img = document.querySelector('img.asset-image')
        return img?.complete && img.naturalWidth === 96
      },
      null,
      { timeout: 10_000 },
    )
    await shot(page, 'integrations-s3-image')

    // Only the emulator was reached besides LabelDesk itself.
    assert.deepEqual(
      b.offsite.filter((u) => !u.startsWith(`${AWS}/`)),
      [],
    )
    assert.deepEqual(b.consoleErrors, [])
    assert.ok(integrationUrl)
  } finally {
    await b.close()
  }
})
