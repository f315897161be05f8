/** @module The Hono app: global middleware, the web and API routers, one error mapping per surface. */
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { openAPIRouteHandler } from 'hono-openapi'
import type { AppEnv } from './env'
import { AppError } from './lib/errors'
import { problem, problemAnswers } from './lib/problem'
import { renderError } from './lib/render'
import { requestContext } from './middleware/request-context'
import { appSecureHeaders, docsHeaders, privateNoStore } from './middleware/security'
import { loadActor, requireApi, runAgainWith } from './middleware/auth'
import { ActorStale } from './auth/optimistic-actor'
import { csrf } from './middleware/csrf'
import { authWeb } from './modules/auth/web'
import { accountApi } from './modules/account/api'
import { accountWeb } from './modules/account/web'
import { projectsWeb } from './modules/projects/web'
import { datasetsWeb } from './modules/datasets/web'
import { tasksWeb } from './modules/tasks/web'
import { apiDocsPage, docsWeb } from './modules/docs/web'
import { apiKeysApi } from './modules/api-keys/api'
import { apiKeysWeb } from './modules/api-keys/web'
import { membersApi } from './modules/orgs/api'
import { invitationsWeb, membersWeb } from './modules/orgs/web'
import { projectsApi } from './modules/projects/api'
import { tasksApi } from './modules/tasks/api'
import { datasetsApi } from './modules/datasets/api'
import { signedDataRowContent } from './modules/datasets/content'
import { labelsApi } from './modules/labels/api'
import { exportsApi } from './modules/exports/api'
import { exportsWeb } from './modules/exports/web'
import { labelingWeb } from './modules/labels/web'
import { webhooksApi } from './modules/webhooks/api'
import { webhooksWeb } from './modules/webhooks/web'
import { usageApi } from './modules/usage/api'
import { integrationsApi } from './modules/integrations/api'
import { integrationsWeb } from './modules/integrations/web'
import { usageWeb } from './modules/usage/web'
import { graphqlRoute } from './modules/usage/graphql'

const isApi = (c: Context) => c.req.path.startsWith('/api/') || c.req.path === '/graphql'

/** Anything thrown becomes an AppError; unknown errors are logged with the request id and
 * answered generically (no stack traces, ever). */
export function toAppError(err: unknown, requestId: string): AppError {
  if (err instanceof AppError) return err
  // Not a failure: the request is about to run again with its actor read fresh (middleware/auth.ts).
  if (err instanceof ActorStale) return new AppError('UNAUTHORIZED', 'Your access changed while this page loaded; reload it.')
  if (err instanceof HTTPException) {
    if (err.status === 400) {
      const message = /JSON/i.test(err.message) ? 'not valid JSON' : err.message || 'Bad request'
      return new AppError('VALIDATION', `body: ${message}`, [{ path: 'body', message }])
    }
    if (err.status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large')
    if (err.status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', err.message || 'Unsupported media type')
    if (err.status === 401) return new AppError('UNAUTHORIZED', err.message || 'Authentication required')
    if (err.status === 403) return new AppError('FORBIDDEN', err.message || 'Forbidden')
    if (err.status === 404) return new AppError('NOT_FOUND', err.message || 'Not found')
  }
  // A value too big for one D1 value (SQLITE_TOOBIG) is the caller's input, whatever route let it
  // through (form fields are capped in lib/forms.ts; this is the net under every other path).
  if (
    /SQLITE_TOOBIG|string or blob too big/.test(
      String((err as Error)?.message ?? '') + String(((err as Error)?.cause as Error | undefined)?.message ?? ''),
    )
  ) {
    return new AppError('PAYLOAD_TOO_LARGE', 'A value in the request is too large', [{ path: 'body', message: 'a value is too large' }])
  }
  console.error(`[${requestId}] unhandled error`, err)
  return new AppError('INTERNAL', `Something went wrong. If it keeps happening, quote request id ${requestId}.`)
}

const api = new Hono<AppEnv>()
api.use('*', problemAnswers)
// An export's signed asset link opens without a session or key (the signature is the permission);
// without a signature the route is the ordinary, authenticated one (datasets/api.ts).
api.get('/v1/data-rows/:id/content', async (c, next) => {
  const signature = c.req.query('signature')
  if (signature === undefined) return next()
  return signedDataRowContent(c.env, c.var.db, c.req.param('id'), { expires: c.req.query('expires') ?? '', signature }, c.req.raw)
})
api.use('/v1/*', requireApi)
api.route('/v1', accountApi)
api.route('/v1', apiKeysApi)
api.route('/v1', membersApi)
api.route('/v1', projectsApi)
api.route('/v1', tasksApi)
api.route('/v1', datasetsApi)
api.route('/v1', labelsApi)
api.route('/v1', exportsApi)
api.route('/v1', webhooksApi)
api.route('/v1', usageApi)
api.route('/v1', integrationsApi)

export const app = new Hono<AppEnv>()
runAgainWith((req, env, exec) => app.fetch(req, env, exec))
app.use(requestContext)
app.use(appSecureHeaders)
app.use(privateNoStore)
app.use(loadActor)
app.use(csrf)

app.get('/healthz', (c) => c.text('ok'))
app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301))
app.route('/', authWeb)
app.route('/invitations', invitationsWeb)
app.route('/projects', labelingWeb)
app.route('/projects', exportsWeb)
app.route('/projects', projectsWeb)
app.route('/members', membersWeb)
app.route('/datasets', datasetsWeb)
app.route('/tasks', tasksWeb)
app.route('/account/api', apiKeysWeb)
app.route('/account/webhooks', webhooksWeb)
app.route('/account/integrations', integrationsWeb)
app.route('/account', usageWeb)
app.route('/account', accountWeb)
app.route('/docs', docsWeb)
app.route('/api', api)
app.route('/graphql', graphqlRoute)

app.get(
  '/api/openapi.json',
  openAPIRouteHandler(app, {
    exclude: [/^(?!\/api\/v1)/],
    documentation: {
      openapi: '3.1.0',
      info: {
        title: 'LabelDesk API',
        version: '1',
        description:
          'JSON API of LabelDesk. Authenticate with `Authorization: Bearer <api key>` (Account → API). Errors are `application/problem+json`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from Account → API' },
          cookieAuth: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ld_session',
            description: 'The dashboard session (unsafe methods need a same-origin Origin header)',
          },
        },
      },
    },
  }),
)
app.get('/api/docs', docsHeaders, (c) => c.html(apiDocsPage()))

app.notFound((c) => {
  const err = new AppError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`)
  return isApi(c) ? problem(c, err) : renderError(c, new AppError('NOT_FOUND', 'The page you asked for does not exist or was moved.'))
})

app.onError((err, c) => {
  const appErr = toAppError(err, c.var.requestId ?? '')
  if (isApi(c)) return problem(c, appErr)
  if (appErr.code === 'UNAUTHORIZED') return c.redirect('/login', 303)
  return renderError(c, appErr)
})
