/** @module The Datasets tab before datasets exist. */
import { EmptyState, PageHeader } from '../../components/ui'
import { DatabaseIcon } from '../../components/icons'

export function DatasetsEmpty() {
  return (
    <>
      <PageHeader title="Datasets" subtitle="The data your team labels: images, videos, texts and more." />
      <EmptyState title="No datasets yet" icon={<DatabaseIcon />}>
        Uploads from the browser and manifest imports with per-row error reports arrive with the Datasets release of LabelDesk.
      </EmptyState>
    </>
  )
}
