/** @module /tasks (page), /tasks/menu (the top bar's menu body), /tasks/{id}/item (one task, for
 * refreshing a finished task's links). Live progress: public/js/tasks.js over SSE. */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { renderPage } from '../../lib/render'
import { ListQuery, parse } from '../../lib/validate'
import { TaskItem, TaskRows, TasksMenuBody, TasksPage } from '../../../views/tasks/list'
import { getTask, listMyTasks } from './service'
import { MENU_TASKS } from '../../lib/task-badge'

export const tasksWeb = new Hono<AppEnv>()
tasksWeb.use('*', requireSession)

tasksWeb.get('/', async (c) => {
  const q = parse(ListQuery, c.req.query())
  const page = await listMyTasks(ctxOf(c), { limit: 25, cursor: q.cursor })
  return renderPage(c, { title: 'Tasks', section: 'tasks', body: <TasksPage page={page} /> })
})

tasksWeb.get('/rows', async (c) => {
  const q = parse(ListQuery, c.req.query())
  return c.html(<TaskRows page={await listMyTasks(ctxOf(c), { limit: 25, cursor: q.cursor })} />)
})

tasksWeb.get('/menu', async (c) => c.html(<TasksMenuBody page={await listMyTasks(ctxOf(c), { limit: MENU_TASKS })} />))

tasksWeb.get('/:id/item', async (c) =>
  c.html(<TaskItem t={await getTask(ctxOf(c), c.req.param('id'))} compact={c.req.query('compact') === '1'} />),
)
