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

export const PRESETS = ['ecommerce', 'catalog-api', 'rds-postgres'] as const;
export type Preset = (typeof PRESETS)[number];

export const ENVIRONMENT_KINDS = ['development', 'staging', 'production'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

export const DB_ENGINES = ['aurora-postgresql', 'aurora-mysql'] as const;
export type DbEngine = (typeof DB_ENGINES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const strict = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

export const NetworkSchema = strict({
  cidr: z
    .string()
    .default('10.0.0.0/16')
    .describe('IPv4 CIDR block of the VPC. Must leave room for 3 subnet tiers x maxAzs subnets of size subnetMask.'),
  maxAzs: z.number().int().min(2).max(6).default(2).describe('Number of availability zones the VPC spans.'),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected an availability zone name such as us-east-1a'))
    .optional()
    .describe(
      'Availability zones to use, e.g. [us-east-1a, us-east-1b]. Default: the first maxAzs zones of the region ' +
        '(<region>a, <region>b, ...). Given explicitly so that synth never looks them up in the account.',
    ),
  natGateways: z
    .number()
    .int()
    .min(1)
    .max(6)
    .default(2)
    .describe('NAT gateways (one per AZ in the spec). 1 saves ~$32/month per gateway in non-production.'),
  subnetMask: z.number().int().min(16).max(28).default(24).describe('Prefix length of every subnet (Public, Private, Isolated tiers).'),
});

export const DatabaseSchema = strict({
  engine: z
    .enum(DB_ENGINES)
    .default('aurora-postgresql')
    .describe(
      'Aurora engine. Changing it changes the port (5432/3306), the security-group rules and the rotation type together. ' +
        'Spec conflict: PostgreSQL (baseline) vs MySQL (region-safe); tapctl keeps PostgreSQL at a version the spec records as available.',
    ),
  version: z
    .string()
    .optional()
    .describe(
      'Engine version. Default: 16.4 for aurora-postgresql (the spec records 15.2/15.3/15.4/15.7 as unavailable), ' +
        '3.08.0 for aurora-mysql. Retired versions are refused.',
    ),
  name: z
    .string()
    .default('ecommerce')
    .describe("Default database name. Spec conflict: 'ecommerce' vs 'ecommerce_db'; tapctl uses 'ecommerce'."),
  username: z.string().default('dbadmin').describe('Master username. The password is generated into Secrets Manager, never configured.'),
  minCapacity: z.number().default(0.5).describe('Aurora Serverless v2 minimum capacity in ACUs (0 to 256, in steps of 0.5).'),
  maxCapacity: z.number().default(2).describe('Aurora Serverless v2 maximum capacity in ACUs (1 to 256, in steps of 0.5). Spec conflict: 2 vs 1; tapctl uses 2.'),
  readers: z.number().int().min(0).max(15).default(1).describe('Serverless v2 reader instances (scale with the writer).'),
  backupRetentionDays: z.number().int().min(1).max(35).default(7).describe('Automated backup retention in days.'),
  backupWindow: z.string().default('03:00-04:00').describe('Daily backup window, UTC, hh:mm-hh:mm.'),
  maintenanceWindow: z.string().default('sun:04:00-sun:05:00').describe('Weekly maintenance window, UTC, ddd:hh:mm-ddd:hh:mm.'),
  rotationDays: z.number().int().min(1).max(1000).default(30).describe('Rotate the master password every N days (hosted rotation).'),
});

export const ContainerSchema = strict({
  port: z.number().int().min(1).max(65535).default(3000).describe('Port the container listens on.'),
  cpu: z.number().int().default(1024).describe('Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).'),
  memory: z.number().int().default(2048).describe('Fargate task memory in MiB; must be valid for the chosen cpu.'),
  architecture: z
    .enum(['x86_64', 'arm64'])
    .default('x86_64')
    .describe('CPU architecture of the task; push-image builds for linux/amd64 or linux/arm64 to match.'),
  desiredCount: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe(
      'Ignored, kept so existing configs validate. Auto-scaling owns the task count between minTasks and maxTasks ' +
        '(spec: 2 tasks, min 2, max 10), so a deploy never resets a service that scaled out during a peak.',
    ),
  minTasks: z.number().int().min(0).default(2).describe('Auto-scaling minimum.'),
  maxTasks: z.number().int().min(1).default(10).describe('Auto-scaling maximum.'),
  cpuTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .default(50)
    .describe('Target-tracking CPU utilisation. Spec conflict: 50 vs 70; tapctl scales at 50 and alarms at 70, so an alarm means scaling could not keep up.'),
  memoryTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .default(70)
    .describe('Target-tracking memory utilisation. Spec conflict: 70 vs 80; tapctl scales at 70 and alarms at 80.'),
  scaleInCooldownSeconds: z.number().int().min(0).default(60).describe('Cooldown after a scale-in.'),
  scaleOutCooldownSeconds: z.number().int().min(0).default(60).describe('Cooldown after a scale-out.'),
  healthCheckPath: z.string().startsWith('/').default('/health').describe('HTTP path the load balancer and the container health check probe.'),
  healthCheckGraceSeconds: z.number().int().min(0).default(60).describe('Seconds ECS ignores failing health checks after a task starts.'),
  healthCheckCommand: z
    .string()
    .optional()
    .describe("Container health check (CMD-SHELL). Default: 'curl -f http://localhost:<port><healthCheckPath> || exit 1'; the image must contain curl."),
  image: strict({
    repository: z
      .string()
      .optional()
      .describe("Image repository. Default: the stack's own ECR repository (filled by push-image)."),
    tag: z.string().optional().describe('Image tag to run. Set by push-image; never defaults to latest.'),
    digest: z
      .string()
      .regex(/^sha256:[a-f0-9]{64}$/, 'expected sha256:<64 hex characters>')
      .optional()
      .describe('Image digest to run (wins over tag).'),
  })
    .default({})
    .describe('The image the service runs. Until one is pushed, the first deploy runs zero tasks.'),
  dockerfile: z.string().default('Dockerfile').describe('Dockerfile path, relative to the project folder.'),
  context: z.string().default('.').describe('Build context, relative to the project folder.'),
  buildArgs: z
    .record(z.string(), z.string())
    .default({})
    .describe('Plain build arguments. Secrets do not belong here: use buildSecrets.'),
  buildSecrets: z
    .record(z.string(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable'))
    .default({})
    .describe('Build secrets: id -> name of the environment variable that holds the value. Values are never echoed or stored.'),
  builder: z
    .enum(['auto', 'docker', 'podman', 'buildah', 'finch'])
    .default('auto')
    .describe('Container builder for push-image; auto tries docker, podman, buildah, finch in that order.'),
});

export const ApiSchema = strict({
  throttleRateLimit: z.number().min(0).default(1000).describe('Stage and usage-plan steady-state rate (requests/second).'),
  throttleBurstLimit: z.number().int().min(0).default(2000).describe('Stage and usage-plan burst.'),
  quotaPerMonth: z.number().int().min(1).default(1_000_000).describe('Usage-plan monthly request quota.'),
  loggingLevel: z
    .enum(['OFF', 'ERROR', 'INFO'])
    .default('OFF')
    .describe(
      'Stage execution logging. Spec conflict: INFO + data trace vs OFF; tapctl defaults to OFF because INFO needs the ' +
        "account's API Gateway CloudWatch role (deploy checks it when you turn it on).",
    ),
  dataTrace: z.boolean().default(false).describe('Log full request/response data (never in production: it can log secrets).'),
  tracing: z.boolean().default(true).describe('X-Ray tracing on the stage.'),
});

export const CdnSchema = strict({
  priceClass: z
    .enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'])
    .default('PriceClass_100')
    .describe('CloudFront price class.'),
  assetsDefaultTtlSeconds: z.number().int().min(0).default(86_400).describe('Default TTL of the /static/js/* and /static/css/* cache policies.'),
  assetsMaxTtlSeconds: z.number().int().min(0).default(31_536_000).describe('Maximum TTL of the /static/js/* and /static/css/* cache policies.'),
});

export const AlarmsSchema = strict({
  email: z.email('expected an email address such as ops@example.com').default('admin@example.com').describe('Address subscribed to the alert topic (must confirm the subscription).'),
  evaluationPeriods: z.number().int().min(1).default(2).describe('Evaluation periods of every alarm.'),
  ecsCpuPercent: z.number().default(70).describe('Alarm when service CPU is above this.'),
  ecsMemoryPercent: z.number().default(80).describe('Alarm when service memory is above this.'),
  dbConnections: z.number().default(80).describe('Alarm when average database connections are above this.'),
  dbCpuPercent: z.number().default(80).describe('Alarm when database CPU is above this.'),
  unhealthyTargets: z.number().default(1).describe('Alarm when unhealthy targets are at or above this.'),
  alb5xx: z.number().default(10).describe('Alarm when target 5xx responses (sum) are above this.'),
  api4xx: z.number().default(50).describe('Alarm when API 4XX errors per 5 minutes are above this. Spec conflict: 50 vs 10; tapctl uses 50.'),
  api5xx: z.number().default(10).describe('Alarm when API 5XX errors per 5 minutes are above this. Spec conflict: 10 vs 5; tapctl uses 10.'),
  apiLatencyMs: z.number().default(3000).describe('Alarm when average API latency (ms) is above this.'),
  lambdaErrors: z.number().default(5).describe('Alarm when Lambda errors per 5 minutes are above this.'),
  lambdaThrottles: z.number().default(10).describe('Alarm when Lambda throttles per 5 minutes are above this.'),
});

export const LambdaSchema = strict({
  runtime: z
    .string()
    .default('nodejs22.x')
    .describe('Processor function runtime. The spec says nodejs18.x, which is end-of-life; retired runtimes are refused.'),
  memoryMb: z.number().int().min(128).max(10240).default(512).describe('Processor function memory (MB).'),
  timeoutSeconds: z.number().int().min(1).max(900).default(30).describe('Processor function timeout (seconds).'),
});

export const StorageSchema = strict({
  assetsInfrequentAccessDays: z.number().int().min(30).default(30).describe('Static assets move to STANDARD_IA after N days (S3 minimum: 30).'),
  assetsGlacierDays: z.number().int().min(1).default(90).describe('Static assets move to GLACIER after N days.'),
  assetsNoncurrentExpireDays: z.number().int().min(1).default(90).describe('Old versions of static assets expire after N days.'),
  logsExpireDays: z.number().int().min(1).default(90).describe('Access logs expire after N days.'),
});

export const ProtectionSchema = strict({
  deletionProtection: z
    .boolean()
    .optional()
    .describe('Database and ALB deletion protection. Default: on for kind production, off otherwise.'),
  retainData: z
    .boolean()
    .optional()
    .describe(
      'Keep the database (snapshot), buckets, KMS key and ECR repository when the stack is deleted. ' +
        'Default: on for production; off elsewhere, so dev can be torn down completely (buckets are emptied).',
    ),
  terminationProtection: z.boolean().optional().describe('CloudFormation stack termination protection. Default: on for production.'),
});

/**
 * Settings of the catalog-api preset (presets.md part a) that no other preset has. The shared sections it reads
 * (network, database, container, cdn.priceClass, alarms, storage.logsExpireDays, ...) are listed in
 * docs/presets.md; setting a key the preset does not read is a warning (rule X1).
 */
export const CatalogSchema = strict({
  egress: z
    .enum(['nat', 'endpoints'])
    .default('nat')
    .describe(
      'How tasks in the private subnets reach ECR, CloudWatch Logs and Secrets Manager (presets.md a.16: the spec has neither). ' +
        'nat (default): the NAT gateways of network.natGateways; one gateway (~$32/month) costs less than the four interface endpoints a private ' +
        'image pull needs (~$7/month each per zone) and lets the service call other HTTPS APIs. endpoints: no NAT gateway; interface endpoints for ' +
        'ECR (api, dkr), CloudWatch Logs and Secrets Manager and an S3 gateway endpoint, for accounts whose policy forbids internet egress.',
    ),
  dbInstanceClass: z
    .string()
    .default('db.t3.medium')
    .describe("Aurora instance class of the writer and of each reader (database.readers). Default: the spec's db.t3.medium (2 vCPU, 4 GiB), burstable; production warns about CPU credits."),
  onDemandBase: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Tasks that always run on on-demand FARGATE before any FARGATE_SPOT task. 0 is the spec (every task on Spot, up to ~70 % cheaper); ' +
        'the production template sets 2, because a Spot interruption wave or a Spot shortage would otherwise take the whole API down.',
    ),
});

/** Alarm thresholds of the rds-postgres preset, sized for ~30,000 orders a day on db.r6g.large. */
export const PostgresAlarmsSchema = strict({
  cpuPercent: z.number().min(1).max(100).default(80).describe('Alarm when average CPU of the primary or a replica is above this (80: headroom for a traffic peak before queries slow down).'),
  freeStorageGiB: z
    .number()
    .min(1)
    .default(10)
    .describe('Alarm when free storage of an instance is below this many GiB (10: storage autoscaling grows the volume at 10 % free of 100 GiB, so the alarm means it did not).'),
  connections: z
    .number()
    .int()
    .min(1)
    .default(500)
    .describe('Alarm when connections of an instance are above this (500: ~2.5x what pooled app servers need for 30,000 orders/day; db.r6g.large allows ~1,700).'),
  replicaLagSeconds: z
    .number()
    .min(1)
    .default(30)
    .describe('Alarm when a read replica is more than this many seconds behind (30: readers would show stale stock and order states). One alarm per replica, on its own DBInstanceIdentifier.'),
});

/**
 * Settings of the rds-postgres preset (presets.md part b). b.10 leaves these numbers open; each default is sized
 * for ~30,000 orders a day, read-heavy, and says why. docs/presets.md has the reasoning in one table.
 */
export const PostgresSchema = strict({
  version: z
    .string()
    .default('17.5')
    .describe('RDS for PostgreSQL engine version. Default 17.5, the spec\'s; 14.7 failed to deploy (failure-lessons.md #18) and is refused.'),
  instanceClass: z
    .string()
    .default('db.r6g.large')
    .describe(
      'Instance class of the primary and every replica. db.r6g.large (2 vCPU, 16 GiB, Graviton): memory-optimized, so the hot catalog and ' +
        'recent orders stay cached for a read-heavy load; 30,000 orders/day (~10/s at peak) is far from its CPU limit.',
    ),
  readReplicas: z
    .number()
    .int()
    .min(0)
    .max(15)
    .default(1)
    .describe(
      'Read replicas, each pinned to its own availability zone, never the primary\'s (so at most network.maxAzs - 1). Default 1, which fits ' +
        'the default 2 zones; the rds-postgres template runs 2 over 3 zones so that reads survive the loss of any one zone.',
    ),
  multiAz: z
    .boolean()
    .default(false)
    .describe(
      'Multi-AZ standby of the primary. Off: the primary is pinned to the first zone and the replicas to the others (presets.md b.2); ' +
        'failover is promoting a replica. On: RDS chooses the primary\'s zone, so replicas can no longer be kept out of it (a warning says so).',
    ),
  allocatedStorageGiB: z
    .number()
    .int()
    .min(20)
    .max(65536)
    .default(100)
    .describe('Initial storage (GiB). 100: about a year of orders at 30,000/day with indexes, and gp3 gives 3,000 IOPS from the first GiB.'),
  maxAllocatedStorageGiB: z
    .number()
    .int()
    .min(20)
    .max(65536)
    .default(500)
    .describe('Storage autoscaling ceiling (GiB); equal to allocatedStorageGiB turns autoscaling off. 500: five years of growth without an operator.'),
  storageType: z.enum(['gp3', 'gp2', 'io1', 'io2']).default('gp3').describe('EBS storage type. gp3: 3,000 IOPS and 125 MiB/s baseline at any size, cheaper than gp2.'),
  port: z.number().int().min(1150).max(65535).default(5432).describe('Port the instances listen on. 5432, the PostgreSQL default, so every client works unchanged.'),
  backupRetentionDays: z
    .number()
    .int()
    .min(1)
    .max(35)
    .default(14)
    .describe('Automated backup retention in days. 14: a problem noticed a week later (a bad migration, a pricing bug) can still be restored to before it.'),
  performanceInsightsRetentionDays: z
    .number()
    .int()
    .default(7)
    .describe('Performance Insights retention: 7 (free) or a multiple of 31 up to 713, or 731. 7 covers a week of query analysis at no cost.'),
  logRetentionDays: z
    .number()
    .int()
    .default(30)
    .describe('Retention of the exported PostgreSQL logs (postgresql, upgrade) in CloudWatch Logs. 30: a month of slow-query and audit history.'),
  monitoringIntervalSeconds: z
    .union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)])
    .default(60)
    .describe('Enhanced Monitoring interval (0 turns it off). 60: OS metrics every minute at the lowest price.'),
  bastionInstanceType: z
    .string()
    .default('t4g.micro')
    .describe('EC2 instance type of the SSM bastion (Graviton). t4g.micro: the SSM agent and psql need no more.'),
  parameters: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .default({})
    .describe(
      "Parameter-group values, merged over tapctl's tuned set (docs/presets.md). Memory values are integers in the engine's unit: " +
        'shared_buffers, effective_cache_size, wal_buffers and temp_buffers in 8 kB pages, work_mem and maintenance_work_mem in kB. ' +
        "Unit strings such as '1GB' are refused with the number to use.",
    ),
  alarms: PostgresAlarmsSchema.default(PostgresAlarmsSchema.parse({})).describe('Alarm thresholds of the instances.'),
});

export const SettingsShape = {
  network: NetworkSchema.default(NetworkSchema.parse({})).describe('VPC and subnets.'),
  database: DatabaseSchema.default(DatabaseSchema.parse({})).describe('Aurora Serverless v2 cluster, its secret and rotation.'),
  container: ContainerSchema.default(ContainerSchema.parse({})).describe('The Fargate service, its image and auto-scaling.'),
  api: ApiSchema.default(ApiSchema.parse({})).describe('API Gateway REST API, stage and usage plan.'),
  cdn: CdnSchema.default(CdnSchema.parse({})).describe('CloudFront distribution for static assets.'),
  alarms: AlarmsSchema.default(AlarmsSchema.parse({})).describe('SNS alerts and CloudWatch alarm thresholds.'),
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
