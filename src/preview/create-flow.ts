/**
 * `tapctl env create <name> --from <env>`: a preview environment, built from a configured non-production one
 * with the preview overrides (derive.ts), deployed with deploy's own flow (preflight, account check, approval,
 * progress, ledger), running the working tree's image (push-image's flow: build, push, record, deploy) or
 * --image, and ending with its URL. Its record goes to its stack's tags; tapctl.config.yaml is never edited.
 *
 * Everything that can be checked without AWS is checked first (name, --ttl, --image, the source, the derived
 * settings against the preset's rules, approval), then the account (exit 3), then the stack that may already
 * be there. Creating an existing preview again (same source) deploys it again and moves its expiry: a CI job can
 * run `env create` on every push of a pull request.
 */
import type { CommandContext } from '../cli/context.js';
import { RefusedError, UsageError } from '../cli/errors.js';
import { loadProject, selectConfigured } from '../cli/project.js';
import { quote } from '../cli/quote.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { assertAccount, callerIdentity } from '../aws/identity.js';
import { describeStack, stackOutputs } from '../aws/stack.js';
import { PRESET_PARTS } from '../config/presets/index.js';
// Statically: the preview modules then share the config loader's chunk instead of cutting it in two (the rules
// and engine-capabilities.ts are reached from both; scripts/bundle.js splits by who reaches what).
import { environmentIssues, type LoadedConfig } from '../config/load.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { BuilderChoice } from '../image/detect.js';
import { spawnProcess } from '../image/exec.js';
import type { ReleaseRef } from '../release/record.js';
import { ciAuthor } from '../release/release.js';
import { currentBranch } from './branch.js';
import { previewEnvironment, previewSourceProblem } from './derive.js';
import { checkPreviewName } from './name.js';
import type { PreviewRecord } from './record.js';
import { isPreviewOf, PREVIEW_TAG, previewStackTags, readPreviewTags } from './tags.js';
import { DEFAULT_TTL, formatDuration, parseTtl } from './ttl.js';

export interface EnvCreateOptions {
  /** --from: the configured environment to build it from. */
  readonly from?: string;
  readonly ttl?: string;
  /** --image: run this image instead of building the working tree. */
  readonly image?: string;
  /** --branch: instead of CI variables or git. */
  readonly branch?: string;
  readonly builder?: BuilderChoice;
  /** false with --no-wait: do not wait for ECS (the stack's creation is always waited for). */
  readonly wait?: boolean;
}

export interface EnvCreateResult {
  readonly name: string;
  /** created: a new stack; updated: the preview existed and was deployed again (its expiry moved). */
  readonly status: 'created' | 'updated';
  readonly source: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** What the stack's tags hold now, read back after the deploy (what was set, when they cannot be read). */
  readonly preview: PreviewRecord;
  /** The preview's tags on the stack, read back. */
  readonly tags: Readonly<Record<string, string>>;
  /** Tags env create set that the stack does not have (a warning says which): sweep goes by the stack's. */
  readonly tagsNotApplied?: readonly string[];
  /** built: the working tree, pushed to the preview's repository; image: --image; none: the preset runs no container. */
  readonly image: { readonly source: 'built' | 'image' | 'none'; readonly reference?: string; readonly tag?: string; readonly digest?: string; readonly release?: ReleaseRef };
  /** The last deploy's status (deployed, no-changes, started). */
  readonly deployStatus: string;
  /** The site (CloudFront URL, else the load balancer), when the stack has one. */
  readonly url?: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly next: readonly string[];
}

/** push-image's flow, handed in by the command (it is part of every start already; scripts/bundle.js). */
export type CreatePushRun = typeof import('../image/push-flow.js').createRun;

export async function runEnvCreate(ctx: CommandContext, name: string, options: EnvCreateOptions, createRun: CreatePushRun): Promise<EnvCreateResult> {
  if (ctx.globals.env) {
    throw new UsageError(`env create takes the environment to build from as --from, not --env (${quote(ctx.globals.env)})`, { hint: `tapctl env create ${name} --from ${ctx.globals.env}` });
  }
  const ttlMs = parseTtl(options.ttl ?? DEFAULT_TTL);
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.debug(`${w.path}  ${w.message}`);
  const source = sourceOf(ctx, loaded, options.from);
  checkPreviewName(name, source, loaded.environments);
  const service = PRESET_PARTS[source.preset].service;
  if (options.image && !service) throw new UsageError(`--image: the ${source.preset} preset runs no container service`, { hint: `leave --image out: tapctl env create ${name} --from ${source.name}` });

  const branch = options.branch ? { branch: options.branch, from: '--branch' } : await currentBranch(spawnProcess, loaded.projectDir, ctx.env);
  const now = Date.now();
  const actor = ciAuthor(ctx.env).ciActor;
  const draft: PreviewRecord = {
    name,
    source: source.name,
    ...(branch.branch ? { branch: branch.branch } : {}),
    creator: 'unknown',
    ...(actor ? { ciActor: actor } : {}),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
    ...(options.image ? { image: options.image } : {}),
  };
  checkPreviewSettings(previewEnvironment(source, draft));
  // Nobody could approve the deploy: say so now, not after the account check and a synthesis.
  if (!ctx.globals.yes && !ctx.interactive) {
    throw new RefusedError(`creating preview ${quote(name)} deploys a stack and needs approval, and there is no terminal to ask; nothing was created`, {
      hint: `in CI pass --yes (it approves the preview's deploys, never a safety refusal); or run it on a terminal`,
    });
  }

  const clients = new AwsClients(targetFor(source, ctx.globals.profile));
  const identity = await callerIdentity(clients);
  assertAccount(identity, source);
  const planned = previewEnvironment(source, draft);
  const existing = await describeStack(clients, planned.names.stack);
  let record: PreviewRecord = { ...draft, creator: identity.arn };
  if (existing) {
    if (!isPreviewOf(existing.Tags, source.project) || existing.Tags?.find((t) => t.Key === PREVIEW_TAG)?.Value !== name) {
      throw new RefusedError(`stack ${planned.names.stack} already exists in ${source.account}/${source.region} and is not preview ${quote(name)} of project '${source.project}': refusing to touch it`, {
        hint: 'choose another preview name',
      });
    }
    const parsed = readPreviewTags(existing.Tags);
    if (parsed.ok && parsed.record.source !== source.name) {
      throw new UsageError(`preview ${quote(name)} exists, built from '${parsed.record.source}', not '${source.name}'`, {
        hint: `destroy it first (tapctl destroy --env ${name}), or create it again --from ${parsed.record.source}`,
      });
    }
    // The same preview again: who made it and when stay; the expiry, branch and image are today's.
    if (parsed.ok) {
      const { ciActor: _today, ...rest } = record;
      const { creator, createdAt, ciActor } = parsed.record;
      record = { ...rest, creator, createdAt, ...(ciActor ? { ciActor } : {}) };
    }
  }
  const env = previewEnvironment(source, record);
  const verb = existing ? 'updating' : 'creating';
  ctx.io.info(`${verb} preview '${name}' from '${source.name}' in ${env.account}/${env.region}: expires in ${formatDuration(ttlMs)} (${record.expiresAt})${record.branch ? `, branch ${quote(record.branch)}` : `, no branch (${branch.from})`}`);

  const build = service && !options.image;
  const push = createRun({ environment: env });
  // push-image's own checks (Dockerfile, build secrets, a usable builder) before minutes of deploying.
  if (build) await push(ctx, { dryRun: true, beforeStack: true, ...(options.builder ? { builder: options.builder } : {}) });

  const { runDeploy } = await import('../deploy/deploy-flow.js');
  // The stack must exist before an image can be pushed to its repository: that first deploy is waited for.
  const deployed = await runDeploy(ctx, { environment: env, embedded: true, wait: build || options.wait !== false, ...(build ? { imageFollows: 'env create builds the working tree and pushes it next' } : {}) });
  let deployStatus: string = deployed?.status ?? 'deployed';
  let image: EnvCreateResult['image'] = options.image ? { source: 'image', reference: options.image } : { source: 'none' };
  if (build) {
    // The stack's creation was approved (or --yes): the image deploy that completes it is part of that.
    const pushed = await push(approved(ctx), { deploy: true, ...(options.wait === false ? { wait: false } : {}), ...(options.builder ? { builder: options.builder } : {}) });
    deployStatus = pushed?.deployStatus ?? deployStatus;
    image = { source: 'built', ...(pushed ? { reference: `${pushed.repositoryUri}:${pushed.tag}`, tag: pushed.tag, ...(pushed.digest ? { digest: pushed.digest } : {}), ...(pushed.release ? { release: pushed.release } : {}) } : {}) };
  }

  const stack = await describeStack(clients, env.names.stack);
  const outputs = stack ? stackOutputs(stack) : {};
  const url = siteUrl(env, outputs);
  // The record is what the stack's tags hold, read back: env list and env sweep go by them, not by what was sent.
  const asSet = previewStackTags(env.project, record);
  const onStack = Object.fromEntries((stack?.Tags ?? []).filter((t) => t.Key !== undefined && t.Key in asSet).map((t) => [t.Key!, t.Value ?? '']));
  const differing = Object.keys(asSet).filter((k) => onStack[k] !== asSet[k]);
  if (stack && differing.length > 0) {
    ctx.io.warn(
      `the stack's tags are not what env create set (${differing.map((k) => `${k} ${onStack[k] === undefined ? 'missing' : quote(onStack[k], 40)}, set ${quote(asSet[k], 40)}`).join('; ')}): env list and env sweep go by the stack's tags`,
    );
  }
  const readBack = stack ? readPreviewTags(stack.Tags) : undefined;
  const preview = readBack?.ok ? readBack.record : record;
  return {
    name,
    status: existing ? 'updated' : 'created',
    source: source.name,
    stack: env.names.stack,
    account: env.account,
    region: env.region,
    preview,
    tags: stack ? onStack : asSet,
    ...(stack && differing.length > 0 ? { tagsNotApplied: differing } : {}),
    image,
    deployStatus,
    ...(url ? { url } : {}),
    outputs,
    next: [
      `tapctl status --env ${name}`,
      `tapctl env list`,
      `tapctl destroy --env ${name}   (or tapctl env sweep deletes it once it expires, ${preview.expiresAt})`,
    ],
  };
}

/** --from: a configured, non-production environment (a preview is never the source of another). */
function sourceOf(ctx: CommandContext, loaded: LoadedConfig, from: string | undefined): ResolvedEnvironment {
  const configured = loaded.environments;
  const nonProduction = configured.filter((e) => e.kind !== 'production').map((e) => e.name);
  if (!from) throw new UsageError('env create needs --from <env>: the environment to build the preview from', { hint: `non-production environments: ${nonProduction.join(', ') || 'none'}` });
  const source = configured.find((e) => e.name === from);
  const problem = previewSourceProblem(source, from);
  if (problem) {
    throw new UsageError(`--from ${quote(from)}: ${problem.replace(`'${from}'`, 'it')}`, {
      hint: nonProduction.length ? `build it from ${nonProduction.map((n) => `'${n}'`).join(' or ')}` : 'add a non-production environment to tapctl.config.yaml (kind: development or staging)',
    });
  }
  // --region may confirm the source's region, as with --env.
  return selectConfigured(ctx, loaded, from);
}

/** The preset's rules on the preview's settings: an error there is exit 2 before anything runs. */
function checkPreviewSettings(env: ResolvedEnvironment): void {
  const errors = environmentIssues(env).filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  throw new UsageError(`preview '${env.name}' would not be valid: ${errors.map((i) => `${i.rule}: ${i.message}`).join('; ')}`, {
    hint: `a preview takes its settings from '${env.preview?.source}' (tapctl validate --env ${env.preview?.source}) with the preview sizes; fix the source, or choose another name`,
  });
}

/** The same context with --yes: for the deploy that completes a change the person already approved. */
function approved(ctx: CommandContext): CommandContext {
  return Object.create(ctx, { globals: { value: { ...ctx.globals, yes: true }, enumerable: true } }) as CommandContext;
}

/** Where a person opens the preview: CloudFront's URL, else the load balancer's name as an http:// URL. */
export function siteUrl(env: ResolvedEnvironment, outputs: Readonly<Record<string, string>>): string | undefined {
  for (const key of PRESET_PARTS[env.preset].endpointOutputs) {
    const value = outputs[key];
    if (!value) continue;
    return /^https?:\/\//.test(value) ? value : `http://${value}`;
  }
  return undefined;
}
