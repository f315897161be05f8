/** @module Account → API: create a key (secret shown once), list, revoke. */
import type { ApiKeyView } from '../../src/modules/api-keys/service'
import type { Page } from '../../src/lib/pagination'
import type { OrgRole } from '../../src/db/schema/columns'
import { Field, FormMessage, SelectField, type FormState } from '../components/form'
import { Badge, CopyField, EmptyState, PageHeader, RoleBadge, roleLabel, Time } from '../components/ui'
import { KeyIcon } from '../components/icons'
import { AccountTabs } from '../account/tabs'

export function KeyRow(props: { k: ApiKeyView; selfId: string; showOwner: boolean }) {
  const { k } = props
  const rowId = `key-${k.id}`
  return (
    <tr id={rowId}>
      <td class="primary-cell">
        <strong>{k.name}</strong>
        {k.read_only ? (
          <>
            {' '}
            <Badge tone="blue">read-only</Badge>
          </>
        ) : null}
      </td>
      <td>
        <code>{k.prefix}…</code>
      </td>
      {props.showOwner ? <td>{k.owner.id === props.selfId ? 'You' : k.owner.email}</td> : null}
      <td>{k.role ? <RoleBadge role={k.role} /> : <span class="muted">Owner's role</span>}</td>
      <td>
        <Time value={k.created_at} />
      </td>
      <td>
        <Time value={k.last_used_at} />
      </td>
      <td>
        {k.status === 'ACTIVE' ? <Time value={k.expires_at} /> : <Badge tone="red">{k.status === 'REVOKED' ? 'Revoked' : 'Expired'}</Badge>}
      </td>
      <td class="actions">
        {k.status === 'ACTIVE' ? (
          <form
            method="post"
            action={`/account/api/${k.id}/revoke`}
            hx-post={`/account/api/${k.id}/revoke`}
            hx-target={`#${rowId}`}
            hx-swap="outerHTML"
            hx-confirm={`Revoke the API key “${k.name}”? Programs using it stop working at once.`}
            data-confirm-label="Revoke"
          >
            <button class="btn btn-sm btn-ghost" type="submit">
              Revoke
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}

export function CreatedKey(props: { k: ApiKeyView & { key: string } }) {
  return (
    <div class="secret-box" role="status">
      <p>
        <strong>API key “{props.k.name}” created.</strong> Copy it now: it will not be shown again. Use it as{' '}
        <code>Authorization: Bearer …</code>.
      </p>
      <CopyField id="new-key" value={props.k.key} label="Secret key" />
    </div>
  )
}

export function CreateKeyForm(props: { roles: OrgRole[]; state?: FormState; created?: ApiKeyView & { key: string } }) {
  const st = props.created ? undefined : props.state
  return (
    <section class="card" id="create-key">
      <h2>Create an API key</h2>
      {props.created ? <CreatedKey k={props.created} /> : null}
      <form
        class="form"
        method="post"
        action="/account/api"
        hx-post="/account/api"
        hx-target="#create-key"
        hx-swap="outerHTML"
        style="margin-top:12px"
      >
        <FormMessage state={st} fields={['name', 'expires_in_days', 'role', 'read_only']} />
        <div class="form-row">
          <Field name="name" label="Name" state={st} required maxlength={200} placeholder="e.g. nightly export script" />
          <Field
            name="expires_in_days"
            label="Expires in (days)"
            type="number"
            state={st}
            value={st ? undefined : '90'}
            min={1}
            max={365}
            help="1–365 days."
          />
          <SelectField
            name="role"
            label="Role"
            state={st}
            options={[{ value: '', label: 'Same as mine' }, ...props.roles.map((r) => ({ value: r, label: roleLabel(r) }))]}
            help="A key never has more rights than you."
          />
        </div>
        <label class="checkbox">
          <input type="checkbox" name="read_only" checked={st?.values?.read_only === 'on'} /> Read-only (may only read)
        </label>
        <div class="form-actions">
          <button class="btn btn-primary" type="submit">
            Create key
          </button>
        </div>
      </form>
    </section>
  )
}

export function ApiKeysPage(props: {
  keys: Page<ApiKeyView>
  roles: OrgRole[]
  selfId: string
  showOwner: boolean
  state?: FormState
  created?: ApiKeyView & { key: string }
}) {
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/api" />
      <CreateKeyForm roles={props.roles} state={props.state} created={props.created} />
      <div class="section">
        <h2>{props.showOwner ? 'API keys of your organization' : 'Your API keys'}</h2>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Prefix</th>
                {props.showOwner ? <th>Owner</th> : null}
                <th>Role</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Expires</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody id="key-rows">
              {props.keys.items.map((k) => (
                <KeyRow k={k} selfId={props.selfId} showOwner={props.showOwner} />
              ))}
              <tr class="empty-row">
                <td colspan={8}>
                  <EmptyState title="No API keys yet" icon={<KeyIcon />}>
                    Programs and scripts authenticate with an API key. Create one above; its secret is shown once.
                  </EmptyState>
                </td>
              </tr>
            </tbody>
          </table>
        </div>
        <p class="muted small" style="margin-top:12px">
          See the{' '}
          <a href="/api/docs" hx-boost="false">
            API reference
          </a>{' '}
          for what a key can do.
        </p>
      </div>
    </>
  )
}
