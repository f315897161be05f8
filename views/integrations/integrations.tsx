/** @module Account → Integrations: AWS IAM delegated access (setup values and policies to paste,
 * the integrations, validation with named checks, datasets using one), and GCP/Azure as
 * "coming soon" — not as forms that do nothing. */
import type { IntegrationView } from '../../src/modules/integrations/service'
import type { IntegrationCheck } from '../../src/db/schema'
import { Field, FormMessage, SelectField, type FormState } from '../components/form'
import { Alert, Badge, CopyField, EmptyState, PageHeader, Time } from '../components/ui'
import { AccountTabs } from '../account/tabs'

export type SetupValues = { platformAccountId: string; externalId: string; trustPolicy: string; bucketPolicy: string; configured: boolean }
export type DatasetOption = { id: string; name: string; integration_id: string | null }

function ValidityBadge({ i }: { i: IntegrationView }) {
  if (i.valid) return <Badge tone="green">Valid</Badge>
  if (i.validated_at) return <Badge tone="red">Validation failed</Badge>
  return <Badge tone="amber">Not validated</Badge>
}

/** A multi-line value with a copy button (policies). */
function CopyBlock(props: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <div class="row" style="justify-content:space-between;align-items:center">
        <label for={props.id}>{props.label}</label>
        <button type="button" class="btn btn-sm" data-copy={`#${props.id}`}>
          Copy
        </button>
      </div>
      <textarea class="input code-block" id={props.id} readonly rows={props.value.split('\n').length} spellcheck={false}>
        {props.value}
      </textarea>
    </div>
  )
}

function Setup({ s }: { s: SetupValues }) {
  return (
    <section class="card" id="aws-setup">
      <h2>Connect a private S3 bucket</h2>
      <p class="muted">
        Create an IAM role in your AWS account that LabelDesk may assume, instead of giving us keys. LabelDesk then shows your assets
        through presigned URLs that expire within 15 minutes.
      </p>
      {s.configured ? null : (
        <Alert tone="warning" title="AWS is not configured on this installation.">
          The operator must set the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY secrets and PLATFORM_AWS_ACCOUNT_ID before roles can be
          assumed.
        </Alert>
      )}
      <ol class="steps">
        <li>
          In IAM, create a role for <em>another AWS account</em> with the account id and external id below (or paste the trust policy).
        </li>
        <li>
          Give the role read access to your bucket (the bucket policy below, with your bucket name, or the same statement as the role's
          permissions policy).
        </li>
        <li>Add the integration here with the role's ARN, and validate it.</li>
      </ol>
      <div class="grid-2">
        <CopyField id="platform-account-id" label="LabelDesk AWS account id" value={s.platformAccountId || 'not configured'} />
        <CopyField id="external-id" label="External id (your organization's)" value={s.externalId} />
      </div>
      <div class="grid-2">
        <CopyBlock id="trust-policy" label="Trust policy" value={s.trustPolicy} />
        <CopyBlock id="bucket-policy" label="Bucket policy (replace YOUR-BUCKET)" value={s.bucketPolicy} />
      </div>
    </section>
  )
}

export function CreateIntegrationForm(props: { state?: FormState }) {
  const st = props.state
  return (
    <section class="card" id="new-integration">
      <h2>New AWS integration</h2>
      <form class="form" method="post" action="/account/integrations" style="margin-top:12px">
        <FormMessage state={st} fields={['name', 'role_arn', 'is_org_default']} />
        <Field name="name" label="Name" state={st} required maxlength={200} placeholder="Production images" />
        <Field
          name="role_arn"
          label="Role ARN"
          state={st}
          maxlength={2100}
          placeholder="arn:aws:iam::123456789012:role/LabelDeskAccess"
          autocomplete="off"
          help="The role you created with the trust policy above."
        />
        <label class="checkbox">
          <input type="checkbox" name="is_org_default" value="true" checked={st?.values?.is_org_default === true} /> Default for new
          datasets
        </label>
        <div class="form-actions">
          <button class="btn btn-primary" type="submit">
            Add integration
          </button>
        </div>
      </form>
    </section>
  )
}

function ComingSoon() {
  return (
    <div class="grid-2 section" id="coming-soon">
      {['Google Cloud Storage', 'Azure Blob Storage'].map((name) => (
        <div class="card muted-card">
          <h3>
            {name} <Badge tone="neutral">Coming soon</Badge>
          </h3>
          <p class="muted small">Delegated access for {name} is planned. Until then, use signed URLs in your row data.</p>
        </div>
      ))}
    </div>
  )
}

export function IntegrationsPage(props: { integrations: IntegrationView[]; setup: SetupValues; state?: FormState; notice?: string }) {
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/integrations" />
      {props.notice ? <Alert tone="success" title={props.notice} /> : null}
      <Setup s={props.setup} />
      <div class="section">
        <h2>AWS integrations</h2>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Status</th>
                <th>Last valid</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody id="integration-rows">
              {props.integrations.map((i) => (
                <tr id={`integration-${i.id}`}>
                  <td class="primary-cell">
                    <a href={`/account/integrations/${i.id}`}>{i.name}</a> {i.is_org_default ? <Badge tone="blue">Default</Badge> : null}
                  </td>
                  <td>{i.role_arn ? <code class="small">{i.role_arn}</code> : <span class="muted">No role yet</span>}</td>
                  <td>
                    <ValidityBadge i={i} />
                  </td>
                  <td>{i.last_valid_at ? <Time value={i.last_valid_at} /> : '—'}</td>
                  <td class="actions">
                    <a class="btn btn-sm" href={`/account/integrations/${i.id}`}>
                      Open
                    </a>
                  </td>
                </tr>
              ))}
              {props.integrations.length ? null : (
                <tr class="empty-row">
                  <td colspan={5}>
                    <EmptyState title="No integrations yet">Add one below to show images from your own S3 bucket.</EmptyState>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      <CreateIntegrationForm state={props.state} />
      <ComingSoon />
    </>
  )
}

export function Checks({ checks }: { checks: IntegrationCheck[] }) {
  const label: Record<string, string> = { role_arn_format: 'Role ARN format', assume_role: 'Assume role', read_access: 'Read access' }
  return (
    <ul class="checks" id="checks">
      {checks.map((c) => (
        <li class={c.success ? 'check-ok' : 'check-failed'}>
          <span class="check-mark" aria-hidden="true">
            {c.success ? '✓' : '✗'}
          </span>
          <div>
            <strong>{label[c.name] ?? c.name}</strong> <span class="visually-hidden">{c.success ? 'passed' : 'failed'}</span>
            <div class="small">{c.message}</div>
          </div>
        </li>
      ))}
    </ul>
  )
}

export function IntegrationDetailPage(props: {
  i: IntegrationView
  datasets: DatasetOption[]
  setup: SetupValues
  state?: FormState
  validateState?: FormState
  attachState?: FormState
  notice?: string
  error?: string
}) {
  const { i } = props
  const st = props.state
  const base = `/account/integrations/${i.id}`
  const using = props.datasets.filter((d) => d.integration_id === i.id)
  const others = props.datasets.filter((d) => d.integration_id !== i.id)
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/integrations" />
      <p>
        <a href="/account/integrations">← All integrations</a>
      </p>
      {props.notice ? <Alert tone="success" title={props.notice} /> : null}
      {props.error ? <Alert tone="error" title={props.error} /> : null}
      <div class="grid-2">
        <section class="card" id="integration-settings">
          <h2>
            {i.name} <ValidityBadge i={i} /> {i.is_org_default ? <Badge tone="blue">Default</Badge> : null}
          </h2>
          <form class="form" method="post" action={base} style="margin-top:12px">
            <FormMessage state={st} fields={['name', 'role_arn', 'is_org_default']} />
            <Field name="name" label="Name" state={st} value={st ? undefined : i.name} required maxlength={200} />
            <Field
              name="role_arn"
              label="Role ARN"
              state={st}
              value={st ? undefined : (i.role_arn ?? '')}
              maxlength={2100}
              autocomplete="off"
              help="Changing the role means validating again."
            />
            <label class="checkbox">
              <input
                type="checkbox"
                name="is_org_default"
                value="true"
                checked={st ? st.values?.is_org_default === true : i.is_org_default}
              />{' '}
              Default for new datasets
            </label>
            <div class="form-actions">
              <button class="btn btn-primary" type="submit">
                Save
              </button>
            </div>
          </form>
        </section>
        <section class="card" id="validate">
          <h2>Validate</h2>
          <p class="muted small">
            Checks the role ARN, assumes the role with your external id <code>{i.external_id}</code>, and reads one object.
          </p>
          <form class="form" method="post" action={`${base}/validate`} hx-disabled-elt="find button">
            <FormMessage state={props.validateState} fields={['test_object_url']} />
            <Field
              name="test_object_url"
              label="Test object (optional)"
              state={props.validateState}
              maxlength={2000}
              placeholder="s3://your-bucket/path/image.jpg"
              help="Default: the first S3 row of a dataset that uses this integration."
            />
            <div class="form-actions">
              <button class="btn btn-primary" type="submit">
                Validate
              </button>
            </div>
          </form>
          {i.checks.length ? (
            <>
              <h3 class="small" style="margin-top:12px">
                Last validation {i.validated_at ? <Time value={i.validated_at} /> : null}
              </h3>
              <Checks checks={i.checks} />
            </>
          ) : (
            <p class="muted small">Not validated yet.</p>
          )}
        </section>
      </div>
      <section class="card section" id="integration-datasets">
        <h2>Datasets using it</h2>
        {using.length ? (
          <ul class="plain-list">
            {using.map((d) => (
              <li class="row" style="justify-content:space-between">
                <a href={`/datasets/${d.id}`}>{d.name}</a>
                <form
                  method="post"
                  action={`${base}/datasets/${d.id}/detach`}
                  hx-confirm={`Stop using ${i.name} for ${d.name}? Its S3 rows stop showing.`}
                  data-confirm-label="Detach"
                >
                  <button class="btn btn-sm" type="submit">
                    Detach
                  </button>
                </form>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No dataset uses this integration yet.</p>
        )}
        {others.length ? (
          <form class="form row" method="post" action={`${base}/datasets`} style="margin-top:12px;align-items:flex-end;gap:8px">
            <FormMessage state={props.attachState} fields={['integration_id', 'dataset_id']} />
            <SelectField
              name="dataset_id"
              label="Attach to a dataset"
              state={props.attachState}
              options={others.map((d) => ({ value: d.id, label: d.name }))}
              help={i.valid ? undefined : 'Only a validated integration can be attached.'}
            />
            <div class="form-actions">
              <button class="btn" type="submit" disabled={!i.valid}>
                Attach
              </button>
            </div>
          </form>
        ) : null}
      </section>
      <section class="card section danger-zone" id="danger-zone">
        <h2>Delete</h2>
        <p class="muted small">An integration that datasets use cannot be deleted; detach them first.</p>
        <form
          method="post"
          action={`${base}/delete`}
          hx-confirm={`Delete the integration ${i.name}?`}
          data-confirm-label="Delete integration"
        >
          <button class="btn btn-danger" type="submit">
            Delete integration
          </button>
        </form>
      </section>
    </>
  )
}
