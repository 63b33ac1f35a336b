/**
 * Environments and stacks of the catalog-api and rds-postgres presets, built the way tapctl builds them (schema
 * parse, then resolveEnvironment, then buildApp); tests never hand-write a ResolvedEnvironment.
 */
import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveEnvironment, type ResolvedEnvironment } from '../../src/config/resolve.js';
import { ConfigFileSchema, type Preset } from '../../src/config/schema.js';
import { buildApp } from '../../src/infra/app.js';
import { CatalogApiStack } from '../../src/infra/presets/catalog-api-stack.js';
import { RdsPostgresStack } from '../../src/infra/presets/rds-postgres-stack.js';

export const ACCOUNTS = { dev: '111111111111', staging: '111111111111', prod: '222222222222' } as const;
export type EnvName = keyof typeof ACCOUNTS;

/** The catalog spec's region; the rds-postgres tests use it too (three zones, a, b, c). */
export const REGION = 'eu-north-1';
export const PROJECT = 'catalog-api';

/** One environment of a minimal config file of `preset`; `overrides` are written under `environments.<name>`. */
export function presetEnv(preset: Preset, name: EnvName, overrides: Record<string, unknown> = {}, project = PROJECT): ResolvedEnvironment {
  const raw: Record<string, unknown> = {
    project,
    preset,
    defaults: { alarms: { email: 'ops@catalog.test' } },
    environments: { [name]: { account: ACCOUNTS[name], region: REGION, ...overrides } },
  };
  return resolveEnvironment(ConfigFileSchema.parse(raw), raw, name);
}

export interface Synthesized<S> {
  readonly env: ResolvedEnvironment;
  readonly stack: S;
  readonly template: Template;
}

export function synthCatalog(name: EnvName, overrides: Record<string, unknown> = {}): Synthesized<CatalogApiStack> {
  const env = presetEnv('catalog-api', name, overrides);
  const { stack } = buildApp<CatalogApiStack>(env);
  if (!(stack instanceof CatalogApiStack)) throw new Error('buildApp did not build a CatalogApiStack');
  return { env, stack, template: Template.fromStack(stack) };
}

/** rds-postgres with three zones unless the overrides say otherwise (two replicas need three). */
export function synthPostgres(name: EnvName, overrides: Record<string, unknown> = {}): Synthesized<RdsPostgresStack> {
  const env = presetEnv('rds-postgres', name, { network: { maxAzs: 3, natGateways: 1 }, ...overrides }, 'shop');
  const { stack } = buildApp<RdsPostgresStack>(env);
  if (!(stack instanceof RdsPostgresStack)) throw new Error('buildApp did not build an RdsPostgresStack');
  return { env, stack, template: Template.fromStack(stack) };
}

/** The unsuppressed AwsSolutions errors of an environment's stack, as `path: rule` lines. */
export function nagErrors(env: ResolvedEnvironment): string[] {
  const { app, stack } = buildApp(env);
  Aspects.of(app).add(new AwsSolutionsChecks());
  app.synth();
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((e) => `${e.id}: ${String(e.entry.data).split(':')[0]}`);
}

/** The one resource of a type matching `props` (fails when there are zero or several). */
export function only(template: Template, type: string, props: object = {}): { logicalId: string; resource: Record<string, any> } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0];
  return { logicalId, resource };
}

/** The value of a tag in a CloudFormation Tags list. */
export const tagOf = (resource: Record<string, any>, key: string): unknown =>
  (resource.Properties?.Tags as Array<{ Key: string; Value: unknown }> | undefined)?.find((t) => t.Key === key)?.Value;
