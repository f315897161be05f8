/** @module A project's dashboard, first version: progress from the project's exact counters,
 * the ontology at a glance, and an honest empty state where the label charts will go. */
import type { ProjectView } from '../../../src/modules/projects/service'
import type { OntologyClassification } from '../../../src/modules/projects/ontology'
import { formatNumber } from '../../../src/lib/format'
import { Badge, EmptyState, Progress } from '../../components/ui'
import { DatabaseIcon, TasksIcon } from '../../components/icons'
import { TOOL_LABELS } from './ontology-editor'
import { PinButton, ProjectHeader, remaining } from './parts'

export type OverviewProps = { p: ProjectView; canEdit: boolean; canManageData: boolean }

function Stat(props: { label: string; value: number; hint?: string }) {
  return (
    <div class="stat">
      <div class="label">{props.label}</div>
      <div class="value">{formatNumber(props.value)}</div>
      {props.hint ? <div class="muted small">{props.hint}</div> : null}
    </div>
  )
}

const TYPE_SHORT: Record<string, string> = { radio: 'Radio', checklist: 'Checklist', text: 'Text' }

function ClassificationLine({ c }: { c: OntologyClassification }) {
  return (
    <li>
      <span class="onto-name">{c.name}</span> <Badge>{TYPE_SHORT[c.type] ?? c.type}</Badge>
      {c.options.length ? <span class="muted small"> {c.options.map((o) => o.name + (o.classifications.length ? ` › ${o.classifications.map((n) => n.name).join(', ')}` : '')).join(' · ')}</span> : null}
    </li>
  )
}

export function ProjectOverviewPage(props: OverviewProps) {
  const { p } = props
  const done = p.labeled_count + p.skipped_count
  const o = p.ontology
  return (
    <>
      <ProjectHeader
        p={p}
        current="overview"
        canEdit={props.canEdit}
        actions={
          <>
            <PinButton p={p} next={`/projects/${p.id}`} />
            {props.canEdit ? <a class="btn" href={`/projects/${p.id}/settings`}>Settings</a> : null}
          </>
        }
      />

      <section aria-labelledby="progress-title">
        <div class="section-head"><h2 id="progress-title">Progress</h2><span class="muted small">Overall · all members</span></div>
        <div class="stats">
          <Stat label="Data rows" value={p.data_row_count} />
          <Stat label="Labeled" value={p.labeled_count} />
          <Stat label="Remaining" value={remaining(p)} />
          <Stat label="Skipped" value={p.skipped_count} />
        </div>
        <div class="card card-tight progress-card">
          <div class="progress-head"><strong>{p.percent_complete}% complete</strong><span class="muted small">labeled or skipped</span></div>
          <Progress percent={p.percent_complete} done={done} total={p.data_row_count} unit="rows" status={p.data_row_count > 0 && done >= p.data_row_count ? 'complete' : undefined} label="Project progress" />
        </div>
        {p.data_row_count === 0 ? (
          <div class="card card-tight callout">
            <DatabaseIcon />
            <div>
              <strong>No data rows yet.</strong>{' '}
              <span class="muted">{props.canManageData ? 'Attach data rows in batches, by dataset, data row IDs or global keys.' : 'A team manager or admin attaches data to this project.'}</span>
            </div>
            {props.canManageData ? <a class="btn btn-primary btn-sm" href={`/projects/${p.id}/settings/data`}>Attach data</a> : null}
          </div>
        ) : null}
      </section>

      <section class="section" aria-labelledby="labels-title">
        <h2 id="labels-title">Labels</h2>
        <EmptyState title={p.label_count ? `${formatNumber(p.label_count)} labels` : 'No labels yet'} icon={<TasksIcon />}>
          {p.label_count
            ? 'Charts of labels over time, reviews, object counts and per-member performance arrive with the labeling release.'
            : 'Labels over time, reviews, object counts and each member’s performance show up here once people start labeling.'}
        </EmptyState>
      </section>

      <section class="section" aria-labelledby="ontology-title">
        <div class="section-head">
          <h2 id="ontology-title">Ontology</h2>
          {props.canEdit ? <a class="small" href={`/projects/${p.id}/settings`}>Edit ontology</a> : null}
        </div>
        <div class="grid-2">
          <div class="card card-tight">
            <h3>Tools <span class="muted small">{o.tools.length}</span></h3>
            {o.tools.length ? (
              <ul class="onto-summary">
                {o.tools.map((t) => (
                  <li>
                    <span class="swatch" style={`--swatch:${t.color}`} aria-hidden="true" />
                    <span class="onto-name">{t.name}</span> <Badge>{TOOL_LABELS[t.tool] ?? t.tool}</Badge>
                    {t.classifications.length ? <ul>{t.classifications.map((c) => <ClassificationLine c={c} />)}</ul> : null}
                  </li>
                ))}
              </ul>
            ) : <p class="muted small">No tools: labelers draw nothing on the asset.</p>}
          </div>
          <div class="card card-tight">
            <h3>Classifications <span class="muted small">{o.classifications.length}</span></h3>
            {o.classifications.length ? <ul class="onto-summary">{o.classifications.map((c) => <ClassificationLine c={c} />)}</ul> : <p class="muted small">No classifications about the whole data row.</p>}
          </div>
        </div>
      </section>
    </>
  )
}
