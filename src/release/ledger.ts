/**
 * The release ledger of one environment, in SSM Parameter Store in the environment's own account and region,
 * under `/tapctl/<project>/<suffix>/` (the suffix is the environment's name unless `suffix:` sets one: the same
 * one every physical name carries, so the ledger follows the stack):
 *
 * - `releases/<id>`: one Standard parameter per release (release.ts), id zero-padded so names sort. Created
 *   with PutParameter without Overwrite, SSM's only conditional write: on ParameterAlreadyExists the writer
 *   takes the next id, so two racing pushes both get a release. Outcome updates overwrite it (a handful of
 *   versions, far below the 100 SSM keeps).
 * - `current`: the release the environment runs or should run next (its id and a copy of its record).
 *   Overwritten by push-image, deploy and rollback: last writer wins (every release is still recorded). It is
 *   never labelled, so SSM drops its oldest version when the 101st is written
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html). A pointer is
 *   used only when the release it names is in the ledger (`releases/<id>`, read back: the record there is the
 *   one used) and its image is in the stack's own repository; anything else is reported and not used.
 * - `ended`: written by destroy. A `current` older than `ended` belongs to the destroyed environment and is
 *   ignored, so a re-created environment starts fresh; the history stays for audit. A marker that is not one
 *   (garbage) is reported and ignored: it never silently disables the ledger.
 *
 * Limits (https://docs.aws.amazon.com/general/latest/gr/ssm.html): 4 KB per Standard parameter, 100 versions
 * per parameter, 10,000 Standard parameters per account and region; GetParametersByPath returns at most 10 per
 * page, GetParameters and DeleteParameters take at most 10 names
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html). The newest
 * RELEASES_KEPT releases are kept (retention.ts: the same count as the ECR lifecycle rule's), and never the
 * current, running or newest deployed one.
 *
 * IAM: ssm:GetParameters, ssm:GetParametersByPath, ssm:PutParameter and ssm:DeleteParameters on
 * arn:<partition>:ssm:<region>:<account>:parameter/tapctl/<project>/<suffix>/*. A denied call is an error
 * (exit 1) naming the action and the ARN; there is no silent fallback.
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import { OperationError, type TapctlError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError, isAccessDenied } from '../aws/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { formatReleaseId, parseRelease, releaseNumber, serializeRelease, sized, type Parsed, type Release, type ReleaseDraft } from './release.js';
import { loadSdk } from '../aws/sdk.js';
import { inLedger, parseEnded, parsePointer, type CurrentPointer, type EndedMarker } from './ledger-markers.js';
import { prunable, type Protected } from './retention.js';

export type { CurrentPointer, EndedMarker } from './ledger-markers.js';
/** Racing writers each take the next free id; this many collisions in a row is not a race any more. */
const MAX_ID_ATTEMPTS = 25;
const PAGE_SIZE = 10;

export const LEDGER_ACTIONS = ['ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameters'] as const;

export interface Ledger {
  /** `/tapctl/<project>/<suffix>/` */
  readonly prefix: string;
  /** `arn:aws:ssm:<region>:<account>:parameter/tapctl/<project>/<suffix>/` (append a name, or `*`). */
  readonly arnPrefix: string;
}

export function ledgerFor(env: Pick<ResolvedEnvironment, 'project' | 'suffix' | 'region' | 'account'>): Ledger {
  const prefix = `/tapctl/${env.project}/${env.suffix}/`;
  return { prefix, arnPrefix: `arn:${partitionOf(env.region)}:ssm:${env.region}:${env.account}:parameter${prefix}` };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The IAM statement the ledger needs, as one line for hints and the README. */
export function ledgerPolicy(ledger: Ledger): string {
  return `${LEDGER_ACTIONS.join(', ')} on ${ledger.arnPrefix}*`;
}

export interface LedgerHead {
  /** The pointer as read: valid, or why not. Undefined when there is none. */
  readonly current?: Parsed<CurrentPointer>;
  /** When SSM last wrote `current`. */
  readonly currentModified?: Date;
  readonly ended?: EndedMarker;
  /** An `ended` parameter that is not a valid marker: why. It is ignored (and reported), never obeyed. */
  readonly endedInvalid?: string;
  /** `current` was written before `ended`: it belongs to the destroyed environment. */
  readonly currentBeforeEnd: boolean;
}

export interface ReadHeadOptions {
  /** Cancels the calls (status's per-call time-out). */
  readonly abortSignal?: AbortSignal;
  /**
   * The caller's listing of the ledger, to check the pointer's release against. Without it, the release's own
   * parameter is read back (one more GetParameters), so that a pointer to a release the ledger does not hold is
   * never used.
   */
  readonly releases?: readonly Release[];
}

/**
 * `current` and `ended` in one GetParameters call; then the current release's own record (`releases/<id>`),
 * unless the caller listed the ledger: the pointer is used only for a release the ledger holds, and with the
 * record the ledger holds for it.
 */
export async function readHead(clients: AwsClients, ledger: Ledger, options: ReadHeadOptions = {}): Promise<LedgerHead> {
  const { GetParametersCommand } = await loadSdk('@aws-sdk/client-ssm');
  const names = [`${ledger.prefix}current`, `${ledger.prefix}ended`];
  const ssm = await clients.ssm();
  const send = { ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) };
  let found: Parameter[];
  try {
    found = (await ssm.send(new GetParametersCommand({ Names: names }), send)).Parameters ?? [];
  } catch (e) {
    throw ledgerError(e, 'ssm:GetParameters', `${ledger.arnPrefix}current`, 'reading');
  }
  const byName = new Map(found.map((p) => [p.Name, p]));
  const currentParam = byName.get(names[0]);
  const endedParam = byName.get(names[1]);
  let current = currentParam ? parsePointer(currentParam.Value) : undefined;
  const ended = endedParam ? parseEnded(endedParam.Value) : undefined;
  const currentAt = currentParam?.LastModifiedDate ?? (current?.ok ? new Date(current.value.at) : undefined);
  // A marker that is not one ends nothing: its time is not used either.
  const endedAt = ended?.ok ? (endedParam?.LastModifiedDate ?? new Date(ended.value.at)) : undefined;
  if (current?.ok) current = await inLedger(current.value, options.releases, async (id) => {
    const name = `${ledger.prefix}releases/${id}`;
    try {
      const out = await ssm.send(new GetParametersCommand({ Names: [name] }), send);
      return out.Parameters?.find((p) => p.Name === name)?.Value;
    } catch (e) {
      throw ledgerError(e, 'ssm:GetParameters', `${ledger.arnPrefix}releases/${id}`, 'reading');
    }
  });
  return {
    ...(current ? { current } : {}),
    ...(currentAt ? { currentModified: currentAt } : {}),
    ...(ended?.ok ? { ended: ended.value } : {}),
    ...(ended && !ended.ok ? { endedInvalid: ended.reason } : {}),
    currentBeforeEnd: Boolean(currentAt && endedAt && currentAt.getTime() <= endedAt.getTime()),
  };
}

export interface InvalidRecord {
  readonly name: string;
  readonly reason: string;
}

export interface ReleaseList {
  /** Valid releases, newest (highest id) first. */
  readonly releases: readonly Release[];
  /** Parameters under releases/ that are not valid release records: reported, never used. */
  readonly invalid: readonly InvalidRecord[];
  /** The highest id seen, valid or not (the next release takes a higher one). */
  readonly highestId: number;
}

/** Every release parameter, page by page (10 per page). */
export async function listReleases(clients: AwsClients, ledger: Ledger): Promise<ReleaseList> {
  const { GetParametersByPathCommand } = await loadSdk('@aws-sdk/client-ssm');
  const ssm = await clients.ssm();
  const path = `${ledger.prefix}releases`;
  const releases: Release[] = [];
  const invalid: InvalidRecord[] = [];
  let highestId = 0;
  let token: string | undefined;
  try {
    do {
      const out = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: false, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }));
      for (const p of out.Parameters ?? []) {
        const name = p.Name ?? '';
        const id = name.slice(name.lastIndexOf('/') + 1);
        const n = releaseNumber(id);
        if (n !== undefined) highestId = Math.max(highestId, n);
        const parsed = parseRelease(p.Value, id);
        if (parsed.ok) releases.push(parsed.value);
        else invalid.push({ name, reason: parsed.reason });
      }
      token = out.NextToken;
    } while (token);
  } catch (e) {
    throw ledgerError(e, 'ssm:GetParametersByPath', `${ledger.arnPrefix}releases/*`, 'reading');
  }
  releases.sort((a, b) => Number(b.id) - Number(a.id));
  return { releases, invalid, highestId };
}

/**
 * Records a new release under the next free id after `highestId`. PutParameter without Overwrite fails with
 * ParameterAlreadyExists when another writer took the id first; then the next one is tried.
 */
export async function createRelease(clients: AwsClients, ledger: Ledger, draft: ReleaseDraft, highestId: number): Promise<Release> {
  for (let attempt = 1, n = highestId + 1; attempt <= MAX_ID_ATTEMPTS; attempt++, n++) {
    const release: Release = { v: 1, id: formatReleaseId(n), ...draft };
    if (await put(clients, ledger, `releases/${release.id}`, serializeRelease(release), false, `tapctl release ${release.id}`)) return release;
  }
  throw new OperationError(`could not record the release: ${MAX_ID_ATTEMPTS} release ids after ${formatReleaseId(highestId)} were taken while tapctl tried them`, {
    code: 'ledger-busy',
    hint: 'another tapctl is writing releases for this environment right now; try again in a moment',
  });
}

/** One release's record, or undefined when the ledger does not hold a valid one under `id`. */
export async function getRelease(clients: AwsClients, ledger: Ledger, id: string): Promise<Release | undefined> {
  const { GetParametersCommand } = await loadSdk('@aws-sdk/client-ssm');
  const name = `${ledger.prefix}releases/${id}`;
  try {
    const out = await (await clients.ssm()).send(new GetParametersCommand({ Names: [name] }));
    const parsed = parseRelease(out.Parameters?.find((p) => p.Name === name)?.Value, id);
    return parsed.ok ? parsed.value : undefined;
  } catch (e) {
    throw ledgerError(e, 'ssm:GetParameters', `${ledger.arnPrefix}releases/${id}`, 'reading');
  }
}

/** Overwrites a release (a new outcome, task definition or config fingerprint). */
export async function updateRelease(clients: AwsClients, ledger: Ledger, release: Release): Promise<void> {
  await put(clients, ledger, `releases/${release.id}`, serializeRelease(release), true);
}

/** Points `current` at `release` (last writer wins). */
export async function setCurrent(clients: AwsClients, ledger: Ledger, release: Release, by: string): Promise<void> {
  const pointer: CurrentPointer = { v: 1, release: JSON.parse(serializeRelease(release)) as Release, at: new Date().toISOString(), by };
  await put(clients, ledger, 'current', sized(JSON.stringify(pointer), 'the current pointer'), true);
}

/** destroy: the environment ended; its releases stay for audit. */
export async function markEnded(clients: AwsClients, ledger: Ledger, marker: Omit<EndedMarker, 'v'>): Promise<void> {
  await put(clients, ledger, 'ended', JSON.stringify({ v: 1, ...marker }), true);
}

/**
 * Deletes the releases retention.ts does not keep (never the current, running or newest deployed one, nor one
 * just written), 10 names per DeleteParameters call. `releases` is the whole ledger, including what the caller
 * just wrote. Returns the ids deleted.
 */
export async function pruneReleases(clients: AwsClients, ledger: Ledger, releases: readonly Pick<Release, 'id' | 'outcome' | 'rollout'>[], protect: Protected, keep?: number): Promise<string[]> {
  const doomed = prunable(releases, protect, keep);
  if (doomed.length === 0) return [];
  const { DeleteParametersCommand } = await loadSdk('@aws-sdk/client-ssm');
  const ssm = await clients.ssm();
  for (let i = 0; i < doomed.length; i += PAGE_SIZE) {
    const names = doomed.slice(i, i + PAGE_SIZE).map((id) => `${ledger.prefix}releases/${id}`);
    try {
      await ssm.send(new DeleteParametersCommand({ Names: names }));
    } catch (e) {
      throw ledgerError(e, 'ssm:DeleteParameters', `${ledger.arnPrefix}releases/*`, 'pruning old releases from');
    }
  }
  return doomed;
}

/** PutParameter; false when `overwrite` is off and the parameter already exists (someone else took the name). */
async function put(clients: AwsClients, ledger: Ledger, name: string, value: string, overwrite: boolean, description?: string): Promise<boolean> {
  const { PutParameterCommand } = await loadSdk('@aws-sdk/client-ssm');
  try {
    await (await clients.ssm()).send(
      new PutParameterCommand({ Name: `${ledger.prefix}${name}`, Value: value, Type: 'String', Tier: 'Standard', Overwrite: overwrite, ...(description ? { Description: description } : {}) }),
    );
    return true;
  } catch (e) {
    if (!overwrite && awsErrorName(e) === 'ParameterAlreadyExists') return false;
    throw ledgerError(e, 'ssm:PutParameter', `${ledger.arnPrefix}${name}`, 'writing');
  }
}

/**
 * A denied ledger call names the action and the parameter ARN, and the whole policy the ledger needs. Anything
 * else is explainAwsError's answer: credentials to fix stay a usage error (exit 2), as in every other command.
 */
export function ledgerError(e: unknown, action: string, arn: string, verb: string): TapctlError {
  if (isAccessDenied(e)) {
    const ledgerArn = arn.replace(/(parameter\/tapctl\/[^/]+\/[^/]+\/).*$/, '$1*');
    return new OperationError(`AWS denied ${action} on ${arn}: tapctl cannot ${verb === 'reading' ? 'read' : 'write'} the release ledger`, {
      code: 'access-denied',
      hint: `the release ledger needs ${LEDGER_ACTIONS.join(', ')} on ${ledgerArn} (README: "Working as a team / in CI")`,
      cause: e,
      details: { action, resource: arn },
    });
  }
  return explainAwsError(e, `${verb} the release ledger: ${action} on ${arn}`);
}
