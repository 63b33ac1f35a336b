/**
 * Where an environment's app secrets live in Secrets Manager: `tapctl/<project>/<suffix>/<NAME>` (the suffix is
 * the environment's name unless the config sets one, as in every other physical name and the release ledger's
 * path). Pure: the CDK app, `tapctl secrets` and deploy's preflight all name them here.
 */
import { partitionOf } from '../aws/partition.js';

/** An app secret's name: the environment variable the container gets (upper case). */
export const APP_SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;

/** The longest NAME (the config's and the CLI's limit). */
export const MAX_APP_SECRET_NAME = 128;

/** The rule, as every place that refuses a name states it (config schema, secrets set|unset, secrets list). */
export const APP_SECRET_NAME_RULE = `an upper-case environment variable name: A-Z, 0-9 and _, starting with a letter, at most ${MAX_APP_SECRET_NAME} characters`;

/** Environment variables the task definition sets itself (src/infra/constructs/task-definition.ts, the presets). */
export const CONTAINER_ENVIRONMENT = ['NODE_ENV', 'PORT', 'AWS_REGION', 'CLOUDFRONT_URL', 'DB_SECRET', 'DB_SECRET_ARN', 'DB_HOST', 'DB_PORT', 'DB_NAME'] as const;

/** NAME has the form of a secret name (APP_SECRET_NAME_RULE). */
export const isAppSecretName = (name: string): boolean => name.length <= MAX_APP_SECRET_NAME && APP_SECRET_NAME.test(name);

/**
 * Why a well-formed NAME cannot be given to the container (rule K1): one the task definition sets itself, or one
 * the AWS runtime and SDKs read (AWS_, ECS_). Undefined when it can.
 */
export function reservedSecretName(name: string): string | undefined {
  if ((CONTAINER_ENVIRONMENT as readonly string[]).includes(name)) return `secret ${name} would replace the ${name} the container already gets from tapctl`;
  if (/^(AWS|ECS)_/.test(name)) return `secret ${name} starts with ${name.slice(0, 4)}, which the AWS runtime and SDKs read for themselves`;
  return undefined;
}

export interface AppSecretScope {
  readonly project: string;
  readonly suffix: string;
  readonly account: string;
  readonly region: string;
}

/** `tapctl/<project>/<suffix>/` */
export const appSecretPrefix = (env: Pick<AppSecretScope, 'project' | 'suffix'>): string => `tapctl/${env.project}/${env.suffix}/`;

/** The secret's name in Secrets Manager. */
export const appSecretName = (env: Pick<AppSecretScope, 'project' | 'suffix'>, name: string): string => `${appSecretPrefix(env)}${name}`;

/**
 * The secret's partial ARN: its full ARN without the 6 random characters Secrets Manager appends
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 * What a template synthesized without AWS (synth, a dry run without credentials) names a secret by.
 */
export function appSecretPartialArn(env: AppSecretScope, name: string): string {
  return `arn:${partitionOf(env.region)}:secretsmanager:${env.region}:${env.account}:secret:${appSecretName(env, name)}`;
}
