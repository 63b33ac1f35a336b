/** What the stacks of the catalog-api and rds-postgres presets share: their props, tags and removal policy. */
import cdk = require('aws-cdk-lib');
import RemovalPolicy = cdk.RemovalPolicy;
import Stack = cdk.Stack;
import Tags = cdk.Tags;
import type { StackProps } from 'aws-cdk-lib';
import cloudfront = require('aws-cdk-lib/aws-cloudfront');
import type { ResolvedEnvironment } from '../../config/resolve.js';

export interface PresetStackProps extends StackProps {
  /** The environment to build, resolved and frozen (src/config/resolve.ts); its preset must be the stack's. */
  readonly config: ResolvedEnvironment;
}

/** Stack props every preset stack derives from its environment; explicit props win. */
export function stackPropsOf(props: PresetStackProps, description: string): StackProps {
  const { config: env, ...rest } = props;
  return {
    stackName: env.names.stack,
    description,
    env: { account: env.account, region: env.region },
    terminationProtection: env.protection.terminationProtection,
    ...rest,
  };
}

/** RETAIN (the database: SNAPSHOT) where the environment keeps its data, DESTROY elsewhere (failure-lessons.md L1). */
export const removalPolicyOf = (env: ResolvedEnvironment): RemovalPolicy =>
  env.protection.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

/**
 * Tags on every taggable resource. `fixed` are the preset's own and win over the config's `tags:`, together
 * with Environment (the kind, never a literal: a hard-coded `production` is what presets.md a.13 #1 forbids) and
 * ManagedBy, which tapctl relies on.
 */
export function tagStack(stack: Stack, env: ResolvedEnvironment, fixed: Readonly<Record<string, string>>): void {
  const tags: Record<string, string> = {
    Application: env.project,
    CostCenter: 'Engineering',
    ...env.tags,
    ...fixed,
    Environment: env.kind,
    ManagedBy: 'tapctl',
  };
  for (const [k, v] of Object.entries(tags)) Tags.of(stack).add(k, v);
}

export const PRICE_CLASSES: Readonly<Record<ResolvedEnvironment['cdn']['priceClass'], cloudfront.PriceClass>> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};
