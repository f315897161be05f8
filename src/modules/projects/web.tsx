/**
 * @module /projects (HTML): the Projects tab, a project's dashboard and its settings (General,
 * Members, Data), one file each in src/modules/projects/web/, mounted here in this order (`/new`
 * before `/:id`) behind one session guard. Thin like the API twin: read the form → call the same
 * services → render. Access is decided by the services and `can()`; these files only hide
 * controls a person could not use anyway. The export form is the exports module's
 * (src/modules/exports/web.tsx).
 *
 * Forms follow one pattern: validation errors answer 422 with the errored form (values kept);
 * htmx-posted sections answer their section; plain (or boosted) posts redirect (303) or answer the
 * full page.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { listWeb } from './web/list'
import { dashboardWeb } from './web/dashboard'
import { settingsWeb } from './web/settings'
import { membersWeb } from './web/members'
import { batchesWeb } from './web/batches'

export const projectsWeb = new Hono<AppEnv>()
projectsWeb.use('*', requireSession)
projectsWeb.route('/', listWeb)
projectsWeb.route('/', dashboardWeb)
projectsWeb.route('/', settingsWeb)
projectsWeb.route('/', membersWeb)
projectsWeb.route('/', batchesWeb)
