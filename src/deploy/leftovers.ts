/**
 * Leftovers from an earlier destroy: a stack's retained resources (its repository, buckets, log groups, secret,
 * database, key alias) outlive it under the names the next stack of the same environment creates again, and the
 * create then fails with "... already exists" after minutes of work. Before a stack is created, every name the
 * template gives explicitly (src/synth/physical-names.ts) of a type that can be left behind is looked up, one
 * read call each, and the create is refused (exit 3) with how to delete each one, or to rename the environment.
 * A hint only: importing a leftover into the new stack is not offered this round.
 */
import type { AwsClients } from '../aws/clients.js';
import { repositoryExists } from '../aws/ecr-images.js';
import { bucketPresence, dbClusterExists, dbInstanceExists, kmsKeyPresence, logGroupExists, secretPresence, type Presence } from '../aws/resource-exists.js';
import { RefusedError, isTapctlError } from '../cli/errors.js';
import { physicalNamesOf, type CfnTemplate } from '../synth/physical-names.js';

interface Probe {
  readonly what: string;
  presence(clients: AwsClients, name: string): Promise<Presence>;
  /** The command that deletes it (region appended by the caller). */
  remove(name: string): string;
  /** It may hold data: keep a copy before deleting. */
  readonly holdsData?: boolean;
}

const exists = (found: boolean): Presence => (found ? 'present' : 'absent');

/** The resource types a stack names explicitly and can leave behind, each with its one-call lookup. */
const PROBES: Readonly<Record<string, Probe>> = {
  'AWS::ECR::Repository': {
    what: 'ECR repository',
    presence: async (c, n) => exists(await repositoryExists(c, n)),
    remove: (n) => `aws ecr delete-repository --repository-name ${n} --force`,
    holdsData: true,
  },
  'AWS::S3::Bucket': { what: 'S3 bucket', presence: bucketPresence, remove: (n) => `aws s3 rb s3://${n} --force`, holdsData: true },
  'AWS::Logs::LogGroup': { what: 'log group', presence: async (c, n) => exists(await logGroupExists(c, n)), remove: (n) => `aws logs delete-log-group --log-group-name ${n}` },
  'AWS::SecretsManager::Secret': { what: 'secret', presence: secretPresence, remove: (n) => `aws secretsmanager delete-secret --secret-id ${n} --force-delete-without-recovery`, holdsData: true },
  'AWS::RDS::DBCluster': {
    what: 'Aurora cluster',
    presence: async (c, n) => exists(await dbClusterExists(c, n)),
    remove: (n) => `aws rds delete-db-cluster --db-cluster-identifier ${n} --final-db-snapshot-identifier ${n}-final (after deleting its instances)`,
    holdsData: true,
  },
  'AWS::RDS::DBInstance': {
    what: 'RDS instance',
    presence: async (c, n) => exists(await dbInstanceExists(c, n)),
    remove: (n) => `aws rds delete-db-instance --db-instance-identifier ${n} --final-db-snapshot-identifier ${n}-final`,
    holdsData: true,
  },
  'AWS::KMS::Alias': { what: 'KMS alias', presence: kmsKeyPresence, remove: (n) => `aws kms delete-alias --alias-name ${n}` },
};

export interface Leftover {
  readonly logicalId: string;
  readonly type: string;
  readonly what: string;
  readonly name: string;
  readonly presence: Exclude<Presence, 'absent'>;
  /** How to delete it (undefined: it belongs to another account; only a new name helps). */
  readonly remove?: string;
  readonly holdsData: boolean;
}

export interface LeftoverSearch {
  readonly leftovers: readonly Leftover[];
  /** Names that could not be looked up, and why. */
  readonly unchecked: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
  /** How many names were looked up. */
  readonly looked: number;
}

/**
 * Looks up every explicit name of `template` that a stack can leave behind (the calls run side by side).
 * `ownedByStack`: physical IDs the failed stack that this deploy deletes first still holds (it deletes them with
 * itself, so they are not leftovers).
 */
export async function findLeftovers(clients: AwsClients, template: CfnTemplate, where: { environment: string; account: string; region: string; stackName: string }, ownedByStack: ReadonlySet<string> = new Set()): Promise<LeftoverSearch> {
  const names = physicalNamesOf({ ...where, template }).filter((n) => PROBES[n.spec.type] && !ownedByStack.has(n.name));
  const found = await Promise.all(
    names.map(async (n) => {
      const probe = PROBES[n.spec.type];
      try {
        return { n, probe, presence: await probe.presence(clients, n.name) };
      } catch (e) {
        if (!isTapctlError(e)) throw e;
        return { n, probe, error: e.message };
      }
    }),
  );
  const leftovers: Leftover[] = [];
  const unchecked: Array<{ name: string; reason: string }> = [];
  for (const f of found) {
    if ('error' in f) unchecked.push({ name: f.n.name, reason: f.error ?? '' });
    else if (f.presence !== 'absent') {
      leftovers.push({
        logicalId: f.n.resource,
        type: f.n.spec.type,
        what: f.probe.what,
        name: f.n.name,
        presence: f.presence,
        ...(f.presence === 'other-account' ? {} : { remove: `${f.probe.remove(f.n.name)} --region ${where.region}` }),
        holdsData: Boolean(f.probe.holdsData),
      });
    }
  }
  return { leftovers, unchecked, looked: names.length };
}

function describe(l: Leftover): string {
  const state = l.presence === 'pending-deletion' ? ', scheduled for deletion (the name stays taken until then)' : l.presence === 'other-account' ? ', owned by another account (bucket names are global)' : '';
  return `${l.what} ${l.name}${state}${l.remove ? `: delete with ${l.remove}` : ''}`;
}

/** The refusal listing each leftover with how to delete it, and the rename that avoids them all. */
export function leftoversRefusal(env: { name: string; names: { stack: string } }, leftovers: readonly Leftover[]): RefusedError {
  const data = leftovers.some((l) => l.holdsData && l.remove);
  return new RefusedError(
    `refusing to create ${env.names.stack}: ${leftovers.length === 1 ? 'a resource' : `${leftovers.length} resources`} with the names it creates already exist, left from an earlier stack (kept when it was destroyed) or made by hand; the create would fail with "already exists":\n${leftovers.map((l) => `  - ${describe(l)}`).join('\n')}`,
    {
      hint: `delete the ones you no longer need${data ? ' (a repository, bucket, secret or database holds data: keep a copy first)' : ''}, or give '${env.name}' another suffix (environments.${env.name}.suffix) so that every name changes; tapctl does not import them into the new stack`,
      details: { leftovers },
    },
  );
}
