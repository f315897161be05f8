/** @module The confirm step of deleting a dataset: which projects lose how many rows (their batches
 * shrink and their progress changes), before the red button. */
import type { DatasetView } from '../../src/modules/datasets/service'
import type { DeleteImpact } from '../../src/modules/datasets/delete'
import { formatNumber } from '../format'
import { Alert, PageHeader } from '../components/ui'
import { Breadcrumbs } from './parts'
import { rowCountLabel } from './dataset'

/** `counted`: how many of the dataset's rows the impact was counted over (src/modules/datasets/
 * delete.ts caps it); fewer than it has, and the numbers are lower bounds ("10,000+"). */
export function DeleteDatasetPage(props: { d: DatasetView; impact: DeleteImpact[]; counted: number }) {
  const { d, impact, counted } = props
  const lost = impact.reduce((n, i) => n + i.rows, 0)
  const partial = counted < d.row_count
  const num = (n: number) => `${formatNumber(n)}${partial && n > 0 ? '+' : ''}`
  return (
    <>
      <Breadcrumbs items={[{ href: '/datasets', label: 'Datasets' }, { href: `/datasets/${d.id}`, label: d.name }, { label: 'Delete' }]} />
      <PageHeader title={`Delete dataset “${d.name}”?`} subtitle={`${rowCountLabel(d.row_count)} and their files are removed for good.`} />
      <section class="card danger-zone" id="delete-impact">
        {impact.length ? (
          <>
            <Alert
              tone="warning"
              title={`${impact.length === 1 ? 'A project uses' : `${formatNumber(impact.length)} projects use`} this dataset`}
            >
              {num(lost)} of their data rows leave them, with the labels on those rows; their progress changes.
              {partial
                ? ` Counted over the newest ${formatNumber(counted)} of its ${formatNumber(d.row_count)} rows: the numbers are at least these, and other projects may hold its other rows.`
                : ''}
            </Alert>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>Project</th>
                    <th class="num">Rows it loses</th>
                    <th class="num">Of them labeled</th>
                  </tr>
                </thead>
                <tbody>
                  {impact.map((i) => (
                    <tr>
                      <td class="primary-cell">
                        <a href={`/projects/${i.project_id}`}>{i.project_name}</a>
                      </td>
                      <td class="num">{num(i.rows)}</td>
                      <td class="num">{num(i.labeled_rows)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : (
          <p class="muted">
            {partial
              ? `No project uses the newest ${formatNumber(counted)} of its ${formatNumber(d.row_count)} rows; projects may still hold its other rows.`
              : 'No project uses this dataset’s rows.'}
          </p>
        )}
        <div class="form-actions">
          <a class="btn" href={`/datasets/${d.id}`}>
            Cancel
          </a>
          <form method="post" action={`/datasets/${d.id}/delete`}>
            <button class="btn btn-danger" type="submit">
              Delete dataset
            </button>
          </form>
        </div>
      </section>
    </>
  )
}
