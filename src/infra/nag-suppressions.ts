/**
 * cdk-nag suppressions without cdk-nag.
 *
 * cdk-nag is a devDependency (the tests run it), so nothing under src/infra may import it at runtime. Its
 * `NagSuppressions.addResourceSuppressions()` does no more than write CloudFormation metadata, which this file
 * writes the same way, in the format cdk-nag 2.36 reads back (`utils/nag-suppression-helper.js`):
 *
 *   Metadata: { cdk_nag: { rules_to_suppress: [{ reason, id, applies_to? }] } }
 *
 * test/infra/nag-suppressions.test.ts checks that this helper and cdk-nag's own write identical metadata.
 */
import cdk = require('aws-cdk-lib');
import CfnResource = cdk.CfnResource;
import type { IConstruct } from 'constructs';

/** A finding of a granular rule (IAM5, IAM4, ...): the exact finding, or `{ regex: '/.../flags' }`. */
export type NagFinding = string | { readonly regex: string };

/** One suppressed cdk-nag rule, with the reason a reviewer can check. */
export interface NagSuppression {
  /** Rule ID, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is acceptable here; at least 10 characters (cdk-nag's own minimum). */
  readonly reason: string;
  /**
   * Suppress only these findings of a granular rule.
   *
   * @default - every finding of the rule on the resource
   */
  readonly appliesTo?: readonly NagFinding[];
}

/** The shape cdk-nag keeps in CloudFormation metadata (snake_case, reason first). */
interface CfnNagSuppression {
  readonly reason: string;
  readonly id: string;
  readonly applies_to?: readonly NagFinding[];
}

const toCfnFormat = ({ id, reason, appliesTo }: NagSuppression): CfnNagSuppression => {
  if (reason.length < 10) throw new Error(`cdk-nag suppression ${id}: the reason must be at least 10 characters`);
  // cdk-nag base64-encodes reasons with characters above U+00FF; keeping reasons Latin-1 keeps the metadata readable.
  if ([...reason].some((c) => (c.codePointAt(0) ?? 0) > 255)) {
    throw new Error(`cdk-nag suppression ${id}: keep the reason to Latin-1 characters`);
  }
  if (/\[.*\]/.test(id)) throw new Error(`cdk-nag suppression ${id}: put findings in appliesTo, not in the id`);
  return appliesTo ? { reason, id, applies_to: appliesTo } : { reason, id };
};

/**
 * Adds cdk-nag suppressions to the CloudFormation resource behind `scope` (its default child), or to every
 * CloudFormation resource under it with `applyToChildren`. Suppressions already present are kept; duplicates
 * are dropped, as cdk-nag does.
 */
export function suppressNag(
  scope: IConstruct,
  suppressions: readonly NagSuppression[],
  options: { readonly applyToChildren?: boolean } = {},
): void {
  const added = suppressions.map(toCfnFormat);
  const targets = options.applyToChildren ? scope.node.findAll() : [scope];
  for (const target of targets) {
    const resource = target.node.defaultChild ?? target;
    if (!(resource instanceof CfnResource)) continue;
    const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: CfnNagSuppression[] } | undefined)
      ?.rules_to_suppress ?? [];
    const unique = [...new Set([...existing, ...added].map((s) => JSON.stringify(s)))];
    resource.addMetadata('cdk_nag', { rules_to_suppress: unique.map((s) => JSON.parse(s) as CfnNagSuppression) });
  }
}
