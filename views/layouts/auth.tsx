/** @module Centered card layout for login, sign-up and invitation pages. */
import type { Child } from 'hono/jsx'
import { Document } from './document'
import { Logo } from '../components/icons'

export function AuthLayout(props: { title: string; children: Child; foot?: Child }) {
  return (
    <Document title={props.title} bodyClass="auth-body">
      <main class="auth">
        <div class="auth-card">
          <a class="brand" href="/login">
            <Logo /> LabelDesk
          </a>
          <div class="card">{props.children}</div>
          {props.foot ? <div class="auth-foot">{props.foot}</div> : null}
        </div>
      </main>
    </Document>
  )
}
