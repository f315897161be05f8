/** @module /account/integrations — AWS delegated access in the browser (admins). Plain forms
 * (boosted by htmx); each answer is the whole page, so validation results show in place. */
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../../env'
import { requireSession } from '../../middleware/auth'
import { ctxOf } from '../../lib/ctx'
import { AppError, notFound } from '../../lib/errors'
import { readForm } from '../../lib/forms'
import { renderPage } from '../../lib/render'
import { parse } from '../../lib/validate'
import { authorize } from '../../auth/permissions'
import { datasetsPageRead, getDataset } from '../datasets/service'
import { runReads } from '../../db/reads'
import { IntegrationDetailPage, IntegrationsPage, type SetupValues } from '../../../views/integrations/integrations'
import type { FormState } from '../../../views/components/form'
import { awsConfig } from './aws'
import { bucketPolicy, trustPolicy } from './policies'
import { CreateIntegrationInput, UpdateIntegrationInput, ValidateIntegrationInput } from './schemas'
import {
  createIntegration,
  deleteIntegration,
  externalIdRead,
  getIntegration,
  integrationRead,
  integrationsPage,
  integrationsPageRead,
  integrationView,
  orgExternalId,
  setDatasetIntegration,
  updateIntegration,
  validateIntegration,
} from './service'

export const integrationsWeb = new Hono<AppEnv>()
integrationsWeb.use('*', requireSession)

const TITLE = 'Integrations'

/** `stored`: the external id as the page's batch read it (null: not made yet, made here). */
async function setup(c: Context<AppEnv>, roleArn: string | null, stored: string | null): Promise<SetupValues> {
  const ctx = ctxOf(c)
  const externalId = stored ?? (await orgExternalId(ctx.db, ctx.actor.orgId))
  const account = c.env.PLATFORM_AWS_ACCOUNT_ID ?? ''
  return {
    platformAccountId: account,
    externalId,
    trustPolicy: trustPolicy(account, externalId),
    bucketPolicy: bucketPolicy(roleArn),
    configured: awsConfig(c.env) !== null && account !== '',
  }
}

/** Form fields → the JSON input shape (an unchecked checkbox is absent: false). */
function fromForm(f: Record<string, string>) {
  return { name: f.name ?? '', role_arn: f.role_arn?.trim() ? f.role_arn : null, is_org_default: f.is_org_default === 'true' }
}

const isValidation = (e: unknown): e is AppError => e instanceof AppError && e.code === 'VALIDATION'
const isConflict = (e: unknown): e is AppError => e instanceof AppError && e.code === 'CONFLICT'

async function listPage(c: Context<AppEnv>, extra: { state?: FormState; notice?: string } = {}, status: 200 | 422 = 200) {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'integration.view')
  const [ext, rows] = await runReads(ctx, externalIdRead(ctx), integrationsPageRead(ctx, { limit: 100 }))
  const stp = await setup(c, null, ext)
  const list = integrationsPage(ctx, rows, 100, stp.externalId)
  return renderPage(c, {
    title: TITLE,
    section: 'account',
    status,
    body: <IntegrationsPage integrations={list.items} setup={stp} {...extra} />,
  })
}

type DetailExtra = { state?: FormState; validateState?: FormState; attachState?: FormState; notice?: string; error?: string }
async function detailPage(c: Context<AppEnv>, id: string, extra: DetailExtra = {}, status: 200 | 409 | 422 = 200) {
  const ctx = ctxOf(c)
  const [row, ext, ds] = await runReads(ctx, integrationRead(ctx, id), externalIdRead(ctx), datasetsPageRead(ctx, { limit: 200 }))
  const stp = await setup(c, row.roleArn, ext)
  const i = integrationView(row, stp.externalId, ctx.env)
  const datasets = ds.items.map((d) => ({ id: d.id, name: d.name, integration_id: d.integration_id }))
  return renderPage(c, {
    title: `${i.name} · ${TITLE}`,
    section: 'account',
    status,
    body: <IntegrationDetailPage i={i} datasets={datasets} setup={stp} {...extra} />,
  })
}

integrationsWeb.get('/', (c) => listPage(c))

integrationsWeb.post('/', async (c) => {
  const ctx = ctxOf(c)
  authorize(ctx.actor, 'integration.manage')
  const values = fromForm(await readForm(c))
  try {
    const created = await createIntegration(ctx, parse(CreateIntegrationInput, { provider: 'AWS', ...values }))
    return c.redirect(`/account/integrations/${created.id}`, 303)
  } catch (e) {
    if (!isValidation(e)) throw e
    return listPage(c, { state: { values, errors: e.errors } }, 422)
  }
})

integrationsWeb.get('/:id', (c) => detailPage(c, c.req.param('id')))

integrationsWeb.post('/:id', async (c) => {
  const ctx = ctxOf(c)
  const id = c.req.param('id')
  const values = fromForm(await readForm(c))
  try {
    await updateIntegration(ctx, id, parse(UpdateIntegrationInput, values))
    return detailPage(c, id, { notice: 'Saved.' })
  } catch (e) {
    if (!isValidation(e)) throw e
    return detailPage(c, id, { state: { values, errors: e.errors } }, 422)
  }
})

integrationsWeb.post('/:id/validate', async (c) => {
  const ctx = ctxOf(c)
  const id = c.req.param('id')
  const f = await readForm(c)
  const values = { test_object_url: f.test_object_url?.trim() ? f.test_object_url : null }
  try {
    const r = await validateIntegration(ctx, id, parse(ValidateIntegrationInput, values))
    if (r.valid) return detailPage(c, id, { notice: 'All checks passed.', validateState: { values } })
    // AWS out of reach says nothing about the role: the stored result stays, and the page says why.
    if (r.unreachable)
      return detailPage(c, id, { error: `${r.unreachable} Nothing was changed; try again in a moment.`, validateState: { values } })
    return detailPage(c, id, { error: 'Validation failed: see the checks below.', validateState: { values } })
  } catch (e) {
    if (!isValidation(e)) throw e
    return detailPage(c, id, { validateState: { values, errors: e.errors } }, 422)
  }
})

integrationsWeb.post('/:id/datasets', async (c) => {
  const ctx = ctxOf(c)
  const id = c.req.param('id')
  const f = await readForm(c)
  const datasetId = f.dataset_id ?? ''
  if (!datasetId) return detailPage(c, id, { attachState: { errors: [{ path: 'dataset_id', message: 'Choose a dataset' }] } }, 422)
  try {
    const d = await setDatasetIntegration(ctx, datasetId, id)
    return detailPage(c, id, { notice: `${d.name} now uses this integration.` })
  } catch (e) {
    if (!isValidation(e) && !isConflict(e)) throw e
    return detailPage(
      c,
      id,
      {
        attachState: {
          values: { dataset_id: datasetId },
          errors: e.errors.length ? e.errors : [{ path: 'dataset_id', message: e.detail }],
        },
      },
      e.code === 'CONFLICT' ? 409 : 422,
    )
  }
})

integrationsWeb.post('/:id/datasets/:datasetId/detach', async (c) => {
  const id = c.req.param('id')
  await getIntegration(ctxOf(c), id) // a foreign or unknown integration is a 404 here too
  const current = await getDataset(ctxOf(c), c.req.param('datasetId'))
  // Only a dataset that uses *this* integration is detached from here.
  if (current.integration_id !== id) throw notFound('Dataset using this integration')
  const d = await setDatasetIntegration(ctxOf(c), current.id, null)
  return detailPage(c, id, { notice: `${d.name} no longer uses this integration.` })
})

integrationsWeb.post('/:id/delete', async (c) => {
  const id = c.req.param('id')
  try {
    await deleteIntegration(ctxOf(c), id)
  } catch (e) {
    if (!isConflict(e)) throw e
    return detailPage(c, id, { error: e.detail }, 409)
  }
  return c.redirect('/account/integrations', 303)
})
