/** @module Account → Details: full name (editable), email, role, organization name and id. */
import type { Me } from '../../src/modules/account/service'
import { Field, FormMessage, type FormState } from '../components/form'
import { CopyField, PageHeader, RoleBadge } from '../components/ui'
import { AccountTabs } from './tabs'

export function NameForm(props: { me: Me; state?: FormState; saved?: boolean }) {
  return (
    <form id="name-form" class="form" method="post" action="/account" hx-post="/account" hx-target="this" hx-swap="outerHTML">
      <FormMessage state={props.state} fields={['full_name']} />
      <Field
        name="full_name"
        label="Full name"
        state={props.state}
        value={props.state?.values ? undefined : props.me.user.full_name}
        required
        maxlength={200}
        autocomplete="name"
      />
      <div class="form-actions">
        {props.saved ? (
          <span class="muted" role="status">
            Saved.
          </span>
        ) : null}
        <button class="btn btn-primary" type="submit">
          Save
        </button>
      </div>
    </form>
  )
}

export function AccountDetails(props: { me: Me; state?: FormState }) {
  const { me } = props
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account" />
      <div class="grid-2">
        <section class="card">
          <h2>Profile</h2>
          <NameForm me={me} state={props.state} />
        </section>
        <section class="card">
          <h2>Membership</h2>
          <dl class="details">
            <dt>Email</dt>
            <dd>{me.user.email}</dd>
            <dt>Membership role</dt>
            <dd>
              <RoleBadge role={me.role} />
            </dd>
            <dt>Organization</dt>
            <dd>{me.organization.name}</dd>
          </dl>
          <div style="margin-top:16px">
            <CopyField id="org-id" label="Organization ID" value={me.organization.id} />
          </div>
        </section>
      </div>
    </>
  )
}
