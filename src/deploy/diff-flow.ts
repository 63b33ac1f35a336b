/** `tapctl diff`: the synthesized stack against the deployed one, through toolkit-lib's diff. */
import { dirname } from 'node:path';
import type { CommandContext } from '../cli/context.js';
import { RefusedError } from '../cli/errors.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { assertAccount, callerIdentity } from '../aws/identity.js';
import { deployedTemplate, type Template } from '../aws/stack-details.js';
import { describeStack } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { assemblyDir } from '../state/work-dir.js';
import { synthesize, type SynthResult } from '../synth/synthesize.js';
import { summarizeChanges, withTemplateDifferences, type ChangeSummary, type TemplateDiffLike, type TemplateLike } from './change-summary.js';
import { hasEdge } from '../config/edge.js';
import { resolveOriginPrefixList } from './edge-checks.js';
import { resolveTraffic } from './traffic-checks.js';
import { explainToolkitError } from './failure.js';
import { resolveRunningImage } from '../release/running-image.js';
import { checkAppSecrets } from '../secrets/deploy-inputs.js';
import { deploymentSummary, templatePlan, type DiffResult } from './results.js';
import { ALLOW_SCALE_TO_ZERO_FLAG, scaleToZeroFindings } from './running-service-guard.js';
import { classifyStack } from './stack-state.js';
import { ToolkitIoHost } from './toolkit-io.js';
import { interruptible, withToolkit } from './toolkit-session.js';

export interface DiffOptions {
  /** Compare templates only: no change set, faster, less precise about replacements. */
  readonly templateOnly?: boolean;
}

export type DiffMethodName = 'change-set' | 'template-only';

/** How a diff was made: the method asked for, and the reason when the change set could not be created. */
export interface DiffMade {
  readonly summary: ChangeSummary;
  readonly method: DiffMethodName;
  /** Set when a change set was asked for and could not be created: the templates were compared instead. */
  readonly fallbackReason?: string;
}

/**
 * The change from the deployed stack to the synthesized one. `change-set` asks CloudFormation (a change set is
 * created and deleted again; precise about replacements); `template-only` compares the templates locally.
 *
 * toolkit-lib would fall back from a change set to the templates by itself and only say so at debug level; a
 * diff made that way is less precise about replacements, so tapctl asks it not to, and when the change set
 * cannot be created compares the templates itself and says so, with CloudFormation's reason.
 */
export async function templateChanges(ctx: CommandContext, env: ResolvedEnvironment, synth: SynthResult, method: DiffMethodName): Promise<DiffMade> {
  const what = `comparing ${synth.stackName} with the deployed stack`;
  const diff = (how: DiffMethodName) =>
    withToolkit(
      ctx,
      env,
      new ToolkitIoHost(ctx),
      async (toolkit) => {
        const { DiffMethod } = await import('@aws-cdk/toolkit-lib');
        const cx = await toolkit.fromAssemblyDirectory(synth.assemblyDir);
        const diffs = await interruptible(ctx, toolkit.diff(cx, { method: how === 'change-set' ? DiffMethod.ChangeSet({ fallbackToTemplate: false }) : DiffMethod.TemplateOnly() }));
        return summarizeChanges(diffs as unknown as Record<string, TemplateDiffLike>);
      },
      { what },
    );
  try {
    return { summary: await diff(method), method };
  } catch (e) {
    if (method !== 'change-set' || (e as Error)?.name !== 'ChangeSetCreationFailed') throw explainToolkitError(e, what);
    const reason = explainToolkitError((e as Error).cause ?? e, `creating a change set for ${synth.stackName}`).message;
    ctx.io.warn(`could not create a change set (${reason}): comparing the templates instead, which is less precise about replacements`);
    try {
      return { summary: await diff('template-only'), method: 'template-only', fallbackReason: reason };
    } catch (again) {
      // toolkit-lib throws the SDK's errors as they are (GetTemplate denied ...): say what tapctl was doing.
      throw explainToolkitError(again, what);
    }
  }
}

export async function runDiff(ctx: CommandContext, options: DiffOptions): Promise<DiffResult> {
  const loaded = await loadProject(ctx);
  const projectDir = dirname(loaded.path);
  const configured = await selectEnvironment(ctx, loaded);
  // Say what is happening before the first AWS call: a slow or silent endpoint must not look like a hung tapctl.
  ctx.io.info(`comparing ${configured.names.stack} with the deployed stack in ${configured.account}/${configured.region}${configured.endpoint ? ` via ${configured.endpoint}` : ''} ...`);
  const clients = new AwsClients(targetFor(configured, ctx.globals.profile));
  assertAccount(await callerIdentity(clients), configured);

  const stack = await describeStack(clients, configured.names.stack);
  let deployed: Promise<Template | undefined> | undefined;
  const readDeployed = () => (deployed ??= stack && classifyStack(stack).kind === 'ready' ? deployedTemplate(clients, configured.names.stack) : Promise.resolve(undefined));
  // The image deploy would run, asked of AWS the same way, so that the diff shows exactly what deploy would do.
  const image = await resolveRunningImage({ env: configured, clients, deployedTemplate: readDeployed });
  if (image.check.status === 'warn') ctx.io.warn(`image: ${image.check.detail}`);
  // The app secrets' ARNs and the rollout nonce deploy would use, so that the diff shows exactly what it would do.
  const { CheckList } = await import('./checks.js');
  const secretsEnv = await checkAppSecrets(new CheckList(ctx, true), { env: image.env, clients, awsChecked: true, stackReady: Boolean(stack) && classifyStack(stack!).kind === 'ready', runsTasks: image.plan.source !== 'none', deployedTemplate: readDeployed, rollback: false });
  // The region's CloudFront prefix list, as deploy puts it in the template (edge-checks.ts).
  const edgeEnv = hasEdge(secretsEnv) ? (await resolveOriginPrefixList(secretsEnv, clients)).env : secretsEnv;
  // The production rule's live weights, as deploy puts them in the template (traffic-checks.ts); a refusal of
  // deploy's (traffic split by a running deployment) is only a warning here: diff changes nothing.
  const env = stack && classifyStack(stack).kind === 'ready'
    ? await resolveTraffic(edgeEnv, clients, readDeployed).then((r) => r.env, (e: unknown) => {
        if (!(e instanceof RefusedError)) throw e;
        ctx.io.warn(`${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        return edgeEnv;
      })
    : edgeEnv;
  const synth = await synthesize(env, { outDir: assemblyDir(projectDir, env.name), onCacheProblem: (m) => ctx.io.warn(m) });

  const deployment = await deploymentSummary(env);
  const base = { ok: true as const, environment: env.name, stack: env.names.stack, image: image.plan, ...(deployment ? { deployment } : {}) };
  if (!stack) {
    return { ...base, deployed: false, template: templatePlan(synth) };
  }
  const made = await templateChanges(ctx, env, synth, options.templateOnly ? 'template-only' : 'change-set');
  const before = await readDeployed();
  const { readStackArtifact } = await import('./assembly.js');
  // A change set with no per-resource details itemizes nothing: what the templates show is said, never "no changes".
  const changes = made.summary.changes.length === 0 && before ? withTemplateDifferences(made.summary, before as TemplateLike, readStackArtifact(synth).template as TemplateLike) : made.summary;
  for (const c of changes.destructive) {
    ctx.io.warn(ctx.io.style.bad(`${c.logicalId} (${c.type}) would be ${c.kind === 'replace' ? (c.conditional ? 'possibly replaced' : 'replaced') : 'removed'}: its data is lost; deploy refuses this without --allow-replace ${c.logicalId}`));
  }
  for (const f of before ? scaleToZeroFindings(before, readStackArtifact(synth).template) : []) {
    ctx.io.warn(ctx.io.style.bad(`${f.logicalId} (${f.type}): ${f.change}: the service would stop; deploy refuses this without ${ALLOW_SCALE_TO_ZERO_FLAG}`));
  }
  return { ...base, deployed: true, changes, method: made.method, ...(made.fallbackReason ? { fallbackReason: made.fallbackReason } : {}) };
}
