/** Is anything still moving? What --until-stable waits for, and the one-line verdict of every status. */
import type { Section, ServiceInfo, StackInfo, Summary } from './schema.js';
import { isFailedStackStatus } from './sections/stack.js';

/**
 * in-progress wins over failed (a failed rollout that is rolling back is still moving); a service section that
 * could not be read does not count either way: the stack's own status still decides.
 */
export function assessStability(stack: StackInfo, service: Section<ServiceInfo>): Summary {
  const { moving, failed, unknown } = analyse(stack, service);
  if (moving.length > 0) return { state: 'in-progress', reasons: moving };
  if (failed.length > 0) return { state: 'failed', reasons: failed };
  // A gradual rollout that could not be read may be shifting traffic now: never called stable (qa5 P3).
  if (unknown.length > 0) return { state: 'unknown', reasons: unknown };
  return { state: 'stable', reasons: [] };
}

/** What is moving and what has failed, separately: --until-stable remembers a failure seen while still moving. */
export function analyse(stack: StackInfo, service: Section<ServiceInfo>): { moving: string[]; failed: string[]; unknown: string[] } {
  const moving: string[] = [];
  const failed: string[] = [];
  const unknown: string[] = [];
  if (stack.operationInProgress) moving.push(`stack ${stack.name} is ${stack.status}`);
  else if (isFailedStackStatus(stack.status)) failed.push(`stack ${stack.name} is ${stack.status}${stack.statusReason ? `: ${stack.statusReason}` : ''}`);

  if (service.state === 'ok') {
    const live = service.data.deployments.filter((d) => d.status === 'PRIMARY' || d.status === 'ACTIVE');
    for (const d of service.data.deployments) {
      const label = `deployment ${d.id} (${d.taskDefinition})`;
      if (d.rolloutState === 'IN_PROGRESS') moving.push(`${label} is rolling out: ${d.runningCount}/${d.desiredCount} running`);
      else if (d.rolloutState === 'FAILED') failed.push(`${label} failed${d.rolloutStateReason ? `: ${d.rolloutStateReason}` : ''}`);
    }
    const r = service.data.rollout;
    const gradual = service.data.deploymentPlan && service.data.deploymentPlan.strategy !== 'rolling';
    if (gradual && r === undefined) unknown.push(`the ${service.data.deploymentPlan!.strategy} rollout of ${service.data.service} could not be read (${service.data.notes.find((n) => n.includes('rollout')) ?? 'ECS service deployments'})`);
    if (r) moving.push(`${r.strategy} rollout of ${service.data.service} is ${r.status}${r.stage ? ` at ${r.stage}` : ''}${r.percent !== null ? `, ${r.percent}% of production traffic shifted` : ''}`);
    // Without the circuit breaker ECS reports no rollout state: two live deployments mean one replaces the other.
    if (live.length > 1 && !live.some((d) => d.rolloutState)) moving.push(`${live.length} deployments of ${service.data.service} are live`);
  }
  return { moving, failed, unknown };
}
