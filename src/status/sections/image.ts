/** Image references as ECS writes them, and the comparison with the release ledger's current release. */
import type { ImageComparison, ImageRef, PushedImageInfo } from '../schema.js';

/** `repo[:tag][@sha256:...]`; a registry port (`host:5000/repo`) is not mistaken for a tag. */
export function parseImage(reference: string, reportedDigest?: string | null): ImageRef {
  const at = reference.indexOf('@');
  const pinned = at >= 0 ? reference.slice(at + 1) : null;
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  return {
    reference,
    repository: hasTag ? name.slice(0, colon) : name,
    tag: hasTag ? name.slice(colon + 1) : null,
    digest: pinned ?? reportedDigest ?? null,
  };
}

export function compareWithPushed(running: ImageRef | null, pushed: PushedImageInfo | undefined): ImageComparison {
  const lastPushed = pushed ? { repositoryUri: pushed.repositoryUri, tag: pushed.tag, digest: pushed.digest, pushedAt: pushed.pushedAt } : null;
  let matchesLastPushed: boolean | null = null;
  if (running && pushed) {
    if (running.digest && pushed.digest) matchesLastPushed = running.digest === pushed.digest;
    else if (running.tag && pushed.tag) matchesLastPushed = running.tag === pushed.tag && sameRepository(running.repository, pushed.repositoryUri);
  }
  return { running, lastPushed, matchesLastPushed };
}

const sameRepository = (a: string, b: string) => a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);

/** `arn:aws:ecs:...:task-definition/shop-app-dev:7` -> `shop-app-dev:7`. */
export function taskDefinitionName(arn: string): { name: string; revision: number | null } {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const revision = Number(name.slice(name.lastIndexOf(':') + 1));
  return { name, revision: Number.isInteger(revision) && name.includes(':') ? revision : null };
}
