/**
 * What deploy, diff, bootstrap and destroy return, and how each result reads in a terminal. Kept apart from the
 * flows so that the command modules stay light (style.md pattern 4): this file imports no SDK or CDK code.
 */
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { SynthResult } from '../synth/synthesize.js';
import type { ChangeSummary } from './change-summary.js';
import { changeLines, countsLine, hasChanges } from './change-summary.js';
import { keyOutputs } from './outputs.js';
import type { ReleaseRef } from '../release/record.js';
import type { ImagePlan } from '../release/running-image.js';
import type { CheckRecord } from './checks.js';
import { formatElapsed } from './progress.js';
import type { CiBootstrapResult } from '../ci/bootstrap-ci.js';

export interface TemplatePlan {
  readonly resourceCount: number;
  readonly resourcesByService: Record<string, number>;
  readonly outputs: string[];
  readonly templateBytes: number;
  readonly needsBootstrapBucket: boolean;
  /** The assembly came from the synth cache. */
  readonly cached: boolean;
}

export interface DeployResult {
  readonly ok: true;
  readonly environment: string;
  readonly stack: string;
  /** planned: dry run; started: --no-wait handed the change set to CloudFormation. */
  readonly status: 'planned' | 'no-changes' | 'deployed' | 'started';
  readonly checks: readonly CheckRecord[];
  /** The image deployed and where it came from (config, release, deployed-stack, none, unresolved, not-used). */
  readonly image: ImagePlan;
  readonly template: TemplatePlan;
  /** The release this deploy ran, as the ledger has it afterwards. */
  readonly release?: ReleaseRef;
  /** The task definition the stack runs after the deploy, when a release recorded it. */
  readonly taskDefinitionArn?: string;
  /** Absent when not computed (dry run without credentials, no-change fast path). */
  readonly changes?: ChangeSummary;
  /** How ECS rolls a new release out here (config `deployment:` resolved); absent without a service. */
  readonly deployment?: DeploymentSummary;
  readonly outputs?: Record<string, string>;
  readonly outputsFiles?: string[];
  readonly durationMs: number;
  /** Commands to run next, in order. */
  readonly next: string[];
}

/** The effective deployment strategy and a person's summary (config/deployment.ts describeDeployment). */
export interface DeploymentSummary {
  readonly strategy: string;
  readonly summary: string;
}

/** The effective plan of an environment for a result; undefined for a preset without a service. */
export async function deploymentSummary(env: import('../config/resolve.js').ResolvedEnvironment): Promise<DeploymentSummary | undefined> {
  const { deploymentOf, describeDeployment } = await import('../config/deployment.js');
  const plan = deploymentOf(env);
  return plan ? { strategy: plan.strategy, summary: describeDeployment(plan) } : undefined;
}

export interface DiffResult {
  readonly ok: true;
  readonly environment: string;
  readonly stack: string;
  readonly deployed: boolean;
  /** Present when the stack is deployed. */
  readonly changes?: ChangeSummary;
  /** When the stack is not deployed: what its first deploy creates. */
  readonly template?: TemplatePlan;
  /** The image the comparison was made with (as deploy would resolve it). */
  readonly image?: ImagePlan;
  /** How ECS rolls a new release out here; absent without a service. */
  readonly deployment?: DeploymentSummary;
  /** How the deployed stack was compared (when it is deployed): a change set, or the templates. */
  readonly method?: 'change-set' | 'template-only';
  /** Why a change set was asked for and could not be created (the templates were compared instead). */
  readonly fallbackReason?: string;
}

export interface BootstrapResult {
  readonly ok: true;
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly status: 'bootstrapped' | 'up-to-date';
  /** Account singletons the environment needs (README "Account-wide resources"): present, created, repaired or moved. */
  readonly singletons: ReadonlyArray<{ readonly id: string; readonly what: string; readonly status: 'present' | 'created' | 'repaired' | 'moved'; readonly detail: string }>;
  /** With --ci: the OIDC provider, the CI roles stack and the role ARNs the pipeline assumes (src/ci/bootstrap-ci.ts). */
  readonly ci?: CiBootstrapResult;
  readonly durationMs: number;
}

export interface RetainedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly policy: string;
  /** true: still there; false: gone; undefined: not checked. */
  readonly exists?: boolean;
  /** A KMS key or secret still there but scheduled for deletion. */
  readonly state?: 'pending-deletion';
  /** Why it could not be looked up (exists is then undefined). */
  readonly uncheckedBecause?: string;
}

/**
 * An app secret (tapctl secrets set) that outlives the stack: it is not a stack resource, so destroy never deletes
 * it; each costs money until deleted (https://aws.amazon.com/secrets-manager/pricing/).
 */
export interface LeftoverAppSecret {
  readonly name: string;
  readonly secretName: string;
  /** pending-deletion: already scheduled for deletion (recoverable until then). */
  readonly state: 'exists' | 'pending-deletion';
  /** The command that deletes it. */
  readonly deleteWith: string;
}

export interface DestroyResult {
  readonly ok: true;
  readonly environment: string;
  readonly stack: string;
  readonly status: 'destroyed' | 'not-deployed';
  /** Resources kept by their DeletionPolicy that still exist (or were not checked) and may still cost money. */
  readonly retained: readonly RetainedResource[];
  /** The environment's app secrets, left in Secrets Manager (a destroyed or never-deployed environment may have them). */
  readonly appSecrets?: readonly LeftoverAppSecret[];
  /** Why the app secrets could not be listed (appSecrets is then absent). */
  readonly appSecretsUncheckedBecause?: string;
  /** The release ledger marked ended (its prefix); its history stays for audit. */
  readonly ledgerEnded?: string;
  /** A preview: once its stack is gone, --env no longer finds it, so its ledger is read in SSM directly. */
  readonly preview?: boolean;
  readonly durationMs: number;
}

/**
 * Streaming commands (deploy, bootstrap, destroy) end with their result like every command: returned for the
 * runner, which writes it (with --json as the one final `result` line after the events).
 */
export function finishStream<T extends { ok: boolean }>(_ctx: CommandContext, result: T): T {
  return result;
}

export function templatePlan(synth: SynthResult): TemplatePlan {
  return {
    resourceCount: synth.resourceCount,
    resourcesByService: synth.resourcesByService,
    outputs: synth.outputs.map((o) => o.name),
    templateBytes: synth.templateBytes,
    needsBootstrapBucket: synth.needsBootstrapBucket,
    cached: synth.cached,
  };
}

/** Binary units, as tapctl synth prints them. */
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function renderTemplatePlan(t: TemplatePlan, s: Styles): string[] {
  const services = Object.entries(t.resourcesByService).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `  ${s.dim('template ')}  ${t.resourceCount} resources, ${kib(t.templateBytes)}${t.needsBootstrapBucket ? s.dim(' (over the 51,200-byte inline limit: deployed through the bootstrap bucket)') : ''}`,
    `  ${s.dim('resources')}  ${services}`,
    `  ${s.dim('outputs  ')}  ${t.outputs.join(', ')}`,
  ];
}

function renderOutputs(outputs: Record<string, string> | undefined, files: string[] | undefined, s: Styles): string[] {
  if (!outputs) return [];
  const rows = keyOutputs(outputs);
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return [
    ...rows.map(([k, v]) => `  ${s.dim(k.padEnd(width))}  ${s.accent(v)}`),
    ...(files?.length ? [s.dim(`  all ${Object.keys(outputs).length} outputs: ${files.join(', ')}`)] : []),
  ];
}

export function renderDeploy(r: DeployResult, s: Styles): string {
  const lines: string[] = [];
  switch (r.status) {
    case 'planned':
      lines.push(s.bold(`Plan for '${r.environment}' (${r.stack})`), ...renderTemplatePlan(r.template, s));
      lines.push(`  ${s.dim('image    ')}  ${imageLine(r.image, s)}`);
      if (r.deployment) lines.push(`  ${s.dim('rollout  ')}  ${r.deployment.summary}`);
      if (r.changes) {
        lines.push(`  ${s.dim('changes  ')}  ${countsLine(r.changes)}`, ...changeLines(r.changes, s).map((l) => `    ${l}`));
      } else {
        const stack = r.checks.find((c) => c.name === 'stack');
        const note =
          stack?.status === 'skip' ? `not compared with the deployed stack (${stack.detail})`
          : stack?.detail?.includes('not deployed yet') ? 'everything is created (not deployed yet)'
          : 'not compared (see the stack check above)';
        lines.push(`  ${s.dim('changes  ')}  ${note}`);
      }
      lines.push(s.dim('dry run: nothing was changed'));
      break;
    case 'no-changes':
      lines.push(s.good(`✔ ${r.stack} is up to date: no changes, nothing was executed`), ...renderOutputs(r.outputs, r.outputsFiles, s));
      break;
    case 'deployed':
      lines.push(s.good(`✔ deployed ${r.stack} in ${formatElapsed(r.durationMs)}${r.changes ? ` (${countsLine(r.changes)})` : ''}`), ...renderOutputs(r.outputs, r.outputsFiles, s));
      if (r.release) lines.push(`  ${s.dim('release')}  ${r.release.id} ${r.release.outcome}  ${s.dim(r.image.display)}`);
      break;
    case 'started':
      lines.push(s.good(`✔ deploy of ${r.stack} started; CloudFormation carries on without tapctl`));
      break;
  }
  if (r.next.length > 0) lines.push('', s.bold('Next:'), ...r.next.map((n) => `  ${n}`));
  return lines.join('\n');
}

export function renderDiff(r: DiffResult, s: Styles): string {
  const image = [
    ...(r.image && r.image.source !== 'not-used' ? [`  ${s.dim('image')}  ${imageLine(r.image, s)}`] : []),
    ...(r.deployment ? [`  ${s.dim('rollout')}  ${r.deployment.summary}`] : []),
  ];
  if (!r.deployed) {
    const lines = [s.bold(`${r.stack} is not deployed yet: the first deploy creates everything`)];
    if (r.template) lines.push(...renderTemplatePlan(r.template, s));
    lines.push(...image, s.dim(`  deploy it with tapctl deploy --env ${r.environment}`));
    return lines.join('\n');
  }
  const c = r.changes!;
  const how = r.fallbackReason ? [s.warn(`  compared the templates: a change set could not be created (${r.fallbackReason}); replacements are less certain`)] : [];
  if (!hasChanges(c)) return [s.good(`✔ ${r.stack} matches the deployed stack: no changes`), ...image, ...how].join('\n');
  return [s.bold(`${r.stack}: ${countsLine(c)}`), ...changeLines(c, s).map((l) => `  ${l}`), ...image, ...how].join('\n');
}

/** `<image>  (release 000042 in the ledger)`; "not resolved (no credentials)" alone. */
export function imageLine(image: ImagePlan, s: Styles): string {
  if (image.source === 'unresolved' || image.source === 'not-used' || image.source === 'none') return image.display;
  return `${image.display}  ${s.dim(`(${image.from})`)}`;
}

export function renderBootstrap(r: BootstrapResult, s: Styles): string {
  const lines = [
    r.status === 'up-to-date'
      ? s.good(`✔ CDK bootstrap of ${r.account}/${r.region} is already up to date`)
      : s.good(`✔ bootstrapped ${r.account}/${r.region} in ${formatElapsed(r.durationMs)}; tapctl deploy --env ${r.environment} can run now`),
  ];
  for (const x of r.singletons ?? []) {
    const verb = x.status === 'present' ? 'already there' : x.status;
    lines.push(`  ${x.status === 'present' ? s.dim('✔') : s.good('✔')} ${x.what}: ${verb}  ${s.dim(x.detail)}`);
  }
  if (r.ci) lines.push('', ...renderCiRoles(r.ci, s));
  return lines.join('\n');
}

/** The roles a pipeline assumes, and what each trusts: what a person copies into (or checks against) the pipeline. */
function renderCiRoles(ci: CiBootstrapResult, s: Styles): string[] {
  const provider = ci.oidcProvider.status === 'present' ? `found, reused${ci.oidcProvider.raced ? ' (another bootstrap created it a moment before)' : ''}` : ci.oidcProvider.status;
  const roles: Array<[string, string, readonly string[] | undefined]> = [
    ['plan', ci.roles.plan, ci.trust.plan],
    ['deploy', ci.roles.deploy, ci.trust.deploy],
    ...(ci.roles.preview ? [['preview', ci.roles.preview, ci.trust.preview] as [string, string, readonly string[] | undefined]] : []),
  ];
  return [
    s.bold(`CI roles for ${ci.provider} ${ci.repository} (${ci.stack}: ${ci.stackStatus === 'no-changes' ? 'up to date' : 'deployed'})`),
    ...(ci.previousTrust ? [s.warn(`  re-pointed (--replace-trust): they trusted ${ci.previousTrust.provider} ${ci.previousTrust.repository}, branch ${ci.previousTrust.branch}${ci.previousTrust.issuerHost ? `, issuer ${ci.previousTrust.issuerHost}` : ''}`)] : []),
    `  ${s.dim('OIDC provider')}  ${ci.oidcProvider.arn}  ${s.dim(provider)}`,
    ...roles.flatMap(([kind, arn, subs]) => [`  ${s.dim(`${kind} role`.padEnd(13))}  ${s.accent(arn)}`, `  ${' '.repeat(13)}  ${s.dim(`trusts aud ${ci.audience}, sub ${(subs ?? []).join(' or ')}`)}`]),
    s.dim('  tapctl ci init writes these into the pipeline'),
  ];
}

export function renderDestroy(r: DestroyResult, s: Styles): string {
  const lines = [r.status === 'not-deployed' ? s.good(`✔ ${r.stack} is not deployed: nothing to destroy`) : s.good(`✔ destroyed ${r.stack} in ${formatElapsed(r.durationMs)}`)];
  lines.push(...appSecretLines(r, s));
  if (r.status === 'not-deployed') return lines.join('\n');
  if (r.ledgerEnded) {
    const read = r.preview ? `aws ssm get-parameters-by-path --recursive --path ${r.ledgerEnded} reads it` : `tapctl releases --env ${r.environment} lists it`;
    lines.push(s.dim(`  release ledger ${r.ledgerEnded} marked ended (its history is kept; ${read})`));
  }
  if (r.retained.length > 0) {
    lines.push('', s.bold('Kept by their deletion policy (they still exist and may cost money):'));
    for (const k of r.retained) {
      const state = k.policy === 'Snapshot' ? s.warn('final snapshot kept') : k.exists === undefined ? s.dim(k.uncheckedBecause ? `not checked: ${k.uncheckedBecause}` : 'not checked') : k.state === 'pending-deletion' ? s.dim('scheduled for deletion') : s.warn('still exists');
      lines.push(`  ${k.physicalId ?? k.logicalId}  ${s.dim(`${k.type}, ${k.policy}`)}  ${state}`);
    }
  }
  return lines.join('\n');
}

/** The app secrets destroy leaves in Secrets Manager, each with the command that deletes it. */
function appSecretLines(r: DestroyResult, s: Styles): string[] {
  if (r.appSecretsUncheckedBecause) return ['', s.warn(`App secrets of '${r.environment}' not listed (${r.appSecretsUncheckedBecause}): tapctl secrets list --env ${r.environment} shows them`)];
  const left = r.appSecrets ?? [];
  if (left.length === 0) return [];
  const lines = ['', s.bold(`Left in Secrets Manager (app secrets are not part of the stack; each costs money until deleted):`), s.dim(`  unset schedules the deletion (recoverable for 7 days); add --now to delete at once`)];
  for (const x of left) {
    lines.push(`  ${x.secretName}  ${x.state === 'pending-deletion' ? s.dim('scheduled for deletion') : s.warn('still exists')}${x.state === 'exists' ? `  ${s.dim(`delete: ${x.deleteWith}`)}` : ''}`);
  }
  return lines;
}
