/** @module /tasks */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { renderPage } from '../../lib/render'
import { TasksEmpty } from '../../../views/pages/tasks/list'

export const tasksWeb = new Hono<AppEnv>()
tasksWeb.use('*', requireSession)

tasksWeb.get('/', (c) => renderPage(c, { title: 'Tasks', section: 'tasks', body: <TasksEmpty /> }))
