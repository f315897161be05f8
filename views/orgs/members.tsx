/** @module Members tab: search, members table (role change, remove), pending invitations, invite form. */
import type { InvitationView, MemberView, Seats } from '../../src/modules/orgs/service'
import type { Page } from '../../src/lib/pagination'
import { Field, FormMessage, SelectField, type FormState } from '../components/form'
import { Badge, CopyField, EmptyState, PageHeader, ROLE_CHOICES, RoleBadge, roleLabel, Time } from '../components/ui'
import { SearchIcon, UsersIcon } from '../components/icons'

const ROLE_OPTIONS = ROLE_CHOICES.map((r) => ({ value: r, label: roleLabel(r) }))

export type MembersProps = {
  members: Page<MemberView>
  invitations: Page<InvitationView>
  search: string
  canManage: boolean
  selfId: string
  seats: Seats
}

export function MemberRow(props: { m: MemberView; canManage: boolean; selfId: string; error?: string }) {
  const { m } = props
  const rowId = `member-${m.user_id}`
  return (
    <tr id={rowId}>
      <td class="primary-cell">
        <strong>{m.full_name}</strong> {m.user_id === props.selfId ? <Badge>You</Badge> : null}
        {props.error ? (
          <div class="error small" role="alert" style="color:var(--red)">
            {props.error}
          </div>
        ) : null}
      </td>
      <td>{m.email}</td>
      <td>
        {props.canManage ? (
          <form
            class="row"
            method="post"
            action={`/members/${m.user_id}/role`}
            hx-post={`/members/${m.user_id}/role`}
            hx-trigger="change"
            hx-target={`#${rowId}`}
            hx-swap="outerHTML"
          >
            <label class="visually-hidden" for={`role-${m.user_id}`}>
              Role of {m.full_name}
            </label>
            <select class="select" id={`role-${m.user_id}`} name="role" style="width:auto">
              {ROLE_OPTIONS.map((o) => (
                <option value={o.value} selected={o.value === m.role}>
                  {o.label}
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
        <Time value={m.created_at} />
      </td>
      <td class="actions">
        {props.canManage ? (
          <form
            method="post"
            action={`/members/${m.user_id}/remove`}
            hx-post={`/members/${m.user_id}/remove`}
            hx-target={`#${rowId}`}
            hx-swap="outerHTML"
            hx-confirm={`Remove ${m.full_name} (${m.email}) from the organization?`}
            data-confirm-label="Remove"
          >
            <button class="btn btn-sm btn-ghost" type="submit" aria-label={`Remove ${m.full_name}`}>
              Remove
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}

export function MemberRows(props: { page: Page<MemberView>; canManage: boolean; selfId: string; search: string }) {
  return (
    <>
      {props.page.items.map((m) => (
        <MemberRow m={m} canManage={props.canManage} selfId={props.selfId} />
      ))}
      {props.page.next_cursor ? (
        <tr id="members-more">
          <td colspan={5} class="load-more">
            <a
              class="btn btn-sm"
              href={`/members?search=${encodeURIComponent(props.search)}&cursor=${props.page.next_cursor}`}
              hx-get={`/members/rows?search=${encodeURIComponent(props.search)}&cursor=${props.page.next_cursor}`}
              hx-target="#members-more"
              hx-swap="outerHTML"
            >
              Load more
            </a>
          </td>
        </tr>
      ) : null}
    </>
  )
}

export function MembersTable(props: { page: Page<MemberView>; canManage: boolean; selfId: string; search: string }) {
  if (!props.page.items.length) {
    return (
      <div id="members-table">
        <EmptyState title={props.search ? `No member matches “${props.search}”` : 'No members'} icon={<UsersIcon />} />
      </div>
    )
  }
  return (
    <div id="members-table" class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Added</th>
            <th class="actions">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody id="members-rows">
          <MemberRows {...props} />
        </tbody>
      </table>
    </div>
  )
}

export function InvitationRow(props: { inv: InvitationView; canManage: boolean }) {
  const { inv } = props
  const rowId = `invitation-${inv.id}`
  return (
    <tr id={rowId}>
      <td class="primary-cell">
        <strong>{inv.email}</strong>
      </td>
      <td>
        <RoleBadge role={inv.role} />
        {inv.project_roles.length ? <span class="muted small"> + {inv.project_roles.length} project role(s)</span> : null}
      </td>
      <td>
        <Time value={inv.created_at} />
      </td>
      <td>
        {inv.status === 'EXPIRED' ? (
          <Badge tone="red">Expired</Badge>
        ) : (
          <span>
            expires <Time value={inv.expires_at} />
          </span>
        )}
      </td>
      <td class="actions">
        {props.canManage ? (
          <div class="row nowrap" style="justify-content:flex-end">
            <form
              method="post"
              action={`/members/invitations/${inv.id}/resend`}
              hx-post={`/members/invitations/${inv.id}/resend`}
              hx-target={`#${rowId}`}
              hx-swap="outerHTML"
            >
              <button class="btn btn-sm" type="submit">
                Resend
              </button>
            </form>
            <form
              method="post"
              action={`/members/invitations/${inv.id}/revoke`}
              hx-post={`/members/invitations/${inv.id}/revoke`}
              hx-target={`#${rowId}`}
              hx-swap="outerHTML"
              hx-confirm={`Revoke the invitation for ${inv.email}?`}
              data-confirm-label="Revoke"
            >
              <button class="btn btn-sm btn-ghost" type="submit">
                Revoke
              </button>
            </form>
          </div>
        ) : null}
      </td>
    </tr>
  )
}

/** A page of pending invitations, and "Show more" while there are more (GET /members/invitations). */
export function InvitationRows(props: { page: Page<InvitationView>; canManage: boolean }) {
  const next = props.page.next_cursor
  return (
    <>
      {props.page.items.map((inv) => (
        <InvitationRow inv={inv} canManage={props.canManage} />
      ))}
      {next ? (
        <tr id="invitations-more">
          <td colspan={5} class="load-more">
            <a
              class="btn btn-sm"
              href={`/members/invitations?cursor=${encodeURIComponent(next)}`}
              hx-get={`/members/invitations?cursor=${encodeURIComponent(next)}`}
              hx-target="#invitations-more"
              hx-swap="outerHTML"
            >
              Show more invitations
            </a>
          </td>
        </tr>
      ) : null}
    </>
  )
}

/** The link of a new or resent invitation, shown once. */
export function InviteLink(props: { inv: InvitationView; resent?: boolean }) {
  return (
    <div class="secret-box" role="status">
      <p>
        <strong>
          {props.resent ? 'New invitation link' : 'Invitation created'} for {props.inv.email}.
        </strong>{' '}
        Send them this link; it works once and expires <Time value={props.inv.expires_at} />. It is shown only now.
      </p>
      <CopyField id={`link-${props.inv.id}`} value={props.inv.accept_url ?? ''} label="Accept link" />
    </div>
  )
}

export function ResentRow(props: { inv: InvitationView; canManage: boolean }) {
  return (
    <>
      <InvitationRow inv={props.inv} canManage={props.canManage} />
      <tr>
        <td colspan={5}>
          <InviteLink inv={props.inv} resent />
        </td>
      </tr>
    </>
  )
}

export function InviteForm(props: { state?: FormState; created?: InvitationView; seats: Seats }) {
  const full = props.seats.limit !== null && props.seats.used >= props.seats.limit
  return (
    <section class="card" id="invite-card">
      <h2>Invite a member</h2>
      {props.created ? <InviteLink inv={props.created} /> : null}
      <form
        class="form"
        method="post"
        action="/members/invitations"
        hx-post="/members/invitations"
        hx-target="#invite-card"
        hx-swap="outerHTML"
        style="margin-top:12px"
      >
        <FormMessage state={props.state} fields={['email', 'role']} />
        <div class="form-row">
          <Field name="email" label="Email" type="email" state={props.created ? undefined : props.state} required autocomplete="off" />
          <SelectField
            name="role"
            label="Role"
            options={ROLE_OPTIONS}
            state={props.created ? undefined : props.state}
            value={props.created ? 'LABELER' : ((props.state?.values?.role as string) ?? 'LABELER')}
          />
          <div class="form-actions">
            <button class="btn btn-primary" type="submit" disabled={full}>
              Send invitation
            </button>
          </div>
        </div>
        <div class="help muted small">
          Project-based members (role “Project-based”) see only the projects they are given a role in.
          {props.seats.limit !== null ? ` Seats: ${props.seats.used} of ${props.seats.limit} used (members + pending invitations).` : ''}
        </div>
      </form>
    </section>
  )
}

export function MembersPage(props: MembersProps & { inviteState?: FormState }) {
  return (
    <>
      <PageHeader title="Members" subtitle="Everyone in your organization, most recently added first." />
      {props.canManage ? <InviteForm state={props.inviteState} seats={props.seats} /> : null}
      <div class="section">
        <div class="row" style="margin-bottom:12px">
          <form class="search" role="search" method="get" action="/members">
            <SearchIcon />
            <label class="visually-hidden" for="member-search">
              Search members
            </label>
            <input
              class="input"
              id="member-search"
              type="search"
              name="search"
              value={props.search}
              placeholder="Search by name or email"
              autocomplete="off"
              hx-get="/members/rows"
              hx-trigger="input changed delay:250ms, search"
              hx-target="#members-table"
              hx-swap="outerHTML"
            />
          </form>
        </div>
        <MembersTable page={props.members} canManage={props.canManage} selfId={props.selfId} search={props.search} />
      </div>
      <div class="section">
        <h2>Pending invitations</h2>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Invited</th>
                <th>Status</th>
                <th class="actions">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody id="invitation-rows">
              <InvitationRows page={props.invitations} canManage={props.canManage} />
              {/* Shown only while it is the only row (CSS), so rows added by htmx replace it visually. */}
              <tr class="empty-row">
                <td colspan={5} class="muted">
                  No pending invitations.
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      </div>
    </>
  )
}
