/** @module The HTML document every page shares: our CSS, htmx and our script, all served by the Worker. */
import type { Child } from 'hono/jsx'
import { esc, raw } from '../markup'

// The head is the same on every page but its title, so it is a string built once (views/markup.ts).
// (As JSX, <head> also made hono/jsx look up an SVG/head namespace for every element of every page.)
// htmx 4 injects an inline indicator <style> unless told not to; our CSP forbids inline styles.
const HEAD_OPEN =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>'
const HEAD_CLOSE =
  '</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"/><link rel="stylesheet" href="/css/app.css"/>' +
  '<meta name="htmx-config" content="{&quot;includeIndicatorCSS&quot;:false}"/>' +
  '<script src="/vendor/htmx.min.js" defer=""></script><script src="/js/app.js" defer=""></script>' +
  '<script src="/js/tasks.js" defer=""></script><script src="/js/labeling.js" defer=""></script>' +
  '<script src="/js/label-overlay.js" defer=""></script></head>'

export function Document(props: { title: string; children: Child; bodyClass?: string; boost?: boolean }) {
  return (
    <>
      {raw(`${HEAD_OPEN}${esc(props.title ? `${props.title} · LabelDesk` : 'LabelDesk')}${HEAD_CLOSE}`)}
      <body class={props.bodyClass} {...(props.boost === false ? {} : { 'hx-boost:inherited': 'true' })}>
        {props.children}
      </body>
      {raw('</html>')}
    </>
  )
}
