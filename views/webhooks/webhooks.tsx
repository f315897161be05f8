/** @module Account → Webhooks: list, create (secret shown once), edit, activate/deactivate, rotate,
 * ping, delete, and per webhook its delivery log with Redeliver. */
import type { DeliveryView, WebhookView } from '../../src/modules/webhooks/service'
import { Field, FormMessage, SelectField, fieldError, type FormState } from '../components/form'
import { Alert, Badge, CopyField, EmptyState, PageHeader, Time } from '../components/ui'
import { AccountTabs } from '../account/tabs'

export type ProjectOption = { id: string; name: string }
/** What the forms offer: the projects a webhook may be scoped to, and every topic (from the route). */
type Choices = { projects: ProjectOption[]; topics: readonly string[] }

function TopicChoices(props: { state?: FormState; checked: string[]; topics: readonly string[] }) {
  const err = fieldError(props.state, 'topics')
  return (
    <fieldset class={`field${err ? ' has-error' : ''}`}>
      <legend>Topics</legend>
      {props.topics.map((t) => (
        <label class="checkbox">
          <input type="checkbox" name="topics" value={t} checked={props.checked.includes(t)} /> <code>{t}</code>
        </label>
      ))}
      {err ? <div class="error">{err}</div> : null}
    </fieldset>
  )
}

const projectOptions = (projects: ProjectOption[]) => [
  { value: '', label: 'All projects (organization-wide)' },
  ...projects.map((p) => ({ value: p.id, label: p.name })),
]

export function SecretBox(props: { secret: string; what: string }) {
  return (
    <div class="secret-box" role="status">
      <p>
        <strong>{props.what}</strong> Copy the signing secret now: it will not be shown again.
      </p>
      <CopyField id="new-secret" value={props.secret} label="Signing secret" />
    </div>
  )
}

/** What the delivery side does, given by the route from src/modules/webhooks/delivery.ts and
 * ssrf.ts (views import no values from src). */
export type DeliveryFacts = {
  retryDelaysSeconds: readonly number[]
  timeoutMs: number
  maxConsecutiveFailures: number
  /** `WEBHOOK_ALLOW_PRIVATE_TARGETS=true`: this deployment accepts http and private addresses. */
  allowPrivate: boolean
}

const duration = (s: number) => (s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : `${s / 3600} h`)

export function targetHelp(allowPrivate: boolean) {
  return allowPrivate
    ? 'This deployment accepts http and private or loopback addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS is on, for local development); production refuses them.'
    : 'https only. Loopback, private and link-local addresses (and names such as localhost or *.internal) are refused, so a webhook cannot reach internal services.'
}

const NODE_STANDARD = `// Node 18+: verify a Standard Webhooks signature (webhook-signature header)
import { createHmac, timingSafeEqual } from 'node:crypto'

function verify(secret, headers, rawBody) {
  const id = headers['webhook-id']
  const ts = headers['webhook-timestamp']
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false // replayed or stale
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret)
  const expected = createHmac('sha256', key).update(\`\${id}.\${ts}.\${rawBody}\`).digest()
  // During a rotation the header holds two signatures: "v1,<sig> v1,<sig>".
  return headers['webhook-signature'].split(' ').some((part) => {
    const sig = Buffer.from(part.replace(/^v1,/, ''), 'base64')
    return sig.length === expected.length && timingSafeEqual(sig, expected)
  })
}`

const PYTHON_HUB = `# Python: verify the Labelbox-compatible X-Hub-Signature-256 header
import hashlib, hmac

def verify(secret: str, header: str, raw_body: bytes) -> bool:
    # The key is the secret exactly as shown, whsec_ included.
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header, "sha256=" + digest)
# X-Hub-Signature is the same with hashlib.sha1 and the prefix "sha1=".`

/** The setup help of the Webhooks tab: what is signed and how to check it, the topics, retries. */
export function WebhookHelp(props: { topics: readonly string[]; facts: DeliveryFacts }) {
  const f = props.facts
  const total = f.retryDelaysSeconds.reduce((a, b) => a + b, 0)
  return (
    <section class="card" id="webhook-help">
      <h2>Receiving webhooks</h2>
      <p>
        Each event is an HTTP <code>POST</code> with a JSON body. Answer with any 2xx within {f.timeoutMs / 1000} s; read the body as raw
        bytes and check a signature before you parse it. Every retry of an event sends the same bytes and the same <code>webhook-id</code>,
        so deduplicate on it.
      </p>
      <h3>Signatures</h3>
      <ul>
        <li>
          <strong>Standard Webhooks</strong>: <code>webhook-signature: v1,&lt;base64&gt;</code> is HMAC-SHA256 of{' '}
          <code>{'{webhook-id}.{webhook-timestamp}.{body}'}</code>. Its key is the base64 part after <code>whsec_</code> (a secret you chose
          yourself is used as its UTF-8 bytes). After a secret rotation the header carries two signatures for 24 hours; accept either.
        </li>
        <li>
          <strong>Labelbox-compatible</strong>: <code>X-Hub-Signature-256: sha256=&lt;hex&gt;</code> (and{' '}
          <code>X-Hub-Signature: sha1=…</code>) is an HMAC of the body alone, keyed with the secret string as shown, <code>whsec_</code>{' '}
          included.
        </li>
      </ul>
      <details class="help-snippet">
        <summary>Node: check webhook-signature</summary>
        <pre>
          <code>{NODE_STANDARD}</code>
        </pre>
      </details>
      <details class="help-snippet">
        <summary>Python: check X-Hub-Signature-256</summary>
        <pre>
          <code>{PYTHON_HUB}</code>
        </pre>
      </details>
      <h3>Topics</h3>
      <p>
        {props.topics.map((t) => (
          <>
            <code>{t}</code>{' '}
          </>
        ))}
        — and <code>PING</code>, sent only by a webhook's Ping button.
      </p>
      <h3>Retries</h3>
      <p>
        Network errors, timeouts, 408, 429 and 5xx answers are retried after {f.retryDelaysSeconds.map(duration).join(', ')} (about{' '}
        {Math.round(total / 3600)} h in all; a <code>Retry-After</code> header is honoured). Any other answer, redirects included, is final.
        After {f.maxConsecutiveFailures} events in a row fail, the webhook is deactivated and says why here.
      </p>
      <h3>Payload URL</h3>
      <p class="muted">{targetHelp(f.allowPrivate)}</p>
    </section>
  )
}

export function CreateWebhookForm(props: Choices & { state?: FormState; allowPrivate?: boolean }) {
  const st = props.state
  const checked = (st?.values?.topics as string[] | undefined) ?? ['LABEL_CREATED', 'LABEL_UPDATED', 'LABEL_DELETED']
  return (
    <section class="card" id="create-webhook">
      <h2>Add a webhook</h2>
      <form class="form" method="post" action="/account/webhooks" style="margin-top:12px">
        <FormMessage state={st} fields={['url', 'secret', 'topics', 'project_id']} />
        <Field
          name="url"
          label="Payload URL"
          state={st}
          required
          maxlength={2000}
          placeholder="https://example.com/labeldesk-hook"
          help={
            props.allowPrivate
              ? 'http or https; this deployment also accepts private addresses.'
              : 'https only; private and loopback addresses are refused.'
          }
        />
        <Field
          name="secret"
          label="Secret (optional)"
          state={st}
          maxlength={200}
          autocomplete="off"
          help="Leave empty to generate one (shown once)."
        />
        <SelectField name="project_id" label="Scope" state={st} options={projectOptions(props.projects)} />
        <TopicChoices state={st} checked={checked} topics={props.topics} />
        <div class="form-actions">
          <button class="btn btn-primary" type="submit">
            Add webhook
          </button>
        </div>
      </form>
    </section>
  )
}

function StatusBadge({ w }: { w: WebhookView }) {
  return w.status === 'ACTIVE' ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge>
}

export function WebhooksPage(
  props: Choices & { webhooks: WebhookView[]; state?: FormState; created?: WebhookView & { secret?: string }; facts: DeliveryFacts },
) {
  const name = (id: string | null) => (id ? (props.projects.find((p) => p.id === id)?.name ?? id) : 'All projects')
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/webhooks" />
      {props.created ? (
        props.created.secret ? (
          <SecretBox secret={props.created.secret} what={`Webhook for ${props.created.url} added.`} />
        ) : (
          <Alert tone="success" title="Webhook added." />
        )
      ) : null}
      <div class="section">
        <h2>Webhooks</h2>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>URL</th>
                <th>Scope</th>
                <th>Topics</th>
                <th>Status</th>
                <th>Created</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody id="webhook-rows">
              {props.webhooks.map((w) => (
                <tr id={`webhook-${w.id}`}>
                  <td class="primary-cell">
                    <a href={`/account/webhooks/${w.id}`}>
                      <code>{w.url}</code>
                    </a>
                  </td>
                  <td>{name(w.project_id)}</td>
                  <td>
                    {w.topics.map((t) => (
                      <>
                        <code>{t}</code>{' '}
                      </>
                    ))}
                  </td>
                  <td>
                    <StatusBadge w={w} />
                    {w.disabled_reason ? <div class="muted small">{w.disabled_reason}</div> : null}
                  </td>
                  <td>
                    <Time value={w.created_at} />
                  </td>
                  <td class="actions">
                    <a class="btn btn-sm" href={`/account/webhooks/${w.id}`}>
                      Open
                    </a>
                  </td>
                </tr>
              ))}
              {props.webhooks.length ? null : (
                <tr class="empty-row">
                  <td colspan={6}>
                    <EmptyState title="No webhooks yet">Webhooks send signed label, review and task events to your own systems.</EmptyState>
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      <CreateWebhookForm projects={props.projects} topics={props.topics} state={props.state} allowPrivate={props.facts.allowPrivate} />
      <WebhookHelp topics={props.topics} facts={props.facts} />
    </>
  )
}

/**
 * The delivery log, refreshing itself: every few seconds it asks for the log with the newest
 * attempt it shows; the server answers 204 (htmx keeps the section as is, an opened response
 * body stays open) until a new attempt exists, then the fresh section.
 */
export function DeliveriesSection(props: { base: string; deliveries: DeliveryView[] }) {
  const { base } = props
  const newest = props.deliveries[0]?.id ?? ''
  return (
    <div
      class="section"
      id="deliveries-section"
      hx-get={`${base}/deliveries?newest=${encodeURIComponent(newest)}`}
      hx-trigger="every 3s"
      hx-swap="outerHTML"
    >
      <h2>Deliveries</h2>
      <div class="table-wrap">
        <table class="table" id="deliveries">
          <thead>
            <tr>
              <th>Time</th>
              <th>Topic</th>
              <th>Event</th>
              <th>Attempt</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Response</th>
              <th class="actions">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.deliveries.map((d) => (
              <tr id={`delivery-${d.id}`}>
                <td>
                  <Time value={d.created_at} />
                </td>
                <td>
                  <code>{d.topic}</code>
                </td>
                <td>
                  <code>{d.event_id}</code>
                </td>
                <td>{d.attempt}</td>
                <td>
                  {d.status_code !== null && d.status_code >= 200 && d.status_code < 300 ? (
                    <Badge tone="green">{String(d.status_code)}</Badge>
                  ) : (
                    <Badge tone="red">{d.status_code === null ? 'No answer' : String(d.status_code)}</Badge>
                  )}
                  {d.next_attempt_at ? (
                    <div class="muted small">
                      retry <Time value={d.next_attempt_at} />
                    </div>
                  ) : null}
                </td>
                <td>{d.duration_ms === null ? '—' : `${d.duration_ms} ms`}</td>
                <td>
                  {d.error ? <div class="small">{d.error}</div> : null}
                  {d.response_excerpt ? (
                    <details>
                      <summary class="small">Body</summary>
                      <pre class="small">{d.response_excerpt}</pre>
                    </details>
                  ) : null}
                </td>
                <td class="actions">
                  <form method="post" action={`${base}/deliveries/${d.id}/redeliver`}>
                    <button class="btn btn-sm" type="submit">
                      Redeliver
                    </button>
                  </form>
                </td>
              </tr>
            ))}
            {props.deliveries.length ? null : (
              <tr class="empty-row">
                <td colspan={8}>
                  <EmptyState title="No deliveries yet">
                    Press Ping to send a test event. Deliveries are queued and appear here within seconds.
                  </EmptyState>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  )
}

export function WebhookDetailPage(
  props: Choices & { w: WebhookView; deliveries: DeliveryView[]; state?: FormState; secret?: string; notice?: string },
) {
  const { w } = props
  const st = props.state
  const base = `/account/webhooks/${w.id}`
  return (
    <>
      <PageHeader title="Account" />
      <AccountTabs current="/account/webhooks" />
      <p>
        <a href="/account/webhooks">← All webhooks</a>
      </p>
      {props.secret ? (
        <SecretBox secret={props.secret} what="Secret rotated. The previous secret keeps signing alongside it for 24 hours." />
      ) : null}
      {props.notice ? <Alert tone="success" title={props.notice} /> : null}
      {w.status === 'INACTIVE' ? (
        <Alert tone="warning" title="This webhook is inactive.">
          {w.disabled_reason ? <div>{w.disabled_reason}</div> : null}
        </Alert>
      ) : null}
      <section class="card" id="webhook-settings">
        <h2>
          <code>{w.url}</code> <StatusBadge w={w} />
        </h2>
        <form class="form" method="post" action={base} style="margin-top:12px">
          <FormMessage state={st} fields={['url', 'topics', 'project_id']} />
          <Field name="url" label="Payload URL" state={st} value={st ? undefined : w.url} required maxlength={2000} />
          <SelectField
            name="project_id"
            label="Scope"
            state={st}
            value={st ? undefined : (w.project_id ?? '')}
            options={projectOptions(props.projects)}
          />
          <TopicChoices state={st} checked={(st?.values?.topics as string[] | undefined) ?? w.topics} topics={props.topics} />
          <div class="form-actions">
            <button class="btn btn-primary" type="submit">
              Save
            </button>
          </div>
        </form>
        <div class="row" style="margin-top:12px;gap:8px;flex-wrap:wrap">
          <form method="post" action={`${base}/ping`}>
            <button class="btn" type="submit">
              Ping
            </button>
          </form>
          <form method="post" action={`${base}/status`}>
            <input type="hidden" name="status" value={w.status === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE'} />
            <button class="btn" type="submit">
              {w.status === 'ACTIVE' ? 'Deactivate' : 'Activate'}
            </button>
          </form>
          <form
            method="post"
            action={`${base}/rotate`}
            hx-confirm="Rotate the signing secret? The old one keeps signing alongside the new one for 24 hours."
            data-confirm-label="Rotate"
          >
            <button class="btn" type="submit">
              Rotate secret
            </button>
          </form>
          <form
            method="post"
            action={`${base}/delete`}
            hx-confirm={`Delete the webhook for ${w.url}? Its delivery log goes too.`}
            data-confirm-label="Delete webhook"
          >
            <button class="btn btn-danger" type="submit">
              Delete
            </button>
          </form>
        </div>
        {w.secret_rotation_ends_at ? (
          <p class="muted small">
            The previous secret signs alongside the new one until <Time value={w.secret_rotation_ends_at} />.
          </p>
        ) : null}
      </section>
      <DeliveriesSection base={base} deliveries={props.deliveries} />
    </>
  )
}
