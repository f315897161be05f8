/**
 * @module POST /graphql (graphql-js): `annotationCounts(where: {startDate, endDate}, orderBy)`,
 * the Labelbox-style twin of `GET /api/v1/usage`, answered from the same service.
 *
 * Auth is the API's: an API key (`Authorization: Bearer`) or the session cookie (the global CSRF
 * middleware already refuses cross-site cookie POSTs). The global `loadActor` reads Bearer keys only
 * under /api/, so this route resolves a key itself. Admins only, checked before anything runs.
 * Every error answers in GraphQL form `{"errors": [{"message", "extensions": {"code"}}]}`: syntax
 * and validation errors 400, auth 401/403, bad arguments 200 with `data: null` (no partial answer).
 */
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { buildSchema, execute, GraphQLError, parse as parseQuery, validate as validateQuery, type ExecutionResult } from 'graphql'
import * as v from 'valibot'
import type { AppEnv, Ctx } from '../../env'
import { ctxOf } from '../../lib/ctx'
import { AppError, unauthorized } from '../../lib/errors'
import { authorize } from '../../auth/permissions'
import { requireApi } from '../../middleware/auth'
import { actorFromApiKey } from '../../auth/api-key'
import { UsageRange } from './schemas'
import { usageDayRows } from './service'

export const USAGE_SDL = /* GraphQL */ `
  type AnnotationCount {
    image: Int!
    video: Int!
    text: Int!
    "The GMT day, YYYY-MM-DD."
    creationDate: String!
    "When this day's counts were last computed by the rollup (ISO 8601)."
    updateTime: String!
  }
  "Start inclusive, end exclusive (YYYY-MM-DD, GMT); at most 366 days."
  input AnnotationCountWhere {
    startDate: String!
    endDate: String!
  }
  enum AnnotationCountOrderBy {
    CREATION_DATE_ASC
    CREATION_DATE_DESC
  }
  type Query {
    "Billable annotations per day by asset type; days without annotations are omitted."
    annotationCounts(where: AnnotationCountWhere!, orderBy: AnnotationCountOrderBy = CREATION_DATE_ASC): [AnnotationCount!]!
  }
`

const schema = buildSchema(USAGE_SDL)

type GqlContext = { ctx: Ctx }

const rootValue = {
  async annotationCounts(
    args: { where: { startDate: string; endDate: string }; orderBy: 'CREATION_DATE_ASC' | 'CREATION_DATE_DESC' },
    { ctx }: GqlContext,
  ) {
    const parsed = v.safeParse(UsageRange, { start_date: args.where.startDate, end_date: args.where.endDate })
    if (!parsed.success) {
      const messages = parsed.issues.map((i) => i.message.replace(/\bstart_date\b/g, 'startDate').replace(/\bend_date\b/g, 'endDate'))
      throw new GraphQLError(messages.join('; '), { extensions: { code: 'BAD_USER_INPUT' } })
    }
    const days = await usageDayRows(ctx, parsed.output)
    if (args.orderBy === 'CREATION_DATE_DESC') days.reverse()
    return days.map((d) => ({ image: d.image, video: d.video, text: d.text, creationDate: d.date, updateTime: d.updated_at ?? '' }))
  },
}

const gqlError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] })

/** A Bearer key on /graphql (the global middleware resolves keys only under /api/). */
const apiKeyActor = createMiddleware<AppEnv>(async (c, next) => {
  const authz = c.req.header('Authorization')
  if (authz !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz)
    const actor = m ? await actorFromApiKey(c.var.db, m[1]!, c.executionCtx) : undefined
    if (!actor) throw unauthorized('Invalid, revoked or expired API key')
    c.set('actor', actor)
  }
  return next()
})

export const graphqlRoute = new Hono<AppEnv>()

graphqlRoute.onError((err, c) => {
  if (err instanceof AppError) return c.json(gqlError(err.detail, err.code), err.status as 401)
  console.error(`[${c.var.requestId}] graphql error`, err)
  return c.json(gqlError(`Something went wrong. If it keeps happening, quote request id ${c.var.requestId}.`, 'INTERNAL'), 500)
})

graphqlRoute.post('/', apiKeyActor, requireApi, async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'usage.view')
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    return c.json(gqlError('The body must be JSON: {"query": "...", "variables": {...}}', 'BAD_REQUEST'), 400)
  }
  const b = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown }
  if (typeof b.query !== 'string' || !b.query.trim())
    return c.json(gqlError('query is required (a GraphQL document as a string)', 'BAD_REQUEST'), 400)
  if (b.query.length > 20_000) return c.json(gqlError('query is too long', 'BAD_REQUEST'), 400)
  if (b.variables != null && (typeof b.variables !== 'object' || Array.isArray(b.variables)))
    return c.json(gqlError('variables must be an object', 'BAD_REQUEST'), 400)
  if (b.operationName != null && typeof b.operationName !== 'string')
    return c.json(gqlError('operationName must be a string', 'BAD_REQUEST'), 400)

  let document
  try {
    document = parseQuery(b.query, { maxTokens: 2_000 })
  } catch (e) {
    const err = e as GraphQLError
    return c.json({ errors: [{ message: err.message, locations: err.locations, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] }, 400)
  }
  const invalid = validateQuery(schema, document)
  if (invalid.length)
    return c.json(
      { errors: invalid.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) },
      400,
    )

  const result = (await execute({
    schema,
    document,
    rootValue,
    contextValue: { ctx } satisfies GqlContext,
    variableValues: (b.variables as Record<string, unknown> | undefined) ?? undefined,
    operationName: (b.operationName as string | undefined) ?? undefined,
  })) as ExecutionResult
  if (result.errors?.length) {
    // No partial answer: one failing field fails the whole query.
    return c.json({
      data: null,
      errors: result.errors.map((e) => {
        // Resolver failures that are not ours (bugs, storage errors) are logged, never echoed.
        const unexpected = e.originalError && !(e.originalError instanceof AppError) && !(e.originalError instanceof GraphQLError)
        if (unexpected) console.error(`[${c.var.requestId}] graphql resolver failed`, e.originalError)
        return {
          message: unexpected ? `Internal error (request id ${c.var.requestId})` : e.message,
          locations: e.locations,
          path: e.path,
          extensions: {
            code: unexpected
              ? 'INTERNAL'
              : ((e.extensions?.code as string | undefined) ??
                (e.originalError instanceof AppError ? e.originalError.code : 'BAD_USER_INPUT')),
          },
        }
      }),
    })
  }
  return c.json({ data: result.data })
})
