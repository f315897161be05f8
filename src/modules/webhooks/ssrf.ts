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
 * Limitation: a Worker cannot resolve DNS itself, so a public-looking hostname whose A/AAAA
 * records point at a private address is not caught here. On Cloudflare, a Worker's outbound
 * fetch leaves through Cloudflare's edge and cannot reach the deployment's own private network;
 * redirects are never followed (`redirect: 'manual'`, any 3xx is a final failure), so a public
 * host cannot bounce a delivery to an internal one.
 */

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
    h = h.slice(0, -tail[1]!.length) + `${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`
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
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')
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
  if (BLOCKED_NAMES.some((re) => re.test(host)) || host === 'metadata.google.internal') return { ok: false, reason: 'The URL points at a local or internal host name, which webhooks may not reach' }
  return { ok: true, url }
}

export const allowPrivateTargets = (env: { WEBHOOK_ALLOW_PRIVATE_TARGETS?: string }) => env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true'
