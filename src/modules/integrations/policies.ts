/** @module The policies an admin pastes into AWS, filled in with this platform's account id and the
 * organization's external id. */

const BUCKET_PLACEHOLDER = 'YOUR-BUCKET'

/** The role's trust policy: only this platform's account, and only with this organization's
 * external id, may assume it. */
export function trustPolicy(platformAccountId: string, externalId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${platformAccountId || '<platform account id>'}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    },
    null,
    2,
  )
}

/** Read-only access for the role, as a bucket policy (or, equally, the role's permissions policy). */
export function bucketPolicy(roleArn: string | null, bucket = BUCKET_PLACEHOLDER): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LabelDeskRead',
          Effect: 'Allow',
          Principal: { AWS: roleArn || 'arn:aws:iam::<your account id>:role/<your LabelDesk role>' },
          Action: ['s3:GetObject'],
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ],
    },
    null,
    2,
  )
}
