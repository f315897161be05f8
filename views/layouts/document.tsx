/** @module The HTML document every page shares: our CSS, htmx and our script, all served by the Worker. */
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'

export function Document(props: { title: string; children: Child; bodyClass?: string; boost?: boolean }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title ? `${props.title} · LabelDesk` : 'LabelDesk'}</title>
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/css/app.css" />
          {/* htmx 4 injects an inline indicator <style> unless told not to; our CSP forbids inline styles. */}
          <meta name="htmx-config" content='{"includeIndicatorCSS":false}' />
          <script src="/vendor/htmx.min.js" defer></script>
          <script src="/js/app.js" defer></script>
          <script src="/js/tasks.js" defer></script>
          <script src="/js/labeling.js" defer></script>
          <script src="/js/label-overlay.js" defer></script>
        </head>
        <body class={props.bodyClass} {...(props.boost === false ? {} : { 'hx-boost:inherited': 'true' })}>
          {props.children}
        </body>
      </html>
    </>
  )
}
