/**
 * `tapctl bootstrap --env <name> --ci github|gitlab ...`: after the CDK bootstrap, what a CI pipeline needs to
 * reach the environment with short-lived credentials only:
 *
 * 1. the account's OIDC identity provider for the CI's issuer, once per account (an account singleton:
 *    src/aws/oidc-provider.ts): found and reused, created when missing, a racing create's EntityAlreadyExists
 *    read again, the pipeline's audience added when the provider lacks it; never deleted by an environment;
 * 2. the stack `TapCi-<project>-<suffix>` with the environment's plan and deploy roles (and, with --previews, the
 *    preview role), synthesized by tapctl's own CDK app (src/infra/ci-roles-stack.ts) and deployed with
 *    toolkit-lib's change-set deploy like any stack: a second bootstrap changes nothing, an edited trust shows as
 *    a change, drift is CloudFormation's to see.
 *
 * Approval: the roles let a CI act in the account, so the change is approved as a deploy's is (--yes without a
 * terminal; the runner refuses before anything is done when neither is there: bootstrap-flow.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { isTapctlError, OperationError, RefusedError, UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import type { AwsClients } from '../aws/clients.js';
import { ensureSingleton, type EnsureStatus } from '../aws/account-singletons.js';
import { oidcProvider } from '../aws/oidc-provider.js';
import { readStackAfter } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { awsFailureIn, explainFailure, rootCause } from '../deploy/failure.js';
import { ProgressRenderer } from '../deploy/progress.js';
import { ToolkitIoHost } from '../deploy/toolkit-io.js';
import { interruptible, pollIntervalMs, withToolkit } from '../deploy/toolkit-session.js';
import { readSettings } from '../cli/settings.js';
import { ciStackName, trustedSubjects, type CiIdentity, type TrustedSubjects } from './identity.js';

export interface CiBootstrapInput {
  readonly identity: CiIdentity;
  readonly previews: boolean;
  /** --replace-trust: the roles may be re-pointed at another CI, repository, branch or instance. */
  readonly replaceTrust?: boolean;
  /** Every configured environment (the checks on --previews look at the others). */
  readonly environments: readonly ResolvedEnvironment[];
}

export interface CiBootstrapResult {
  readonly provider: CiIdentity['provider'];
  readonly repository: string;
  readonly branch: string;
  readonly audience: string;
  readonly oidcProvider: { readonly arn: string; readonly status: EnsureStatus; readonly detail: string; readonly raced?: boolean };
  readonly stack: string;
  readonly stackStatus: 'deployed' | 'no-changes';
  /** The role ARNs the pipeline assumes. */
  readonly roles: { readonly plan: string; readonly deploy: string; readonly preview?: string };
  /** The exact `sub` values each role trusts (with StringEquals, as `aud`). */
  readonly trust: TrustedSubjects;
  /** What the roles trusted before, when this run re-pointed them (--replace-trust). */
  readonly previousTrust?: TrustOrigin;
}

/** Who an environment's CI roles trust, as the TapCi stack's outputs say. */
export interface TrustOrigin {
  readonly provider: string;
  readonly repository: string;
  readonly branch: string;
  /** The issuer host; absent from stacks made before tapctl wrote it. */
  readonly issuerHost?: string;
}

const originText = (o: TrustOrigin) => `${o.provider} ${o.repository}${o.issuerHost && o.provider === 'gitlab' ? ` on ${o.issuerHost}` : ''}, branch ${o.branch}`;

/**
 * The trust an existing TapCi stack holds, compared with the one this run asks for, before anything is changed.
 * Re-pointing an environment's roles at another CI, repository (case included: IAM compares `sub` exactly),
 * branch or GitLab instance hands its deploys to someone else: refused (exit 3) unless --replace-trust, --yes or
 * not. Returns the previous trust when it changes (with --replace-trust), else undefined.
 */
export async function checkTrustChange(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, input: CiBootstrapInput): Promise<TrustOrigin | undefined> {
  const { describeStack, stackOutputs } = await import('../aws/stack.js');
  const { CI_OUTPUTS } = await import('../infra/ci-roles-stack.js');
  const stackName = ciStackName(env.project, env.suffix);
  const stack = await describeStack(clients, stackName);
  if (!stack) return undefined;
  const out = stackOutputs(stack);
  if (!out[CI_OUTPUTS.provider] || !out[CI_OUTPUTS.repository] || !out[CI_OUTPUTS.branch]) return undefined;
  const before: TrustOrigin = { provider: out[CI_OUTPUTS.provider], repository: out[CI_OUTPUTS.repository], branch: out[CI_OUTPUTS.branch], ...(out[CI_OUTPUTS.issuer] ? { issuerHost: out[CI_OUTPUTS.issuer] } : {}) };
  const { identity } = input;
  const now: TrustOrigin = { provider: identity.provider, repository: identity.repository, branch: identity.branch, issuerHost: identity.issuerHost };
  const changed: string[] = [];
  if (before.provider !== now.provider) changed.push(`CI ${before.provider} -> ${now.provider}`);
  if (before.repository !== now.repository) changed.push(`${now.provider === 'gitlab' ? 'project' : 'repository'} ${before.repository} -> ${now.repository}`);
  if (before.branch !== now.branch) changed.push(`branch ${before.branch} -> ${now.branch}`);
  if (before.issuerHost && before.issuerHost !== now.issuerHost) changed.push(`issuer ${before.issuerHost} -> ${now.issuerHost}`);
  if (changed.length === 0) return undefined;
  const what = `the CI roles of '${env.name}' (${stackName}) trust ${originText(before)}; this run would make them trust ${originText(now)} (${changed.join('; ')})`;
  if (!input.replaceTrust) {
    throw new RefusedError(`refusing to re-point roles: ${what}: whoever controls the new one could then deploy '${env.name}'`, {
      hint: `if that is meant, run it again with --replace-trust (also needed with --yes); else bootstrap with the same ${before.provider === 'github' ? '--repo' : '--project'} and --branch as before; nothing was changed`,
      details: { previousTrust: before, requestedTrust: now },
    });
  }
  ctx.io.warn(`--replace-trust: ${what}`);
  return before;
}


/**
 * The checks on the inputs that need the config (the flags themselves are checked before anything runs, in
 * src/commands/bootstrap.ts): refused before any AWS call.
 */
export function checkCiInput(env: ResolvedEnvironment, input: CiBootstrapInput): void {
  if (env.preview) {
    throw new UsageError(`'${env.name}' is a preview: CI roles are made for configured environments`, { hint: `bootstrap the environment it comes from with --previews (tapctl bootstrap --env ${env.preview.source} --ci github --repo <owner/name> --previews)` });
  }
  if (!input.previews) return;
  if (env.kind === 'production') {
    throw new UsageError(`--previews: '${env.name}' is a production environment; previews are made from a non-production one`, { hint: 'bootstrap the development environment previews start from with --previews' });
  }
  const clash = input.environments.find((e) => e.suffix.startsWith('pr-'));
  if (clash) {
    throw new UsageError(`--previews: the suffix of '${clash.name}' (${quote(clash.suffix)}) starts with pr-, the names previews take: the preview role would reach it`, { hint: `give '${clash.name}' another suffix (environments.${clash.name}.suffix)` });
  }
  const production = input.environments.find((e) => e.kind === 'production' && e.account === env.account);
  if (production) {
    throw new RefusedError(`refusing --previews for '${env.name}': production environment '${production.name}' is in the same account (${env.account}), and a preview role lets pull requests deploy through that account's CDK deploy role`, {
      hint: 'keep production in an account of its own (environments.<name>.account) to run previews per pull request',
    });
  }
}

/**
 * What the account shares with production, said once: a warning, not a refusal (README "CI pipelines"). Said when
 * bootstrapping either side: a non-production environment beside production, or production beside others.
 */
export function sharedAccountWarning(env: ResolvedEnvironment, environments: readonly ResolvedEnvironment[]): string | undefined {
  if (env.kind === 'production') {
    const others = environments.filter((e) => !e.preview && e.kind !== 'production' && e.account === env.account).map((e) => `'${e.name}'`);
    if (others.length === 0) return undefined;
    return `production environment '${env.name}' shares account ${env.account} with ${others.join(', ')}: their deploy roles assume the same CDK deploy role, which can deploy '${env.name}' too, around the CI's production protection; keep production in an account of its own`;
  }
  const production = environments.find((e) => e.kind === 'production' && e.account === env.account);
  if (!production) return undefined;
  return `'${env.name}' shares account ${env.account} with production environment '${production.name}': its deploy role assumes the same CDK deploy role, which can deploy '${production.name}' too, around the CI's production protection; keep production in an account of its own`;
}

/**
 * GitHub production: the deploy role trusts `repo:<repo>:environment:<name>`, a subject any branch's job presents
 * once it names the environment. That only the protected branch deploys (and only after review) rests on the GitHub
 * environment's own settings, which tapctl cannot read with AWS credentials: said loudly, naming them.
 */
export function productionEnvironmentWarning(env: ResolvedEnvironment, identity: CiIdentity): string | undefined {
  if (env.kind !== 'production' || identity.provider !== 'github') return undefined;
  return `production: the deploy role of '${env.name}' trusts any job of ${identity.repository} that runs in the GitHub environment '${env.name}', from any branch, unless GitHub restricts it. In GitHub: Settings > Environments > ${env.name}: Deployment branches and tags: "Selected branches" with ${identity.branch} only, and Required reviewers. tapctl cannot check these settings`;
}

/**
 * With --previews: pull requests get the account's CDK deploy role (a preview is a whole stack), which reaches every
 * stack of the account and its assets bucket. Production there is refused (checkCiInput); any other environment
 * there is said once, by name.
 */
export function previewAccountWarning(env: ResolvedEnvironment, environments: readonly ResolvedEnvironment[]): string | undefined {
  const others = environments.filter((e) => !e.preview && e.name !== env.name && e.account === env.account).map((e) => `'${e.name}'`);
  if (others.length === 0) return undefined;
  return `--previews: pull requests can change any stack of account ${env.account} through its CDK deploy role, ${others.join(', ')} included; keep there only environments a pull request may change`;
}

export async function bootstrapCi(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, input: CiBootstrapInput, previousTrust?: TrustOrigin): Promise<CiBootstrapResult> {
  const { identity, previews } = input;
  // The provider's description adds the host: "GitLab (gitlab.example.com)".
  const label = identity.provider === 'github' ? 'GitHub Actions' : 'GitLab';
  const provider = await ensureSingleton(clients, oidcProvider({ host: identity.issuerHost, audience: identity.audience, label }), `account ${env.account}`);
  // The detail already ends in its own brackets ("arn (created by tapctl bootstrap)"): not nested in more.
  ctx.io.info(`${provider.what}: ${provider.status === 'present' ? 'found, reused' : provider.status}: ${provider.detail}`);
  const providerArn = (provider.value as { arn: string }).arn;

  const stackName = ciStackName(env.project, env.suffix);
  const outDir = mkdtempSync(join(tmpdir(), 'tapctl-ci-'));
  try {
    const { buildCiRolesApp, CI_OUTPUTS } = await import('../infra/ci-roles-stack.js');
    buildCiRolesApp(env, identity, providerArn, previews, { outdir: outDir }).app.synth({ validateOnSynthesis: false });
    const deployed = await deployRolesStack(ctx, clients, env, stackName, outDir);
    const out = deployed.outputs;
    const roles = { plan: out[CI_OUTPUTS.plan], deploy: out[CI_OUTPUTS.deploy], ...(previews && out[CI_OUTPUTS.preview] ? { preview: out[CI_OUTPUTS.preview] } : {}) };
    if (!roles.plan || !roles.deploy) throw new OperationError(`${stackName} is deployed but does not output its role ARNs (${CI_OUTPUTS.plan}, ${CI_OUTPUTS.deploy})`, { code: 'aws' });
    return {
      provider: identity.provider,
      repository: identity.repository,
      branch: identity.branch,
      audience: identity.audience,
      oidcProvider: { arn: providerArn, status: provider.status, detail: provider.detail, ...(provider.raced ? { raced: true } : {}) },
      stack: stackName,
      stackStatus: deployed.noOp ? 'no-changes' : 'deployed',
      roles,
      trust: trustedSubjects(identity, env, previews),
      ...(previousTrust ? { previousTrust } : {}),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** How long bootstrap --ci waits for the roles stack: IAM roles take a minute or two; a quarter of an hour is stuck. */
const CI_ROLES_WAIT_MS = 15 * 60_000;
const CI_ROLES_WAIT_NAME = 'TAPCTL_CI_ROLES_WAIT_MS';
/** A line while waiting, so that a change set CloudFormation is slow to make (no stack events yet) is not silence. */
const PROGRESS_EVERY_MS = 15_000;

function describeEvent(event: unknown): string {
  const e = (event ?? {}) as { LogicalResourceId?: string; ResourceStatus?: string; logicalId?: string; status?: string };
  return [e.LogicalResourceId ?? e.logicalId, e.ResourceStatus ?? e.status].filter(Boolean).join(' ') || 'an event';
}

export interface BoundedWait {
  /** The longest wait (ms), time spent `paused` not counted; then `onLimit`'s error is thrown. */
  readonly limitMs: number;
  /** How often `progress` is called while waiting (ms). */
  readonly everyMs: number;
  readonly progress: (elapsedMs: number) => void;
  readonly onLimit: () => Error;
  /** True while a person is asked (the approval): no line is printed over the question, and the clock stops. */
  readonly paused?: () => boolean;
}

/**
 * Waits for `work` at most `limitMs`, saying every `everyMs` that it still waits. toolkit-lib's own bound is on
 * silence (toolkit-session.ts): a change set that stays CREATE_PENDING is polled, answered and never silent, so
 * without a total bound bootstrap --ci could wait for ever without a line.
 */
export function boundedWait<T>(work: Promise<T>, options: BoundedWait): Promise<T> {
  const step = Math.max(1, Math.min(1_000, options.everyMs, options.limitMs));
  let last = Date.now();
  let waited = 0;
  let sinceProgress = 0;
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      const now = Date.now();
      const delta = now - last;
      last = now;
      if (options.paused?.()) return;
      waited += delta;
      sinceProgress += delta;
      if (waited >= options.limitMs) {
        clearInterval(timer);
        work.catch(() => undefined);
        reject(options.onLimit());
        return;
      }
      if (sinceProgress >= options.everyMs) {
        sinceProgress = 0;
        options.progress(waited);
      }
    }, step);
    work.then(resolve, reject).finally(() => clearInterval(timer));
  });
}

/** toolkit-lib's change-set deploy of the roles stack, with tapctl's approval, progress and a bound on the wait. */
async function deployRolesStack(ctx: CommandContext, clients: AwsClients, env: ResolvedEnvironment, stackName: string, assemblyDir: string): Promise<{ noOp: boolean; outputs: Record<string, string> }> {
  const progress = new ProgressRenderer(ctx, 'deploying', stackName);
  let noOp = false;
  let refusal: RefusedError | undefined;
  let asking = false;
  const ioHost = new ToolkitIoHost(ctx, {
    progress,
    onStackResult: (r) => (noOp = Boolean(r.noOp)),
    approveDeploy: async (request) => {
      const what = `the CI roles of '${env.name}' (${stackName})${request.permissionChangeType === 'broadening' ? ', which broadens IAM permissions' : ''}`;
      if (ctx.globals.yes) {
        ctx.io.info(`approved with --yes: ${what}`);
        return true;
      }
      if (!ctx.interactive) {
        refusal = new RefusedError(`creating or changing ${what} needs approval, and there is no terminal to ask`, { hint: 'approve it with --yes' });
        return false;
      }
      if (!ctx.io.json) ctx.io.line(request.message.replace(/\n*\s*Do you wish to deploy these changes\?\s*$/, '').trimEnd());
      asking = true;
      const ok = await ctx.prompter.confirm({ message: `Deploy ${what}?`, default: false }).finally(() => (asking = false));
      if (!ok) refusal = new RefusedError(`the CI roles of '${env.name}' were not approved; ${stackName} is as it was`);
      return ok;
    },
  });
  const what = `deploying ${stackName}`;
  const limitMs = readSettings(ctx.env).ciRolesWaitMs ?? CI_ROLES_WAIT_MS;
  try {
    const result = await withToolkit(
      ctx,
      env,
      ioHost,
      async (toolkit) => {
        const cx = await toolkit.fromAssemblyDirectory(assemblyDir);
        const work = toolkit.deploy(cx, { deploymentMethod: { method: 'change-set', changeSetName: 'tapctl-ci', execute: true }, stackEventPollingInterval: pollIntervalMs(ctx, 2_000) });
        return interruptible(ctx, boundedWait(work, {
          limitMs,
          paused: () => asking,
          everyMs: Math.min(PROGRESS_EVERY_MS, Math.max(1, Math.floor(limitMs / 4))),
          progress: (elapsedMs) => {
            const message = `still waiting for CloudFormation on ${stackName} (${Math.round(elapsedMs / 1000)} s; ${progress.events.length ? `last: ${describeEvent(progress.events.at(-1))}` : 'no stack event yet: the change set is being made'})`;
            ctx.io.info(message);
            ctx.io.event({ type: 'phase', phase: 'ci-roles', message, waitedMs: elapsedMs });
          },
          onLimit: () => {
            const error = new OperationError(`${stackName} did not finish within ${Math.round(limitMs / 1000)} s; tapctl stopped waiting (CloudFormation carries on with it)`, {
              code: 'timeout',
              hint: `see where it stands: aws cloudformation describe-stacks --stack-name ${stackName} (and describe-change-set for tapctl-ci); run the same bootstrap again once it is done. ${CI_ROLES_WAIT_NAME} sets the wait (milliseconds)`,
            });
            ioHost.stop(error);
            return error;
          },
        }));
      },
      { what, whenSilent: () => (progress.monitoring ? `CloudFormation carries on with ${stackName} without tapctl: run the same bootstrap again later` : undefined) },
    );
    return { noOp, outputs: result.stacks[0]?.outputs ?? {} };
  } catch (e) {
    if (refusal) throw refusal;
    if (isTapctlError(e)) throw e;
    const aws = rootCause(progress.events) ? undefined : awsFailureIn(e, what);
    if (aws) throw aws;
    const stackAfter = await readStackAfter(clients, stackName);
    throw explainFailure({ operation: 'bootstrap', stackName, envName: env.name, region: env.region, events: progress.events, error: e, stackAfter }).error;
  }
}
