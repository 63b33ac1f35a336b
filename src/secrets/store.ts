/**
 * An environment's app secrets in Secrets Manager, `tapctl/<project>/<suffix>/<NAME>` (config/app-secret-names.ts),
 * encrypted with the environment's own KMS key and tagged as tapctl's. Values go in and never come out: nothing
 * here reads a secret's value (no GetSecretValue), so no value can reach output, logs or caches.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/Welcome.html
 */
import type { DescribeSecretResponse, SecretListEntry, Tag } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { RefusedError } from '../cli/errors.js';
import { appSecretName, appSecretPrefix, type AppSecretScope } from '../config/app-secret-names.js';
import { loadSdk } from '../aws/sdk.js';

export type SecretEnv = AppSecretScope & { readonly name: string; readonly kind: string };

/** Deleted secrets stay recoverable this long (Secrets Manager's shortest window is 7 days). */
export const RECOVERY_WINDOW_DAYS = 7;

/** What tapctl tags its secrets with; ManagedBy tells them from secrets someone else made under the same name. */
export function secretTags(env: SecretEnv): Tag[] {
  return [
    { Key: 'Project', Value: env.project },
    { Key: 'Environment', Value: env.kind },
    { Key: 'ManagedBy', Value: 'tapctl' },
  ];
}

export interface AppSecretInfo {
  /** NAME: the environment variable. */
  readonly name: string;
  /** The name in Secrets Manager. */
  readonly secretName: string;
  readonly arn: string;
  /** The version that AWSCURRENT labels. */
  readonly currentVersion?: string;
  /** How many versions Secrets Manager keeps labelled (AWSCURRENT, AWSPREVIOUS ...). */
  readonly versions: number;
  /** When the value (or the secret) last changed, ISO 8601. */
  readonly changedAt?: string;
  /** When Secrets Manager deletes it for good, for a secret scheduled for deletion. */
  readonly deletionDate?: string;
  /** Tagged ManagedBy=tapctl. */
  readonly managed: boolean;
}

type Described = Pick<DescribeSecretResponse, 'ARN' | 'Name' | 'LastChangedDate' | 'CreatedDate' | 'DeletedDate' | 'VersionIdsToStages' | 'Tags' | 'KmsKeyId'> & {
  SecretVersionsToStages?: SecretListEntry['SecretVersionsToStages'];
};

function info(name: string, d: Described): AppSecretInfo {
  const stages = d.VersionIdsToStages ?? d.SecretVersionsToStages ?? {};
  const current = Object.entries(stages).find(([, labels]) => labels?.includes('AWSCURRENT'))?.[0];
  const changed = d.LastChangedDate ?? d.CreatedDate;
  // DeletedDate is when the deletion was asked for; the secret goes for good a recovery window later.
  const deletion = d.DeletedDate ? new Date(d.DeletedDate.getTime() + RECOVERY_WINDOW_DAYS * 86_400_000) : undefined;
  return {
    name,
    secretName: d.Name ?? name,
    arn: d.ARN ?? '',
    ...(current ? { currentVersion: current } : {}),
    versions: Object.keys(stages).length,
    ...(changed ? { changedAt: changed.toISOString() } : {}),
    ...(deletion ? { deletionDate: deletion.toISOString() } : {}),
    managed: (d.Tags ?? []).some((t) => t.Key === 'ManagedBy' && t.Value === 'tapctl'),
  };
}

/** The secret NAME of the environment (also when scheduled for deletion), or undefined when there is none. */
export async function describeAppSecret(clients: AwsClients, env: SecretEnv, name: string): Promise<(AppSecretInfo & { kmsKeyId?: string }) | undefined> {
  const { DescribeSecretCommand } = await loadSdk('@aws-sdk/client-secrets-manager');
  const secretName = appSecretName(env, name);
  try {
    const d = await (await clients.secretsManager()).send(new DescribeSecretCommand({ SecretId: secretName }));
    return { ...info(name, d), ...(d.KmsKeyId ? { kmsKeyId: d.KmsKeyId } : {}) };
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return undefined;
    throw explainAwsError(e, `reading secret ${secretName}`);
  }
}

export interface PutResult {
  readonly secret: AppSecretInfo;
  /** created: it did not exist. updated: a new version. restored: it was scheduled for deletion, now a new version. */
  readonly action: 'created' | 'updated' | 'restored';
}

/**
 * Stores `value` as the current version of NAME, encrypted with `kmsKeyArn`. A secret scheduled for deletion is
 * restored first; one that tapctl did not create is never overwritten (exit 3).
 */
export async function putAppSecret(clients: AwsClients, env: SecretEnv, name: string, value: string, kmsKeyArn: string): Promise<PutResult> {
  const sdk = await loadSdk('@aws-sdk/client-secrets-manager');
  const sm = await clients.secretsManager();
  const secretName = appSecretName(env, name);
  const existing = await describeAppSecret(clients, env, name);
  if (existing && !existing.managed) {
    throw new RefusedError(`refusing to overwrite secret ${secretName}: it exists but was not created by tapctl (no ManagedBy=tapctl tag)`, {
      hint: 'rename or delete that secret, or tag it ManagedBy=tapctl if tapctl should own it',
    });
  }
  try {
    if (!existing) {
      await sm.send(
        new sdk.CreateSecretCommand({
          Name: secretName,
          Description: `${name} of ${env.project} '${env.name}', set with tapctl secrets set`,
          KmsKeyId: kmsKeyArn,
          SecretString: value,
          Tags: secretTags(env),
        }),
      );
    } else {
      if (existing.deletionDate) await sm.send(new sdk.RestoreSecretCommand({ SecretId: existing.arn }));
      // A secret of an environment destroyed and deployed again would still be encrypted with the old key, which
      // the new execution role may not use: new versions take the environment's key of now.
      if (existing.kmsKeyId !== kmsKeyArn) await sm.send(new sdk.UpdateSecretCommand({ SecretId: existing.arn, KmsKeyId: kmsKeyArn }));
      await sm.send(new sdk.PutSecretValueCommand({ SecretId: existing.arn, SecretString: value }));
    }
  } catch (e) {
    throw explainAwsError(e, `storing secret ${secretName}`);
  }
  const after = await describeAppSecret(clients, env, name);
  if (!after) throw explainAwsError(new Error('the secret is not there after it was stored'), `storing secret ${secretName}`);
  return { secret: after, action: !existing ? 'created' : existing.deletionDate ? 'restored' : 'updated' };
}

/** Every secret under the environment's prefix, scheduled deletions included, by NAME. */
export async function listAppSecrets(clients: AwsClients, env: SecretEnv): Promise<AppSecretInfo[]> {
  const { ListSecretsCommand } = await loadSdk('@aws-sdk/client-secrets-manager');
  const sm = await clients.secretsManager();
  const prefix = appSecretPrefix(env);
  const out: AppSecretInfo[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], IncludePlannedDeletion: true, MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
      // The name filter matches prefixes without regard to case: keep exactly this environment's.
      for (const s of page.SecretList ?? []) if (s.Name?.startsWith(prefix)) out.push(info(s.Name.slice(prefix.length), s));
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw explainAwsError(e, `listing the secrets under ${prefix}`);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Schedules NAME for deletion after the recovery window, or (`now`) deletes it for good. */
export async function deleteAppSecret(clients: AwsClients, env: SecretEnv, secret: AppSecretInfo, now: boolean): Promise<{ deletionDate?: string }> {
  const { DeleteSecretCommand } = await loadSdk('@aws-sdk/client-secrets-manager');
  try {
    const out = await (await clients.secretsManager()).send(
      new DeleteSecretCommand({ SecretId: secret.arn, ...(now ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: RECOVERY_WINDOW_DAYS }) }),
    );
    return out.DeletionDate ? { deletionDate: out.DeletionDate.toISOString() } : {};
  } catch (e) {
    throw explainAwsError(e, `deleting secret ${appSecretName(env, secret.name)}`);
  }
}
