/**
 * What tapctl knows about a preview environment, all of it held by its CloudFormation stack's tags (tags.ts):
 * nothing is written to tapctl.config.yaml or to a local file. With the config, this record is enough to derive
 * the preview's every setting (derive.ts), so any command on any machine can address it with --env <name>.
 */

export interface PreviewRecord {
  /** The preview's name: what --env takes, and the suffix of its physical names. */
  readonly name: string;
  /** The configured (non-production) environment it is built from. */
  readonly source: string;
  /** The git branch it belongs to, when known (CI variables or git); sweep --live-branches compares it. */
  readonly branch?: string;
  /** The STS caller ARN of whoever created it. */
  readonly creator: string;
  /** GITHUB_ACTOR or GITLAB_USER_LOGIN when a CI job created it. */
  readonly ciActor?: string;
  /** When it was first created (ISO 8601, UTC). */
  readonly createdAt: string;
  /** When sweep may delete it (ISO 8601, UTC). */
  readonly expiresAt: string;
  /** env create --image: the image it runs (a pin, like container.image) instead of one built from the working tree. */
  readonly image?: string;
}
