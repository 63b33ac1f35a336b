/**
 * Secrets Manager behind aws-sdk-client-mock, as a small store with Secrets Manager's own answers: versions with
 * AWSCURRENT, scheduled deletion and restore, tags and the KMS key. It keeps every value it was given, so a test
 * can check what was stored. GetSecretValue answers the current value (secrets set compares with it), so a test
 * that must see no value read back asserts it was not called.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DEV_ACCOUNT } from '../helpers/project.js';

export interface StoredSecret {
  name: string;
  arn: string;
  values: string[];
  versions: string[];
  changed: Date;
  deleted?: Date;
  tags: Tag[];
  kmsKeyId?: string;
}

const notFound = () => Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });

export class FakeSecrets {
  readonly sm = mockClient(SecretsManagerClient);
  readonly secrets = new Map<string, StoredSecret>();
  private seq = 0;

  constructor(private readonly account = DEV_ACCOUNT) {
    const find = (id: string) => [...this.secrets.values()].find((s) => s.name === id || s.arn === id);
    const describe = (s: StoredSecret) => ({
      ARN: s.arn,
      Name: s.name,
      KmsKeyId: s.kmsKeyId,
      LastChangedDate: s.changed,
      CreatedDate: s.changed,
      ...(s.deleted ? { DeletedDate: s.deleted } : {}),
      Tags: s.tags,
      VersionIdsToStages: Object.fromEntries(s.versions.map((v, i) => [v, i === s.versions.length - 1 ? ['AWSCURRENT'] : i === s.versions.length - 2 ? ['AWSPREVIOUS'] : []]).filter(([, l]) => (l as string[]).length)),
    });
    this.sm.on(DescribeSecretCommand).callsFake(async (i: { SecretId: string }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      return describe(s);
    });
    this.sm.on(CreateSecretCommand).callsFake(async (i: { Name: string; SecretString: string; Tags?: Tag[]; KmsKeyId?: string }) => {
      if (find(i.Name)) throw Object.assign(new Error('exists'), { name: 'ResourceExistsException' });
      const s = this.add(i.Name, i.SecretString, { tags: i.Tags ?? [], kmsKeyId: i.KmsKeyId });
      return { ARN: s.arn, Name: s.name, VersionId: s.versions.at(-1) };
    });
    this.sm.on(PutSecretValueCommand).callsFake(async (i: { SecretId: string; SecretString: string }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      if (s.deleted) throw Object.assign(new Error('You can’t perform this operation on the secret because it was marked for deletion.'), { name: 'InvalidRequestException' });
      s.values.push(i.SecretString);
      s.versions.push(`v${++this.seq}-0000-0000-0000-000000000000`);
      s.changed = new Date();
      return { ARN: s.arn, VersionId: s.versions.at(-1) };
    });
    this.sm.on(GetSecretValueCommand).callsFake(async (i: { SecretId: string }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      if (s.deleted) throw Object.assign(new Error('You can’t perform this operation on the secret because it was marked for deletion.'), { name: 'InvalidRequestException' });
      return { ARN: s.arn, Name: s.name, VersionId: s.versions.at(-1), SecretString: s.values.at(-1), VersionStages: ['AWSCURRENT'] };
    });
    this.sm.on(RestoreSecretCommand).callsFake(async (i: { SecretId: string }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      delete s.deleted;
      return { ARN: s.arn };
    });
    this.sm.on(UpdateSecretCommand).callsFake(async (i: { SecretId: string; KmsKeyId?: string }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      if (i.KmsKeyId) s.kmsKeyId = i.KmsKeyId;
      return { ARN: s.arn };
    });
    this.sm.on(DeleteSecretCommand).callsFake(async (i: { SecretId: string; ForceDeleteWithoutRecovery?: boolean; RecoveryWindowInDays?: number }) => {
      const s = find(i.SecretId);
      if (!s) throw notFound();
      if (i.ForceDeleteWithoutRecovery) this.secrets.delete(s.name);
      else s.deleted = new Date();
      return { ARN: s.arn, Name: s.name, DeletionDate: new Date(Date.now() + (i.RecoveryWindowInDays ?? 30) * 86_400_000) };
    });
    this.sm.on(ListSecretsCommand).callsFake(async (i: { Filters?: Array<{ Key: string; Values: string[] }>; IncludePlannedDeletion?: boolean }) => {
      const prefix = i.Filters?.find((f) => f.Key === 'name')?.Values[0]?.toLowerCase() ?? '';
      const list = [...this.secrets.values()].filter((s) => s.name.toLowerCase().startsWith(prefix) && (i.IncludePlannedDeletion || !s.deleted));
      return {
        SecretList: list.map((s) => {
          const { VersionIdsToStages, ...rest } = describe(s);
          return { ...rest, SecretVersionsToStages: VersionIdsToStages };
        }),
      };
    });
  }

  /** A secret as Secrets Manager would hold it: its ARN ends in six random characters. */
  add(name: string, value: string, options: { tags?: Tag[]; kmsKeyId?: string; changed?: Date; deleted?: Date; managed?: boolean } = {}): StoredSecret {
    const suffix = `${name.length.toString(36)}Ab${(++this.seq).toString(36).padStart(2, '0')}`.slice(-6).padStart(6, 'x');
    const s: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:us-east-1:${this.account}:secret:${name}-${suffix}`,
      values: [value],
      versions: [`v${this.seq}-0000-0000-0000-000000000000`],
      changed: options.changed ?? new Date(),
      ...(options.deleted ? { deleted: options.deleted } : {}),
      tags: options.tags ?? (options.managed === false ? [] : [{ Key: 'ManagedBy', Value: 'tapctl' }]),
      ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    };
    this.secrets.set(name, s);
    return s;
  }

  restore(): void {
    this.sm.restore();
  }
}
