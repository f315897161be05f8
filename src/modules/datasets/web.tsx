/** @module /datasets */
import { Hono } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { renderPage } from '../../lib/render'
import { authorize } from '../../auth/permissions'
import { DatasetsEmpty } from '../../../views/pages/datasets/empty'

export const datasetsWeb = new Hono<AppEnv>()
datasetsWeb.use('*', requireSession)

datasetsWeb.get('/', (c) => {
  authorize(c.var.actor!, 'dataset.view')
  return renderPage(c, { title: 'Datasets', section: 'datasets', body: <DatasetsEmpty /> })
})
