/** @module What integration requests may contain. */
import * as v from 'valibot'
import { Name } from '../../lib/validate'
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
