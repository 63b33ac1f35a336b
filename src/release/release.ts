/**
 * One release of an environment: which image was released, by whom, when, with which config, and how it ended.
 * Stored as compact JSON in one Standard SSM parameter (ledger.ts), so it is small by construction and
 * validated when read back: a record that fails validation is reported, never trusted.
 *
 * A Standard parameter holds at most 4 KB (4,096 bytes) of value
 * (https://docs.aws.amazon.com/general/latest/gr/ssm.html, "Parameter Store"). Every free-text field has a
 * length cap, so a record and the `current` pointer that carries a copy of it stay under that size.
 */
import { createHash } from 'node:crypto';
import type { ResolvedEnvironment } from '../config/resolve.js';

/** The record layout; a newer tapctl that changes it bumps this, and an older one reports such records. */
export const RELEASE_RECORD_VERSION = 1;
export const STANDARD_PARAMETER_MAX_BYTES = 4096;

/**
 * What is known of a release, recorded as it becomes known (never ahead of it):
 * - pushed: in ECR; the next deploy runs it. Nothing has deployed it yet.
 * - started: a deploy or rollback handed the change that runs it to CloudFormation and did not see the end
 *   (--no-wait, or interrupted): CloudFormation may be running it, or may have rolled it back.
 * - deployed: CloudFormation's update that puts its image in the stack completed. That is all it says: whether
 *   the ECS service runs it healthy is `rollout`.
 * - failed: its deploy failed (CloudFormation rolled back) or its ECS rollout failed.
 * - rolled-back: a rollback replaced it (never a default rollback target again).
 */
export const RELEASE_OUTCOMES = ['pushed', 'started', 'deployed', 'failed', 'rolled-back'] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/**
 * The ECS service's verdict on a release, when tapctl saw one: healthy (the service's deployment of its task
 * definition completed, every desired task running) or failed (the circuit breaker stopped it, it rolled back,
 * or its tasks kept stopping). Absent: nobody watched ECS (a plain deploy that did not find it finished, --no-wait).
 */
export const ROLLOUT_VERDICTS = ['healthy', 'failed'] as const;
export type RolloutVerdict = (typeof ROLLOUT_VERDICTS)[number];

/** Who recorded the release: push-image, a deploy of a pinned image (container.image), or rollback. */
export const RELEASE_SOURCES = ['push-image', 'deploy', 'rollback'] as const;
export type ReleaseSource = (typeof RELEASE_SOURCES)[number];

export interface ReleaseImage {
  /** `registry/name`, e.g. `111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. At least one of tag and digest is set. */
  readonly digest?: string;
}

export interface ReleaseAuthor {
  /** The STS caller ARN of the credentials that recorded it. */
  readonly arn: string;
  /** GITHUB_ACTOR or GITLAB_USER_LOGIN. */
  readonly ciActor?: string;
  /** The CI run that recorded it. */
  readonly runUrl?: string;
}

export interface Release {
  readonly v: typeof RELEASE_RECORD_VERSION;
  /** Zero-padded decimal (`000042`), so parameter names sort. */
  readonly id: string;
  readonly image: ReleaseImage;
  /** `linux/amd64` or `linux/arm64`. */
  readonly platform: string;
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
  readonly by: ReleaseAuthor;
  /** When it was recorded (ISO 8601). */
  readonly at: string;
  /** When the outcome last changed (ISO 8601). */
  readonly updatedAt?: string;
  readonly tapctlVersion: string;
  /** configFingerprint() of the config it was last deployed (or pushed) with. */
  readonly configFingerprint: string;
  readonly taskDefinitionArn?: string;
  readonly outcome: ReleaseOutcome;
  /** The ECS service's verdict (see ROLLOUT_VERDICTS); absent when nobody watched ECS. */
  readonly rollout?: RolloutVerdict;
  /**
   * A failed blue-green, canary or linear rollout: the CloudWatch alarms (by name) that fired during it and made
   * ECS roll it back. Absent when none did (a stop, the circuit breaker) or nobody watched.
   */
  readonly rolloutAlarms?: readonly string[];
  readonly source: ReleaseSource;
  /** A rollback: the release whose image it deploys again. */
  readonly from?: string;
  /** A rollback: the release it replaced. */
  readonly rollbackOf?: string;
}

/** A release before the ledger gave it an id. */
export type ReleaseDraft = Omit<Release, 'id' | 'v'>;

const ID_WIDTH = 6;

export function formatReleaseId(n: number): string {
  return String(n).padStart(ID_WIDTH, '0');
}

/** `42`, `000042` -> 42; undefined for anything that is not a release id. */
export function releaseNumber(id: string): number | undefined {
  return /^\d{1,9}$/.test(id) ? Number(id) : undefined;
}

/** Caps on free-text fields: the longest value AWS or the CI allows, or a generous bound for audit text. */
const CAPS = { repository: 320, tag: 300, arn: 1024, ciActor: 255, runUrl: 512, tapctlVersion: 40, taskDefinitionArn: 400, platform: 40, commit: 64, alarms: 3, alarmName: 64 } as const;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Audit text that is too long is shortened (marked with …) rather than refused: the release still counts. */
function capped(value: string | undefined, max: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/**
 * The JSON stored in the release's parameter. Throws (an internal error) if it could exceed a Standard
 * parameter: the caps make that impossible, and a test proves it with every field at its cap.
 */
export function serializeRelease(release: Release): string {
  const r: Release = {
    ...release,
    by: {
      arn: capped(release.by.arn, CAPS.arn) ?? 'unknown',
      ...(capped(release.by.ciActor, CAPS.ciActor) ? { ciActor: capped(release.by.ciActor, CAPS.ciActor) } : {}),
      ...(capped(release.by.runUrl, CAPS.runUrl) ? { runUrl: capped(release.by.runUrl, CAPS.runUrl) } : {}),
    },
    // The first few alarms name the failure well enough; the parameter's 4 KB bound stays provable.
    ...(release.rolloutAlarms ? { rolloutAlarms: release.rolloutAlarms.slice(0, CAPS.alarms).map((a) => capped(a, CAPS.alarmName) ?? a) } : {}),
  };
  const problem = validateRelease(r);
  if (problem) throw new Error(`internal: refusing to record an invalid release: ${problem}`);
  return sized(JSON.stringify(r), `release ${r.id}`);
}

/** Asserts that `json` fits in one Standard parameter. */
export function sized(json: string, what: string): string {
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > STANDARD_PARAMETER_MAX_BYTES) throw new Error(`internal: ${what} is ${bytes} bytes, over the ${STANDARD_PARAMETER_MAX_BYTES}-byte limit of a Standard SSM parameter`);
  return json;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Reads a stored value back: JSON, then every field checked. */
export function parseRelease(json: string | undefined, expectedId?: string): Parsed<Release> {
  let value: unknown;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const problem = validateRelease(value);
  if (problem) return { ok: false, reason: problem };
  const release = value as Release;
  if (expectedId !== undefined && release.id !== expectedId) return { ok: false, reason: `its id ${release.id} does not match its parameter name (${expectedId})` };
  return { ok: true, value: release };
}

/** The first thing wrong with a would-be release, or undefined. */
export function validateRelease(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  const r = value;
  if (r.v !== RELEASE_RECORD_VERSION) return typeof r.v === 'number' && r.v > RELEASE_RECORD_VERSION ? `written by a newer tapctl (record version ${r.v})` : 'no record version';
  if (typeof r.id !== 'string' || !/^\d{6,9}$/.test(r.id)) return 'id is not a zero-padded number';
  if (!isObject(r.image)) return 'image is missing';
  const image = r.image;
  if (!text(image.repository, CAPS.repository)) return 'image.repository is missing or too long';
  if (image.tag !== undefined && !text(image.tag, CAPS.tag)) return 'image.tag is not a tag';
  if (image.digest !== undefined && !(typeof image.digest === 'string' && DIGEST.test(image.digest))) return 'image.digest is not a sha256 digest';
  if (image.tag === undefined && image.digest === undefined) return 'image has neither tag nor digest';
  if (!text(r.platform, CAPS.platform)) return 'platform is missing';
  if (r.git !== null && !(isObject(r.git) && text(r.git.commit, CAPS.commit) && typeof r.git.dirty === 'boolean')) return 'git is neither null nor {commit, dirty}';
  if (!isObject(r.by) || !text(r.by.arn, CAPS.arn)) return 'by.arn is missing';
  if (r.by.ciActor !== undefined && !text(r.by.ciActor, CAPS.ciActor)) return 'by.ciActor is not text';
  if (r.by.runUrl !== undefined && !text(r.by.runUrl, CAPS.runUrl)) return 'by.runUrl is not text';
  if (typeof r.at !== 'string' || !ISO.test(r.at)) return 'at is not an ISO time';
  if (r.updatedAt !== undefined && !(typeof r.updatedAt === 'string' && ISO.test(r.updatedAt))) return 'updatedAt is not an ISO time';
  if (!text(r.tapctlVersion, CAPS.tapctlVersion)) return 'tapctlVersion is missing';
  if (typeof r.configFingerprint !== 'string' || !/^[0-9a-f]{16,64}$/.test(r.configFingerprint)) return 'configFingerprint is not a hash';
  if (r.taskDefinitionArn !== undefined && !text(r.taskDefinitionArn, CAPS.taskDefinitionArn)) return 'taskDefinitionArn is not text';
  if (!RELEASE_OUTCOMES.includes(r.outcome as ReleaseOutcome)) return `outcome '${String(r.outcome)}' is not one of ${RELEASE_OUTCOMES.join(', ')}`;
  if (r.rollout !== undefined && !ROLLOUT_VERDICTS.includes(r.rollout as RolloutVerdict)) return `rollout '${String(r.rollout)}' is not one of ${ROLLOUT_VERDICTS.join(', ')}`;
  if (r.rolloutAlarms !== undefined && !(Array.isArray(r.rolloutAlarms) && r.rolloutAlarms.length <= CAPS.alarms && r.rolloutAlarms.every((a) => text(a, CAPS.alarmName)))) return 'rolloutAlarms is not a list of alarm names';
  if (!RELEASE_SOURCES.includes(r.source as ReleaseSource)) return `source '${String(r.source)}' is not one of ${RELEASE_SOURCES.join(', ')}`;
  for (const key of ['from', 'rollbackOf'] as const) {
    if (r[key] !== undefined && !(typeof r[key] === 'string' && /^\d{6,9}$/.test(r[key]))) return `${key} is not a release id`;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** GitHub Actions or GitLab CI: who started the run, and where to see it. Nothing outside CI. */
export function ciAuthor(env: NodeJS.ProcessEnv): Pick<ReleaseAuthor, 'ciActor' | 'runUrl'> {
  if (env.GITHUB_ACTOR) {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
    return { ciActor: env.GITHUB_ACTOR, ...(server && repo && run ? { runUrl: `${server}/${repo}/actions/runs/${run}` } : {}) };
  }
  if (env.GITLAB_USER_LOGIN) return { ciActor: env.GITLAB_USER_LOGIN, ...(env.CI_JOB_URL ? { runUrl: env.CI_JOB_URL } : {}) };
  return {};
}

/**
 * A hash of the resolved environment without its image (and without `profile`, which says how one person signs
 * in, not what is deployed): two deploys with the same fingerprint deploy the same infrastructure with this
 * tapctl. Defaults filled in by tapctl count, so an upgrade that changes a default changes the fingerprint.
 */
export function configFingerprint(env: ResolvedEnvironment): string {
  // deployInputs are what AWS held at deploy time (secret ARNs), not the config.
  const { profile: _profile, deployInputs: _inputs, container, ...rest } = env;
  const { image: _image, ...containerRest } = container;
  return createHash('sha256').update(stableJson({ ...rest, container: containerRest })).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two images are the same: by digest when both have one, else by repository and tag. */
export function sameImage(a: { repository?: string; tag?: string; digest?: string } | undefined, b: { repository?: string; tag?: string; digest?: string } | undefined): boolean {
  if (!a || !b) return false;
  if (a.digest && b.digest) return a.digest === b.digest;
  return Boolean(a.tag && b.tag && a.tag === b.tag && sameRepository(a.repository, b.repository));
}

export interface RunningMatch {
  /** The newest release whose image runs. */
  readonly release?: Release;
  /** How it was matched: by digest, or by tag when what runs names no digest. */
  readonly by?: 'digest' | 'tag';
  /** Why the match is weaker than a digest, or why there is none, for a person. */
  readonly note?: string;
}

/**
 * The release whose image runs (`running`: from the deployed template or the ECS task definition), among
 * `releases` newest first. By digest whenever what runs names one (a tag can have named another image); by tag
 * only when it names none, and then only when every release with that tag has the same digest, saying so.
 */
export function matchRunning(releases: readonly Release[], running: { repository?: string; tag?: string; digest?: string } | undefined): RunningMatch {
  if (!running) return {};
  if (running.digest) {
    const release = releases.find((r) => r.image.digest === running.digest);
    return release ? { release, by: 'digest' } : {};
  }
  if (!running.tag) return {};
  const tagged = releases.filter((r) => r.image.tag === running.tag && sameRepository(r.image.repository, running.repository));
  const digests = new Set(tagged.map((r) => r.image.digest ?? 'none'));
  if (digests.size > 1) {
    return { note: `what runs names tag '${running.tag}' without a digest, and ${tagged.length} releases with different digests have that tag: none is marked running` };
  }
  const release = tagged[0];
  return release ? { release, by: 'tag', note: `release ${release.id} matched by tag '${running.tag}' only: what runs names no digest` } : {};
}

/** `host/name` against `name` or another host's `host/name`: the same when one ends with the other. */
function sameRepository(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

/** `v7@sha256:0123456789ab`: how a person recognises a release's image. */
export function shortImage(image: { tag?: string; digest?: string }): string {
  const digest = image.digest ? image.digest.slice(0, 19) : '';
  return image.tag ? `${image.tag}${digest ? `@${digest}` : ''}` : digest || '(no tag or digest)';
}
