/** @module What integration requests may contain, and the shapes of integration answers (their TS
 * types are inferred here). */
import * as v from 'valibot'
import { Name } from '../../lib/validate'
import { INTEGRATION_PROVIDERS } from '../../db/schema'
import { ROLE_ARN } from './aws'

export const RoleArn = v.pipe(
  v.string('role_arn must be a string'),
  v.trim(),
  v.regex(ROLE_ARN, 'role_arn must look like arn:aws:iam::123456789012:role/LabelDeskAccess'),
)

export const CreateIntegrationInput = v.strictObject({
  provider: v.picklist(['AWS'], 'provider must be AWS (GCP and Azure are coming later)'),
  name: Name,
  role_arn: v.optional(v.nullable(RoleArn)),
  is_org_default: v.optional(v.boolean('is_org_default must be true or false')),
})
export type CreateIntegrationInput = v.InferOutput<typeof CreateIntegrationInput>

export const UpdateIntegrationInput = v.strictObject({
  name: v.optional(Name),
  role_arn: v.optional(v.nullable(RoleArn)),
  is_org_default: v.optional(v.boolean('is_org_default must be true or false')),
})
export type UpdateIntegrationInput = v.InferOutput<typeof UpdateIntegrationInput>

export const S3ObjectUrl = v.pipe(
  v.string('test_object_url must be a string'),
  v.trim(),
  v.nonEmpty('test_object_url must not be empty'),
  v.maxLength(2000, 'test_object_url must be at most 2000 characters'),
)

export const ValidateIntegrationInput = v.strictObject({
  test_object_url: v.optional(v.nullable(S3ObjectUrl)),
})
export type ValidateIntegrationInput = v.InferOutput<typeof ValidateIntegrationInput>

export const DatasetIntegrationInput = v.strictObject({
  integration_id: v.nullable(v.pipe(v.string('integration_id must be a string or null'), v.nonEmpty('integration_id must not be empty'))),
})
export type DatasetIntegrationInput = v.InferOutput<typeof DatasetIntegrationInput>

/** One named check of a validation, with why it failed. */
export const IntegrationCheckView = v.object({ name: v.string(), success: v.boolean(), message: v.string() })

export const IntegrationView = v.object({
  id: v.string(),
  provider: v.picklist(INTEGRATION_PROVIDERS),
  name: v.string(),
  external_id: v.string(),
  platform_account_id: v.string(),
  role_arn: v.nullable(v.string()),
  /** The last validation passed (false when it failed or never ran). */
  valid: v.boolean(),
  last_valid_at: v.nullable(v.string()),
  validated_at: v.nullable(v.string()),
  checks: v.array(IntegrationCheckView),
  is_org_default: v.boolean(),
  created_at: v.string(),
  updated_at: v.string(),
})
export type IntegrationView = v.InferOutput<typeof IntegrationView>

export const ValidationView = v.object({ valid: v.boolean(), checks: v.array(IntegrationCheckView) })
