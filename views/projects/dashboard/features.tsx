/** @module Objects per tool and answers per classification: two compact tables with a
 * proportional bar each. Every tool of the ontology is listed, drawn or not. */
import { formatNumber } from '../../format'
import { Badge } from '../../components/ui'
import { TOOL_LABELS } from '../ontology-editor'
import type { DashboardData } from './shared'
import { Card, HBar } from './shared'

export function ObjectsCard({ d }: { d: DashboardData }) {
  const counts = d.overview.objects
  const rows = [
    ...d.p.ontology.tools.map((t) => ({
      key: t.feature_schema_id,
      name: t.name,
      kind: TOOL_LABELS[t.tool] ?? t.tool,
      color: t.color,
      count: counts.find((o) => o.feature_schema_id === t.feature_schema_id)?.count ?? 0,
    })),
    // Objects of tools since removed from the ontology still count.
    ...counts
      .filter((o) => !d.p.ontology.tools.some((t) => t.feature_schema_id === o.feature_schema_id))
      .map((o) => ({ key: o.feature_schema_id, name: o.name, kind: 'Removed', color: 'var(--c-other)', count: o.count })),
  ].sort((a, b) => b.count - a.count)
  const max = Math.max(0, ...rows.map((r) => r.count))
  const total = rows.reduce((s, r) => s + r.count, 0)
  return (
    <Card id="objects" title="Objects per tool" titleId="objects-title" note={total ? `${formatNumber(total)} in total` : undefined}>
      {rows.length ? (
        <table class="table compact-table" aria-labelledby="objects-title">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col" class="num">
                Objects
              </th>
              <th scope="col" class="bar-col">
                <span class="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-feature={r.key}>
                <td>
                  <span class="swatch" style={`--swatch:${r.color}`} aria-hidden="true" />
                  {r.name} <Badge>{r.kind}</Badge>
                </td>
                <td class="num">{formatNumber(r.count)}</td>
                <td class="bar-col">
                  <HBar value={r.count} max={max} color={r.color} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted small card-empty">This ontology has no tools: labelers answer classifications only.</p>
      )}
    </Card>
  )
}

export function AnswersCard({ d }: { d: DashboardData }) {
  const rows = [...d.overview.classifications].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
  const max = Math.max(0, ...rows.map((r) => r.count))
  const hasQuestions = d.p.ontology.classifications.length > 0 || d.p.ontology.tools.some((t) => t.classifications.length > 0)
  return (
    <Card
      id="answers"
      title="Answers per classification"
      titleId="answers-title"
      note={rows.length ? `${formatNumber(rows.reduce((s, r) => s + r.count, 0))} in total` : undefined}
    >
      {rows.length ? (
        <table class="table compact-table" aria-labelledby="answers-title">
          <thead>
            <tr>
              <th scope="col">Classification › answer</th>
              <th scope="col" class="num">
                Answers
              </th>
              <th scope="col" class="bar-col">
                <span class="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  {r.name} <span class="muted">›</span> {r.answer ? r.answer : <span class="muted">free text</span>}
                </td>
                <td class="num">{formatNumber(r.count)}</td>
                <td class="bar-col">
                  <HBar value={r.count} max={max} color="var(--blue)" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted small card-empty">
          {hasQuestions
            ? d.scope === 'mine'
              ? 'You have not answered any classification yet.'
              : 'No classification answered yet.'
            : 'This ontology has no classifications.'}
        </p>
      )}
    </Card>
  )
}
