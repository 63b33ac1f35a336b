/**
 * tapstack.md §11: stack outputs with fixed logical IDs, so that deploy and status read them by key.
 */
import cdk = require('aws-cdk-lib');
import CfnOutput = cdk.CfnOutput;
import Stack = cdk.Stack;
import { Construct } from 'constructs';
import { LOG_GROUPS_OUTPUT, type LogGroupsOutput } from '../log-sources.js';

/** One output. */
export interface StackOutput {
  /** Logical ID and key of the output (`VpcId`). */
  readonly key: string;
  readonly value: string;
  readonly description: string;
  /**
   * Exported as `<exportPrefix>-<exportSuffix>`.
   *
   * @default - not exported
   */
  readonly exportSuffix?: string;
}

export interface StackOutputsProps {
  /** Prefix of every export name. */
  readonly exportPrefix: string;
  readonly outputs: readonly StackOutput[];
}

/** CfnOutputs whose logical IDs are their keys, wherever in the tree this construct sits. */
export class StackOutputs extends Construct {
  /** The outputs by key. */
  public readonly outputs: Readonly<Record<string, CfnOutput>>;

  constructor(scope: Construct, id: string, props: StackOutputsProps) {
    super(scope, id);
    const byKey: Record<string, CfnOutput> = {};
    for (const { key, value, description, exportSuffix } of props.outputs) {
      if (byKey[key]) throw new Error(`StackOutputs: output '${key}' is defined twice`);
      const output = new CfnOutput(this, key, {
        value,
        description,
        ...(exportSuffix ? { exportName: `${props.exportPrefix}-${exportSuffix}` } : {}),
      });
      output.overrideLogicalId(key);
      byKey[key] = output;
    }
    this.outputs = byKey;
  }
}

/**
 * The `LogGroups` output (src/infra/log-sources.ts): tapctl's own, beside the spec's, so that `tapctl logs`
 * reads where each source logs from the deployed stack in the one DescribeStacks call it makes anyway, including
 * the names CloudFormation generates.
 */
export function logGroupsOutput(scope: Construct, groups: LogGroupsOutput): StackOutput {
  return {
    key: LOG_GROUPS_OUTPUT,
    value: Stack.of(scope).toJsonString(groups),
    description: 'The log groups of each tapctl logs source (JSON): app, api, lambda, rotation',
  };
}
