/** @module The project's ontology at a glance: tools (with their nested questions) and
 * classifications with their options. */
import type { ProjectView } from '../../../src/modules/projects/service'
import type { OntologyClassification } from '../../../src/modules/projects/ontology'
import { Badge } from '../../components/ui'
import { TOOL_LABELS } from '../ontology-editor'

const TYPE_SHORT: Record<string, string> = { radio: 'Radio', checklist: 'Checklist', text: 'Text' }

function ClassificationLine({ c }: { c: OntologyClassification }) {
  return (
    <li>
      <span class="onto-name">{c.name}</span> <Badge>{TYPE_SHORT[c.type] ?? c.type}</Badge>
      {c.options.length ? (
        <span class="muted small">
          {' '}
          {c.options
            .map((o) => o.name + (o.classifications.length ? ` › ${o.classifications.map((n) => n.name).join(', ')}` : ''))
            .join(' · ')}
        </span>
      ) : null}
    </li>
  )
}

export function OntologySummary(props: { p: ProjectView; canEdit: boolean }) {
  const o = props.p.ontology
  return (
    <section class="section" aria-labelledby="ontology-title">
      <div class="section-head">
        <h2 id="ontology-title">Ontology</h2>
        {props.canEdit ? (
          <a class="small" href={`/projects/${props.p.id}/settings`}>
            Edit ontology
          </a>
        ) : null}
      </div>
      <div class="grid-2">
        <div class="card card-tight">
          <h3>
            Tools <span class="muted small">{o.tools.length}</span>
          </h3>
          {o.tools.length ? (
            <ul class="onto-summary">
              {o.tools.map((t) => (
                <li>
                  <span class="swatch" style={`--swatch:${t.color}`} aria-hidden="true" />
                  <span class="onto-name">{t.name}</span> <Badge>{TOOL_LABELS[t.tool] ?? t.tool}</Badge>
                  {t.classifications.length ? (
                    <ul>
                      {t.classifications.map((c) => (
                        <ClassificationLine c={c} />
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted small">No tools: labelers draw nothing on the asset.</p>
          )}
        </div>
        <div class="card card-tight">
          <h3>
            Classifications <span class="muted small">{o.classifications.length}</span>
          </h3>
          {o.classifications.length ? (
            <ul class="onto-summary">
              {o.classifications.map((c) => (
                <ClassificationLine c={c} />
              ))}
            </ul>
          ) : (
            <p class="muted small">No classifications about the whole data row.</p>
          )}
        </div>
      </div>
    </section>
  )
}
