/** @module Markup built as strings, for the parts a page draws many times (a list's rows, a chart's
 * bars): a JSX element costs an object, a props walk and a context lookup each time it renders
 * (hono/jsx), a template string costs the string. The output is the same markup JSX would give
 * (same escaping, same attribute order), checked by `bench/render-cpu.tsx` against the JSX
 * rendering it replaced. */
import { raw } from 'hono/html'

export { raw }

const SPECIAL = /["&'<>]/

/** Text or an attribute value, escaped as hono/jsx escapes it (a loop: `replace` with a callback
 * costs several times more for the strings that need it). */
export function esc(s: string): string {
  const first = s.search(SPECIAL)
  if (first === -1) return s
  let out = ''
  let last = 0
  for (let i = first; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const e = c === 34 ? '&quot;' : c === 38 ? '&amp;' : c === 39 ? '&#39;' : c === 60 ? '&lt;' : c === 62 ? '&gt;' : undefined
    if (e === undefined) continue
    out += s.slice(last, i) + e
    last = i + 1
  }
  return out + s.slice(last)
}

/** ` name="value"`, or nothing for `undefined` / `null` (as JSX leaves such an attribute out). */
export const attr = (name: string, v: string | number | null | undefined) =>
  v == null ? '' : ` ${name}="${typeof v === 'number' ? v : esc(v)}"`
