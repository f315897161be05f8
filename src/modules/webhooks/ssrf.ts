/**
 * @module SSRF guard for webhook targets, checked when a webhook is created or updated and again
 * before every delivery.
 *
 * Rules (unless `WEBHOOK_ALLOW_PRIVATE_TARGETS=true`, which allows http and any address for local
 * development and tests): the scheme must be https; an IP-literal host must be a public unicast
 * address (no loopback, private, CGNAT, link-local/metadata, unspecified, multicast, reserved,
 * unique-local IPv6, nor IPv4 embedded in IPv4-mapped / NAT64 IPv6); names such as `localhost`,
 * `*.localhost`, `*.local`, `*.internal`, `*.home.arpa` and single-label names are refused.
 * The WHATWG URL parser already normalizes tricks such as `http://2130706433/` or `0x7f.1`.
 *
 * Host names: a Worker has no DNS API, so `checkResolvedTarget` asks a DNS-over-HTTPS resolver
 * (JSON API, `WEBHOOK_DNS_RESOLVER`) for the A and AAAA records and refuses the target when any
 * answer is not public. That runs before every delivery; when the resolver cannot answer, the
 * attempt is not sent (a retryable network error), so nothing is ever delivered unchecked.
 *
 * What remains: the delivery's own fetch resolves the name again, so a name whose owner answers
 * differently from one query to the next (DNS rebinding) could still slip past. On Cloudflare a
 * Worker's outbound fetch leaves through Cloudflare's edge and cannot reach the deployment's own
 * private network, and redirects are never followed (`redirect: 'manual'`, any 3xx is a final
 * failure), so a public host cannot bounce a delivery to an internal one either.
 */
import * as v from 'valibot'

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string }

const BLOCKED_NAMES = [/^localhost$/, /\.localhost$/, /\.local$/, /\.internal$/, /\.home\.arpa$/, /\.localdomain$/]

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (!m) return null
  const parts = m.slice(1).map(Number)
  return parts.every((p) => p <= 255) ? parts : null
}

/** Why an IPv4 address is not a public target, or null when it is. */
export function privateIpv4Reason(a: number[]): string | null {
  const [x, y] = a as [number, number, number, number]
  if (x === 0) return 'an unspecified (0.0.0.0/8) address'
  if (x === 10) return 'a private (10.0.0.0/8) address'
  if (x === 127) return 'a loopback (127.0.0.0/8) address'
  if (x === 169 && y === 254) return 'a link-local / cloud metadata (169.254.0.0/16) address'
  if (x === 172 && y >= 16 && y <= 31) return 'a private (172.16.0.0/12) address'
  if (x === 192 && y === 168) return 'a private (192.168.0.0/16) address'
  if (x === 100 && y >= 64 && y <= 127) return 'a shared / CGNAT (100.64.0.0/10) address'
  if (x === 192 && y === 0 && a[2] === 0) return 'a reserved (192.0.0.0/24) address'
  if (x === 198 && (y === 18 || y === 19)) return 'a benchmarking (198.18.0.0/15) address'
  if (x >= 224) return 'a multicast or reserved address'
  return null
}

/** 8 groups of 16 bits, or null when not an IPv6 literal. */
function ipv6(host: string): number[] | null {
  if (!host.includes(':')) return null
  let h = host
  // An embedded dotted IPv4 tail (the URL parser normally rewrites it to hex already).
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(h)
  if (tail) {
    const v4 = ipv4(tail[1]!)
    if (!v4) return null
    h = `${h.slice(0, -tail[1]!.length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`
  }
  const halves = h.split('::')
  if (halves.length > 2) return null
  const head = halves[0] ? halves[0].split(':') : []
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0
  const groups = [...head, ...Array(Math.max(0, fill)).fill('0'), ...rest]
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null
  return groups.map((g) => parseInt(g, 16))
}

export function privateIpv6Reason(g: number[]): string | null {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0)
  if (zeroUpTo(7) && g[7] === 1) return 'the IPv6 loopback address (::1)'
  if (zeroUpTo(8)) return 'the unspecified IPv6 address (::)'
  if ((g[0]! & 0xfe00) === 0xfc00) return 'a unique-local IPv6 (fc00::/7) address'
  if ((g[0]! & 0xffc0) === 0xfe80) return 'a link-local IPv6 (fe80::/10) address'
  if ((g[0]! & 0xff00) === 0xff00) return 'a multicast IPv6 address'
  const v4 = [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255]
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  if ((zeroUpTo(5) && g[5] === 0xffff) || zeroUpTo(6) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))) {
    const r = privateIpv4Reason(v4)
    return r ? `${r} embedded in IPv6` : null
  }
  return null
}

/** Normalized host of a URL: lower case, no IPv6 brackets, no trailing dot. */
const hostOf = (url: URL) =>
  url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')

/**
 * Checks a webhook target. `allowPrivate` is `WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true'`.
 */
export function checkTarget(raw: string, allowPrivate: boolean): TargetCheck {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'Enter a full URL such as https://example.com/hooks' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'The URL must start with https://' }
  if (url.username || url.password) return { ok: false, reason: 'The URL must not contain a user name or password' }
  if (allowPrivate) return { ok: true, url }
  if (url.protocol !== 'https:') return { ok: false, reason: 'The URL must use https://' }
  const host = hostOf(url)
  const v4 = ipv4(host)
  if (v4) {
    const r = privateIpv4Reason(v4)
    return r ? { ok: false, reason: `The URL points at ${r}, which webhooks may not reach` } : { ok: true, url }
  }
  const v6 = ipv6(host)
  if (v6) {
    const r = privateIpv6Reason(v6)
    return r ? { ok: false, reason: `The URL points at ${r}, which webhooks may not reach` } : { ok: true, url }
  }
  if (host.includes(':')) return { ok: false, reason: 'The URL has an invalid IPv6 address' }
  if (!host.includes('.')) return { ok: false, reason: 'The URL must use a public, fully qualified host name' }
  if (BLOCKED_NAMES.some((re) => re.test(host)) || host === 'metadata.google.internal')
    return { ok: false, reason: 'The URL points at a local or internal host name, which webhooks may not reach' }
  return { ok: true, url }
}

export const allowPrivateTargets = (env: { WEBHOOK_ALLOW_PRIVATE_TARGETS?: string }) => env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true'

// ---------------------------------------------------------------------------------------------
// DNS-over-HTTPS

/** Used when `WEBHOOK_DNS_RESOLVER` is empty: Cloudflare's public resolver speaks the JSON API. */
export const DEFAULT_DNS_RESOLVER = 'https://cloudflare-dns.com/dns-query'
/** A resolver slower than this counts as unreachable (the delivery itself may then take 10 s more). */
export const DNS_TIMEOUT_MS = 5_000
const RECORD_TYPES = { A: 1, AAAA: 28 } as const

/** The parts of a DoH JSON answer we read (RFC 8427-style, as served by Cloudflare and Google). */
const DohAnswer = v.object({
  Status: v.number(),
  Answer: v.optional(v.array(v.looseObject({ type: v.number(), data: v.string() }))),
})

export type Resolution = { ok: true; addresses: string[] } | { ok: false; error: string }

async function query(
  resolver: URL,
  name: string,
  type: keyof typeof RECORD_TYPES,
  fetcher: typeof fetch,
): Promise<{ status: number; addresses: string[] } | { error: string }> {
  const u = new URL(resolver)
  u.searchParams.set('name', name)
  u.searchParams.set('type', type)
  let res: Response
  try {
    res = await fetcher(u.toString(), {
      headers: { Accept: 'application/dns-json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(DNS_TIMEOUT_MS),
    })
  } catch (err) {
    const n = (err as Error)?.name
    return {
      error:
        n === 'TimeoutError' || n === 'AbortError'
          ? `no answer within ${DNS_TIMEOUT_MS / 1000} s`
          : `unreachable (${(err as Error)?.message ?? String(err)})`,
    }
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined)
    return { error: `answered HTTP ${res.status}` }
  }
  let body: unknown
  try {
    body = await res.json()
  } catch {
    return { error: 'answered something other than DNS JSON' }
  }
  const parsed = v.safeParse(DohAnswer, body)
  if (!parsed.success) return { error: 'answered something other than DNS JSON' }
  // Only records of the asked type: CNAME steps of a chain (type 5) come along and are skipped.
  const addresses = (parsed.output.Answer ?? []).filter((a) => a.type === RECORD_TYPES[type]).map((a) => a.data.trim().toLowerCase())
  return { status: parsed.output.Status, addresses }
}

/**
 * A and AAAA addresses of `name` through the DoH resolver. NOERROR and NXDOMAIN are answers (an
 * empty list for the latter); SERVFAIL, a refusal, an HTTP error or no answer in time are errors.
 */
export async function resolveHost(name: string, resolverUrl: string, fetcher: typeof fetch = fetch): Promise<Resolution> {
  let resolver: URL
  try {
    resolver = new URL(resolverUrl)
  } catch {
    return { ok: false, error: `WEBHOOK_DNS_RESOLVER is not a URL: ${JSON.stringify(resolverUrl)}` }
  }
  const answers = await Promise.all([query(resolver, name, 'A', fetcher), query(resolver, name, 'AAAA', fetcher)])
  const addresses: string[] = []
  for (const a of answers) {
    if ('error' in a) return { ok: false, error: `the DNS resolver ${resolver.origin}${resolver.pathname} ${a.error}` }
    // 0 NOERROR, 3 NXDOMAIN; anything else (2 SERVFAIL, 5 REFUSED …) means we learned nothing.
    if (a.status !== 0 && a.status !== 3)
      return {
        ok: false,
        error: `the DNS resolver ${resolver.origin}${resolver.pathname} failed to resolve ${name} (DNS status ${a.status})`,
      }
    addresses.push(...a.addresses)
  }
  return { ok: true, addresses }
}

/** Why a resolved address is not a public target (unparsable answers count as not public), or null. */
export function privateAddressReason(address: string): string | null {
  const v4 = ipv4(address)
  if (v4) return privateIpv4Reason(v4)
  const v6 = ipv6(address)
  if (v6) return privateIpv6Reason(v6)
  return 'not an IP address'
}

export type ResolvedCheck = { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string; retryable: boolean }

export const resolverOf = (env: { WEBHOOK_DNS_RESOLVER?: string }) => env.WEBHOOK_DNS_RESOLVER?.trim() || DEFAULT_DNS_RESOLVER

/**
 * The check before a delivery: the URL rules of `checkTarget`, then, for a host name (an IP
 * literal is already checked), every A and AAAA answer must be a public address. Skipped when
 * private targets are allowed. `retryable` is true when DNS could not give a usable answer (the
 * resolver is down, or the name does not resolve yet): the attempt is then not sent and is
 * retried like a network error. A name that resolves to a private address is a final refusal.
 */
export async function checkResolvedTarget(
  raw: string,
  env: { WEBHOOK_ALLOW_PRIVATE_TARGETS?: string; WEBHOOK_DNS_RESOLVER?: string },
  fetcher: typeof fetch = fetch,
): Promise<ResolvedCheck> {
  const allow = allowPrivateTargets(env)
  const t = checkTarget(raw, allow)
  if (!t.ok) return { ok: false, reason: t.reason, retryable: false }
  const host = hostOf(t.url)
  if (allow || ipv4(host) || ipv6(host)) return { ok: true, url: t.url, addresses: [] }
  const r = await resolveHost(host, resolverOf(env), fetcher)
  if (!r.ok) return { ok: false, reason: `Could not check where ${host} points: ${r.error}; not sent`, retryable: true }
  if (!r.addresses.length) return { ok: false, reason: `The host ${host} has no A or AAAA record; not sent`, retryable: true }
  for (const a of r.addresses) {
    const why = privateAddressReason(a)
    if (why) return { ok: false, reason: `The host ${host} resolves to ${a}, ${why}, which webhooks may not reach`, retryable: false }
  }
  return { ok: true, url: t.url, addresses: r.addresses }
}
