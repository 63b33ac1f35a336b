/**
 * The tapctl.config.yaml schema.
 *
 * Every key carries `.register(z.globalRegistry, { description })`: the README's config reference and the JSON
 * Schema that editors use are generated from these descriptions. Not zod/mini's `.check(z.describe())`: check()
 * copies the schema's definition, and on a `z._default()` that copy turns its default (a fresh copy at each parse)
 * into one object that every parse returns. Defaults are the values of shared/spec/tapstack.md; where the spec
 * lists conflicting values, the description says which one tapctl chose and why ("Spec conflict: ...").
 *
 * Settings whose safe value depends on the kind of environment (deletion protection, retained data) have no
 * static default here: they are filled in by `resolve.ts` from the environment's `kind`.
 */
import * as z from 'zod/mini';
import { ENVIRONMENT_KINDS, PRESETS, strict } from './schema/common.js';
import { AlarmsSchema } from './schema/alarms.js';
import { ApiSchema } from './schema/api.js';
import { CatalogSchema } from './schema/catalog.js';
import { CdnSchema } from './schema/cdn.js';
import { ContainerSchema } from './schema/container.js';
import { DatabaseSchema } from './schema/database.js';
import { DeploymentSchema } from './schema/deployment.js';
import { DomainSchema } from './schema/domain.js';
import { LambdaSchema } from './schema/lambda.js';
import { NetworkSchema } from './schema/network.js';
import { OriginSchema } from './schema/origin.js';
import { PostgresSchema } from './schema/postgres.js';
import { ProtectionSchema } from './schema/protection.js';
import { StorageSchema } from './schema/storage.js';
import { WafSchema } from './schema/waf.js';

// One file per settings section (src/config/schema/), so that adding a key touches only its section.
export * from './schema/common.js';
export { AlarmsSchema, ApiSchema, CatalogSchema, CdnSchema, ContainerSchema, DatabaseSchema, DomainSchema, LambdaSchema, NetworkSchema, OriginSchema, PostgresSchema, ProtectionSchema, StorageSchema, WafSchema };
export { PostgresAlarmsSchema } from './schema/postgres.js';
export { DeploymentSchema, DEPLOYMENT_STRATEGIES, type DeploymentStrategyName } from './schema/deployment.js';

export const SettingsShape = {
  network: z._default(NetworkSchema, NetworkSchema.parse({})).register(z.globalRegistry, { description: 'VPC and subnets.' }),
  database: z._default(DatabaseSchema, DatabaseSchema.parse({})).register(z.globalRegistry, { description: 'Aurora Serverless v2 cluster, its secret and rotation.' }),
  container: z._default(ContainerSchema, ContainerSchema.parse({})).register(z.globalRegistry, { description: 'The Fargate service, its image and auto-scaling.' }),
  api: z._default(ApiSchema, ApiSchema.parse({})).register(z.globalRegistry, { description: 'API Gateway REST API, stage and usage plan.' }),
  cdn: z._default(CdnSchema, CdnSchema.parse({})).register(z.globalRegistry, { description: 'CloudFront distribution for static assets.' }),
  domain: z.optional(DomainSchema).register(z.globalRegistry, {
    description: "The environment's own domain name over HTTPS (ecommerce, catalog-api). Without it the site is served on CloudFront's *.cloudfront.net name.",
  }),
  waf: z._default(WafSchema, {}).register(z.globalRegistry, { description: 'AWS WAF web ACL on CloudFront with AWS managed rule groups (ecommerce, catalog-api).' }),
  origin: z._default(OriginSchema, OriginSchema.parse({})).register(z.globalRegistry, {
    description: 'The load balancer admits CloudFront only: its managed prefix list in the security group, and a secret header checked by the listener.',
  }),
  alarms: z._default(AlarmsSchema, AlarmsSchema.parse({})).register(z.globalRegistry, { description: 'SNS alerts and CloudWatch alarm thresholds.' }),
  deployment: z._default(DeploymentSchema, {}).register(z.globalRegistry, {
    description: 'How a new release replaces the running tasks (rolling, blue-green, canary, linear) and which alarms roll it back (ecommerce, catalog-api).',
  }),
  lambda: z._default(LambdaSchema, LambdaSchema.parse({})).register(z.globalRegistry, { description: 'The API processor Lambda function.' }),
  storage: z._default(StorageSchema, StorageSchema.parse({})).register(z.globalRegistry, { description: 'S3 lifecycle of the static assets and logs buckets.' }),
  protection: z._default(ProtectionSchema, {}).register(z.globalRegistry, { description: 'What survives a delete. Defaults depend on the environment kind.' }),
  catalog: z._default(CatalogSchema, CatalogSchema.parse({})).register(z.globalRegistry, { description: 'catalog-api preset only: egress of the private subnets, database class, Spot.' }),
  postgres: z._default(PostgresSchema, PostgresSchema.parse({})).register(z.globalRegistry, { description: 'rds-postgres preset only: RDS for PostgreSQL sizing, parameters, replicas and alarms.' }),
  logRetentionDays: z._default(z.int(), 7).register(z.globalRegistry, { description: 'Retention of the ECS and Lambda log groups (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, ...).' }),
  tags: z._default(z.record(z.string(), z.string()), {}).register(z.globalRegistry, {
    description: 'Extra tags on every resource, added to Environment, Application, Project, ManagedBy and CostCenter.',
  }),
} as const;

export const SettingsSchema = strict(SettingsShape);

export const EnvironmentSchema = strict({
  account: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit AWS account ID, quoted, e.g. "123456789012"')).register(z.globalRegistry, {
    description: 'AWS account ID the environment deploys to; deploy refuses credentials for any other account.',
  }),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1')).register(z.globalRegistry, { description: 'AWS region.' }),
  kind: z.optional(z.enum(ENVIRONMENT_KINDS)).register(z.globalRegistry, {
    description: 'development, staging or production. Default: prod/production -> production, dev/development -> development, anything else -> staging.',
  }),
  suffix: z.optional(z.string()).register(z.globalRegistry, { description: 'Suffix in every physical name. Default: the environment name. Sanitized: lower-case, [a-z0-9-_], at most 50 characters.' }),
  endpoint: z.optional(z.url('expected a URL such as http://localhost:4566')).register(z.globalRegistry, { description: 'Send every AWS call to this endpoint (LocalStack-style emulators).' }),
  registryEndpoint: z.optional(z.url('expected a URL such as http://127.0.0.1:5001')).register(z.globalRegistry, {
    description:
      'Emulated environments only (needs endpoint): the container registry that stands in for ECR\'s <account>.dkr.ecr.<region>.amazonaws.com host, ' +
        'which an emulator cannot serve. push-image logs in there with the emulated ECR token, pushes there, reads the digest and architecture back ' +
        'through its registry API, and registers the same manifest in the emulated ECR so deploy sees the image.',
  }),
  profile: z.optional(z.string()).register(z.globalRegistry, { description: 'AWS profile to use for this environment (the --profile flag wins).' }),
  ...Object.fromEntries(Object.entries(SettingsShape).map(([k, v]) => [k, z.optional(v)])),
});

export const ConfigFileSchema = strict({
  $schema: z.optional(z.string()).register(z.globalRegistry, { description: 'JSON Schema for editor completion.' }),
  project: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,19}$/, 'expected 2-20 characters: lower-case letters, digits and hyphens, starting with a letter'))
    .register(z.globalRegistry, { description: 'Short lower-case project name used in every physical resource name.' }),
  preset: z._default(z.enum(PRESETS), 'ecommerce').register(z.globalRegistry, { description: 'Which platform to build: ecommerce (tapstack.md), catalog-api or rds-postgres (presets.md).' }),
  defaults: z.optional(z.partial(SettingsSchema)).register(z.globalRegistry, { description: 'Settings shared by every environment; each environment may override any of them.' }),
  environments: z
    .record(
      z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]{0,49}$/, 'environment names start with a letter: letters, digits, - and _')),
      EnvironmentSchema,
    )
    .check(z.refine((envs) => Object.keys(envs).length > 0, 'at least one environment is required'))
    .register(z.globalRegistry, { description: 'Named environments (dev, staging, prod, ...): account, region and overrides of any default.' }),
});

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type Settings = z.infer<typeof SettingsSchema>;
export type NetworkSettings = z.infer<typeof NetworkSchema>;
export type DatabaseSettings = z.infer<typeof DatabaseSchema>;
export type ContainerSettings = z.infer<typeof ContainerSchema>;
export type ApiSettings = z.infer<typeof ApiSchema>;
export type CdnSettings = z.infer<typeof CdnSchema>;
export type AlarmSettings = z.infer<typeof AlarmsSchema>;
export type LambdaSettings = z.infer<typeof LambdaSchema>;
export type StorageSettings = z.infer<typeof StorageSchema>;
export type CatalogSettings = z.infer<typeof CatalogSchema>;
export type PostgresSettings = z.infer<typeof PostgresSchema>;
export type DomainSettings = z.infer<typeof DomainSchema>;
export type WafSettings = z.infer<typeof WafSchema>;
export type OriginSettings = z.infer<typeof OriginSchema>;
export type DeploymentSettings = z.infer<typeof DeploymentSchema>;
