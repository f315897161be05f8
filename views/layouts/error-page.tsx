/** @module 404, 403 and error pages; inside the shell when someone is signed in. */
import type { Actor } from '../../src/env'
import { AppShell } from './shell'
import { Document } from './document'

const HEADLINES: Record<number, string> = {
  400: 'That request did not make sense',
  401: 'Please log in',
  403: 'You do not have access to this',
  404: 'We could not find that page',
  409: 'That conflicts with something else',
  413: 'That is too large',
  415: 'That file type is not supported',
  429: 'Slow down a little',
  500: 'Something went wrong on our side',
}

export function ErrorBody(props: { status: number; detail: string; requestId: string }) {
  return (
    <div class="error-page">
      <div class="code">{props.status}</div>
      <h1>{HEADLINES[props.status] ?? 'Something went wrong'}</h1>
      <p class="muted">{props.detail}</p>
      <p>
        <a class="btn" href="/projects">
          Go to Projects
        </a>
      </p>
      <p class="small muted">
        Request id <code>{props.requestId}</code>
      </p>
    </div>
  )
}

export function ErrorPage(props: { actor?: Actor; status: number; detail: string; requestId: string }) {
  const title = HEADLINES[props.status] ?? 'Error'
  const body = <ErrorBody status={props.status} detail={props.detail} requestId={props.requestId} />
  if (props.actor)
    return (
      <AppShell actor={props.actor} title={title} section="none">
        {body}
      </AppShell>
    )
  return (
    <Document title={title}>
      <main class="container narrow">{body}</main>
    </Document>
  )
}
