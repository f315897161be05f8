/** @module The Projects tab before any project exists. */
import { EmptyState, PageHeader } from '../../components/ui'
import { FolderIcon } from '../../components/icons'

export function ProjectsEmpty(props: { isAdmin: boolean }) {
  return (
    <>
      <PageHeader title="Projects" subtitle="Every labeling project of your organization, pinned first, newest first." />
      <EmptyState title="No projects yet" icon={<FolderIcon />}>
        {props.isAdmin
          ? 'Projects hold your ontology, your data in batches and the labels your team makes. Creating projects arrives with the Projects release of LabelDesk.'
          : 'When an admin adds you to a project, it appears here.'}
      </EmptyState>
    </>
  )
}
