/**
 * What a stack deletion leaves behind: resources whose DeletionPolicy keeps them (Retain, RetainExceptOnCreate)
 * or keeps a final snapshot (Snapshot). They keep costing money, so destroy lists the ones still there.
 */
import type { AwsClients } from '../aws/clients.js';
import { isTapctlError } from '../cli/errors.js';
import { repositoryExists } from '../aws/ecr-images.js';
import { bucketExists, dbClusterExists, kmsKeyPresence, logGroupExists, secretPresence, type Presence } from '../aws/resource-exists.js';
import type { StackResource, Template } from '../aws/stack-details.js';
import type { RetainedResource } from './results.js';

const KEPT = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** The resources of `template` a deletion keeps, with their physical IDs from the deployed stack. */
export function retainedResources(template: Template, resources: readonly StackResource[]): RetainedResource[] {
  const physical = new Map(resources.map((r) => [r.logicalId, r.physicalId]));
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.DeletionPolicy && KEPT.has(r.DeletionPolicy))
    .map(([logicalId, r]) => ({ logicalId, type: r.Type, policy: r.DeletionPolicy as string, ...(physical.get(logicalId) ? { physicalId: physical.get(logicalId) } : {}) }));
}

/**
 * Checks, where one call answers it, whether each kept resource still exists; drops the ones that are gone. A
 * KMS key or secret scheduled for deletion is kept in the list, marked so.
 */
export async function stillExisting(clients: AwsClients, kept: readonly RetainedResource[]): Promise<RetainedResource[]> {
  const out: RetainedResource[] = [];
  for (const k of kept) {
    let presence: Presence | undefined;
    try {
      presence = await existence(clients, k);
    } catch (e) {
      // The stack is gone already: a read that fails must not turn the destroy into a failure. Not checked, why.
      if (!isTapctlError(e)) throw e;
      out.push({ ...k, uncheckedBecause: e.message });
      continue;
    }
    if (presence === 'absent') continue;
    out.push({ ...k, ...(presence === undefined ? {} : { exists: true }), ...(presence === 'pending-deletion' ? { state: 'pending-deletion' as const } : {}) });
  }
  return out;
}

const found = async (check: Promise<boolean>): Promise<Presence> => ((await check) ? 'present' : 'absent');

async function existence(clients: AwsClients, k: RetainedResource): Promise<Presence | undefined> {
  if (!k.physicalId) return undefined;
  switch (k.type) {
    case 'AWS::S3::Bucket':
      return found(bucketExists(clients, k.physicalId));
    case 'AWS::ECR::Repository':
      return found(repositoryExists(clients, k.physicalId));
    case 'AWS::RDS::DBCluster':
      // Snapshot: the cluster goes and its final snapshot stays; only a retained cluster can still be there.
      return k.policy === 'Snapshot' ? undefined : found(dbClusterExists(clients, k.physicalId));
    case 'AWS::KMS::Key':
      return kmsKeyPresence(clients, k.physicalId);
    case 'AWS::SecretsManager::Secret':
      return secretPresence(clients, k.physicalId);
    case 'AWS::Logs::LogGroup':
      return found(logGroupExists(clients, k.physicalId));
    default:
      return undefined;
  }
}
