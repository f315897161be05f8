/** @module /docs/permissions and the offline API reference page /api/docs. */
import { Hono } from 'hono'
import { html } from 'hono/html'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { renderPage } from '../../lib/render'
import { ACTIONS, describeMinimum, KEY_FROM_KEY_RULE, PERMISSIONS } from '../../auth/permissions'
import { PermissionsDoc } from '../../../views/docs/permissions'

export const docsWeb = new Hono<AppEnv>()
docsWeb.use('*', requireSession)
const permissionRows = ACTIONS.map((action) => ({ action, rule: PERMISSIONS[action], minimum: describeMinimum(PERMISSIONS[action]) }))
docsWeb.get('/permissions', (c) =>
  renderPage(c, {
    title: 'Roles and permissions',
    section: 'docs',
    body: <PermissionsDoc rows={permissionRows} keyFromKeyRule={KEY_FROM_KEY_RULE} />,
  }),
)

/** Swagger UI served from /vendor (copied from swagger-ui-dist at install): works offline. */
export const apiDocsPage = () => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>API reference · LabelDesk</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger"></div>
    <script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
    <script src="/js/api-docs.js"></script>
  </body>
</html>`
