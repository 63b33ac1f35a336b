/**
 * Deploy's preflight for gradual deployments (config `deployment:`, config/deployment.ts), asked of AWS before
 * anything changes:
 *
 * - traffic: the production listener rule's live weights. ECS shifts them during blue-green, canary and linear
 *   deployments and leaves them where the last release ended; the template carries them (deployInputs
 *   .trafficWeights, constructs/load-balancer.ts) so that CloudFormation never moves traffic back. Refused (exit 3)
 *   while the traffic is split between both target groups (a deployment is shifting it), and when a switch to
 *   rolling would send the traffic to the target group that has no tasks.
 * - deployment alarms: an alarm already in ALARM would roll the release back the moment it starts, so the deploy
 *   is refused (exit 3), naming it; one with INSUFFICIENT_DATA cannot roll anything back yet: a warning.
 *
 * Diff reads the same weights, so that it shows what deploy would do.
 */
import { isTapctlError, RefusedError } from '../cli/errors.js';
import type { AwsClients } from '../aws/clients.js';
import type { Template } from '../aws/stack-details.js';
import { alarmStates, isSplit, readLiveTraffic, type LiveWeights } from '../aws/traffic.js';
import { deploymentOf } from '../config/deployment.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { CheckList } from './checks.js';

/** The environment with the live weights in its deploy inputs. */
export function withTrafficWeights(env: ResolvedEnvironment, weights: LiveWeights): ResolvedEnvironment {
  const inputs = env.deployInputs ?? { secretArns: {} };
  return Object.freeze({ ...env, deployInputs: Object.freeze({ ...inputs, trafficWeights: Object.freeze({ primary: weights.primary, alternate: weights.alternate }) }) }) as ResolvedEnvironment;
}

/** Whether a deployed template's service shifts traffic through a production rule (a gradual strategy). */
export function hasProductionRule(template: Template | undefined): boolean {
  return Object.values(template?.Resources ?? {}).some(
    (r) => r.Type === 'AWS::ECS::Service' && ((r.Properties?.LoadBalancers ?? []) as Array<{ AdvancedConfiguration?: unknown }>).some((lb) => lb.AdvancedConfiguration !== undefined),
  );
}

const share = (w: LiveWeights, env: ResolvedEnvironment) => `${env.names.targetGroup} ${w.primary}, ${env.names.alternateTargetGroup} ${w.alternate}`;

/**
 * The live weights of the production rule, checked, for the template. Returns the environment to synthesize and
 * the check line's detail; throws RefusedError for the refusals above.
 */
export async function resolveTraffic(env: ResolvedEnvironment, clients: AwsClients, deployedTemplate: () => Promise<Template | undefined>): Promise<{ env: ResolvedEnvironment; detail?: string }> {
  const plan = deploymentOf(env);
  if (!plan) return { env };
  // A rolling environment that never had a production rule: nothing to read (and nothing an emulator must answer).
  if (!plan.alternateTargetGroup && !hasProductionRule(await deployedTemplate())) return { env };
  const live = await readLiveTraffic(clients, { cluster: env.names.ecsCluster, service: env.names.ecsService, targetGroup: env.names.targetGroup, alternateTargetGroup: env.names.alternateTargetGroup });
  const weights = live.weights;
  if (!weights) return { env, detail: `no production rule yet: all traffic starts on ${env.names.targetGroup}` };
  if (isSplit(weights)) {
    throw new RefusedError(`refusing to deploy to '${env.name}': its traffic is split between both target groups (${share(weights, env)}): a deployment is shifting it now, and a deploy would change the service under it`, {
      hint: `wait for it to finish (tapctl status --env ${env.name} --watch shows its stage), or stop it (aws ecs stop-service-deployment), then deploy`,
      details: { weights, rule: live.ruleArn },
    });
  }
  if (!plan.alternateTargetGroup) {
    if (weights.alternate > 0) {
      throw new RefusedError(`refusing to switch '${env.name}' to rolling deployments now: the running release is in ${env.names.alternateTargetGroup}, and rolling keeps only ${env.names.targetGroup}, which has no tasks: all traffic would fail until new ones start`, {
        hint: `deploy one more release with the current deployment.strategy (ECS moves it to ${env.names.targetGroup}), then switch to rolling`,
        details: { weights, rule: live.ruleArn },
      });
    }
    return { env, detail: `all traffic on ${env.names.targetGroup}: the switch to rolling keeps it there` };
  }
  const strangers = live.strangers.length ? `; the rule also forwards to ${live.strangers.join(', ')}, which the template drops` : '';
  return { env: withTrafficWeights(env, weights), detail: `production rule as ECS left it: ${share(weights, env)} (kept in the template)${strangers}` };
}

/** resolveTraffic as a check line of deploy's preflight. Without AWS the template keeps the first weights. */
export async function checkTraffic(checks: CheckList, input: { env: ResolvedEnvironment; clients: AwsClients; awsChecked: boolean; stackReady: boolean; skipReason?: string; deployedTemplate: () => Promise<Template | undefined> }): Promise<ResolvedEnvironment> {
  const { env } = input;
  const plan = deploymentOf(env);
  if (!plan) return env;
  if (!input.awsChecked) {
    if (plan.alternateTargetGroup) checks.report('skip', 'traffic', input.skipReason);
    return env;
  }
  if (!input.stackReady) {
    if (plan.alternateTargetGroup) checks.report('pass', 'traffic', `first deploy: all traffic starts on ${env.names.targetGroup}`);
    return env;
  }
  let resolved = env;
  await checks.run('traffic', async () => {
    const r = await resolveTraffic(env, input.clients, input.deployedTemplate);
    resolved = r.env;
    if (r.detail) checks.report('pass', 'traffic', r.detail);
  });
  return resolved;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * Whether the deploy changes the ECS service or its task definition: only then does ECS start a deployment. The
 * service's desired count and tags are set aside: ECS scales or retags the service without a deployment.
 */
export function startsServiceDeployment(deployed: Template | undefined, next: Template): boolean {
  const ecs = (t: Template | undefined) => {
    const out: Resources = {};
    for (const [id, r] of Object.entries((t?.Resources ?? {}) as Resources)) {
      if (r.Type === 'AWS::ECS::TaskDefinition') out[id] = r;
      if (r.Type === 'AWS::ECS::Service') {
        const { DesiredCount: _count, Tags: _tags, ...rest } = r.Properties ?? {};
        out[id] = { ...r, Properties: rest };
      }
    }
    return JSON.stringify(sortKeys(out));
  };
  return !deployed || ecs(deployed) !== ecs(next);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * The alarms that would roll the release back, before it starts. Refused (exit 3) when one is in ALARM; a
 * warning for INSUFFICIENT_DATA. Only when the deploy starts a service deployment (the service or its task
 * definition changes) of a deployed stack.
 */
export async function checkDeploymentAlarms(
  checks: CheckList,
  input: { env: ResolvedEnvironment; clients: AwsClients; awsChecked: boolean; stackReady: boolean; skipReason?: string; deployed: () => Promise<Template | undefined>; next: Template; rollback?: boolean },
): Promise<void> {
  const name = 'deployment alarms';
  const { env } = input;
  const alarms = deploymentOf(env)?.alarms ?? [];
  if (alarms.length === 0) return;
  if (!input.awsChecked) return checks.report('skip', name, input.skipReason);
  if (!input.stackReady) return checks.report('pass', name, 'first deploy: no running release to roll back to');
  await checks.run(name, async () => {
    if (!startsServiceDeployment(await input.deployed(), input.next)) return checks.report('pass', name, 'the service does not change: no deployment starts');
    let states: Awaited<ReturnType<typeof alarmStates>>;
    try {
      states = await alarmStates(input.clients, alarms.map((a) => a.name));
    } catch (e) {
      // A courtesy check: ECS watches the alarms whatever tapctl could read. Not read is said, never passed.
      if (!isTapctlError(e)) throw e;
      return checks.report('warn', name, `not checked: ${e.message}; an alarm already in ALARM would roll the release back as soon as it starts`);
    }
    const firing = states.filter((s) => s.state === 'ALARM');
    if (firing.length > 0) {
      const which = firing.map((s) => `${s.name}${s.reason ? ` (${s.reason})` : ''}`).join('; ');
      const keys = firing.map((s) => alarms.find((a) => a.name === s.name)?.key ?? s.name).join(', ');
      // A rollback is often run because an alarm fires; ECS would still roll it back to the release that fires it.
      // A rollback's fast paths (qa5 P2 #5): ECS takes the strategy and alarms from the service, never per
      // deployment, so tapctl cannot skip them for one rollback. A rollout still in progress is stopped fastest by
      // ECS itself (StopServiceDeployment ROLLBACK: traffic back in seconds); otherwise the config says it, once.
      // Not `strategy: rolling`: refused while the running release is in the second target group.
      const active = input.rollback ? await activeRollout(input.clients, env) : undefined;
      const hint = input.rollback
        ? `${active ? `the release's rollout is still in progress: the fastest way back is to stop it, which moves all traffic back at once: aws ecs stop-service-deployment --service-deployment-arn ${active} --stop-type ROLLBACK. ` : ''}ECS would roll this rollback back to the release that runs now. To roll back while ${firing.length === 1 ? 'it fires' : 'they fire'}, take ${keys} out of deployment.alarms (for all at once, also deployment: { strategy: blue-green, bake: 0m }) and add --with-config; put them back with the next deploy`
        : `find and fix what fires first (tapctl status --env ${env.name} lists the alarms; tapctl logs --env ${env.name}), and deploy once ${firing.length === 1 ? 'it is' : 'they are'} OK; to release while ${firing.length === 1 ? 'it fires' : 'they fire'}, take ${keys} out of deployment.alarms`;
      throw new RefusedError(`refusing to ${input.rollback ? 'roll back' : 'deploy to'} '${env.name}': ${firing.length === 1 ? 'alarm' : 'alarms'} ${which} ${firing.length === 1 ? 'is' : 'are'} in ALARM, so ECS would roll the release back as soon as it starts`, {
        hint,
        details: { alarms: firing.map((s) => ({ name: s.name, state: s.state, reason: s.reason ?? null })) },
      });
    }
    const found = new Set(states.map((s) => s.name));
    const missing = alarms.filter((a) => !found.has(a.name)).map((a) => a.name);
    const noData = states.filter((s) => s.state === 'INSUFFICIENT_DATA').map((s) => s.name);
    const notes = [...(missing.length ? [`${missing.join(', ')} not created yet`] : [])];
    if (noData.length) {
      return checks.report('warn', name, `${noData.join(', ')} ${noData.length === 1 ? 'has' : 'have'} insufficient data: ${noData.length === 1 ? 'it' : 'they'} cannot roll the release back until CloudWatch has data${notes.length ? `; ${notes.join('; ')}` : ''}`);
    }
    checks.report('pass', name, `${states.map((s) => s.name).join(', ') || 'none'} OK${notes.length ? `; ${notes.join('; ')}` : ''}`);
  });
}

/** The ARN of the service deployment in progress now, if any (never throws: a hint's extra). */
async function activeRollout(clients: AwsClients, env: ResolvedEnvironment): Promise<string | undefined> {
  try {
    const { activeServiceDeployment } = await import('../aws/service-deployment.js');
    const sd = await activeServiceDeployment(clients, { cluster: env.names.ecsCluster, service: env.names.ecsService });
    return sd?.status === 'IN_PROGRESS' || sd?.status === 'PENDING' ? sd.serviceDeploymentArn : undefined;
  } catch {
    return undefined;
  }
}
