/** What a person wants to know about a synthesized template, computed from the template alone. */
import { byName } from '../cli/plain-text.js';

/** CloudFormation's limit for a template passed inline (TemplateBody); larger ones go through S3. */
export const INLINE_TEMPLATE_LIMIT = 51_200;
/** CloudFormation's limit for a template uploaded to S3. */
export const S3_TEMPLATE_LIMIT = 1_000_000;

export interface TemplateSummary {
  readonly stackName: string;
  readonly resourceCount: number;
  /** AWS service (EC2, ECS, RDS ...) -> number of resources. */
  readonly resourcesByService: Record<string, number>;
  readonly outputs: Array<{ readonly name: string; readonly exportName?: string; readonly description?: string }>;
  readonly templateBytes: number;
  /** True when the template exceeds the inline limit, so deploys need the bootstrap bucket. */
  readonly needsBootstrapBucket: boolean;
}

interface Template {
  Resources?: Record<string, { Type: string }>;
  Outputs?: Record<string, { Description?: string; Export?: { Name?: unknown } }>;
}

export function summarizeTemplate(stackName: string, template: Template): TemplateSummary {
  const resources = Object.values(template.Resources ?? {});
  const resourcesByService: Record<string, number> = {};
  for (const r of resources) {
    // AWS::ElasticLoadBalancingV2::LoadBalancer -> ElasticLoadBalancingV2; Custom::X -> Custom
    const service = r.Type.startsWith('AWS::') ? r.Type.split('::')[1] : r.Type.split('::')[0];
    resourcesByService[service] = (resourcesByService[service] ?? 0) + 1;
  }
  const outputs = Object.entries(template.Outputs ?? {}).map(([name, o]) => ({
    name,
    ...(typeof o.Export?.Name === 'string' ? { exportName: o.Export.Name } : {}),
    ...(o.Description ? { description: o.Description } : {}),
  }));
  // CloudFormation measures the template as uploaded: CDK writes it as indented JSON; we measure the minified
  // form, which is what counts against the limit at best.
  const templateBytes = Buffer.byteLength(JSON.stringify(template));
  return {
    stackName,
    resourceCount: resources.length,
    resourcesByService: Object.fromEntries(Object.entries(resourcesByService).sort(([a], [b]) => byName(a, b))),
    outputs,
    templateBytes,
    needsBootstrapBucket: templateBytes > INLINE_TEMPLATE_LIMIT,
  };
}
