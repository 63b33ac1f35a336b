/**
 * An environment's app secrets in Secrets Manager, `tapctl/<project>/<suffix>/<NAME>` (config/app-secret-names.ts),
 * encrypted with the environment's own KMS key and tagged as tapctl's. Values go in and never come out: the one
 * read of a value (GetSecretValue, in sameAsCurrent) compares it in memory with the value being set, so that an
 * unchanged value makes no new version and no rollout; it is never shown, logged or cached.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/Welcome.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DescribeSecretResponse, SecretListEntry, Tag } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError, isAccessDenied } from '../aws/errors.js';
import { RefusedError } from '../cli/errors.js';
import { appSecretName, appSecretPrefix, type AppSecretScope } from '../config/app-secret-names.js';
import { loadSdk } from '../aws/sdk.js';
import { byName } from '../cli/plain-text.js';

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
  /**
   * created: it did not exist. updated: a new version. restored: it was scheduled for deletion, now restored (with
   * a new version when the value differs). unchanged: the current version holds this value already: nothing written.
   */
  readonly action: 'created' | 'updated' | 'restored' | 'unchanged';
  /** The current value could not be read to compare it (why): a new version was written anyway. */
  readonly notCompared?: string;
}

/** The key ID of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`), or the value itself. */
const keyIdOf = (key: string): string => /:key\/([^/]+)$/.exec(key)?.[1] ?? key;

/**
 * The key that encrypts the secret, as a key ARN when KMS can say (Secrets Manager may hold an alias or a bare key
 * ID); undefined for the AWS managed key aws/secretsmanager (DescribeSecret then names none).
 */
async function secretKeyArn(clients: AwsClients, kmsKeyId: string | undefined): Promise<string | undefined> {
  if (!kmsKeyId || (kmsKeyId.startsWith('arn:') && kmsKeyId.includes(':key/'))) return kmsKeyId;
  try {
    const { DescribeKeyCommand } = await loadSdk('@aws-sdk/client-kms');
    return (await (await clients.kms()).send(new DescribeKeyCommand({ KeyId: kmsKeyId }))).KeyMetadata?.Arn ?? kmsKeyId;
  } catch (e) {
    if (awsErrorName(e) === 'AbortError') throw explainAwsError(e, `reading KMS key ${kmsKeyId}`);
    return kmsKeyId;
  }
}

/**
 * The secret's key must be the environment's: a secret of that name encrypted with another key (a pre-existing
 * secret, one left by an earlier incarnation of the environment) could not be read by the tasks' execution role,
 * which may decrypt with the environment's key only. Refused (exit 3), naming both keys and the fix.
 */
async function refuseForeignKey(clients: AwsClients, secret: AppSecretInfo & { kmsKeyId?: string }, expected: string): Promise<void> {
  const refusal = await foreignKeyRefusal(clients, secret, expected, `refusing to store ${secret.secretName}`, 'then set it again');
  if (refusal) throw refusal;
}

/**
 * The refusal (exit 3) for a secret that a key other than the environment's encrypts, or undefined when its key is
 * the environment's. `doing` starts the message ("refusing to store X"); `then` says what to do after the fix.
 * Deploy's preflight asks the same of every secret container.secrets names (deploy-inputs.ts).
 */
export async function foreignKeyRefusal(clients: AwsClients, secret: AppSecretInfo & { kmsKeyId?: string }, expected: string, doing: string, then: string): Promise<RefusedError | undefined> {
  const found = await secretKeyArn(clients, secret.kmsKeyId);
  if (found && keyIdOf(found) === keyIdOf(expected)) return undefined;
  const named = found ?? 'the AWS managed key aws/secretsmanager';
  return new RefusedError(`${doing}: ${secret.secretName} is encrypted with ${named}, not with the environment's key ${expected}, so the service's tasks could not read it`, {
    hint:
      `if it is this environment's secret (left by an earlier deploy), move it to the environment's key: aws secretsmanager update-secret --secret-id ${secret.secretName} --kms-key-id ${expected}, ${then}; ` +
      `if it belongs to something else, rename or delete that secret`,
  });
}

/**
 * Whether the secret's current value is `value`, compared in memory (as digests, in constant time) and never
 * kept; undefined with the reason when it cannot be read (no secretsmanager:GetSecretValue or kms:Decrypt).
 */
async function sameAsCurrent(clients: AwsClients, arn: string, value: string): Promise<{ same: boolean } | { unknown: string }> {
  const { GetSecretValueCommand } = await loadSdk('@aws-sdk/client-secrets-manager');
  try {
    const current = (await (await clients.secretsManager()).send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString;
    if (current === undefined) return { same: false };
    const digest = (x: string) => createHash('sha256').update(x, 'utf8').digest();
    return { same: timingSafeEqual(digest(current), digest(value)) };
  } catch (e) {
    const explained = explainAwsError(e, 'reading the current value to compare it');
    if (explained.code === 'interrupted') throw explained;
    return { unknown: isAccessDenied(e) ? 'reading the current value is denied to these credentials' : explained.message };
  }
}

/**
 * Stores `value` as the current version of NAME, encrypted with `kmsKeyArn`. A secret scheduled for deletion is
 * restored first; one that tapctl did not create, or that another key encrypts, is never written (exit 3); a
 * value equal to the current one writes nothing (`unchanged`).
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
  if (existing) await refuseForeignKey(clients, existing, kmsKeyArn);
  let notCompared: string | undefined;
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
      // A new version for the same value would be a change for nothing, and would make running tasks look stale.
      const compared = await sameAsCurrent(clients, existing.arn, value);
      if ('same' in compared && compared.same) {
        const now = existing.deletionDate ? await describeAppSecret(clients, env, name) : existing;
        return { secret: now ?? existing, action: existing.deletionDate ? 'restored' : 'unchanged' };
      }
      if ('unknown' in compared) notCompared = compared.unknown;
      await sm.send(new sdk.PutSecretValueCommand({ SecretId: existing.arn, SecretString: value }));
    }
  } catch (e) {
    if (e instanceof RefusedError) throw e;
    throw explainAwsError(e, `storing secret ${secretName}`);
  }
  const after = await describeAppSecret(clients, env, name);
  if (!after) throw explainAwsError(new Error('the secret is not there after it was stored'), `storing secret ${secretName}`);
  return { secret: after, action: !existing ? 'created' : existing.deletionDate ? 'restored' : 'updated', ...(notCompared ? { notCompared } : {}) };
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
  return out.sort((a, b) => byName(a.name, b.name));
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
