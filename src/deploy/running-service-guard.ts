/**
 * A running service is never taken to zero tasks by a deploy that was not asked to. Decided on the templates
 * alone (the deployed one from CloudFormation, the synthesized one), before any change set exists, so it works
 * the same against any CloudFormation API. A change is refused (exit 3, like a stateful replacement) when it
 * would:
 *
 * - set an AWS::ECS::Service's DesiredCount to 0 where it was unset (auto-scaling owned it) or above 0;
 * - lower an AWS::ApplicationAutoScaling::ScalableTarget's MinCapacity from above 0 to 0;
 * - swap the application container's image for the bootstrap placeholder.
 *
 * `--allow-scale-to-zero` allows it. A rollback that must change only the image is checked here as well.
 */
import { RefusedError } from '../cli/errors.js';
import type { Template } from '../aws/stack-details.js';
import { templateImage } from '../release/template-image.js';

export const ALLOW_SCALE_TO_ZERO_FLAG = '--allow-scale-to-zero';

export interface ScaleToZeroFinding {
  readonly logicalId: string;
  readonly type: string;
  /** What changes, for a person: "DesiredCount unset (auto-scaling) -> 0". */
  readonly change: string;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resources = (t: Template | undefined) => (t?.Resources ?? {}) as Record<string, Resource>;

export function scaleToZeroFindings(deployed: Template, next: Template): ScaleToZeroFinding[] {
  const before = resources(deployed);
  const findings: ScaleToZeroFinding[] = [];
  for (const [id, r] of Object.entries(resources(next))) {
    const old = before[id];
    if (!old || old.Type !== r.Type) continue;
    if (r.Type === 'AWS::ECS::Service') {
      const was = old.Properties?.DesiredCount;
      if (isZero(r.Properties?.DesiredCount) && (was === undefined || Number(was) > 0)) {
        findings.push({ logicalId: id, type: r.Type, change: `DesiredCount ${was === undefined ? 'unset (auto-scaling)' : String(was)} -> 0` });
      }
    }
    if (r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && isZero(r.Properties?.MinCapacity) && Number(old.Properties?.MinCapacity) > 0) {
      findings.push({ logicalId: id, type: r.Type, change: `MinCapacity ${String(old.Properties?.MinCapacity)} -> 0` });
    }
  }
  const running = templateImage(deployed);
  const nextImage = templateImage(next);
  if (running && running.kind !== 'placeholder' && nextImage?.kind === 'placeholder') {
    findings.push({ logicalId: nextImage.taskDefinition, type: 'AWS::ECS::TaskDefinition', change: `image ${describe(running)} -> the bootstrap placeholder` });
  }
  return findings;
}

const isZero = (v: unknown) => v !== undefined && v !== null && Number(v) === 0;

function describe(image: NonNullable<ReturnType<typeof templateImage>>): string {
  if (image.kind !== 'image') return 'in use';
  return `${image.repository ? `${image.repository}` : ''}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest.slice(0, 19)}` : ''}`;
}

/** The refusal for findings, naming the flag that allows them. */
export function scaleToZeroRefusal(findings: readonly ScaleToZeroFinding[], envName: string): RefusedError {
  return new RefusedError(`refusing to deploy to '${envName}': it would take the running service to zero tasks (${findings.map((f) => `${f.logicalId}: ${f.change}`).join('; ')})`, {
    hint: `tapctl releases --env ${envName} lists the images it can run; if stopping the service is intended, pass ${ALLOW_SCALE_TO_ZERO_FLAG}`,
    details: { scaleToZero: findings },
  });
}

/**
 * Logical IDs that differ between the templates once each task definition's container images, and the weights
 * of a production listener rule (ECS's, which deploy copies from the live rule: traffic-checks.ts), are set
 * aside: empty when the only change is the image (what a rollback may change).
 */
export function changesBeyondImage(deployed: Template, next: Template): string[] {
  const a = withoutImages(deployed);
  const b = withoutImages(next);
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  const changed = [...ids].filter((id) => stable(a[id]) !== stable(b[id])).sort();
  const other = (t: Template) => stable({ ...t, Resources: undefined });
  return other(deployed) === other(next) ? changed : [...changed, '(template sections other than Resources)'];
}

function withoutImages(t: Template): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(resources(t))) {
    if (r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule') {
      const actions = ((r.Properties?.Actions ?? []) as Array<Record<string, any>>).map((a) =>
        a.ForwardConfig?.TargetGroups ? { ...a, ForwardConfig: { ...a.ForwardConfig, TargetGroups: (a.ForwardConfig.TargetGroups as Array<Record<string, unknown>>).map((g) => ({ ...g, Weight: '<weight>' })) } } : a,
      );
      out[id] = { ...r, Properties: { ...r.Properties, Actions: actions } };
      continue;
    }
    if (r.Type !== 'AWS::ECS::TaskDefinition') {
      out[id] = r;
      continue;
    }
    const containers = ((r.Properties?.ContainerDefinitions ?? []) as Array<Record<string, unknown>>).map((c) => ({ ...c, Image: '<image>' }));
    out[id] = { ...r, Properties: { ...r.Properties, ContainerDefinitions: containers } };
  }
  return out;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
