/**
 * The release ledger as status shows it: the current release (who, when, which image) and drift, i.e. where
 * what the service runs, the ledger's current release and the config's pin disagree. One GetParameters call
 * (running-image.ts is the one reader of these facts; this only formats them).
 */
import { isTapctlError } from '../../cli/errors.js';
import { ledgerFor, readHead } from '../../release/ledger.js';
import { sameImage, shortImage, type Release } from '../../release/release.js';
import { hasService, headWarnings, pinnedImage, usableCurrent } from '../../release/running-image.js';
import type { ImageRef, PushedImageInfo, ReleaseInfo, ReleaseSummary, Section, ServiceInfo } from '../schema.js';
import { compareWithPushed } from './image.js';
import { absent, callOptions, ok, sectionError, type SectionContext } from './section.js';

export async function readRelease(c: SectionContext): Promise<Section<ReleaseInfo>> {
  if (!hasService(c.env)) return absent(`not part of the ${c.env.preset} preset`);
  const ledger = ledgerFor(c.env);
  try {
    const head = await readHead(c.clients, ledger, callOptions(c.signal));
    const { release, ignored } = usableCurrent(head, c.env);
    const pin = pinnedImage(c.env);
    const problems = [...headWarnings(head, ledger), ...(ignored ? [ignored] : [])];
    return ok({
      ledger: ledger.prefix,
      current: release ? summary(release) : null,
      ignored: problems.length ? problems.join('; ') : null,
      ended: head.ended ? { at: head.ended.at, by: head.ended.by } : null,
      pinned: pin ? { repository: pin.repository ?? null, tag: pin.tag ?? null, digest: pin.digest ?? null } : null,
      drift: [],
    });
  } catch (e) {
    // A denied ledger read names the action and the parameter ARN (ledger.ts); the other sections still show.
    if (isTapctlError(e) && e.code === 'access-denied') return { state: 'error', error: { code: 'access-denied', message: e.message } };
    // Time-outs, Ctrl-C and the rest read like every other section's: from the SDK's own error.
    return sectionError(isTapctlError(e) && e.cause !== undefined ? e.cause : e, `reading the release ledger ${ledger.prefix}`, c.signal);
  }
}

function summary(r: Release): ReleaseSummary {
  return {
    id: r.id,
    outcome: r.outcome,
    rollout: r.rollout ?? null,
    source: r.source,
    image: { repository: r.image.repository, tag: r.image.tag ?? null, digest: r.image.digest ?? null },
    by: { arn: r.by.arn, ciActor: r.by.ciActor ?? null, runUrl: r.by.runUrl ?? null },
    at: r.at,
    taskDefinitionArn: r.taskDefinitionArn ?? null,
    from: r.from ?? null,
    rollbackOf: r.rollbackOf ?? null,
  };
}

/**
 * Once the service and the ledger are both read: the service's image compared with the current release, and
 * the drift sentences. Either section failing leaves the other as it was.
 */
export function joinReleaseAndService(
  service: Section<ServiceInfo>,
  release: Section<ReleaseInfo>,
  envName: string,
): { service: Section<ServiceInfo>; release: Section<ReleaseInfo> } {
  if (release.state !== 'ok') return { service, release };
  const current = release.data.current;
  const pushed: PushedImageInfo | undefined =
    current?.image.tag && current.image.digest ? { repositoryUri: current.image.repository, tag: current.image.tag, digest: current.image.digest, pushedAt: current.at } : undefined;
  if (service.state !== 'ok') return { service, release };
  const running = service.data.image.running;
  return {
    service: { state: 'ok', data: { ...service.data, image: compareWithPushed(running, pushed) } },
    release: { state: 'ok', data: { ...release.data, drift: driftOf(running, release.data, envName) } },
  };
}

function driftOf(runningRef: ImageRef | null, r: ReleaseInfo, envName: string): string[] {
  if (!runningRef) return [];
  const running = { repository: runningRef.repository, ...(runningRef.tag ? { tag: runningRef.tag } : {}), ...(runningRef.digest ? { digest: runningRef.digest } : {}) };
  const drift: string[] = [];
  const runs = shortImage(running);
  const current = r.current;
  if (current) {
    const image = { repository: current.image.repository, ...(current.image.tag ? { tag: current.image.tag } : {}), ...(current.image.digest ? { digest: current.image.digest } : {}) };
    if (!sameImage(running, image)) {
      const which = `release ${current.id} (${shortImage(image)})`;
      if (current.outcome === 'pushed') drift.push(`${which} is pushed but not deployed yet; the service runs ${runs}: tapctl deploy --env ${envName} rolls it out`);
      else if (current.outcome === 'failed') drift.push(`${which} failed to deploy; the service runs ${runs}`);
      else drift.push(`the service runs ${runs}, not the current ${which}, ${current.outcome}: changed outside tapctl, or its rollout went back`);
    }
  }
  const pin = r.pinned;
  if (pin) {
    const pinned = { ...(pin.repository ? { repository: pin.repository } : {}), ...(pin.tag ? { tag: pin.tag } : {}), ...(pin.digest ? { digest: pin.digest } : {}) };
    if (!sameImage(running, pinned)) drift.push(`the config pins ${shortImage(pinned)} (container.image): the next deploy runs it, not ${runs}`);
  }
  return drift;
}
