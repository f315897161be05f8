/** @module Login and sign-up pages. Errors inline, fields kept (never the password). */
import { AuthLayout } from '../layouts/auth'
import { Field, FormMessage, type FormState } from '../components/form'

export function LoginPage(props: { state?: FormState; next?: string; notice?: string }) {
  return (
    <AuthLayout
      title="Log in"
      foot={
        <>
          New to LabelDesk? <a href="/signup">Create an organization</a>
        </>
      }
    >
      <h1>Log in</h1>
      <p class="lead">Welcome back. Log in to your organization's workspace.</p>
      <form class="form" method="post" action="/login" novalidate>
        {props.notice ? (
          <div class="alert alert-info" role="status">
            {props.notice}
          </div>
        ) : null}
        <FormMessage state={props.state} fields={['email']} />
        <input type="hidden" name="next" value={props.next ?? ''} />
        <Field name="email" label="Email" type="email" state={props.state} required autofocus autocomplete="username" />
        <Field
          name="password"
          label="Password"
          type="password"
          state={{ ...props.state, errors: [] }}
          required
          autocomplete="current-password"
        />
        <button class="btn btn-primary" type="submit">
          Log in
        </button>
      </form>
    </AuthLayout>
  )
}

export function SignupPage(props: { state?: FormState }) {
  return (
    <AuthLayout
      title="Create your organization"
      foot={
        <>
          Already have an account? <a href="/login">Log in</a>
        </>
      }
    >
      <h1>Create your organization</h1>
      <p class="lead">You will be its first admin. Invite your team once you are in.</p>
      <form class="form" method="post" action="/signup" novalidate>
        <FormMessage state={props.state} fields={['full_name', 'email', 'password', 'organization_name']} />
        <Field name="full_name" label="Full name" state={props.state} required autofocus autocomplete="name" maxlength={200} />
        <Field name="email" label="Work email" type="email" state={props.state} required autocomplete="email" />
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
        <Field
          name="organization_name"
          label="Organization name"
          state={props.state}
          required
          autocomplete="organization"
          maxlength={200}
        />
        <button class="btn btn-primary" type="submit">
          Create organization
        </button>
      </form>
    </AuthLayout>
  )
}
