/**
 * @module Talking to AWS for delegated access: where STS and S3 live (AWS, or an emulator named by
 * `AWS_ENDPOINT_URL`, with path-style S3 URLs), STS AssumeRole with the organization's external id,
 * presigned S3 GETs, a one-byte read probe, and AWS error codes turned into sentences. Signing is
 * aws4fetch's SigV4, never ours.
 */
import { AwsClient } from 'aws4fetch'
import type { Env } from '../../env'

export type AwsConfig = {
  accessKeyId: string
  secretAccessKey: string
  region: string
  /** An emulator or a private endpoint; null = the real AWS endpoints. */
  endpoint: string | null
}

/** The platform's own credentials (Worker secrets). null when they are not configured. */
export function awsConfig(env: Env): AwsConfig | null {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return null
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    region: env.AWS_REGION || 'us-east-1',
    endpoint: env.AWS_ENDPOINT_URL ? env.AWS_ENDPOINT_URL.replace(/\/+$/, '') : null,
  }
}

export type TempCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiresAt: number }

/** Why an AWS call failed, in words an admin can act on. `code` is AWS's error code, or NETWORK. */
/** AWS error codes that say "not now" rather than "no": throttling and AWS's own failures. */
const TRANSIENT_CODES = new Set([
  'NETWORK',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'RequestTimeout',
])

export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }

  /** AWS could not be reached or failed on its side: the same call may well succeed later. */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code) || /^HTTP 5\d\d$/.test(this.code)
  }
}

export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/

/** How long assumed-role credentials live; STS's own default and the minimum roles allow. */
export const SESSION_SECONDS = 3600

const xmlTag = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1]
const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

/** AWS error codes → what to check. Unknown codes keep AWS's own message. */
export function describeAwsError(
  code: string,
  awsMessage: string,
  what: { roleArn?: string; externalId?: string; object?: string; accountId?: string },
): string {
  switch (code) {
    case 'AccessDenied':
      return what.object
        ? `AWS denied reading ${what.object} (AccessDenied): the role needs s3:GetObject on it, and the bucket policy must not block the role.`
        : `AWS refused to let LabelDesk assume ${what.roleArn ?? 'the role'} (AccessDenied): its trust policy must allow account ${what.accountId || '(platform account)'} with the external id ${what.externalId ?? ''}.`
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
      return `AWS rejected the platform's own credentials (${code}); the operator must fix AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.`
    case 'NoSuchBucket':
      return `The bucket of ${what.object ?? 'the object'} does not exist (NoSuchBucket).`
    case 'NoSuchKey':
      return `${what.object ?? 'The object'} does not exist in its bucket (NoSuchKey).`
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return `The bucket of ${what.object ?? 'the object'} is in another region than ${code === 'PermanentRedirect' ? 'the one asked' : 'the signature names'}; use its virtual-hosted URL with the region (https://bucket.s3.REGION.amazonaws.com/key).`
    case 'ExpiredToken':
      return 'The temporary credentials expired before the call; try again.'
    default:
      return `AWS answered ${code}${awsMessage ? `: ${awsMessage.replace(/\.+$/, '')}` : ''}.`
  }
}

/** AWS's XML error answer → AwsCallError with a sentence (exported for tests of the mapping). */
export async function awsError(res: Response, what: Parameters<typeof describeAwsError>[2]): Promise<AwsCallError> {
  const body = res.status === 204 || res.headers.get('content-length') === '0' ? '' : await res.text().catch(() => '')
  const code =
    xmlTag(body, 'Code') ??
    (res.status === 404 ? (what.object ? 'NoSuchKey' : 'NotFound') : res.status === 403 ? 'AccessDenied' : `HTTP ${res.status}`)
  return new AwsCallError(code, describeAwsError(code, unescapeXml(xmlTag(body, 'Message') ?? ''), what))
}

const stsUrl = (cfg: AwsConfig) => (cfg.endpoint ? `${cfg.endpoint}/` : `https://sts.${cfg.region}.amazonaws.com/`)

/**
 * The one way out to AWS (signed requests go through it), so tests can stand in a network that
 * fails the way the runtime's does without making a real failed connection, which workerd reports
 * on the console even when it is caught. Everything else talks to the local AWS emulator.
 */
export const awsNetwork: { fetch: (req: Request) => Promise<Response> } = { fetch: (req) => fetch(req) }

/** A network failure (DNS, refused, timeout) is not an AWS answer: say where we could not reach. */
async function reach(
  url: string,
  init: RequestInit,
  sign: (url: string, init: RequestInit) => Promise<Request>,
  what: string,
): Promise<Response> {
  try {
    return await awsNetwork.fetch(await sign(url, { ...init, signal: AbortSignal.timeout(10_000) }))
  } catch (e) {
    const host = new URL(url).host
    const reason = e instanceof Error && e.name === 'TimeoutError' ? 'no answer within 10 s' : e instanceof Error ? e.message : String(e)
    throw new AwsCallError('NETWORK', `Could not reach ${what} at ${host}: ${reason}.`)
  }
}

/** STS AssumeRole with the organization's external id (the confused-deputy guard). */
export async function assumeRole(
  cfg: AwsConfig,
  roleArn: string,
  externalId: string,
  sessionName: string,
  accountId?: string,
): Promise<TempCredentials> {
  const client = new AwsClient({
    accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey,
    region: cfg.region,
    service: 'sts',
    retries: 0,
  })
  const body = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: roleArn,
    RoleSessionName: sessionName,
    ExternalId: externalId,
    DurationSeconds: String(SESSION_SECONDS),
  }).toString()
  const res = await reach(
    stsUrl(cfg),
    { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    (u, i) => client.sign(u, i),
    'AWS STS',
  )
  if (!res.ok) throw await awsError(res, { roleArn, externalId, ...(accountId ? { accountId } : {}) })
  const xml = await res.text()
  const accessKeyId = xmlTag(xml, 'AccessKeyId')
  const secretAccessKey = xmlTag(xml, 'SecretAccessKey')
  const sessionToken = xmlTag(xml, 'SessionToken')
  const expiration = xmlTag(xml, 'Expiration')
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration)
    throw new AwsCallError('MalformedResponse', 'AWS STS answered without credentials.')
  return {
    accessKeyId,
    secretAccessKey: unescapeXml(secretAccessKey),
    sessionToken: unescapeXml(sessionToken),
    expiresAt: Date.parse(expiration),
  }
}

export type S3Object = { bucket: string; key: string; region: string | null }

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/** `s3://bucket/key`, or a virtual-hosted (`bucket.s3[.-region].amazonaws.com/key`) or path-style
 * (`s3[.-region].amazonaws.com/bucket/key`) https URL. Anything else is not an S3 object. */
export function parseS3Url(value: string): S3Object | null {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/i.exec(value)
  if (s3) return BUCKET.test(s3[1]!) ? { bucket: s3[1]!, key: s3[2]!, region: null } : null
  let u: URL
  try {
    u = new URL(value)
  } catch {
    return null
  }
  if (u.protocol !== 'https:') return null
  const path = u.pathname.slice(1)
  const vhost = /^(.+)\.s3(?:[.-](?!amazonaws)([a-z0-9-]+))?\.amazonaws\.com$/.exec(u.hostname)
  if (vhost && path) {
    const region = vhost[2] && vhost[2] !== 'dualstack' ? vhost[2] : null
    return BUCKET.test(vhost[1]!) ? { bucket: vhost[1]!, key: decodeURIComponent(path), region } : null
  }
  const pathStyle = /^s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/.exec(u.hostname)
  if (pathStyle) {
    const slash = path.indexOf('/')
    if (slash <= 0) return null
    const bucket = path.slice(0, slash)
    return BUCKET.test(bucket) ? { bucket, key: decodeURIComponent(path.slice(slash + 1)), region: pathStyle[1] ?? null } : null
  }
  return null
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')

/** The object's URL: path-style on an emulator/custom endpoint, virtual-hosted on AWS. */
export function objectUrl(cfg: AwsConfig, o: S3Object): string {
  if (cfg.endpoint) return `${cfg.endpoint}/${o.bucket}/${encodeKey(o.key)}`
  const region = o.region ?? cfg.region
  return `https://${o.bucket}.s3.${region}.amazonaws.com/${encodeKey(o.key)}`
}

const s3Client = (cfg: AwsConfig, creds: TempCredentials, o: S3Object) =>
  new AwsClient({
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    sessionToken: creds.sessionToken,
    region: o.region ?? cfg.region,
    service: 's3',
    retries: 0,
  })

/** Presigned URLs live at most this long (and never past the credentials that signed them). */
export const PRESIGN_MAX_SECONDS = 15 * 60

export async function presignGet(
  cfg: AwsConfig,
  creds: TempCredentials,
  o: S3Object,
  now = Date.now(),
): Promise<{ url: string; expiresIn: number }> {
  const expiresIn = Math.max(1, Math.min(PRESIGN_MAX_SECONDS, Math.floor((creds.expiresAt - now) / 1000)))
  const url = new URL(objectUrl(cfg, o))
  url.searchParams.set('X-Amz-Expires', String(expiresIn))
  const signed = await s3Client(cfg, creds, o).sign(url.toString(), { method: 'GET', aws: { signQuery: true } })
  return { url: signed.url, expiresIn }
}

/** Read the first byte: proves s3:GetObject without downloading the object. */
export async function probeRead(
  cfg: AwsConfig,
  creds: TempCredentials,
  o: S3Object,
  label: string,
): Promise<{ size: number | null; contentType: string | null }> {
  const client = s3Client(cfg, creds, o)
  const res = await reach(objectUrl(cfg, o), { method: 'GET', headers: { Range: 'bytes=0-0' } }, (u, i) => client.sign(u, i), 'Amazon S3')
  if (!res.ok) throw await awsError(res, { object: label })
  await res.body?.cancel()
  const total = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1]
  return { size: total ? Number(total) : null, contentType: res.headers.get('content-type') }
}
