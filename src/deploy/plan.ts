/**
 * Everything a deploy knows before it changes anything: who and where (preflight), the image to run (asked of
 * AWS, never of a local file), the synthesized stack, the remaining checks and the running-service guard.
 * `deploy --dry-run` shows this plan; a real deploy goes on with it.
 *
 * The deployed template is read at most once (GetTemplate) and shared by the image resolution, the guard and
 * the no-change check.
 */
import type { CommandContext } from '../cli/context.js';
import { RefusedError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import { deployedTemplate, type Template } from '../aws/stack-details.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { Release } from '../release/release.js';
import { hasService, resolveRunningImage, unresolvedImage, type ImageResolution } from '../release/running-image.js';
import { checkAppSecrets } from '../secrets/deploy-inputs.js';
import { assemblyDir } from '../state/work-dir.js';
import { synthesize, type SynthResult } from '../synth/synthesize.js';
import { readStackArtifact, type StackArtifactInfo } from './assembly.js';
import { CheckList } from './checks.js';
import { checkEdge } from './edge-checks.js';
import { checkPinnedImage, IMAGE_PLATFORM_CHECK } from './image-checks.js';
import { phase } from './phase.js';
import { checkDeploymentAlarms, checkTraffic } from './traffic-checks.js';
import { checkAccess, checkResources, type AccessResult } from './preflight.js';
import { formatElapsed } from './progress.js';
import { ALLOW_SCALE_TO_ZERO_FLAG, changesBeyondImage, scaleToZeroFindings, scaleToZeroRefusal } from './running-service-guard.js';

export interface PlanInput {
  /** The environment as configured (no image resolved yet). */
  readonly env: ResolvedEnvironment;
  readonly configFile: string;
  readonly projectDir: string;
  readonly clients: AwsClients;
  readonly dryRun: boolean;
  readonly waitForStackMs?: number;
  readonly pollMs: number;
  /** --allow-scale-to-zero */
  readonly allowScaleToZero: boolean;
  /** rollback: deploy this release's image; `onlyImage` refuses any other change to the template. */
  readonly rollback?: { readonly release: Release; readonly onlyImage: boolean };
  /** What brings the image when none is released yet (env create pushes it next): said instead of the push-image warning. */
  readonly imageFollows?: string;
}

export interface DeployPlan {
  readonly checks: CheckList;
  readonly access: AccessResult;
  readonly image: ImageResolution;
  /** The environment as deployed: the image resolved (the synthesis also has the region's prefix list, edge-checks.ts). */
  readonly env: ResolvedEnvironment;
  readonly synth: SynthResult;
  readonly artifact: StackArtifactInfo;
  /** The deployed template (read once; undefined when the stack is not deployed or could not be read). */
  deployedTemplate(): Promise<Template | undefined>;
}

export async function planDeploy(ctx: CommandContext, input: PlanInput): Promise<DeployPlan> {
  const { env, clients } = input;
  const checks = new CheckList(ctx, input.dryRun);
  const access = await checkAccess(ctx, checks, input);

  let deployed: Promise<Template | undefined> | undefined;
  const readDeployed = () =>
    (deployed ??= access.condition?.kind === 'ready' ? deployedTemplate(clients, env.names.stack) : Promise.resolve(undefined));

  let image: ImageResolution;
  if (!access.awsChecked) {
    image = unresolvedImage(env, access.skipReason ?? 'AWS was not asked');
    checks.report(image.check.status, 'image', image.check.detail);
  } else {
    const resolved = await checks.run('image', async () => {
      const r = await resolveRunningImage({ env, clients, deployedTemplate: readDeployed, ...(input.rollback ? { override: { release: input.rollback.release } } : {}) });
      for (const w of r.warnings ?? []) ctx.io.warn(w);
      const follows = r.plan.source === 'none' && r.plan.display === 'none yet' && input.imageFollows;
      if (follows) checks.report('pass', 'image', `none yet: ${input.imageFollows}`);
      else checks.report(r.check.status, 'image', r.check.detail);
      return r;
    });
    image = resolved ?? unresolvedImage(env, 'the image check failed');
    if (resolved?.plan.source === 'config') {
      await checks.run(IMAGE_PLATFORM_CHECK, async () => {
        const r = await checkPinnedImage(clients, env, resolved.plan, { signal: ctx.signal });
        checks.report(r.status, IMAGE_PLATFORM_CHECK, r.detail);
      });
    }
  }

  const secretsEnv = await checkAppSecrets(checks, { env: image.env, clients, awsChecked: access.awsChecked, stackReady: access.condition?.kind === 'ready', runsTasks: !['none', 'unresolved', 'not-used'].includes(image.plan.source), deployedTemplate: readDeployed, rollback: Boolean(input.rollback) });
  // The region's CloudFront prefix list goes into the template: synthesis waits for it.
  const edgeEnv = await checkEdge(checks, { env: secretsEnv, clients, awsChecked: access.awsChecked, ...(access.skipReason ? { skipReason: access.skipReason } : {}) });
  // The production rule's live weights go into the template too (traffic-checks.ts): CloudFormation must not move ECS's traffic.
  const stackReady = access.condition?.kind === 'ready';
  const synthEnv = await checkTraffic(checks, { env: edgeEnv, clients, awsChecked: access.awsChecked, stackReady, deployedTemplate: readDeployed, ...(access.skipReason ? { skipReason: access.skipReason } : {}) });

  phase(ctx, 'synth', `synthesizing ${env.names.stack} ...`);
  const synth = await synthesize(synthEnv, { outDir: assemblyDir(input.projectDir, env.name), onCacheProblem: (m) => ctx.io.warn(m) });
  ctx.io.info(`synthesized ${synth.stackName}: ${synth.resourceCount} resources (${synth.cached ? 'cached' : formatElapsed(synth.durationMs)})`);
  const artifact = readStackArtifact(synth);

  await checkResources(checks, { env: synthEnv, artifact, clients, access, deployedTemplate: readDeployed });
  await checkDeploymentAlarms(checks, { env: synthEnv, clients, awsChecked: access.awsChecked, stackReady, deployed: readDeployed, next: artifact.template, rollback: Boolean(input.rollback), ...(access.skipReason ? { skipReason: access.skipReason } : {}) });
  if (image.plan.source === 'unresolved') checks.report('skip', 'running service', `the image is ${image.plan.display}`);
  else await checks.run('running service', () => guardRunningService(checks, { env, access, artifact, readDeployed, allowScaleToZero: input.allowScaleToZero, rollback: input.rollback }));
  // The environment with its image and app-secret ARNs (deployInputs, outside the config's fingerprint), without
  // the prefix list and the live weights: those are AWS's, not the config's (the release ledger fingerprints the
  // config; rollback compares).
  return { checks, access, image, env: secretsEnv, synth, artifact, deployedTemplate: readDeployed };
}

interface GuardInput {
  readonly env: ResolvedEnvironment;
  readonly access: AccessResult;
  readonly artifact: StackArtifactInfo;
  readonly readDeployed: () => Promise<Template | undefined>;
  readonly allowScaleToZero: boolean;
  readonly rollback?: PlanInput['rollback'];
}

/** running-service-guard.ts on the deployed and the synthesized template, as one check line. */
async function guardRunningService(checks: CheckList, g: GuardInput): Promise<void> {
  const name = 'running service';
  if (!hasService(g.env)) return checks.report('skip', name, `the ${g.env.preset} preset runs no container service`);
  if (!g.access.awsChecked) return checks.report('skip', name, g.access.skipReason);
  if (g.access.condition?.kind !== 'ready') return checks.report('pass', name, 'nothing runs yet: no deployed service to keep');
  const deployed = await g.readDeployed();
  if (!deployed) return checks.report('warn', name, 'the deployed template could not be read as JSON: not checked');
  if (g.rollback?.onlyImage) {
    const other = changesBeyondImage(deployed, g.artifact.template);
    if (other.length > 0) {
      // The deployed template is the judge, not a fingerprint in the ledger: whatever deploys the config (a
      // deploy, --no-wait included once CloudFormation finished it) clears this.
      throw new RefusedError(`refusing to roll back '${g.env.name}': a rollback changes only the image, but the deployed template differs from the config in more than the image: ${other.join(', ')}`, {
        hint: `the config or tapctl changed since the last deploy. Deploy it first (tapctl deploy --env ${g.env.name}; the rollback can follow once CloudFormation has finished that deploy, since it compares with the deployed template), or roll back and deploy it together: add --with-config`,
        details: { changed: other },
      });
    }
  }
  const findings = scaleToZeroFindings(deployed, g.artifact.template);
  if (findings.length === 0) return checks.report('pass', name, 'no change takes the service to zero tasks');
  if (!g.allowScaleToZero) throw scaleToZeroRefusal(findings, g.env.name);
  checks.report('warn', name, `allowed by ${ALLOW_SCALE_TO_ZERO_FLAG}: ${findings.map((f) => `${f.logicalId}: ${f.change}`).join('; ')}`);
}
