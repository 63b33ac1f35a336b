/**
 * How many releases an environment keeps: ONE number, used by the ECR repository's lifecycle rule (images it
 * keeps; infra/constructs/registry.ts) and by the release ledger's pruning (records it keeps; ledger.ts), so that
 * the ledger does not offer rollback targets whose images ECR has already expired.
 *
 * 10, the count tapstack.md §5.1 already gives the lifecycle rule ("Keep only 10 most recent images"): ten
 * rollback targets are more than a team goes back through, the ledger of an environment is then one
 * GetParametersByPath page, and ~900 environments can share an account and region's 10,000 Standard parameters.
 * Older releases leave the ledger (CloudTrail keeps the PutParameter calls that recorded them).
 *
 * The two counts agree, but they count different things: ECR counts images (a rollback records a release and
 * pushes no image; an image index's platform manifests count as images of their own), the ledger counts records.
 * So `tapctl releases` asks ECR which images still exist instead of assuming it.
 *
 * Pure (no AWS): infra imports it.
 */
import type { Release } from './release.js';

/** Releases kept: images by the ECR lifecycle rule, records by the ledger. */
export const RELEASES_KEPT = 10;

/** What pruning must never delete, whatever its age. */
export interface Protected {
  /** The ledger's current release (the next deploy runs it). */
  readonly current?: string;
  /** The release whose image the stack runs, when known. */
  readonly running?: string;
  /** Releases just written by the caller. */
  readonly written?: readonly string[];
}

/**
 * The ids to delete: every release but the newest `keep`, the current one, the running one, the newest release
 * CloudFormation deployed and the newest that ran healthy (the default rollback target's candidates), and the
 * ones just written. Returns ids newest first.
 */
export function prunable(releases: readonly Pick<Release, 'id' | 'outcome' | 'rollout'>[], protect: Protected, keep = RELEASES_KEPT): string[] {
  const newestFirst = [...releases].sort((a, b) => Number(b.id) - Number(a.id));
  const kept = new Set<string>([
    ...newestFirst.slice(0, keep).map((r) => r.id),
    ...(protect.written ?? []),
    ...(protect.current ? [protect.current] : []),
    ...(protect.running ? [protect.running] : []),
  ]);
  const newestDeployed = newestFirst.find((r) => r.outcome === 'deployed');
  const newestHealthy = newestFirst.find((r) => r.outcome === 'deployed' && r.rollout === 'healthy');
  for (const r of [newestDeployed, newestHealthy]) if (r) kept.add(r.id);
  return newestFirst.filter((r) => !kept.has(r.id)).map((r) => r.id);
}
