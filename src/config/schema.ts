/**
 * The tapctl.config.yaml schema.
 *
 * Every key carries `.describe()`: the README's config reference and the JSON Schema that editors use are
 * generated from these descriptions. Defaults are the values of shared/spec/tapstack.md; where the spec lists
 * conflicting values, the description says which one tapctl chose and why ("Spec conflict: ...").
 *
 * Settings whose safe value depends on the kind of environment (deletion protection, retained data) have no
 * static default here: they are filled in by `resolve.ts` from the environment's `kind`.
 */
import * as z from 'zod';
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
  network: NetworkSchema.default(NetworkSchema.parse({})).describe('VPC and subnets.'),
  database: DatabaseSchema.default(DatabaseSchema.parse({})).describe('Aurora Serverless v2 cluster, its secret and rotation.'),
  container: ContainerSchema.default(ContainerSchema.parse({})).describe('The Fargate service, its image and auto-scaling.'),
  api: ApiSchema.default(ApiSchema.parse({})).describe('API Gateway REST API, stage and usage plan.'),
  cdn: CdnSchema.default(CdnSchema.parse({})).describe('CloudFront distribution for static assets.'),
  domain: DomainSchema.optional().describe(
    "The environment's own domain name over HTTPS (ecommerce, catalog-api). Without it the site is served on CloudFront's *.cloudfront.net name.",
  ),
  waf: WafSchema.default({}).describe('AWS WAF web ACL on CloudFront with AWS managed rule groups (ecommerce, catalog-api).'),
  origin: OriginSchema.default(OriginSchema.parse({})).describe(
    'The load balancer admits CloudFront only: its managed prefix list in the security group, and a secret header checked by the listener.',
  ),
  alarms: AlarmsSchema.default(AlarmsSchema.parse({})).describe('SNS alerts and CloudWatch alarm thresholds.'),
  deployment: DeploymentSchema.default({}).describe(
    'How a new release replaces the running tasks (rolling, blue-green, canary, linear) and which alarms roll it back (ecommerce, catalog-api).',
  ),
  lambda: LambdaSchema.default(LambdaSchema.parse({})).describe('The API processor Lambda function.'),
  storage: StorageSchema.default(StorageSchema.parse({})).describe('S3 lifecycle of the static assets and logs buckets.'),
  protection: ProtectionSchema.default({}).describe('What survives a delete. Defaults depend on the environment kind.'),
  catalog: CatalogSchema.default(CatalogSchema.parse({})).describe('catalog-api preset only: egress of the private subnets, database class, Spot.'),
  postgres: PostgresSchema.default(PostgresSchema.parse({})).describe('rds-postgres preset only: RDS for PostgreSQL sizing, parameters, replicas and alarms.'),
  logRetentionDays: z
    .number()
    .int()
    .default(7)
    .describe('Retention of the ECS and Lambda log groups (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, ...).'),
  tags: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra tags on every resource, added to Environment, Application, Project, ManagedBy and CostCenter.'),
} as const;

export const SettingsSchema = strict(SettingsShape);

export const EnvironmentSchema = strict({
  account: z
    .string()
    .regex(/^\d{12}$/, 'expected a 12-digit AWS account ID, quoted, e.g. "123456789012"')
    .describe('AWS account ID the environment deploys to; deploy refuses credentials for any other account.'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1')
    .describe('AWS region.'),
  kind: z
    .enum(ENVIRONMENT_KINDS)
    .optional()
    .describe('development, staging or production. Default: prod/production -> production, dev/development -> development, anything else -> staging.'),
  suffix: z
    .string()
    .optional()
    .describe('Suffix in every physical name. Default: the environment name. Sanitized: lower-case, [a-z0-9-_], at most 50 characters.'),
  endpoint: z
    .url('expected a URL such as http://localhost:4566')
    .optional()
    .describe('Send every AWS call to this endpoint (LocalStack-style emulators).'),
  registryEndpoint: z
    .url('expected a URL such as http://127.0.0.1:5001')
    .optional()
    .describe(
      'Emulated environments only (needs endpoint): the container registry that stands in for ECR\'s <account>.dkr.ecr.<region>.amazonaws.com host, ' +
        'which an emulator cannot serve. push-image logs in there with the emulated ECR token, pushes there, reads the digest and architecture back ' +
        'through its registry API, and registers the same manifest in the emulated ECR so deploy sees the image.',
    ),
  profile: z.string().optional().describe('AWS profile to use for this environment (the --profile flag wins).'),
  ...Object.fromEntries(Object.entries(SettingsShape).map(([k, v]) => [k, v.optional()])),
});

export const ConfigFileSchema = strict({
  $schema: z.string().optional().describe('JSON Schema for editor completion.'),
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,19}$/, 'expected 2-20 characters: lower-case letters, digits and hyphens, starting with a letter')
    .describe('Short lower-case project name used in every physical resource name.'),
  preset: z.enum(PRESETS).default('ecommerce').describe('Which platform to build: ecommerce (tapstack.md), catalog-api or rds-postgres (presets.md).'),
  defaults: SettingsSchema.partial().optional().describe('Settings shared by every environment; each environment may override any of them.'),
  environments: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,49}$/, 'environment names start with a letter: letters, digits, - and _'),
      EnvironmentSchema,
    )
    .refine((envs) => Object.keys(envs).length > 0, 'at least one environment is required')
    .describe('Named environments (dev, staging, prod, ...): account, region and overrides of any default.'),
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
