/**
 * Inputs and helpers of the infra tests. Environments are built the way tapctl builds them (schema parse,
 * then resolveEnvironment); tests never hand-write a ResolvedEnvironment.
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { resolveEnvironment, type ResolvedEnvironment } from '../../src/config/resolve.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { availabilityZonesContextKey, buildApp } from '../../src/infra/app.js';
import { FEATURE_FLAGS } from '../../src/infra/feature-flags.js';
import type { TapStack } from '../../src/infra/tap-stack.js';

export const ACCOUNTS = { dev: '111111111111', prod: '222222222222' } as const;
export const REGION = 'us-east-1';
export const PROJECT = 'tap';

export type EnvName = keyof typeof ACCOUNTS;

/**
 * The `dev` (kind development) or `prod` (kind production) environment of a minimal config file.
 * `overrides` are settings of that environment, as they would be written under `environments.<name>`.
 */
export function resolvedEnv(name: EnvName, overrides: Record<string, unknown> = {}): ResolvedEnvironment {
  const raw: Record<string, unknown> = {
    project: PROJECT,
    environments: { [name]: { account: ACCOUNTS[name], region: REGION, ...overrides } },
  };
  return resolveEnvironment(ConfigFileSchema.parse(raw), raw, name);
}

export interface SynthesizedStack {
  readonly env: ResolvedEnvironment;
  readonly stack: TapStack;
  readonly template: Template;
}

/** Builds the app for an environment and synthesizes its template (no validation: fast). */
export function synthStack(name: EnvName, overrides: Record<string, unknown> = {}): SynthesizedStack {
  const env = resolvedEnv(name, overrides);
  const { stack } = buildApp(env);
  return { env, stack, template: Template.fromStack(stack) };
}

/** The one resource of a type (fails when there are zero or several). */
export function only(template: Template, type: string, props: object = {}): { logicalId: string; resource: Record<string, any> } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0];
  return { logicalId, resource };
}

/** An empty stack with the app's feature flags and availability zones, for testing one construct alone. */
export function bareStack(azs: readonly string[] = [`${REGION}a`, `${REGION}b`]): Stack {
  const app = new App({
    builtinCloudFormationValidation: false,
    analyticsReporting: false,
    stackTraces: false,
    context: { ...FEATURE_FLAGS, [availabilityZonesContextKey(ACCOUNTS.dev, REGION)]: [...azs] },
  });
  return new Stack(app, 'ConstructUnderTest', { env: { account: ACCOUNTS.dev, region: REGION } });
}

/** The resource a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });

/**
 * Parses a CloudWatch DashboardBody, which synthesizes to `{ Fn::Join: ['', [...strings and tokens]] }`: every
 * token (always inside a JSON string) becomes the text `<token>`.
 */
export function dashboardBody(body: unknown): { widgets: Array<Record<string, any>> } {
  if (typeof body === 'string') return JSON.parse(body);
  const parts = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '<token>')).join(''));
}

/** Logical ID of a construct's CloudFormation resource (its default child, or itself). */
export function lid(stack: Stack, construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} is not a CloudFormation resource`);
  return stack.resolve(resource.logicalId) as string;
}
