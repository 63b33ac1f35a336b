/**
 * Where an environment's app secrets live in Secrets Manager: `tapctl/<project>/<suffix>/<NAME>` (the suffix is
 * the environment's name unless the config sets one, as in every other physical name and the release ledger's
 * path). Pure: the CDK app, `tapctl secrets` and deploy's preflight all name them here.
 */
import { partitionOf } from '../aws/partition.js';

/** An app secret's name: the environment variable the container gets (upper case). */
export const APP_SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;

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
