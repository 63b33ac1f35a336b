/**
 * "Nothing to deploy", decided before toolkit-lib runs, so that a no-change deploy creates no change set at all.
 *
 * The same test toolkit-lib applies before it deploys (its canSkipDeploy): the deployed template, tags and
 * termination protection equal what would be deployed, the stack is in a stable, successful state, and the only
 * parameters are CDK's own `[cdk:skip]` ones. Anything else goes through toolkit-lib, whose change set decides.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Template } from '../aws/stack-details.js';
import type { StackArtifactInfo } from './assembly.js';

const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE']);

/** `deployed`: the stack's template as CloudFormation returns it (read once by the deploy plan). */
export function isUnchanged(stack: Stack, artifact: StackArtifactInfo, deployed: Template | undefined): boolean {
  if (!SETTLED.has(stack.StackStatus ?? '')) return false;
  const params = Object.values(artifact.template.Parameters ?? {});
  if (!params.every((p) => p.Type.startsWith('AWS::SSM::Parameter::') && p.Description?.includes('[cdk:skip]'))) return false;
  if (Boolean(stack.EnableTerminationProtection) !== artifact.terminationProtection) return false;
  const deployedTags = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  if (!sameRecord(deployedTags, artifact.tags)) return false;
  return deployed !== undefined && JSON.stringify(deployed) === JSON.stringify(artifact.template);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
