/** @module The Tasks page. */
import { EmptyState, PageHeader } from '../../components/ui'
import { TasksIcon } from '../../components/icons'

export function TasksEmpty() {
  return (
    <>
      <PageHeader title="Tasks" subtitle="Exports, imports and big deletes you started, newest first." />
      <EmptyState title="No tasks yet" icon={<TasksIcon />}>
        Long work runs in the background. When you generate an export or import data, it shows up here with live progress and its downloads.
      </EmptyState>
    </>
  )
}
