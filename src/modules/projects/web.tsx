/** @module /projects — the page every person starts their day on. */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { renderPage } from '../../lib/render'
import { can } from '../../auth/permissions'
import { ProjectsEmpty } from '../../../views/pages/projects/empty'

export const projectsWeb = new Hono<AppEnv>()
projectsWeb.use('*', requireSession)

projectsWeb.get('/', (c) =>
  renderPage(c, { title: 'Projects', section: 'projects', body: <ProjectsEmpty isAdmin={can(c.var.actor!, 'project.create')} /> }),
)
