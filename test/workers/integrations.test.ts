// AWS IAM delegated access against a REAL AWS emulator: moto_server on 127.0.0.1
// (test/setup/moto.ts), reached from inside workerd with the Worker's own AWS_* variables
// (vitest.config.mts). Buckets and objects are created in the emulator with SigV4 like any client.
import { beforeAll, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { AwsClient } from 'aws4fetch'
import type { Env } from '../../src/env'
import { awsError, awsNetwork, describeAwsError, parseS3Url, PRESIGN_MAX_SECONDS } from '../../src/modules/integrations/aws'
import { createIntegration, validateIntegration } from '../../src/modules/integrations/service'
import { ctxFor, makeOrg, makeUser, seedTwoOrgs, unique, type TestUser } from '../helpers/factories'
import { call, json } from '../helpers/harness'

const endpoint = env.AWS_ENDPOINT_URL
const s3 = new AwsClient({ accessKeyId: 'testing', secretAccessKey: 'testing', region: 'us-east-1', service: 's3' })
const ROLE = 'arn:aws:iam::210987654321:role/LabelDeskAccess'
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=='), (c) =>
  c.charCodeAt(0),
)

async function putObject(bucket: string, key: string, body: Uint8Array, type = 'image/png') {
  const mk = await s3.fetch(`${endpoint}/${bucket}`, { method: 'PUT' })
  expect([200, 409]).toContain(mk.status)
  const put = await s3.fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body, headers: { 'content-type': type } })
  expect(put.status).toBe(200)
}

let t: Awaited<ReturnType<typeof seedTwoOrgs>>
let admin: TestUser
const bucket = unique('ld-bucket')
  .toLowerCase()
  .replace(/[^a-z0-9-]/g, '-')
  .slice(0, 50)

beforeAll(async () => {
  t = await seedTwoOrgs()
  admin = t.orgA.ADMIN
  await putObject(bucket, 'images/cat one.png', PNG)
})

async function newIntegration(u: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(
    'POST',
    '/api/v1/integrations',
    { cookie: u.cookie },
    { json: { provider: 'AWS', name: unique('S3'), role_arn: ROLE, ...body } },
  )
  expect(res.status, await res.clone().text()).toBe(201)
  return json(res)
}
const validate = async (u: TestUser, id: string, test_object_url?: string) => {
  const res = await call(
    'POST',
    `/api/v1/integrations/${id}/validate`,
    { cookie: u.cookie },
    { json: test_object_url ? { test_object_url } : {} },
  )
  expect(res.status, await res.clone().text()).toBe(200)
  return json<{ valid: boolean; checks: { name: string; success: boolean; message: string }[] }>(res)
}
const check = (r: { checks: { name: string; success: boolean; message: string }[] }, name: string) => r.checks.find((c) => c.name === name)!

/** Runs `fn` with AWS unreachable: the network refuses as the runtime does (a real refused
 * connection would also work, but workerd prints every one on the console). */
async function offline<T>(fn: () => Promise<T>): Promise<T> {
  const real = awsNetwork.fetch
  awsNetwork.fetch = async () => {
    throw new Error('Network connection lost.')
  }
  try {
    return await fn()
  } finally {
    awsNetwork.fetch = real
  }
}

describe('integrations API', () => {
  it('creates an AWS integration with a stable, unguessable external id and the platform account', async () => {
    const a = await newIntegration(admin)
    const b = await newIntegration(admin, { role_arn: null })
    expect(a).toMatchObject({
      provider: 'AWS',
      role_arn: ROLE,
      valid: false,
      last_valid_at: null,
      is_org_default: false,
      platform_account_id: '123456789012',
    })
    expect(a.external_id.length).toBeGreaterThanOrEqual(16)
    expect(b.external_id).toBe(a.external_id)
    const other = await newIntegration(t.orgB.ADMIN)
    expect(other.external_id).not.toBe(a.external_id)
    const list = await json(await call('GET', '/api/v1/integrations', { cookie: admin.cookie }))
    expect(list.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]))
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(other.id)
  })

  it('an organization has its external id from its creation; older ones get theirs from the migration or on first use', async () => {
    const ext = async (orgId: string) =>
      (await env.DB.prepare('SELECT aws_external_id AS e FROM organizations WHERE id = ?').bind(orgId).first<{ e: string | null }>())!.e
    // Made with the organization, before any integration read: listing never has to write it.
    const fresh = await makeOrg()
    const made = await ext(fresh.id)
    expect(made).toMatch(/^ld-[A-Za-z0-9_-]{24}$/)
    expect(await ext((await makeOrg()).id)).not.toBe(made)
    // An organization from before: the migration gives it one, and leaves the others' alone.
    const old = await makeOrg()
    await env.DB.prepare('UPDATE organizations SET aws_external_id = NULL WHERE id = ?').bind(old.id).run()
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0020_org_external_ids'))!
    for (const q of migration.queries) await env.DB.prepare(q).run()
    expect(await ext(old.id)).toMatch(/^ld-[0-9a-f]{36}$/)
    expect(await ext(fresh.id)).toBe(made)
    // A row made some other way still gets one when first listed, and keeps it.
    await env.DB.prepare('UPDATE organizations SET aws_external_id = NULL WHERE id = ?').bind(old.id).run()
    const user = await makeUser(old, 'ADMIN')
    const first = await json(await call('POST', '/api/v1/integrations', { cookie: user.cookie }, { json: { provider: 'AWS', name: 'x' } }))
    expect(first.external_id).toMatch(/^ld-/)
    const list = await json(await call('GET', '/api/v1/integrations', { cookie: user.cookie }))
    expect(list.items[0].external_id).toBe(first.external_id)
    expect(await ext(old.id)).toBe(first.external_id)
  })

  it('refuses bad input with a 400 naming the field, and changes nothing', async () => {
    const before = (await json(await call('GET', '/api/v1/integrations?limit=100', { cookie: admin.cookie }))).items.length
    for (const [body, path] of [
      [{ provider: 'AWS', name: 'x', role_arn: 'arn:aws:iam::12345:role/x' }, 'role_arn'],
      [{ provider: 'AWS', name: 'x', role_arn: 'arn:aws:s3:::bucket' }, 'role_arn'],
      [{ provider: 'GCP', name: 'x' }, 'provider'],
      [{ provider: 'AWS', name: '' }, 'name'],
      [{ provider: 'AWS', name: 'x'.repeat(300) }, 'name'],
      [{ provider: 'AWS', name: 'x', secret_key: 'nope' }, 'secret_key'],
    ] as const) {
      const res = await call('POST', '/api/v1/integrations', { cookie: admin.cookie }, { json: body })
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      const p = await json(res)
      expect(p.errors.map((e: { path: string }) => e.path)).toContain(path)
    }
    expect((await json(await call('GET', '/api/v1/integrations?limit=100', { cookie: admin.cookie }))).items.length).toBe(before)
    const i = await newIntegration(admin)
    const bad = await call(
      'POST',
      `/api/v1/integrations/${i.id}/validate`,
      { cookie: admin.cookie },
      { json: { test_object_url: 'ftp://nope/x' } },
    )
    expect(bad.status).toBe(400)
  })

  it("another organization's integration is a 404 everywhere", async () => {
    const foreign = await newIntegration(t.orgB.ADMIN)
    for (const [m, p, body] of [
      ['GET', `/api/v1/integrations/${foreign.id}`, undefined],
      ['PATCH', `/api/v1/integrations/${foreign.id}`, { name: 'mine now' }],
      ['POST', `/api/v1/integrations/${foreign.id}/validate`, {}],
      ['DELETE', `/api/v1/integrations/${foreign.id}`, undefined],
    ] as const) {
      expect((await call(m, p, { cookie: admin.cookie }, body ? { json: body } : {})).status).toBe(404)
    }
    const ds = await json(await call('POST', '/api/v1/datasets', { cookie: admin.cookie }, { json: { name: unique('ds') } }))
    const res = await call(
      'PUT',
      `/api/v1/datasets/${ds.id}/integration`,
      { cookie: admin.cookie },
      { json: { integration_id: foreign.id } },
    )
    expect(res.status).toBe(400)
    const foreignDs = await json(await call('POST', '/api/v1/datasets', { cookie: t.orgB.ADMIN.cookie }, { json: { name: unique('ds') } }))
    expect(
      (await call('PUT', `/api/v1/datasets/${foreignDs.id}/integration`, { cookie: admin.cookie }, { json: { integration_id: null } }))
        .status,
    ).toBe(404)
  })
})

describe('validation against the emulator', () => {
  it('passes every named check for a readable object, and records it', async () => {
    const i = await newIntegration(admin)
    const r = await validate(admin, i.id, `s3://${bucket}/images/cat one.png`)
    expect(r.checks.map((c) => c.name)).toEqual(['role_arn_format', 'assume_role', 'read_access'])
    expect(
      r.checks.every((c) => c.success),
      JSON.stringify(r.checks),
    ).toBe(true)
    expect(r.valid).toBe(true)
    expect(check(r, 'read_access').message).toContain(`${PNG.length} bytes`)
    const after = await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))
    expect(after.valid).toBe(true)
    expect(after.last_valid_at).not.toBeNull()
    expect(after.checks).toHaveLength(3)
  })

  it('a missing bucket or object fails the read check with a readable message', async () => {
    const i = await newIntegration(admin)
    const noBucket = await validate(admin, i.id, 's3://no-such-bucket-ld/x.png')
    expect(noBucket.valid).toBe(false)
    expect(check(noBucket, 'assume_role').success).toBe(true)
    expect(check(noBucket, 'read_access')).toMatchObject({ success: false })
    expect(check(noBucket, 'read_access').message).toMatch(/does not exist \(NoSuchBucket\)/)
    const noKey = await validate(admin, i.id, `https://${bucket}.s3.us-east-1.amazonaws.com/images/missing.png`)
    expect(check(noKey, 'read_access').message).toMatch(/does not exist in its bucket \(NoSuchKey\)/)
    const after = await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))
    expect(after).toMatchObject({ valid: false, last_valid_at: null })
  })

  it('without a test object and no dataset using it, says what to do', async () => {
    const i = await newIntegration(admin)
    const r = await validate(admin, i.id)
    expect(check(r, 'read_access')).toMatchObject({ success: false })
    expect(check(r, 'read_access').message).toMatch(/name one .*or attach/)
  })

  it('an unreachable STS endpoint fails the assume-role check and skips the read check', async () => {
    const i = await newIntegration(admin)
    const ctx = { ...ctxFor(admin.actor), env: { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } as Env }
    // A fresh integration id, so no cached credentials exist for it.
    const r = await offline(() => validateIntegration(ctx, i.id, { test_object_url: `s3://${bucket}/images/cat one.png` }))
    expect(r.valid).toBe(false)
    expect(check(r, 'assume_role').message).toMatch(/^Could not reach AWS STS at 127\.0\.0\.1:9/)
    expect(check(r, 'read_access').message).toMatch(/^Not run: the role could not be assumed/)
    expect(r.unreachable).toMatch(/^Could not reach AWS STS/)
  })

  it('an outage changes nothing: a validated integration stays valid and attachable; a real refusal does not', async () => {
    const i = await newIntegration(admin)
    expect((await validate(admin, i.id, `s3://${bucket}/images/cat one.png`)).valid).toBe(true)
    const before = await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))
    // AWS unreachable: the answer fails, the stored result stays as it was.
    const down = { ...ctxFor(admin.actor), env: { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } as Env }
    const r = await offline(() => validateIntegration(down, i.id, { test_object_url: `s3://${bucket}/images/cat one.png` }))
    expect(r).toMatchObject({ valid: false, unreachable: expect.stringMatching(/^Could not reach/) })
    const after = await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))
    expect(after).toMatchObject({ valid: true, checks: before.checks, validated_at: before.validated_at })
    // A definite answer from AWS (no such object) is recorded as before.
    expect((await validate(admin, i.id, 's3://no-such-bucket-ld/x.png')).valid).toBe(false)
    expect(await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))).toMatchObject({ valid: false })
  })

  it('missing platform credentials are named, not a crash', async () => {
    const ctx = { ...ctxFor(admin.actor), env: { ...env, AWS_ACCESS_KEY_ID: '' } as Env }
    const i = await createIntegration(ctx, { provider: 'AWS', name: 'x', role_arn: ROLE })
    const r = await validateIntegration(ctx, i.id, {})
    expect(check(r, 'assume_role').message).toMatch(/no AWS credentials configured/)
  })

  it("AWS's AccessDenied answer becomes a sentence naming the trust policy or the object", async () => {
    const xml =
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ld is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/x</Message></Error><RequestId>1</RequestId></ErrorResponse>'
    const e = await awsError(new Response(xml, { status: 403 }), { roleArn: ROLE, externalId: 'ld-abc', accountId: '123456789012' })
    expect(e.code).toBe('AccessDenied')
    expect(e.message).toBe(
      `AWS refused to let LabelDesk assume ${ROLE} (AccessDenied): its trust policy must allow account 123456789012 with the external id ld-abc.`,
    )
    const s3e = await awsError(new Response('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>', { status: 403 }), {
      object: 's3://b/k',
    })
    expect(s3e.message).toMatch(/^AWS denied reading s3:\/\/b\/k \(AccessDenied\)/)
    // A HEAD-style answer without a body still maps by status.
    expect((await awsError(new Response(null, { status: 403 }), { object: 's3://b/k' })).code).toBe('AccessDenied')
    expect(describeAwsError('SlowDown', 'Please reduce your request rate.', {})).toBe(
      'AWS answered SlowDown: Please reduce your request rate.',
    )
  })
})

describe('datasets using an integration', () => {
  let valid: { id: string }
  beforeAll(async () => {
    valid = await newIntegration(admin)
    expect((await validate(admin, valid.id, `s3://${bucket}/images/cat one.png`)).valid).toBe(true)
  })

  it('only a validated integration can be attached; then s3:// rows are accepted and served by presigned URL', async () => {
    const ds = await json(await call('POST', '/api/v1/datasets', { cookie: admin.cookie }, { json: { name: unique('s3 ds') } }))
    const unvalidated = await newIntegration(admin)
    const refused = await call(
      'PUT',
      `/api/v1/datasets/${ds.id}/integration`,
      { cookie: admin.cookie },
      { json: { integration_id: unvalidated.id } },
    )
    expect(refused.status).toBe(409)
    expect((await json(refused)).detail).toMatch(/has not been validated yet/)
    // s3:// row data is refused while the dataset has no integration.
    const early = await json(
      await call(
        'POST',
        `/api/v1/datasets/${ds.id}/data-rows`,
        { cookie: admin.cookie },
        { json: [{ row_data: `s3://${bucket}/images/cat one.png` }] },
      ),
    )
    expect(early.errors[0].message).toMatch(/needs a dataset that uses an AWS integration/)

    const attached = await call(
      'PUT',
      `/api/v1/datasets/${ds.id}/integration`,
      { cookie: admin.cookie },
      { json: { integration_id: valid.id } },
    )
    expect(attached.status).toBe(200)
    expect((await json(attached)).integration_id).toBe(valid.id)

    const made = await json(
      await call(
        'POST',
        `/api/v1/datasets/${ds.id}/data-rows`,
        { cookie: admin.cookie },
        {
          json: [
            { row_data: `s3://${bucket}/images/cat one.png`, global_key: unique('s3row'), media_type: 'IMAGE' },
            {
              row_data: `https://${bucket}.s3.us-east-1.amazonaws.com/images/cat%20one.png`,
              global_key: unique('vhrow'),
              media_type: 'IMAGE',
            },
          ],
        },
      ),
    )
    expect(made.errors).toEqual([])
    for (const row of made.created) {
      for (const who of [admin, t.orgA.LABELER]) {
        const res = await call('GET', `/api/v1/data-rows/${row.id}/content`, { cookie: who.cookie })
        expect(res.status).toBe(302)
        const loc = new URL(res.headers.get('location')!)
        expect(loc.origin).toBe(endpoint)
        expect(loc.pathname).toBe(`/${bucket}/images/cat%20one.png`)
        expect(Number(loc.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(PRESIGN_MAX_SECONDS)
        expect(loc.searchParams.get('X-Amz-Security-Token')).toBeTruthy()
        expect(loc.searchParams.get('X-Amz-Credential')).not.toContain('testing') // the role's keys, not the platform's
        const bytes = new Uint8Array(await (await fetch(loc)).arrayBuffer())
        expect(bytes).toEqual(PNG)
      }
      // Another organization never gets a URL.
      expect((await call('GET', `/api/v1/data-rows/${row.id}/content`, { cookie: t.orgB.ADMIN.cookie })).status).toBe(404)
    }
    // The data-row page shows the image through the content route.
    const page = await (await call('GET', `/datasets/${ds.id}/rows/${made.created[0].id}`, { cookie: admin.cookie })).text()
    expect(page).toContain(`src="/api/v1/data-rows/${made.created[0].id}/content"`)
    expect(page).not.toContain('It is shown once its dataset uses')

    // Deleting the integration is refused while the dataset uses it; detaching then deleting works.
    expect((await call('DELETE', `/api/v1/integrations/${valid.id}`, { cookie: admin.cookie })).status).toBe(409)
    expect(
      (await call('PUT', `/api/v1/datasets/${ds.id}/integration`, { cookie: admin.cookie }, { json: { integration_id: null } })).status,
    ).toBe(200)
    const gone = await call('GET', `/api/v1/data-rows/${made.created[0].id}/content`, { cookie: admin.cookie })
    expect(gone.status).toBe(409)
    expect(
      (await call('PUT', `/api/v1/datasets/${ds.id}/integration`, { cookie: admin.cookie }, { json: { integration_id: valid.id } })).status,
    ).toBe(200)
  })

  it('validation without a test object uses the first S3 row of a dataset that uses it', async () => {
    const r = await validate(admin, valid.id)
    expect(r.valid, JSON.stringify(r.checks)).toBe(true)
    expect(check(r, 'read_access').message).toContain(bucket)
  })

  it('changing the role makes it invalid until validated again; the org default goes to new datasets', async () => {
    const i = await newIntegration(admin)
    expect((await validate(admin, i.id, `s3://${bucket}/images/cat one.png`)).valid).toBe(true)
    const def = await json(
      await call('PATCH', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }, { json: { is_org_default: true } }),
    )
    expect(def).toMatchObject({ is_org_default: true, valid: true })
    const other = await newIntegration(admin, { is_org_default: true })
    // Only one default: the new one took it over.
    expect((await json(await call('GET', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }))).is_org_default).toBe(false)
    // An invalid default is not given to new datasets.
    expect(
      (await json(await call('POST', '/api/v1/datasets', { cookie: admin.cookie }, { json: { name: unique('d') } }))).integration_id,
    ).toBeNull()
    await call('PATCH', `/api/v1/integrations/${i.id}`, { cookie: admin.cookie }, { json: { is_org_default: true } })
    expect(
      (await json(await call('POST', '/api/v1/datasets', { cookie: admin.cookie }, { json: { name: unique('d') } }))).integration_id,
    ).toBe(i.id)
    const changed = await json(
      await call(
        'PATCH',
        `/api/v1/integrations/${i.id}`,
        { cookie: admin.cookie },
        { json: { role_arn: 'arn:aws:iam::210987654321:role/Another' } },
      ),
    )
    expect(changed).toMatchObject({ valid: false, validated_at: null, checks: [] })
    expect(other.id).toBeTruthy()
  })
})

describe('S3 locations', () => {
  it('parses s3://, virtual-hosted and path-style URLs, and nothing else', () => {
    expect(parseS3Url('s3://my-bucket/a/b c.png')).toEqual({ bucket: 'my-bucket', key: 'a/b c.png', region: null })
    expect(parseS3Url('https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c.png')).toEqual({
      bucket: 'my-bucket',
      key: 'a/b c.png',
      region: 'eu-west-1',
    })
    expect(parseS3Url('https://my-bucket.s3.amazonaws.com/k.jpg')).toEqual({ bucket: 'my-bucket', key: 'k.jpg', region: null })
    expect(parseS3Url('https://my-bucket.s3-us-west-2.amazonaws.com/k.jpg')).toEqual({
      bucket: 'my-bucket',
      key: 'k.jpg',
      region: 'us-west-2',
    })
    expect(parseS3Url('https://s3.us-east-2.amazonaws.com/my-bucket/k.jpg')).toEqual({
      bucket: 'my-bucket',
      key: 'k.jpg',
      region: 'us-east-2',
    })
    expect(parseS3Url('http://my-bucket.s3.amazonaws.com/k.jpg')).toBeNull()
    expect(parseS3Url('https://example.com/k.jpg')).toBeNull()
    expect(parseS3Url('s3://UPPER/k')).toBeNull()
    expect(parseS3Url('s3://bucket-only')).toBeNull()
  })
})

describe('integrations page', () => {
  it('shows the account id, the external id, filled-in policies, and GCP/Azure as coming soon', async () => {
    const res = await call('GET', '/account/integrations', { cookie: admin.cookie })
    expect(res.status).toBe(200)
    const html = await res.text()
    const ext = (await json(await call('GET', '/api/v1/integrations', { cookie: admin.cookie }))).items[0].external_id
    expect(html).toContain('123456789012')
    expect(html).toContain(ext)
    expect(html).toContain('&quot;sts:ExternalId&quot;')
    expect(html).toContain('arn:aws:iam::123456789012:root')
    expect(html).toMatch(/Google Cloud Storage[\s\S]*Coming soon/)
    expect(html).not.toContain('AWS_SECRET_ACCESS_KEY=')
    expect(html).not.toContain('testing')
  })

  it('creates, validates with checks shown in place, and refuses a bad ARN inline', async () => {
    const bad = await call('POST', '/account/integrations', { cookie: admin.cookie }, { form: { name: 'Bad', role_arn: 'not-an-arn' } })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('role_arn must look like arn:aws:iam::123456789012:role/LabelDeskAccess')
    const res = await call('POST', '/account/integrations', { cookie: admin.cookie }, { form: { name: 'From the page', role_arn: ROLE } })
    expect(res.status).toBe(303)
    const detail = res.headers.get('location')!
    const v = await call(
      'POST',
      `${detail}/validate`,
      { cookie: admin.cookie },
      { form: { test_object_url: `s3://${bucket}/images/nope.png` } },
    )
    const html = await v.text()
    expect(html).toContain('Validation failed')
    expect(html).toContain('check-failed')
    expect(html).toContain('NoSuchKey')
    const ok = await (
      await call('POST', `${detail}/validate`, { cookie: admin.cookie }, { form: { test_object_url: `s3://${bucket}/images/cat one.png` } })
    ).text()
    expect(ok).toContain('All checks passed.')
    expect(ok.match(/check-ok/g)?.length).toBe(3)
  })
})
