/**
 * THE one reader of "which image does this environment run, and which should it run next". deploy, diff,
 * status, releases, rollback and push-image all ask here; nothing reads a local file for it.
 *
 * What a deploy runs, in order:
 * 1. the config's pin (`container.image` tag or digest), confirmed in ECR and deployed by its digest;
 * 2. else the ledger's current release: only one the ledger holds, in the stack's own ECR repository, used only
 *    after one DescribeImages confirms the image still exists;
 * 3. else what the deployed stack runs now (its AWS::ECS::TaskDefinition image, from the deployed template the
 *    deploy reads anyway);
 * 4. else none: only an environment that has never run an image gets the bootstrap placeholder.
 * That costs a deploy at most three AWS calls of its own: GetParameters (current, ended), GetParameters (the
 * current release's own record) and DescribeImages.
 */
import type { AwsClients } from '../aws/clients.js';
import { describeImage, findImage } from '../aws/ecr-images.js';
import { explainAwsError } from '../aws/errors.js';
import type { Template } from '../aws/stack-details.js';
import { OperationError, RefusedError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import { PRESET_PARTS } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { CONTAINER_NAME } from '../infra/image-placeholder.js';
import { ledgerFor, readHead, type LedgerHead } from './ledger.js';
import { shortImage, type Release } from './release.js';
import { splitReference, templateImage, type TemplateImage } from './template-image.js';
import { loadSdk } from '../aws/sdk.js';

/** config: the pin. release: the ledger's current release. deployed-stack: kept from the deployed template. */
export type ImageSource = 'config' | 'release' | 'deployed-stack' | 'none' | 'unresolved' | 'not-used';

export interface ImagePlan {
  readonly source: ImageSource;
  /** The release it is (source `release`), or the release rollback deploys again. */
  readonly releaseId?: string;
  /** Set when the image lives outside the stack's own ECR repository. */
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
  /** What a person reads: repository:tag@digest, or "none yet", "not resolved (no credentials)". */
  readonly display: string;
  /** Where it came from, for a person. */
  readonly from: string;
}

export interface ImageResolution {
  readonly plan: ImagePlan;
  /** The environment to synthesize: a copy with container.image set to the resolved image. */
  readonly env: ResolvedEnvironment;
  readonly head?: LedgerHead;
  /** The ledger's current release when it is usable (valid, not from before a destroy). */
  readonly current?: Release;
  /** What the deployed template runs, when it was read. */
  readonly deployed?: TemplateImage;
  /** The preflight line for the image. */
  readonly check: { readonly status: 'pass' | 'warn' | 'skip'; readonly detail: string };
  /** What is wrong with the ledger's markers (an invalid `ended`): warned, never obeyed. */
  readonly warnings?: readonly string[];
}

export interface ResolveInput {
  readonly env: ResolvedEnvironment;
  readonly clients: AwsClients;
  /** The deployed template (undefined: no stack), read at most once by the caller and shared with it. */
  readonly deployedTemplate: () => Promise<Template | undefined>;
  /** rollback: deploy exactly this release's image (already confirmed in ECR). */
  readonly override?: { readonly release: Release };
}

/** The stack's own repository URI, as push-image records it. */
export function ownRepositoryUri(env: ResolvedEnvironment): string {
  return `${env.account}.dkr.ecr.${env.region}.amazonaws.com/${env.names.ecrRepository}`;
}

/**
 * Whether the ledger may name an image in `uri`: the stack's own ECR repository (what push-image writes), or the
 * repository the config pins. Anything else (`evil.example.com/shop-app-dev`) is no image tapctl recorded: a
 * ledger record naming it is invalid, reported and never deployed.
 */
export function trustedRepository(uri: string, env: ResolvedEnvironment): boolean {
  const own = ownRepositoryUri(env);
  return uri === own || uri === `${own.replace('.amazonaws.com/', '.amazonaws.com.cn/')}` || (env.container.image.repository !== undefined && uri === env.container.image.repository);
}

/**
 * Who pinned the image, for messages: env create --image for a preview made with it (the person typed the flag,
 * not the config), else the config's container.image. `fix` says where to correct it.
 */
export function pinOrigin(env: ResolvedEnvironment): { readonly name: string; readonly from: string; readonly fix: string } {
  if (env.preview?.image) {
    return { name: '--image', from: `--image of env create ${env.name}`, fix: `give env create ${env.name} an --image that exists (repository:tag or repository@sha256:<digest>)` };
  }
  return { name: 'container.image', from: 'the config (container.image)', fix: 'check container.image (repository, tag, digest) in tapctl.config.yaml' };
}

/** The config's pin, when it names a tag or digest. */
export function pinnedImage(env: ResolvedEnvironment): { repository?: string; tag?: string; digest?: string } | undefined {
  const { repository, tag, digest } = env.container.image;
  return tag || digest ? { ...(repository ? { repository } : {}), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } : undefined;
}

export function hasService(env: ResolvedEnvironment): boolean {
  return PRESET_PARTS[env.preset].service;
}

/** No AWS answer to go by (dry run without usable credentials): the plan says so and shows no placeholder. */
export function unresolvedImage(env: ResolvedEnvironment, reason: string): ImageResolution {
  if (!hasService(env)) return notUsed(env);
  const pin = pinnedImage(env);
  if (pin) return { plan: plan('config', pin, env, pinOrigin(env).from), env, check: { status: 'skip', detail: reason } };
  return { plan: { source: 'unresolved', display: `not resolved (${reason})`, from: reason }, env, check: { status: 'skip', detail: reason } };
}

function notUsed(env: ResolvedEnvironment): ImageResolution {
  const why = `the ${env.preset} preset runs no container service`;
  return { plan: { source: 'not-used', display: `not used (${why})`, from: why }, env, check: { status: 'skip', detail: why } };
}

/**
 * The ledger's current release, unless it cannot be trusted (invalid pointer, a release the ledger does not hold,
 * an image outside the stack's repository) or belongs to a destroyed environment; `ignored` says why.
 */
export function usableCurrent(head: LedgerHead | undefined, env: ResolvedEnvironment): { release?: Release; ignored?: string } {
  if (!head?.current) return {};
  if (!head.current.ok) return { ignored: `the ledger's current pointer is not valid (${head.current.reason})` };
  const release = head.current.value.release;
  if (head.currentBeforeEnd) return { ignored: `release ${release.id} belongs to the environment destroyed at ${head.ended?.at ?? 'an earlier time'}` };
  if (!trustedRepository(release.image.repository, env)) {
    return { ignored: `the ledger's current release ${release.id} names ${quote(release.image.repository)}, which is not this stack's ECR repository (${ownRepositoryUri(env)}): push-image never writes that, so it is not used` };
  }
  return { release };
}

/** What is wrong with the ledger's markers, as warnings (an invalid `ended` is ignored, never obeyed). */
export function headWarnings(head: LedgerHead | undefined, ledger: { prefix: string }): string[] {
  return head?.endedInvalid ? [`${ledger.prefix}ended is not a valid end-of-environment marker (${head.endedInvalid}): ignored`] : [];
}

export async function resolveRunningImage(input: ResolveInput): Promise<ImageResolution> {
  const { env, clients } = input;
  if (!hasService(env)) return notUsed(env);
  if (input.override) {
    const r = input.override.release;
    const p = plan('release', r.image, env, `release ${r.id} (rollback)`, r.id);
    return { plan: p, env: withImage(env, p), check: { status: 'pass', detail: `${p.display} (release ${r.id}, the rollback target)` } };
  }

  const ledger = ledgerFor(env);
  const head = await readHead(clients, ledger);
  const { release: current, ignored } = usableCurrent(head, env);
  // An ignored pointer is said in the image check's own line (below); a bad marker gets a warning of its own.
  const base = { head, ...(current ? { current } : {}), warnings: headWarnings(head, ledger) };

  const pin = pinnedImage(env);
  if (pin) return { ...base, ...(await resolvePin(clients, env, pin)) };

  let why = ignored;
  if (current && (current.outcome === 'failed' || current.outcome === 'rolled-back')) {
    why = `release ${current.id} ${current.outcome === 'failed' ? 'failed to deploy' : 'was rolled back'}`;
  } else if (current) {
    const p = plan('release', current.image, env, `release ${current.id} in the ledger`, current.id);
    const found = await findImage(clients, env.names.ecrRepository, current.image);
    const how = `${current.outcome}${current.by.ciActor ? ` by ${current.by.ciActor}` : ''} ${current.at.slice(0, 16).replace('T', ' ')} UTC`;
    if (found === 'found') return { ...base, plan: p, env: withImage(env, p), check: { status: 'pass', detail: `${p.display} (release ${current.id}, ${how})` } };
    why = `release ${current.id}'s image ${shortImage(current.image)} is no longer in ECR repository ${env.names.ecrRepository}`;
  }

  const deployed = templateImage(await input.deployedTemplate());
  const withDeployed = { ...base, ...(deployed ? { deployed } : {}) };
  // Never "no release in the ledger": without a usable pointer, deploy has not listed the ledger to know that.
  const because = why ?? (head.current ? 'the ledger\'s current pointer is not used' : 'the ledger names no current release');
  if (deployed?.kind === 'image') {
    const p = plan('deployed-stack', { ...(deployed.repository ? { repository: deployed.repository } : {}), ...pick(deployed) }, env, 'what the deployed stack runs');
    return { ...withDeployed, plan: p, env: withImage(env, p), check: { status: why ? 'warn' : 'pass', detail: `${p.display} (kept: what the deployed stack runs; ${because})` } };
  }
  if (deployed?.kind === 'unknown') {
    const none = { source: 'none' as const, display: 'none', from: 'nothing tapctl can read' };
    return { ...withDeployed, plan: none, env, check: { status: 'warn', detail: `the deployed stack's image (${deployed.taskDefinition}) is not one tapctl can read, and ${because}` } };
  }
  const none = { source: 'none' as const, display: 'none yet', from: 'no image has been released' };
  const detail = `none yet: the service runs 0 tasks until you run tapctl push-image --env ${env.name} (two-phase first deploy)${why ? `; ${why}` : ''}`;
  return { ...withDeployed, plan: none, env, check: { status: 'warn', detail } };
}

/**
 * The config's pin, checked in the stack's own repository and deployed by digest: a pin by tag is resolved to the
 * digest ECR holds for it now (one DescribeImages), so the task definition and the release name exactly the
 * image that was checked; a pin of both is refused (exit 3) when its tag is on another image. A pin outside the
 * stack's repository is left to the image platform check, and deployed as written.
 */
async function resolvePin(clients: AwsClients, env: ResolvedEnvironment, pin: { repository?: string; tag?: string; digest?: string }): Promise<Pick<ImageResolution, 'plan' | 'env' | 'check'>> {
  const origin = pinOrigin(env);
  const written = plan('config', pin, env, origin.from);
  // Outside the stack's repository: read from its own registry by the image platform check that follows.
  if (written.repository && !repositoryName(written.repository, env)) {
    return { plan: written, env: withImage(env, written), check: { status: 'pass', detail: `${written.display} (from ${origin.from}, outside this stack's ECR repository: deployed as written, read where it lives by the image platform check)` } };
  }
  const found = await describeImage(clients, env.names.ecrRepository, pin);
  if (found.kind === 'found') {
    if (pin.tag && pin.digest && !found.tags.includes(pin.tag)) {
      throw new RefusedError(`${origin.name} pins tag ${quote(pin.tag)} and digest ${pin.digest}, but in ECR repository ${env.names.ecrRepository} that digest carries ${found.tags.length ? `the tags ${found.tags.map((t) => quote(t)).join(', ')}` : 'no tag'}: the pin names two images`, {
        hint: 'keep only the digest (it decides what runs), or correct the tag; tapctl releases lists the images with their tags',
        details: { tag: pin.tag, digest: pin.digest, tagsOfDigest: found.tags },
      });
    }
    const resolved = plan('config', { ...pin, digest: found.digest }, env, pin.digest ? origin.from : `${origin.from}: tag ${pin.tag}, resolved to its digest`);
    const how = pin.digest ? `from ${origin.from}` : `from ${origin.from}: tag ${quote(pin.tag)}, deployed by the digest ECR holds for it`;
    return { plan: resolved, env: withImage(env, resolved), check: { status: 'pass', detail: `${resolved.display} (${how})` } };
  }
  throw found.kind === 'image-missing'
    ? new OperationError(`image ${written.display} (${origin.name}) is not in ECR repository ${env.names.ecrRepository}`, { code: 'image-missing', hint: env.preview?.image ? origin.fix : `push it first: tapctl push-image --env ${env.name}` })
    : new OperationError(`ECR repository ${env.names.ecrRepository} does not exist yet, so image ${written.display} cannot be in it`, {
        code: 'image-missing',
        hint: env.preview?.image ? origin.fix : `deploy once without container.image (that creates the repository), then tapctl push-image --env ${env.name}`,
      });
}

/** A copy of `env` (frozen, like the original) with container.image set to the plan's image. */
export function withImage(env: ResolvedEnvironment, image: { repository?: string; tag?: string; digest?: string }): ResolvedEnvironment {
  const chosen = { ...(image.repository ? { repository: image.repository } : {}), ...(image.tag ? { tag: image.tag } : {}), ...(image.digest ? { digest: image.digest } : {}) };
  return Object.freeze({ ...env, container: Object.freeze({ ...env.container, image: Object.freeze(chosen) }) }) as ResolvedEnvironment;
}

/** The ECR repository name of an image in the stack's own repository, or undefined for any other. */
function repositoryName(uri: string, env: ResolvedEnvironment): string | undefined {
  return uri === ownRepositoryUri(env) || uri.endsWith(`.amazonaws.com.cn/${env.names.ecrRepository}`) ? env.names.ecrRepository : undefined;
}

const pick = (i: { tag?: string; digest?: string }) => ({ ...(i.tag ? { tag: i.tag } : {}), ...(i.digest ? { digest: i.digest } : {}) });

function plan(source: ImageSource, image: { repository?: string; tag?: string; digest?: string }, env: ResolvedEnvironment, from: string, releaseId?: string): ImagePlan {
  const own = ownRepositoryUri(env);
  const repository = image.repository && image.repository !== own ? image.repository : undefined;
  const display = `${repository ?? own}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
  return { source, ...(releaseId ? { releaseId } : {}), ...(repository ? { repository } : {}), ...pick(image), display, from };
}

export interface ServiceImage {
  readonly taskDefinitionArn: string;
  readonly image: { readonly repository: string; readonly tag?: string; readonly digest?: string };
}

/**
 * What the ECS service runs: the application container's image in its PRIMARY deployment's task definition.
 * Undefined when the service does not exist.
 */
export async function runningServiceImage(clients: AwsClients, env: ResolvedEnvironment): Promise<ServiceImage | undefined> {
  const { DescribeServicesCommand, DescribeTaskDefinitionCommand } = await loadSdk('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  try {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: env.names.ecsCluster, services: [env.names.ecsService] }))).services?.find((s) => s.status !== 'INACTIVE');
    const arn = (service?.deployments ?? []).find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service?.taskDefinition;
    if (!arn) return undefined;
    const containers = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition?.containerDefinitions ?? [];
    const image = (containers.find((c) => c.name === CONTAINER_NAME) ?? containers[0])?.image;
    return image ? { taskDefinitionArn: arn, image: splitReference(image) } : undefined;
  } catch (e) {
    if (/ClusterNotFound|ServiceNotFound/.test((e as Error)?.name ?? '')) return undefined;
    throw explainAwsError(e, `reading what ECS service ${env.names.ecsService} runs`);
  }
}
