/** @module Project settings beyond General: Members (project roles), Data (batches) and the
 * danger zone. Each section is one card that htmx swaps whole after a change. */
import type { BatchView } from '../../src/modules/projects/batches'
import type { ProjectMemberView } from '../../src/modules/projects/members'
import type { ProjectView } from '../../src/modules/projects/service'
import type { DatasetChoice } from '../../src/modules/datasets/service'
import { formatNumber } from '../format'
import { fieldError, FormMessage, type FormState } from '../components/form'
import { Alert, Badge, EmptyState, RoleBadge, roleLabel, Time } from '../components/ui'
import { DatabaseIcon, SearchIcon, UsersIcon } from '../components/icons'
import { ProjectHeader } from './parts'

export type SettingsSection = 'general' | 'members' | 'data'

export function SettingsNav(props: { id: string; current: SettingsSection; canEdit: boolean; canDelete: boolean }) {
  const base = `/projects/${props.id}/settings`
  const items: { key: SettingsSection | 'danger'; href: string; label: string }[] = [
    ...(props.canEdit ? [{ key: 'general' as const, href: base, label: 'General' }] : []),
    { key: 'members', href: `${base}/members`, label: 'Members' },
    { key: 'data', href: `${base}/data`, label: 'Data' },
    ...(props.canDelete ? [{ key: 'danger' as const, href: `${base}#danger`, label: 'Danger zone' }] : []),
  ]
  return (
    <nav class="settings-nav" aria-label="Settings">
      {items.map((i) => (
        <a href={i.href} class={i.key === 'danger' ? 'danger' : undefined} aria-current={i.key === props.current ? 'page' : undefined}>
          {i.label}
        </a>
      ))}
    </nav>
  )
}

function SettingsFrame(props: { p: ProjectView; current: SettingsSection; canEdit: boolean; canDelete: boolean; children: unknown }) {
  return (
    <>
      <ProjectHeader p={props.p} current="settings" canEdit={props.canEdit} />
      <div class="settings-layout">
        <SettingsNav id={props.p.id} current={props.current} canEdit={props.canEdit} canDelete={props.canDelete} />
        <div class="settings-main">{props.children as never}</div>
      </div>
    </>
  )
}

export function DangerZone({ p }: { p: ProjectView }) {
  return (
    <section class="card danger-zone" id="danger">
      <h2>Danger zone</h2>
      <div class="danger-row">
        <div>
          <strong>Delete this project</strong>
          <p class="muted small">
            Removes the project with its batches, members' project roles and labels. Data rows stay in their datasets. A big project is
            deleted in the background; follow it in Tasks.
          </p>
        </div>
        <form
          method="post"
          action={`/projects/${p.id}/delete`}
          data-confirm={`Delete project “${p.name}”?`}
          data-confirm-label="Delete project"
        >
          <button class="btn btn-danger" type="submit">
            Delete project
          </button>
        </form>
      </div>
    </section>
  )
}

// Members ---------------------------------------------------------------------------------------

const PROJECT_ROLE_CHOICES = ['LABELER', 'REVIEWER', 'TEAM_MANAGER'] as const
type Addable = { user_id: string; email: string; full_name: string; org_role: string }

export type MembersProps = {
  p: ProjectView
  members: ProjectMemberView[]
  /** The picker's choices: a bounded page (newest first, shown by name); `addableMore` when a search would find more. */
  addable: Addable[]
  addableMore?: boolean
  /** The picker's search (name or email). */
  memberSearch?: string
  canManage: boolean
  /** An admin: may make a member with an org role project-based to give them a role here. */
  canConvert?: boolean
  selfId: string
  state?: FormState
  done?: string
}

function MemberRow(props: { m: ProjectMemberView; p: ProjectView; canManage: boolean; selfId: string }) {
  const { m, p } = props
  const editable = props.canManage && m.access_from === 'PROJECT'
  const url = `/projects/${p.id}/settings/members`
  return (
    <tr id={`pm-${m.user_id}`}>
      <td class="primary-cell">
        <strong>{m.full_name}</strong> {m.user_id === props.selfId ? <Badge>You</Badge> : null}
        <div class="sub">{m.email}</div>
      </td>
      <td>
        {editable ? (
          <form class="row" method="post" action={url} hx-post={url} hx-trigger="change" hx-target="#project-members" hx-swap="outerHTML">
            <input type="hidden" name="user_id" value={m.user_id} />
            <label class="visually-hidden" for={`pm-role-${m.user_id}`}>
              Project role of {m.full_name}
            </label>
            <select class="select select-auto" id={`pm-role-${m.user_id}`} name="role">
              {PROJECT_ROLE_CHOICES.map((r) => (
                <option value={r} selected={r === m.role}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
            <noscript>
              <button class="btn btn-sm" type="submit">
                Change
              </button>
            </noscript>
          </form>
        ) : (
          <RoleBadge role={m.role} />
        )}
      </td>
      <td>
        {m.access_from === 'ORGANIZATION' ? (
          <Badge title="Their org role applies to every project; change it on the Members tab">via organization</Badge>
        ) : (
          <Badge tone="blue">project role</Badge>
        )}
      </td>
      <td class="actions">
        {editable ? (
          <form
            method="post"
            action={`${url}/${m.user_id}/remove`}
            hx-post={`${url}/${m.user_id}/remove`}
            hx-target="#project-members"
            hx-swap="outerHTML"
            hx-confirm={`Remove ${m.full_name} from project “${p.name}”?`}
            data-confirm-label="Remove"
          >
            <button class="btn btn-sm btn-ghost" type="submit" aria-label={`Remove ${m.full_name} from the project`}>
              Remove
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}

type PickerProps = { addable: Addable[]; more?: boolean; search?: string; canConvert?: boolean; selected?: string; error?: string }

/** What the picker holds, said once the search has answered (a polite live region). */
function PickerStatus(props: PickerProps & { oob?: boolean }) {
  const n = props.addable.length
  const text = props.search
    ? n
      ? `${n}${props.more ? '+' : ''} ${n === 1 && !props.more ? 'member matches' : 'members match'} “${props.search}”${props.more ? ': type more to narrow the list.' : '.'}`
      : `No member to add matches “${props.search}”.`
    : props.more
      ? `The ${n} most recently added members are listed: search by name or email to find the others.`
      : ''
  return (
    <p class="help" id="member-picker-status" role="status" hx-swap-oob={props.oob ? 'true' : undefined}>
      {text}
    </p>
  )
}

/** The member select of the add-member form; a search swaps it (GET …/settings/members/addable). */
export function MemberPicker(props: PickerProps & { oob?: boolean }) {
  const based = props.addable.filter((a) => a.org_role === 'NONE')
  const withOrgRole = props.canConvert ? props.addable.filter((a) => a.org_role !== 'NONE') : []
  return (
    <>
      <select
        class="select"
        id="f-user_id"
        name="user_id"
        required
        aria-describedby="member-picker-status f-user_id-help"
        aria-invalid={props.error ? 'true' : undefined}
      >
        {based.length ? (
          <optgroup label="Project-based members">
            {based.map((a) => (
              <option value={a.user_id} selected={a.user_id === props.selected}>
                {a.full_name} ({a.email})
              </option>
            ))}
          </optgroup>
        ) : null}
        {withOrgRole.length ? (
          <optgroup label="With an org role (they become project-based)">
            {withOrgRole.map((a) => (
              <option value={a.user_id} selected={a.user_id === props.selected} data-org-role={a.org_role}>
                {a.full_name} ({a.email}) · {roleLabel(a.org_role)} in the organization
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
      {props.oob ? <PickerStatus {...props} oob /> : null}
    </>
  )
}

function AddMemberForm(props: {
  p: ProjectView
  addable: Addable[]
  addableMore?: boolean
  memberSearch?: string
  canConvert?: boolean
  state?: FormState
}) {
  const url = `/projects/${props.p.id}/settings/members`
  const userErr = fieldError(props.state, 'user_id')
  const roleErr = fieldError(props.state, 'role')
  const convertErr = fieldError(props.state, 'make_project_based')
  const v = props.state?.values ?? {}
  const search = props.memberSearch ?? ''
  const picker: PickerProps = {
    addable: props.addable,
    more: props.addableMore,
    search,
    canConvert: props.canConvert,
    selected: v.user_id == null ? undefined : String(v.user_id),
    error: userErr,
  }
  const explain = (
    <div class="help add-member-help" id="f-user_id-help">
      Someone with an org role (labeler, reviewer, team manager, admin) already has that role in every project, and it wins over a project
      role: a project role changes nothing for them.{' '}
      {props.canConvert
        ? 'To give them a different role here, make them project-based: their org role goes, and they see only the projects where they have a project role (this one, and any they had before).'
        : 'To give them a role in this project only, an admin makes them project-based (here or on the Members tab).'}
    </div>
  )
  if (!props.addable.length && !search) {
    return (
      <div class="add-hint">
        <p class="muted small">
          Every project-based member already has a role here. To add someone, invite them on the <a href="/members">Members tab</a> with the
          role “Project-based”.
        </p>
        {explain}
      </div>
    )
  }
  return (
    <div class="add-member-wrap">
      {/* Its own form, before the add form: Enter in the search field searches, it never adds. */}
      <form class="search member-search" role="search" method="get" action={url}>
        <SearchIcon />
        <label class="visually-hidden" for="f-member-search">
          Find a member to add
        </label>
        <input
          class="input"
          id="f-member-search"
          type="search"
          name="member_search"
          value={search}
          placeholder="Find a member by name or email"
          autocomplete="off"
          aria-controls="f-user_id"
          hx-get={`${url}/addable`}
          hx-trigger="input changed delay:250ms, search"
          hx-target="#f-user_id"
          hx-swap="outerHTML"
          hx-sync="this:replace"
        />
      </form>
      <form class="form add-member" method="post" action={url} hx-post={url} hx-target="#project-members" hx-swap="outerHTML">
        <FormMessage state={props.state} fields={['user_id', 'role', 'make_project_based']} />
        <div class="form-row">
          <div class={`field${userErr ? ' has-error' : ''}`}>
            <label for="f-user_id">Member</label>
            <MemberPicker {...picker} />
            <PickerStatus {...picker} />
            {userErr ? <div class="error">{userErr}</div> : null}
          </div>
          <div class={`field${roleErr ? ' has-error' : ''}`}>
            <label for="f-role">Project role</label>
            <select class="select" id="f-role" name="role">
              {PROJECT_ROLE_CHOICES.map((r) => (
                <option value={r} selected={r === (v.role ?? 'LABELER')}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
            {roleErr ? <div class="error">{roleErr}</div> : null}
          </div>
        </div>
        {props.canConvert ? (
          <div class={`field check-field${convertErr ? ' has-error' : ''}`}>
            <label class="check">
              <input
                type="checkbox"
                name="make_project_based"
                value="1"
                checked={v.make_project_based === '1'}
                aria-invalid={convertErr ? 'true' : undefined}
              />{' '}
              Make them project-based if they have an org role
            </label>
            {convertErr ? <div class="error">{convertErr}</div> : null}
          </div>
        ) : null}
        {explain}
        <div class="form-actions">
          <button class="btn btn-primary" type="submit">
            Add to project
          </button>
        </div>
      </form>
    </div>
  )
}

export function MembersSection(props: MembersProps) {
  const { p } = props
  return (
    <section class="card" id="project-members">
      <h2>Members</h2>
      <p class="muted">
        Members with an org role see every project through the organization. Project-based members see only the projects they hold a role
        in.
      </p>
      {props.done ? (
        <div class="notice">
          <Alert tone="success">{props.done}</Alert>
        </div>
      ) : null}
      {props.canManage ? (
        <AddMemberForm
          p={p}
          addable={props.addable}
          addableMore={props.addableMore}
          memberSearch={props.memberSearch}
          canConvert={props.canConvert}
          state={props.state}
        />
      ) : props.state ? (
        <FormMessage state={props.state} />
      ) : null}
      {props.members.length ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Access</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <MemberRow m={m} p={p} canManage={props.canManage} selfId={props.selfId} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState title="Nobody has access yet" icon={<UsersIcon />} />
      )}
    </section>
  )
}

export function MembersSettingsPage(props: MembersProps & { canEdit: boolean; canDelete: boolean }) {
  return (
    <SettingsFrame p={props.p} current="members" canEdit={props.canEdit} canDelete={props.canDelete}>
      <MembersSection {...props} />
    </SettingsFrame>
  )
}

// Data ------------------------------------------------------------------------------------------

export type DataProps = {
  p: ProjectView
  batches: BatchView[]
  canManage: boolean
  /** May also create datasets: offers uploading files into a new dataset attached to the project. */
  canUpload?: boolean
  state?: FormState
  uploadState?: FormState
  /** What the last change did ("Attached 120 data rows …"). */
  done?: string
  /** The organization's datasets for the picker; absent when the person may not list them (then
   * the form asks for an id). `more`: the list was cut, so the form asks for an id and suggests the listed ones. */
  datasets?: { items: DatasetChoice[]; more: boolean }
}

/** Files from the computer → a new dataset → a batch of this project, in one go. The upload itself
 * happens on the new dataset's page (progress per file, big files in parts); the batch is made when
 * the files are in (public/js/uploads.js). */
function UploadIntoProject(props: { p: ProjectView; state?: FormState }) {
  const url = `/projects/${props.p.id}/settings/data/upload`
  const st = props.state
  const nameErr = fieldError(st, 'name')
  const v = st?.values ?? {}
  return (
    <form class="form attach-form" method="post" action={url} hx-boost="false" id="upload-into-project">
      <h3>Upload files into a new dataset</h3>
      <p class="muted small">
        Creates the dataset, opens its upload panel, and adds the files to this project as a batch once they are uploaded.
      </p>
      <FormMessage state={st} fields={['name', 'priority']} />
      <div class="form-row two">
        <div class={`field${nameErr ? ' has-error' : ''}`}>
          <label for="f-upload-dataset-name">New dataset name</label>
          <input
            class="input"
            id="f-upload-dataset-name"
            name="name"
            required
            maxlength={200}
            autocomplete="off"
            value={v.name == null ? `${props.p.name} uploads` : String(v.name)}
            aria-invalid={nameErr ? 'true' : undefined}
          />
          {nameErr ? <div class="error">{nameErr}</div> : null}
        </div>
        <div class="field">
          <label for="f-upload-priority">Batch priority</label>
          <select class="select" id="f-upload-priority" name="priority">
            {[1, 2, 3, 4, 5].map((n) => (
              <option value={String(n)} selected={String(v.priority ?? '3') === String(n)}>
                {PRIORITY_LABEL[n]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="form-actions">
        <button class="btn" type="submit">
          Create dataset and choose files
        </button>
      </div>
    </form>
  )
}

const PRIORITY_LABEL: Record<number, string> = { 1: '1 · highest', 2: '2 · high', 3: '3 · normal', 4: '4 · low', 5: '5 · lowest' }

function BatchRow(props: { b: BatchView; p: ProjectView; canManage: boolean }) {
  const { b, p } = props
  const url = `/projects/${p.id}/settings/data/${b.id}/detach`
  return (
    <tr id={`batch-${b.id}`}>
      <td class="primary-cell">
        <strong>{b.name}</strong>
      </td>
      <td>
        <span class={`priority priority-${b.priority}`}>{PRIORITY_LABEL[b.priority] ?? b.priority}</span>
      </td>
      <td class="num">{formatNumber(b.size)}</td>
      <td>
        <Time value={b.created_at} />
      </td>
      <td class="actions">
        {props.canManage ? (
          <form
            method="post"
            action={url}
            hx-post={url}
            hx-target="#project-data"
            hx-swap="outerHTML"
            hx-confirm={`Detach batch “${b.name}”? Its unlabeled rows leave the queue; labels stay.`}
            data-confirm-label="Detach"
          >
            <button class="btn btn-sm btn-ghost" type="submit" aria-label={`Detach batch ${b.name}`}>
              Detach
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}

function TextArea(props: { name: string; label: string; state?: FormState; placeholder: string; help: string }) {
  const err = fieldError(props.state, props.name)
  const id = `f-${props.name}`
  const value = props.state?.values?.[props.name]
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        class="textarea mono-input"
        id={id}
        name={props.name}
        rows={4}
        placeholder={props.placeholder}
        spellcheck={false}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `${id}-error` : `${id}-help`}
      >
        {value == null ? '' : String(value)}
      </textarea>
      {err ? (
        <div class="error" id={`${id}-error`}>
          {err}
        </div>
      ) : (
        <div class="help" id={`${id}-help`}>
          {props.help}
        </div>
      )}
    </div>
  )
}

const rowsLabel = (n: number) => `${formatNumber(n)} row${n === 1 ? '' : 's'}`

/** The dataset source: a native select of the organization's datasets by name with row counts
 * (keyboard type-ahead for free), or an id field when there is no list. The server checks the id
 * either way. */
function DatasetField(props: { datasets?: DataProps['datasets']; value: string; error?: string }) {
  const { value, error } = props
  const list = props.datasets
  if (!list || list.more) {
    // Too many to list: an id field whose suggestions (a datalist, matched on names too) are the
    // newest datasets; the Datasets tab shows the rest.
    return (
      <div class={`field${error ? ' has-error' : ''}`}>
        <label for="f-dataset_id">Dataset ID</label>
        <input
          class="input mono-input"
          id="f-dataset_id"
          name="dataset_id"
          autocomplete="off"
          placeholder="ds_…"
          list={list ? 'f-dataset_id-choices' : undefined}
          value={value || undefined}
          aria-invalid={error ? 'true' : undefined}
        />
        {list ? (
          <datalist id="f-dataset_id-choices">
            {list.items.map((d) => (
              <option value={d.id}>
                {d.name} · {rowsLabel(d.row_count)}
              </option>
            ))}
          </datalist>
        ) : null}
        {error ? <div class="error">{error}</div> : <div class="help">Every row of the dataset.</div>}
      </div>
    )
  }
  // A value not in the list (a stale or foreign id sent back with its error) stays visible.
  const unknown = value && !list.items.some((d) => d.id === value)
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for="f-dataset_id">Dataset</label>
      <select
        class="select"
        id="f-dataset_id"
        name="dataset_id"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'f-dataset_id-error' : 'f-dataset_id-help'}
      >
        <option value="" selected={!value}>
          {list.items.length ? '— None —' : '— No datasets yet —'}
        </option>
        {unknown ? (
          <option value={value} selected>
            {value}
          </option>
        ) : null}
        {list.items.map((d) => (
          <option value={d.id} selected={d.id === value}>
            {d.name} · {rowsLabel(d.row_count)}
          </option>
        ))}
      </select>
      {error ? (
        <div class="error" id="f-dataset_id-error">
          {error}
        </div>
      ) : (
        <div class="help" id="f-dataset_id-help">
          Every row of the dataset.
        </div>
      )}
    </div>
  )
}

function AttachForm(props: { p: ProjectView; state?: FormState; datasets?: DataProps['datasets'] }) {
  const url = `/projects/${props.p.id}/settings/data`
  const st = props.state
  const v = st?.values ?? {}
  const nameErr = fieldError(st, 'name')
  const prioErr = fieldError(st, 'priority')
  const dsErr = fieldError(st, 'dataset_id')
  return (
    <form class="form attach-form" method="post" action={url} hx-post={url} hx-target="#project-data" hx-swap="outerHTML">
      <h3>Attach data as a batch</h3>
      <FormMessage state={st} fields={['name', 'priority', 'dataset_id', 'data_row_ids', 'global_keys']} />
      <div class="form-row two">
        <div class={`field${nameErr ? ' has-error' : ''}`}>
          <label for="f-batch-name">Batch name</label>
          <input
            class="input"
            id="f-batch-name"
            name="name"
            required
            maxlength={200}
            autocomplete="off"
            placeholder="e.g. Lisbon, week 1"
            value={v.name == null ? undefined : String(v.name)}
            aria-invalid={nameErr ? 'true' : undefined}
          />
          {nameErr ? <div class="error">{nameErr}</div> : null}
        </div>
        <div class={`field${prioErr ? ' has-error' : ''}`}>
          <label for="f-priority">Priority</label>
          <select class="select" id="f-priority" name="priority">
            {[1, 2, 3, 4, 5].map((n) => (
              <option value={String(n)} selected={String(v.priority ?? '5') === String(n)}>
                {PRIORITY_LABEL[n]}
              </option>
            ))}
          </select>
          {prioErr ? <div class="error">{prioErr}</div> : <div class="help">The queue serves higher priority first.</div>}
        </div>
      </div>
      <fieldset class="source-fieldset">
        <legend>
          Source <span class="muted small">— fill in one</span>
        </legend>
        <div class="source-grid">
          <DatasetField datasets={props.datasets} value={v.dataset_id == null ? '' : String(v.dataset_id)} error={dsErr} />
          <TextArea
            name="data_row_ids"
            label="Data row IDs"
            state={st}
            placeholder={'dr_…\ndr_…'}
            help="One per line (or separated by commas)."
          />
          <TextArea
            name="global_keys"
            label="Global keys"
            state={st}
            placeholder={'street-0001.jpg\nstreet-0002.jpg'}
            help="One per line."
          />
        </div>
      </fieldset>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit">
          Attach batch
        </button>
      </div>
    </form>
  )
}

export function DataSection(props: DataProps) {
  const { p } = props
  return (
    <section class="card" id="project-data">
      <h2>Data</h2>
      <p class="muted" id="data-summary">
        <strong class="text">{formatNumber(p.data_row_count)}</strong> data row{p.data_row_count === 1 ? '' : 's'} in this project, in{' '}
        {formatNumber(props.batches.length)} batch{props.batches.length === 1 ? '' : 'es'}. A data row is in a project once: rows already
        attached are skipped.
      </p>
      {props.done ? (
        <div class="notice">
          <Alert tone="success">{props.done}</Alert>
        </div>
      ) : null}
      {props.canManage ? <AttachForm p={p} state={props.state} datasets={props.datasets} /> : null}
      {props.canManage && props.canUpload ? <UploadIntoProject p={p} state={props.uploadState} /> : null}
      <h3 class="table-title">Batches</h3>
      {props.batches.length ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Priority</th>
                <th class="num">Data rows</th>
                <th>Created</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.batches.map((b) => (
                <BatchRow b={b} p={p} canManage={props.canManage} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <EmptyState title="No data attached yet" icon={<DatabaseIcon />}>
          {props.canManage
            ? 'Attach data rows above, by dataset, by data row IDs or by global keys.'
            : 'A team manager or admin attaches data rows to the project in batches.'}
        </EmptyState>
      )}
    </section>
  )
}

export function DataSettingsPage(props: DataProps & { canEdit: boolean; canDelete: boolean }) {
  return (
    <SettingsFrame p={props.p} current="data" canEdit={props.canEdit} canDelete={props.canDelete}>
      <DataSection {...props} />
    </SettingsFrame>
  )
}
