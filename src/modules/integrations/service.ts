/**
 * @module AWS integrations (admins): CRUD, the organization's external id, validation with named
 * checks, attaching one to a dataset, and turning a data row's S3 location into a short-lived
 * presigned URL. The platform's AWS credentials never leave the Worker; browsers only ever get
 * presigned URLs signed with the customer role's temporary credentials.
 */
import { runReads, type Read } from '../../db/reads'
import { and, count, desc, eq, isNull, lt, ne } from 'drizzle-orm'
import { dataRows, datasets, integrations, organizations, type IntegrationCheck } from '../../db/schema'
import type { Ctx, Env } from '../../env'
import type { Db } from '../../db/client'
import { authorize } from '../../auth/permissions'
import { AppError, conflict, invalid, notFound } from '../../lib/errors'
import { newId } from '../../lib/ids'
import { iso } from '../../lib/iso'
import { randomToken } from '../../lib/crypto'
import { decodeCursor, toPage, type Page } from '../../lib/pagination'
import { runBatch } from '../../db/client'
import { loadDataset, datasetView, type DatasetView } from '../datasets/service'
import { AwsCallError, awsConfig, parseS3Url, presignGet, probeRead, ROLE_ARN, type S3Object } from './aws'
import { forgetCredentials, roleCredentials } from './credentials'
import type { CreateIntegrationInput, IntegrationView, UpdateIntegrationInput, ValidateIntegrationInput } from './schemas'

export type IntegrationRow = typeof integrations.$inferSelect
export type { IntegrationView }

export const integrationView = (i: IntegrationRow, externalId: string, env: Env): IntegrationView => ({
  id: i.id,
  provider: i.provider,
  name: i.name,
  external_id: externalId,
  platform_account_id: env.PLATFORM_AWS_ACCOUNT_ID ?? '',
  role_arn: i.roleArn,
  valid: i.valid === true,
  last_valid_at: iso(i.lastValidAt),
  validated_at: iso(i.validatedAt),
  checks: i.checks ?? [],
  is_org_default: i.isOrgDefault,
  created_at: iso(i.createdAt)!,
  updated_at: iso(i.updatedAt)!,
})

/** The organization's external id. Every organization has one from its creation (src/db/schema/
 * orgs.ts); for a row made some other way it is made here on first use, and concurrent first uses
 * agree on one value because only the UPDATE that finds it still empty writes. */
export async function orgExternalId(db: Db, orgId: string): Promise<string> {
  const org = await db.select({ id: organizations.awsExternalId }).from(organizations).where(eq(organizations.id, orgId)).get()
  if (org?.id) return org.id
  await db
    .update(organizations)
    .set({ awsExternalId: `ld-${randomToken(18)}` })
    .where(and(eq(organizations.id, orgId), isNull(organizations.awsExternalId)))
  const again = await db.select({ id: organizations.awsExternalId }).from(organizations).where(eq(organizations.id, orgId)).get()
  return again!.id!
}

/** An integration of the caller's organization (404 otherwise — also for callers who could not
 * act on it, so ids of other organizations reveal nothing), then the permission check. */
async function loadIntegration(
  ctx: Ctx,
  id: string,
  action: 'integration.view' | 'integration.manage' = 'integration.view',
): Promise<IntegrationRow> {
  return (await runReads(ctx, integrationRead(ctx, id, action)))[0]
}

/** `loadIntegration` as a read, to share a round trip with a page's other reads (src/db/reads.ts). */
export function integrationRead(
  ctx: Ctx,
  id: string,
  action: 'integration.view' | 'integration.manage' = 'integration.view',
): Read<IntegrationRow> {
  return {
    stmts: [
      ctx.db
        .select()
        .from(integrations)
        .where(and(eq(integrations.id, id), eq(integrations.orgId, ctx.actor.orgId)))
        .limit(1),
    ],
    done: ([rows]) => {
      const i = (rows as IntegrationRow[])[0]
      if (!i) throw notFound('Integration')
      authorize(ctx.actor, action)
      return i
    },
  }
}

/** The organization's external id as stored (null only for a row made without one: `orgExternalId`), as a read. */
export function externalIdRead(ctx: Ctx): Read<string | null> {
  return {
    stmts: [ctx.db.select({ id: organizations.awsExternalId }).from(organizations).where(eq(organizations.id, ctx.actor.orgId))],
    done: ([rows]) => (rows as { id: string | null }[])[0]?.id ?? null,
  }
}

/** A page of the organization's integrations (rows), as a read. */
export function integrationsPageRead(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Read<IntegrationRow[]> {
  authorize(ctx.actor, 'integration.view')
  const after = decodeCursor(q.cursor)
  return {
    stmts: [
      ctx.db
        .select()
        .from(integrations)
        .where(and(eq(integrations.orgId, ctx.actor.orgId), after ? lt(integrations.id, String(after[0])) : undefined))
        .orderBy(desc(integrations.id))
        .limit(q.limit + 1),
    ],
    done: ([rows]) => rows as IntegrationRow[],
  }
}

/** Rows of `integrationsPageRead` as the API's page. */
export function integrationsPage(ctx: Ctx, rows: IntegrationRow[], limit: number, ext: string): Page<IntegrationView> {
  return toPage(
    rows,
    limit,
    (r) => [r.id],
    (r) => integrationView(r, ext, ctx.env),
  )
}

export async function listIntegrations(ctx: Ctx, q: { limit: number; cursor?: string | undefined }): Promise<Page<IntegrationView>> {
  const [ext, rows] = await runReads(ctx, externalIdRead(ctx), integrationsPageRead(ctx, q))
  return integrationsPage(ctx, rows, q.limit, ext ?? (await orgExternalId(ctx.db, ctx.actor.orgId)))
}

export async function getIntegration(ctx: Ctx, id: string): Promise<IntegrationView> {
  const [i, ext] = await runReads(ctx, integrationRead(ctx, id), externalIdRead(ctx))
  return integrationView(i, ext ?? (await orgExternalId(ctx.db, ctx.actor.orgId)), ctx.env)
}

/** Setting a default clears the previous one in the same batch (a unique index backs this up). */
function defaultStatements(ctx: Ctx, id: string) {
  return ctx.db
    .update(integrations)
    .set({ isOrgDefault: false })
    .where(and(eq(integrations.orgId, ctx.actor.orgId), eq(integrations.isOrgDefault, true), ne(integrations.id, id)))
}

export async function createIntegration(ctx: Ctx, input: CreateIntegrationInput): Promise<IntegrationView> {
  authorize(ctx.actor, 'integration.manage')
  const now = new Date()
  const row: IntegrationRow = {
    id: newId('int'),
    orgId: ctx.actor.orgId,
    provider: input.provider,
    name: input.name,
    roleArn: input.role_arn ?? null,
    valid: null,
    validatedAt: null,
    lastValidAt: null,
    checks: null,
    isOrgDefault: input.is_org_default === true,
    createdBy: ctx.actor.userId,
    createdAt: now,
    updatedAt: now,
  }
  const insert = ctx.db.insert(integrations).values(row)
  if (row.isOrgDefault) await runBatch(ctx.db, [defaultStatements(ctx, row.id), insert])
  else await insert
  return integrationView(row, await orgExternalId(ctx.db, ctx.actor.orgId), ctx.env)
}

export async function updateIntegration(ctx: Ctx, id: string, input: UpdateIntegrationInput): Promise<IntegrationView> {
  const i = await loadIntegration(ctx, id, 'integration.manage')
  const next: Partial<IntegrationRow> = { updatedAt: new Date() }
  if (input.name !== undefined) next.name = input.name
  if (input.role_arn !== undefined && input.role_arn !== i.roleArn) {
    // A new role has not been checked: it must be validated again before datasets may use it.
    Object.assign(next, { roleArn: input.role_arn, valid: null, validatedAt: null, checks: null })
    forgetCredentials(i.id)
  }
  if (input.is_org_default !== undefined) next.isOrgDefault = input.is_org_default
  const update = ctx.db
    .update(integrations)
    .set(next)
    .where(and(eq(integrations.id, i.id), eq(integrations.orgId, ctx.actor.orgId)))
  if (next.isOrgDefault) await runBatch(ctx.db, [defaultStatements(ctx, i.id), update])
  else await update
  return integrationView({ ...i, ...next }, await orgExternalId(ctx.db, ctx.actor.orgId), ctx.env)
}

/** Datasets (live ones) that use an integration. */
async function datasetsUsing(ctx: Ctx, id: string): Promise<number> {
  const r = await ctx.db
    .select({ n: count() })
    .from(datasets)
    .where(and(eq(datasets.orgId, ctx.actor.orgId), eq(datasets.integrationId, id), isNull(datasets.deletedAt)))
    .get()
  return r?.n ?? 0
}

export async function deleteIntegration(ctx: Ctx, id: string): Promise<void> {
  const i = await loadIntegration(ctx, id, 'integration.manage')
  const n = await datasetsUsing(ctx, i.id)
  // Deleting it would silently break every S3 asset of those datasets.
  if (n > 0)
    throw conflict(`${n} dataset${n === 1 ? ' uses' : 's use'} this integration; attach them to another integration or detach them first`)
  await ctx.db.delete(integrations).where(and(eq(integrations.id, i.id), eq(integrations.orgId, ctx.actor.orgId)))
  forgetCredentials(i.id)
}

const S3_ROW = /^(s3:\/\/|https:\/\/[^/]*\.amazonaws\.com\/)/i
/** How many rows per dataset the validator looks through for an S3 row to test with. */
const SAMPLE_ROWS = 200

/** The first S3 object among the first rows of datasets that use the integration. */
async function sampleObject(ctx: Ctx, integrationId: string): Promise<string | null> {
  const ds = await ctx.db
    .select({ id: datasets.id })
    .from(datasets)
    .where(and(eq(datasets.orgId, ctx.actor.orgId), eq(datasets.integrationId, integrationId), isNull(datasets.deletedAt)))
    .limit(20)
  for (const d of ds) {
    const rows = await ctx.db.select({ rowData: dataRows.rowData }).from(dataRows).where(eq(dataRows.datasetId, d.id)).limit(SAMPLE_ROWS)
    const hit = rows.find((r) => S3_ROW.test(r.rowData) && parseS3Url(r.rowData))
    if (hit) return hit.rowData
  }
  return null
}

const failed = (name: string, message: string): IntegrationCheck => ({ name, success: false, message })
const skipped = (name: string, why: string): IntegrationCheck => failed(name, `Not run: ${why}`)

/** The named checks, in order; a failed step skips the ones that depend on it. `unreachable`: the
 * message of a check that failed because AWS could not be reached or failed on its side. */
export async function runChecks(
  ctx: Ctx,
  i: IntegrationRow,
  testObjectUrl: string | null | undefined,
): Promise<{ checks: IntegrationCheck[]; unreachable: string | null }> {
  const checks: IntegrationCheck[] = []
  let unreachable: string | null = null
  const awsFailed = (name: string, e: unknown, otherwise: string) => {
    if (e instanceof AwsCallError && e.transient) unreachable ??= e.message
    return failed(name, e instanceof AwsCallError ? e.message : otherwise)
  }
  if (!i.roleArn)
    checks.push(failed('role_arn_format', 'No role ARN yet: create the role in AWS with the trust policy shown, then paste its ARN.'))
  else if (!ROLE_ARN.test(i.roleArn))
    checks.push(failed('role_arn_format', `${i.roleArn} is not a role ARN (arn:aws:iam::123456789012:role/Name).`))
  else
    checks.push({
      name: 'role_arn_format',
      success: true,
      message: `Role ${i.roleArn.split('/').pop()} in account ${ROLE_ARN.exec(i.roleArn)![1]}.`,
    })

  const cfg = awsConfig(ctx.env)
  const externalId = await orgExternalId(ctx.db, ctx.actor.orgId)
  let creds
  if (!checks[0]!.success) checks.push(skipped('assume_role', 'the role ARN is not valid.'))
  else if (!cfg)
    checks.push(
      failed(
        'assume_role',
        'This LabelDesk installation has no AWS credentials configured (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY secrets); ask its operator.',
      ),
    )
  else {
    try {
      creds = await roleCredentials(cfg, { id: i.id, roleArn: i.roleArn!, externalId, accountId: ctx.env.PLATFORM_AWS_ACCOUNT_ID })
      checks.push({
        name: 'assume_role',
        success: true,
        message: `Assumed the role with external id ${externalId}; temporary credentials valid until ${new Date(creds.expiresAt).toISOString()}.`,
      })
    } catch (e) {
      checks.push(awsFailed('assume_role', e, 'AssumeRole failed unexpectedly.'))
    }
  }

  const target = testObjectUrl ?? (await sampleObject(ctx, i.id))
  const object = target ? parseS3Url(target) : null
  if (!target)
    checks.push(
      failed(
        'read_access',
        'No object to test with: name one (s3://bucket/key) or attach the integration to a dataset with S3 rows first.',
      ),
    )
  else if (!object)
    checks.push(failed('read_access', `${target} is not an S3 object URL (s3://bucket/key or https://bucket.s3.region.amazonaws.com/key).`))
  else if (!creds || !cfg) checks.push(skipped('read_access', 'the role could not be assumed.'))
  else {
    try {
      const r = await probeRead(cfg, creds, object, target)
      checks.push({
        name: 'read_access',
        success: true,
        message: `Read ${target}${r.size !== null ? ` (${r.size} bytes${r.contentType ? `, ${r.contentType}` : ''})` : ''}.`,
      })
    } catch (e) {
      checks.push(awsFailed('read_access', e, 'Reading the object failed unexpectedly.'))
    }
  }
  return { checks, unreachable }
}

/**
 * Runs the checks and records the result. A run that failed only because AWS could not be reached
 * (or failed on its side) records nothing: a passing integration stays attachable through an
 * outage, and the answer says what happened (`unreachable`).
 */
export async function validateIntegration(
  ctx: Ctx,
  id: string,
  input: ValidateIntegrationInput,
): Promise<{ valid: boolean; checks: IntegrationCheck[]; unreachable: string | null }> {
  const i = await loadIntegration(ctx, id, 'integration.manage')
  if (input.test_object_url && !parseS3Url(input.test_object_url))
    throw invalid('test_object_url', 'test_object_url must be s3://bucket/key or an https://bucket.s3.region.amazonaws.com/key URL')
  const { checks, unreachable } = await runChecks(ctx, i, input.test_object_url)
  const valid = checks.every((c) => c.success)
  if (!valid && unreachable) return { valid, checks, unreachable }
  const now = new Date()
  // Only the role that was checked is marked: if the ARN changed meanwhile, the result is dropped.
  await ctx.db
    .update(integrations)
    .set({ valid, checks, validatedAt: now, ...(valid ? { lastValidAt: now } : {}) })
    .where(and(eq(integrations.id, i.id), i.roleArn === null ? isNull(integrations.roleArn) : eq(integrations.roleArn, i.roleArn)))
  return { valid, checks, unreachable: null }
}

/** Attach (or detach with null) an integration to a dataset. Only a validated one may be attached. */
export async function setDatasetIntegration(ctx: Ctx, datasetId: string, integrationId: string | null): Promise<DatasetView> {
  const d = await loadDataset(ctx, datasetId, 'dataset.manage')
  authorize(ctx.actor, 'integration.manage')
  if (integrationId !== null) {
    const i = await ctx.db
      .select()
      .from(integrations)
      .where(and(eq(integrations.id, integrationId), eq(integrations.orgId, ctx.actor.orgId)))
      .get()
    if (!i) throw invalid('integration_id', 'No such integration in this organization')
    if (i.valid !== true) {
      const why =
        i.valid === false
          ? `its last validation failed (${(i.checks ?? [])
              .filter((c) => !c.success)
              .map((c) => c.name)
              .join(', ')})`
          : 'it has not been validated yet'
      throw conflict(`Integration "${i.name}" cannot be attached: ${why}. Validate it first.`, [
        { path: 'integration_id', message: `Integration is not valid: ${why}` },
      ])
    }
  }
  const now = new Date()
  await ctx.db
    .update(datasets)
    .set({ integrationId, updatedAt: now })
    .where(and(eq(datasets.id, d.id), eq(datasets.orgId, ctx.actor.orgId)))
  return datasetView({ ...d, integrationId, updatedAt: now })
}

/** A presigned GET (≤ 15 min) for a row's S3 object, signed with the dataset's integration role. */
export async function presignedAssetUrl(
  ctx: Ctx,
  integrationId: string | null,
  rowData: string,
): Promise<{ url: string; expiresIn: number } | null> {
  const object: S3Object | null = S3_ROW.test(rowData) ? parseS3Url(rowData) : null
  if (!object) return null
  if (!integrationId) {
    if (/^s3:/i.test(rowData))
      throw new AppError('CONFLICT', 'This data row lives in S3; it is served once its dataset uses a validated AWS integration')
    return null // a public S3 https URL in a dataset without integration: the browser fetches it as is
  }
  const i = await ctx.db
    .select()
    .from(integrations)
    .where(and(eq(integrations.id, integrationId), eq(integrations.orgId, ctx.actor.orgId)))
    .get()
  const cfg = awsConfig(ctx.env)
  if (!i?.roleArn)
    throw new AppError(
      'CONFLICT',
      'The dataset’s AWS integration is gone or has no role; an admin must fix it under Account → Integrations',
    )
  if (!cfg) throw new AppError('CONFLICT', 'This LabelDesk installation has no AWS credentials configured')
  try {
    const creds = await roleCredentials(cfg, {
      id: i.id,
      roleArn: i.roleArn,
      externalId: await orgExternalId(ctx.db, ctx.actor.orgId),
      accountId: ctx.env.PLATFORM_AWS_ACCOUNT_ID,
    })
    return await presignGet(cfg, creds, object)
  } catch (e) {
    if (e instanceof AwsCallError) throw new AppError('CONFLICT', `The S3 asset cannot be served: ${e.message}`)
    throw e
  }
}
