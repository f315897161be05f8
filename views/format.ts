/** @module Numbers and times formatted for people (12,400 · 1.2 MB · 3 min ago). */

// One formatter for the isolate: constructing an Intl.NumberFormat costs ~20 µs, and the Projects
// list formats four numbers a row (200 for a page, ~4 ms of a ~8 ms render).
const numberFormat = new Intl.NumberFormat('en-US')
/** en-US grouping of a safe integer (what Intl gives for one, ~10× faster): counts are integers,
 * and a page formats hundreds of them. Anything else (fractions, -0, huge) goes to Intl. */
function groupDigits(n: number): string {
  const s = String(n < 0 ? -n : n)
  const head = s.length % 3 || 3
  let out = s.slice(0, head)
  for (let i = head; i < s.length; i += 3) out += `,${s.slice(i, i + 3)}`
  return n < 0 ? `-${out}` : out
}
export const formatNumber = (n: number) => (Number.isSafeInteger(n) && !Object.is(n, -0) ? groupDigits(n) : numberFormat.format(n))

export function formatBytes(n: number): string {
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

/** "3 min ago", or for future times "in 7 d". */
export function timeAgo(d: Date | number, now = Date.now()): string {
  const diff = Math.round((now - new Date(d).getTime()) / 1000)
  const future = diff < 0
  const s = Math.abs(diff)
  if (s < 45) return future ? 'in a moment' : 'just now'
  const m = Math.round(s / 60)
  const h = Math.round(m / 60)
  const days = Math.round(h / 24)
  const span = m < 60 ? `${m} min` : h < 24 ? `${h} h` : days < 60 ? `${days} d` : null
  if (!span) return new Date(d).toISOString().slice(0, 10)
  return future ? `in ${span}` : `${span} ago`
}

export const formatDateTime = (d: Date | number) => `${new Date(d).toISOString().replace('T', ' ').slice(0, 16)} UTC`
