/** @module The invitation accept page: name and password, then in. */
import type { InvitationPreview } from '../../src/modules/orgs/service'
import { AuthLayout } from '../layouts/auth'
import { Field, FormMessage, type FormState } from '../components/form'
import { roleLabel } from '../components/ui'

export function AcceptPage(props: { token: string; preview: InvitationPreview; state?: FormState }) {
  return (
    <AuthLayout title={`Join ${props.preview.orgName}`}>
      <h1>Join {props.preview.orgName}</h1>
      <p class="lead">
        You were invited as <strong>{roleLabel(props.preview.role)}</strong> with <strong>{props.preview.email}</strong>. Choose your name
        and a password. If this address already has a LabelDesk account (from an organization you left), enter that account’s password
        instead: it stays your password.
      </p>
      <form class="form" method="post" action={`/invitations/${props.token}`} novalidate>
        <FormMessage state={props.state} fields={['full_name', 'password']} />
        <Field name="full_name" label="Full name" state={props.state} required autofocus autocomplete="name" maxlength={200} />
        <Field
          name="password"
          label="Password"
          type="password"
          state={props.state}
          required
          autocomplete="new-password"
          minlength={10}
          help="At least 10 characters."
        />
        <button class="btn btn-primary" type="submit">
          Join organization
        </button>
      </form>
    </AuthLayout>
  )
}

export function DeadInvitation(props: { message: string }) {
  return (
    <AuthLayout title="Invitation not valid" foot={<a href="/login">Go to login</a>}>
      <h1>This invitation cannot be used</h1>
      <p class="lead">{props.message}</p>
    </AuthLayout>
  )
}
