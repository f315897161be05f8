/** @module Markup built as strings, for the parts a page draws many times (a list's rows, a chart's
 * bars): a JSX element costs an object, a props walk and a context lookup each time it renders
 * (hono/jsx), a template string costs the string. The output is the same markup JSX would give
 * (same escaping, same attribute order), checked by `bench/render-cpu.tsx` against the JSX
 * rendering it replaced. */
import { raw } from 'hono/html'

export { raw }

const SPECIAL = /["&'<>]/
const SPECIALS = /["&'<>]/g
const ENTITY: Record<string, string> = { '"': '&quot;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Text or an attribute value, escaped as hono/jsx escapes it. */
export const esc = (s: string) => (SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ENTITY[c]!) : s)

/** ` name="value"`, or nothing for `undefined` / `null` (as JSX leaves such an attribute out). */
export const attr = (name: string, v: string | number | null | undefined) =>
  v == null ? '' : ` ${name}="${typeof v === 'number' ? v : esc(v)}"`
