/** @module /docs/permissions — rendered from the permission table itself (the route hands over its
 * rows, src/modules/docs/web.tsx), so it cannot drift. */
import type { Rule } from '../../src/auth/permissions'
import { PageHeader } from '../components/ui'

const ROLES = ['LABELER', 'REVIEWER', 'TEAM_MANAGER', 'ADMIN'] as const
const RANK: Record<string, number> = { LABELER: 1, REVIEWER: 2, TEAM_MANAGER: 3, ADMIN: 4 }

function allowed(rule: Rule, role: (typeof ROLES)[number]): string {
  if (rule.scope === 'self') return '✓'
  if (rule.scope === 'owner_or_admin') return role === 'ADMIN' ? '✓' : 'own'
  return RANK[role]! >= RANK[rule.min!]! ? '✓' : '—'
}

/** One action of the table, with its rule in words (`describeMinimum`). */
export type PermissionRow = { action: string; rule: Rule; minimum: string }

export function PermissionsDoc(props: { rows: PermissionRow[]; keyFromKeyRule: string }) {
  return (
    <div class="doc">
      <PageHeader title="Roles and permissions" subtitle="Generated from the permission table the code enforces." />
      <div class="prose">
        <p>
          Roles, lowest to highest: Labeler, Reviewer, Team manager, Admin. An org role applies to every project. A project-based member
          (org role <em>None</em>) has a role per project instead; a project where they have no role does not exist for them.
        </p>
        <p>
          Someone who may not see a thing gets <code>404</code>; someone who may see it but not change it gets <code>403</code>. An API key
          acts with its owner's current role or the key's narrower role, whichever is lower; a read-only key may only read.
        </p>
      </div>
      <div class="table-wrap" style="margin-top:16px">
        <table class="table">
          <thead>
            <tr>
              <th>Action</th>
              <th>What it allows</th>
              <th>Minimum</th>
              {ROLES.map((r) => (
                <th class="num">{r.replace('_', ' ')}</th>
              ))}
              <th>Read-only key</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ action, rule, minimum }) => {
              return (
                <tr>
                  <td>
                    <code>{action}</code>
                  </td>
                  <td>{rule.label}</td>
                  <td>{minimum}</td>
                  {ROLES.map((r) => (
                    <td class="num">{allowed(rule, r)}</td>
                  ))}
                  <td>{rule.write ? '—' : '✓'}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <div class="prose section">
        <h2>Special rules</h2>
        <ul>
          <li>The last Admin of an organization cannot be removed, demoted or made project-based.</li>
          <li>An org role and project roles are exclusive: project roles apply only to project-based members.</li>
          <li>Labelers see only their own labels in activity lists and label listings.</li>
          <li>A key stops working at once when revoked, expired, or when its owner leaves the organization.</li>
          <li>{props.keyFromKeyRule}</li>
          <li>Nothing of another organization is ever visible: a foreign id answers 404.</li>
        </ul>
      </div>
    </div>
  )
}
