/** @module htmx response helpers. */
import type { Context } from 'hono'

/** A boosted form answered with its errors must not move the address bar to the POST URL. */
export function keepUrl(c: Context) {
  if (c.req.header('HX-Request') === 'true') c.header('HX-Push-Url', 'false')
}

/**
 * `HX-Trigger` with a JSON payload. Header bytes are read as Latin-1 by browsers, so every
 * non-ASCII character (names, curly quotes, dashes) travels as a JSON \u escape.
 */
export function hxTrigger(c: Context, events: Record<string, unknown>) {
  c.header(
    'HX-Trigger',
    JSON.stringify(events).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
  )
}
