/**
 * The push-image flow: build the app image for the service's platform, push it to the stack's own
 * ECR repository under an immutable tag, check it, record it as a release in the environment's ledger (SSM, in
 * its own account: the next deploy from any machine runs it) and, with --deploy, roll the service.
 *
 * Order: everything that can be checked locally (flags, tag, builder, secrets) and the account before any build,
 * so a wrong account or a missing stack costs seconds, not a build.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import type { RetryOptions } from '../aws/ecr.js';
import type { ScanResult } from '../aws/ecr-scan.js';
import type { RolloutResult, RolloutWaitOptions } from '../aws/ecs-rollout.js';
import type { CommandContext } from '../cli/context.js';
import { OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { BuilderName } from './builder.js';
import type { BuildahOptions } from './builders/buildah.js';
import { resolveBuildSecrets } from './build-secrets.js';
import { createBuilder, detectBuilder, dockerInfoProbe, type BuilderChoice } from './detect.js';
import { spawnProcess, whichOnPath, type Spawn, type Which } from './exec.js';
import { platformFor } from './platform.js';
import { Redactor } from './redact.js';
import type { Fetch } from './registry-api.js';
import { contextTag } from './context-digest.js';
import { deriveTags, readGitState, refuseReservedTag } from './tag.js';
import type { ReleaseRef } from '../release/record.js';
import type { HealthCheckReport } from './health-check-step.js';
import type { CurrentAfterPush } from '../release/push-record.js';

export interface PushImageOptions {
  readonly builder?: BuilderChoice;
  readonly tag?: string;
  readonly alsoLatest?: boolean;
  readonly scan?: boolean;
  readonly deploy?: boolean;
  readonly hotswap?: boolean;
  /** false with --no-wait: do not wait for ECS after --deploy. */
  readonly wait?: boolean;
  readonly dryRun?: boolean;
  /**
   * Internal, for env create: a dry run that only checks what is local (Dockerfile, secrets, builder) before the
   * stack exists. A stack not deployed yet is expected then (the caller creates it next), not a warning.
   */
  readonly beforeStack?: boolean;
}

/** The deploy command's run, as push-image calls it for --deploy (with the environment it pushed for). */
export type DeployRun = (ctx: CommandContext, options: { hotswap?: boolean; wait?: boolean; environment?: ResolvedEnvironment }) => Promise<unknown>;

/** Seams for tests; every one has a real default. */
export interface PushImageDeps {
  readonly spawn: Spawn;
  readonly which: Which;
  readonly dockerEngineAnswers: () => Promise<boolean>;
  readonly buildah: BuildahOptions;
  readonly fetch: Fetch;
  readonly clients: (env: ResolvedEnvironment, ctx: CommandContext) => Promise<AwsClients>;
  /** undefined: this tapctl has no deploy command. */
  readonly loadDeploy: () => Promise<DeployRun>;
  readonly scanWait: { readonly timeoutMs?: number; readonly pollMs?: number; readonly sleep?: (ms: number) => Promise<void> };
  readonly rolloutWait: Pick<RolloutWaitOptions, 'pollMs' | 'timeoutMs' | 'maxStoppedTasks' | 'sleep' | 'now'>;
  readonly readBackRetry: RetryOptions;
  /** For env create: push for this environment (a preview it is creating) instead of selecting --env. */
  readonly environment?: ResolvedEnvironment;
}

export interface PushImageResult {
  readonly environment: string;
  readonly dryRun: boolean;
  readonly repositoryUri: string;
  readonly tag: string;
  readonly tags: readonly string[];
  readonly platform: string;
  readonly builder: BuilderName;
  readonly digest?: string;
  readonly platformDigest?: string;
  readonly sizeBytes?: number;
  readonly pushedAt?: string;
  /** The release recorded in the ledger (outcome pushed; deployed or failed after --deploy). */
  readonly release?: ReleaseRef;
  /** The ledger's current release read back after the push (another push may have come after this one). */
  readonly current?: CurrentAfterPush;
  readonly scan?: ScanResult;
  /** Whether the image has what its container health check runs (read from its file list, never run). */
  readonly healthCheck?: HealthCheckReport;
  readonly deployed?: boolean;
  /** deploy's own status (deployed, no-changes ...), when it reports one. */
  readonly deployStatus?: string;
  readonly rollout?: RolloutResult;
}

export function createRun(overrides: Partial<PushImageDeps> = {}) {
  return (ctx: CommandContext, options: PushImageOptions): Promise<PushImageResult | undefined> => pushImage(ctx, options, overrides);
}



async function pushImage(ctx: CommandContext, options: PushImageOptions, overrides: Partial<PushImageDeps>): Promise<PushImageResult | undefined> {
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.debug(`${w.path}  ${w.message}`);
  const env = overrides.environment ?? (await selectEnvironment(ctx, loaded));
  const projectDir = loaded.projectDir;
  const deps = defaults(ctx, overrides);

  // Flags first: refusals and usage errors cost nothing.
  if ((options.hotswap || options.wait === false) && !options.deploy) {
    throw new UsageError(`${options.hotswap ? '--hotswap' : '--no-wait'} only applies with --deploy`, { hint: 'add --deploy, or leave it out' });
  }
  if (options.hotswap && env.kind === 'production') {
    throw new RefusedError(`refusing to hotswap '${env.name}': it is a production environment`, {
      hint: 'production changes go through CloudFormation: drop --hotswap',
    });
  }
  // The deploy would refuse without a way to approve it: say so before minutes of building and pushing.
  if (options.deploy && !ctx.interactive && !ctx.globals.yes) {
    throw new RefusedError('refusing to push and deploy without approval: there is no terminal to ask on', {
      hint: 'pass --yes to approve the deploy in CI, or run it on a terminal',
    });
  }

  // deploy runs the config's image when it names one; the pushed image would then never run.
  const { pinnedImage } = await import('../release/running-image.js');
  const pinned = pinnedImage(env);
  if (pinned) {
    const what = `container.image in tapctl.config.yaml pins ${pinned.repository ?? 'the image'} to ${pinned.digest ?? pinned.tag}`;
    if (options.deploy) throw new UsageError(`${what}, so deploy would not run the pushed image`, { hint: 'remove container.image.tag / digest to deploy what push-image records' });
    ctx.io.warn(`${what}: deploy keeps running that one, not the image pushed now`);
  }

  const platform = platformFor(env.container.architecture);
  const contextDir = resolve(projectDir, env.container.context);
  const dockerfile = resolve(projectDir, env.container.dockerfile);
  if (!existsSync(contextDir)) throw new UsageError(`the build context ${relative(ctx.cwd, contextDir) || '.'} does not exist`, { hint: 'check container.context in tapctl.config.yaml' });

  let git = options.tag === undefined ? await readGitState(deps.spawn, projectDir, ctx.env) : undefined;
  let tags = deriveTags({ tag: options.tag, alsoLatest: options.alsoLatest }, git, () => contextTag(contextDir));
  refuseReservedTag(tags.primary, (await import('../infra/image-placeholder.js')).PLACEHOLDER_IMAGE_TAG);
  if (tags.source === 'git' && git?.dirty) ctx.io.warn(`the work tree has uncommitted changes: tagging ${tags.primary}`);
  if (tags.source === 'content') {
    ctx.io.warn(`no git commit to tag the image with (not a git repository, or no commit yet): tagging it by the content digest of its build context, ${tags.primary}; commit, or pass --tag, for a tag a person can read`);
  }
  if (!existsSync(dockerfile)) throw new UsageError(`there is no Dockerfile at ${relative(ctx.cwd, dockerfile)}`, { hint: 'check container.dockerfile in tapctl.config.yaml (tapctl init writes one)' });

  const { sources: secrets, values: secretValues } = resolveBuildSecrets(env.container.buildSecrets, { projectDir, cwd: ctx.cwd, env: ctx.env });
  const redactor = new Redactor(secretValues);

  const detected = await detectBuilder({ choice: options.builder ?? env.container.builder, which: deps.which, dockerEngineAnswers: deps.dockerEngineAnswers });
  ctx.io.debug(`builder: ${detected.name} (${detected.reason})`);

  const deploy = options.deploy ? await deps.loadDeploy() : undefined;

  // AWS: the account, then the stack that owns the repository.
  const clients = await deps.clients(env, ctx);
  const { assertAccount, callerIdentity } = await import('../aws/identity.js');
  const { describeStack, stackOutputs } = await import('../aws/stack.js');
  // Like deploy --dry-run, a dry run also works before credentials or a stack exist: it shows the plan for the
  // repository the stack creates, and says what it could not check.
  const expectedUri = `${env.account}.dkr.ecr.${env.region}.amazonaws.com/${env.names.ecrRepository}`;
  const dryPlan = (why: string, expected = false) => {
    if (expected) ctx.io.debug(`${why}: the image is built and pushed once it is`);
    else ctx.io.warn(`${why}: showing the plan for ${expectedUri}`);
    return { environment: env.name, repositoryUri: expectedUri, tag: tags.primary, tags: tags.all, platform: platform.id, builder: detected.name, dryRun: true as const };
  };
  let identity;
  try {
    identity = await callerIdentity(clients);
  } catch (e) {
    const { isMissingCredentials } = await import('../aws/errors.js');
    if (options.dryRun && isMissingCredentials((e as Error).cause)) return dryPlan('no AWS credentials, so the account and stack were not checked');
    throw e;
  }
  assertAccount(identity, env);
  const stack = await describeStack(clients, env.names.stack);
  if (!stack && options.dryRun) return dryPlan(`stack ${env.names.stack} is not deployed yet (deploy creates the repository)`, options.beforeStack);
  if (!stack) {
    throw new OperationError(`stack ${env.names.stack} is not deployed, so there is no repository to push to: deploy first`, {
      code: 'no-stack',
      hint: `run tapctl deploy --env ${env.name} (the first deploy runs zero tasks until an image is pushed)`,
    });
  }
  const repositoryUri = stackOutputs(stack).ECRRepositoryURI;
  if (!repositoryUri) {
    throw new OperationError(`stack ${env.names.stack} has no ECRRepositoryURI output (status ${stack.StackStatus ?? 'unknown'})`, {
      code: 'no-repository',
      hint: `deploy the stack with this tapctl first: tapctl deploy --env ${env.name}`,
    });
  }
  const { parseRepositoryUri } = await import('../aws/ecr.js');
  const repository = parseRepositoryUri(repositoryUri);
  // The release ledger is read before any build: a role that may not use it fails in seconds, not after a push.
  const { PushRecord } = await import('../release/push-record.js');
  const { deployedTemplate } = await import('../aws/stack-details.js');
  const { templateImage } = await import('../release/template-image.js');
  const runningImage = async () => templateImage(await deployedTemplate(clients, env.names.stack)) ?? ('unknown' as const);
  const ledger = new PushRecord({ clients, env, by: identity.arn, processEnv: ctx.env, tapctlVersion: ctx.version, runningImage });
  await ledger.open();
  // A tag already in the (immutable) repository, before anything is built: refused for --tag, renumbered for a
  // rebuild of the same commit (tag-in-use.ts).
  const { freshTags } = await import('./tag-in-use.js');
  tags = await freshTags(ctx, tags, { clients, repositoryName: repository.name, envName: env.name, releaseOf: (tag, digest) => ledger.releaseWithTag(tag, digest) });

  const plan = { environment: env.name, repositoryUri: repository.uri, tag: tags.primary, tags: tags.all, platform: platform.id, builder: detected.name };
  if (options.dryRun) return { ...plan, dryRun: true };
  // The release records the commit even when --tag names the image.
  if (options.tag !== undefined) git = await readGitState(deps.spawn, projectDir, ctx.env);

  const builder = createBuilder(detected.name, { spawn: redactor.wrap(deps.spawn), env: ctx.env, buildah: deps.buildah });
  const { publishImage } = await import('../image/publish.js');
  const published = await publishImage({
    io: ctx.io,
    clients,
    builder,
    redactor,
    repository,
    tags,
    platform,
    contextDir,
    dockerfile,
    buildArgs: env.container.buildArgs,
    secrets,
    signal: ctx.signal,
    fetch: deps.fetch,
    retry: deps.readBackRetry,
    ...(env.registryEndpoint ? { registryEndpoint: env.registryEndpoint } : {}),
  });

  const release = await ledger.pushed({ ...published, platform: platform.id, ...(git ? { git } : {}) });
  const current = await ledger.currentAfter();

  // Whether the image can run its health check, from its file list: a warning, never a refusal.
  const { checkHealthCommand } = await import('./health-check-step.js');
  const healthCheck = await checkHealthCommand({ clients, env, repository, digest: published.platformDigest ?? published.digest, fetch: deps.fetch, signal: ctx.signal });
  for (const finding of healthCheck.findings ?? []) ctx.io.warn(finding);
  if (healthCheck.status === 'not-checked') ctx.io.warn(`whether the image can run its health check (${healthCheck.command}) was not checked: ${healthCheck.reason}`);

  let scan: ScanResult | undefined;
  if (options.scan) {
    const { waitForScanFindings } = await import('../aws/ecr-scan.js');
    ctx.io.info('waiting for the scan-on-push result ...');
    scan = await waitForScanFindings(clients, repository.name, published.platformDigest ?? published.digest, {
      ...deps.scanWait,
      signal: ctx.signal,
      onProgress: (status) => ctx.io.progress(`scan: ${status.toLowerCase().replace(/_/g, ' ')}`),
    });
    if (scan.status !== 'COMPLETE') ctx.io.warn(`scan ${scan.status.toLowerCase()}${scan.description ? `: ${scan.description}` : ''}`);
  }

  const result: PushImageResult = { ...plan, dryRun: false, digest: published.digest, ...optional(published), release, ...(current ? { current } : {}), healthCheck, ...(scan ? { scan } : {}) };
  if (!deploy) return result;

  ctx.io.info(`deploying ${env.names.stack} with the new image${options.hotswap ? ' (hotswap)' : ''} ...`);
  const since = new Date();
  const deployed = (await deploy(ctx, { hotswap: Boolean(options.hotswap), wait: options.wait !== false, ...(overrides.environment ? { environment: env } : {}) })) as { status?: unknown; taskDefinitionArn?: unknown } | undefined;
  const deployStatus = typeof deployed?.status === 'string' ? { deployStatus: deployed.status } : {};
  if (options.wait === false) return finish(ctx, { ...result, deployed: true, ...deployStatus });

  const { waitForPushedRollout } = await import('./push-rollout.js');
  const waited = await waitForPushedRollout(ctx, { clients, env, published, release, ledger, since, taskDefinitionArn: deployed?.taskDefinitionArn, rolloutWait: deps.rolloutWait });
  return finish(ctx, { ...result, ...waited, deployed: true, ...deployStatus });
}

/**
 * With --deploy and --json, deploy's events stream on stdout; deploy returns its result to push-image instead of
 * writing it, so push-image's result is the stream's one result line (written by the runner).
 */
function finish(_ctx: CommandContext, result: PushImageResult): PushImageResult {
  return result;
}

function optional(p: { platformDigest?: string; sizeBytes?: number; pushedAt: string }) {
  return {
    ...(p.platformDigest ? { platformDigest: p.platformDigest } : {}),
    ...(p.sizeBytes !== undefined ? { sizeBytes: p.sizeBytes } : {}),
    pushedAt: p.pushedAt,
  };
}

function defaults(ctx: CommandContext, o: Partial<PushImageDeps>): PushImageDeps {
  const spawn = o.spawn ?? spawnProcess;
  return {
    spawn,
    which: o.which ?? whichOnPath(ctx.env),
    dockerEngineAnswers: o.dockerEngineAnswers ?? dockerInfoProbe(spawn, ctx.env),
    buildah: o.buildah ?? {},
    fetch: o.fetch ?? fetch,
    clients:
      o.clients ??
      (async (env) => {
        const { AwsClients, targetFor } = await import('../aws/clients.js');
        return new AwsClients(targetFor(env, ctx.globals.profile));
      }),
    loadDeploy: o.loadDeploy ?? loadDeployCommand,
    scanWait: o.scanWait ?? {},
    rolloutWait: o.rolloutWait ?? {},
    readBackRetry: o.readBackRetry ?? {},
  };
}

/** The deploy command, loaded only for --deploy: it brings in toolkit-lib. */
export async function loadDeployCommand(): Promise<DeployRun> {
  return (await import('../commands/deploy.js')).run as DeployRun;
}
