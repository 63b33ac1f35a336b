/**
 * The template side of the catalog spec's pre-deployment script (presets.md a.13), as a pure function over the
 * synthesized template JSON: no CDK, no AWS. `validate --deep` runs it on every catalog-api environment and the
 * tests run it on the synthesized stack. A `critical` finding is the script's exit 1 ("deployment blocked");
 * tapctl reports it as an error (validate exits 2). A `warning` never blocks.
 *
 * CT1 hard-coded environment names   CT2 suffix in every name     CT3 retain policies outside production
 * CT4 expensive resources (warning)  CT5 cross-resource references CT6 platform rules (P3, P4, P5)
 */
import { kindsNamedIn } from '../../config/rules/catalog-api.js';
import type { EnvironmentKind } from '../../config/schema.js';

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | readonly string[];
}

export interface CfnTemplateJson {
  readonly Resources?: Readonly<Record<string, CfnResourceJson>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

export interface CatalogCheckContext {
  readonly project: string;
  readonly suffix: string;
  readonly kind: EnvironmentKind;
}

export interface TemplateFinding {
  readonly check: 'CT1' | 'CT2' | 'CT3' | 'CT4' | 'CT5' | 'CT6';
  readonly severity: 'critical' | 'warning';
  /** Logical ID of the resource (or output) concerned. */
  readonly resource?: string;
  readonly message: string;
}

/** The properties that carry an explicit physical name, by resource type. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::Service': 'ServiceName',
  'AWS::ECS::TaskDefinition': 'Family',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBSubnetGroup': 'DBSubnetGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'PolicyName',
};

const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const RETAINING = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

export function catalogTemplateChecks(template: CfnTemplateJson, ctx: CatalogCheckContext): TemplateFinding[] {
  const resources = Object.entries(template.Resources ?? {});
  return [
    ...namingChecks(resources, ctx),
    ...retainChecks(resources, ctx),
    ...(ctx.kind === 'development' ? expenseChecks(resources) : []),
    ...referenceChecks(template),
    ...platformChecks(resources),
  ];
}

/** Every literal name: the explicit physical names, and the Name tags of network resources. */
function literalNames(r: CfnResourceJson): Array<[string, string]> {
  const prop = NAME_PROPERTIES[r.Type];
  const names: Array<[string, string]> = [];
  const value = prop ? r.Properties?.[prop] : undefined;
  if (typeof value === 'string') names.push([prop, value]);
  const rotation = r.Properties?.HostedRotationLambda?.RotationLambdaName;
  if (typeof rotation === 'string') names.push(['HostedRotationLambda.RotationLambdaName', rotation]);
  const nameTag = tagValue(r, 'Name');
  // CDK's own Name tags are construct paths, which start with the stack name (and so carry the suffix).
  if (typeof nameTag === 'string' && !nameTag.includes('/')) names.push(['Tags.Name', nameTag]);
  return names;
}

const tagValue = (r: CfnResourceJson, key: string): unknown =>
  Array.isArray(r.Properties?.Tags) ? (r.Properties!.Tags as Array<{ Key: string; Value: unknown }>).find((t) => t.Key === key)?.Value : undefined;

/** CT1 and CT2. */
function namingChecks(resources: Array<[string, CfnResourceJson]>, ctx: CatalogCheckContext): TemplateFinding[] {
  const out: TemplateFinding[] = [];
  const projectWords = new Set(ctx.project.split(/[-_]/));
  for (const [id, r] of resources) {
    const environment = tagValue(r, 'Environment');
    if (typeof environment === 'string' && environment !== ctx.kind) {
      out.push({ check: 'CT1', severity: 'critical', resource: id, message: `tag Environment=${environment} on a ${ctx.kind} stack (hard-coded environment name)` });
    }
    for (const [prop, name] of literalNames(r)) {
      const words = name.split(/[-_/.:]/).filter((w) => !projectWords.has(w)).join('-');
      const other = kindsNamedIn(words).filter((k) => k !== ctx.kind);
      if (other.length > 0) {
        out.push({ check: 'CT1', severity: 'critical', resource: id, message: `${prop} '${name}' names a ${other[0]} environment in a ${ctx.kind} stack` });
      }
      if (!name.includes(ctx.suffix)) {
        out.push({ check: 'CT2', severity: 'critical', resource: id, message: `${prop} '${name}' does not carry the environment suffix '${ctx.suffix}'` });
      }
    }
  }
  return out;
}

/** CT3: outside production everything must be destroyable, and destroy must not fail on content. */
function retainChecks(resources: Array<[string, CfnResourceJson]>, ctx: CatalogCheckContext): TemplateFinding[] {
  if (ctx.kind === 'production') return [];
  const out: TemplateFinding[] = [];
  const critical = (id: string, message: string) => out.push({ check: 'CT3', severity: 'critical', resource: id, message });
  const autoDeleted = new Set(
    resources.filter(([, r]) => r.Type === 'Custom::S3AutoDeleteObjects').map(([, r]) => r.Properties?.BucketName?.Ref as string | undefined),
  );
  for (const [id, r] of resources) {
    for (const policy of [r.DeletionPolicy, r.UpdateReplacePolicy]) {
      if (policy && RETAINING.has(policy)) critical(id, `${r.Type} has ${policy === r.DeletionPolicy ? 'DeletionPolicy' : 'UpdateReplacePolicy'} ${policy} in a ${ctx.kind} stack`);
    }
    const p = r.Properties ?? {};
    if (p.DeletionProtection === true) critical(id, `${r.Type} has deletion protection on in a ${ctx.kind} stack`);
    const lbAttributes = (p.LoadBalancerAttributes ?? []) as Array<{ Key: string; Value: string }>;
    if (lbAttributes.some((a) => a.Key === 'deletion_protection.enabled' && a.Value === 'true')) critical(id, 'load balancer deletion protection is on');
    if (r.Type === 'AWS::S3::Bucket' && r.DeletionPolicy === 'Delete' && !autoDeleted.has(id)) critical(id, 'bucket is deleted with the stack but not emptied first: the delete fails once it holds objects');
    if (r.Type === 'AWS::ECR::Repository' && r.DeletionPolicy === 'Delete' && p.EmptyOnDelete !== true) critical(id, 'repository is deleted with the stack but not emptied first: the delete fails once it holds images');
  }
  return out;
}

/** CT4 (development only): what costs money a development environment does not need. */
function expenseChecks(resources: Array<[string, CfnResourceJson]>): TemplateFinding[] {
  const out: TemplateFinding[] = [];
  const warn = (message: string, resource?: string) => out.push({ check: 'CT4', severity: 'warning', message, ...(resource ? { resource } : {}) });
  const of = (type: string) => resources.filter(([, r]) => r.Type === type);
  const nats = of('AWS::EC2::NatGateway').length;
  if (nats > 1) warn(`${nats} NAT gateways (~$32/month each)`);
  const endpoints = of('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface').length;
  if (endpoints > 0) warn(`${endpoints} interface VPC endpoints (~$7/month per zone each)`);
  const instances = of('AWS::RDS::DBInstance');
  if (instances.length > 1) warn(`${instances.length} database instances`);
  for (const [id, r] of instances) {
    const cls = r.Properties?.DBInstanceClass;
    if (typeof cls === 'string' && !/^db\.t\d/.test(cls)) warn(`database instance class ${cls} is not burstable`, id);
  }
  for (const [id, r] of of('AWS::ECS::Service')) {
    const providers = ((r.Properties?.CapacityProviderStrategy ?? []) as Array<{ CapacityProvider: string }>).map((s) => s.CapacityProvider);
    if (!providers.includes('FARGATE_SPOT')) warn('the service does not use FARGATE_SPOT (up to ~70 % cheaper)', id);
  }
  for (const [id, r] of of('AWS::CloudFront::Distribution')) {
    const priceClass = r.Properties?.DistributionConfig?.PriceClass;
    if (priceClass && priceClass !== 'PriceClass_100') warn(`CloudFront ${priceClass}`, id);
  }
  return out;
}

/** CT5: every Ref, Fn::GetAtt, Fn::Sub variable and DependsOn names something the template has. */
function referenceChecks(template: CfnTemplateJson): TemplateFinding[] {
  const known = new Set([...Object.keys(template.Resources ?? {}), ...Object.keys(template.Parameters ?? {}), ...PSEUDO_PARAMETERS]);
  const out: TemplateFinding[] = [];
  const missing = (where: string, target: string, how: string) =>
    out.push({ check: 'CT5', severity: 'critical', resource: where, message: `${how} ${target}, which the template does not define` });
  const walk = (where: string, node: unknown): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(where, n));
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string' && !known.has(value)) missing(where, value, 'Ref');
      if (key === 'Fn::GetAtt') {
        const target = Array.isArray(value) ? value[0] : typeof value === 'string' ? value.split('.')[0] : undefined;
        if (typeof target === 'string' && !known.has(target)) missing(where, target, 'Fn::GetAtt');
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(value) ? value : [value, {}];
        for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const target = m[1].split('.')[0];
          if (!known.has(target) && !(vars && target in (vars as object))) missing(where, target, 'Fn::Sub variable');
        }
      }
      walk(where, value);
    }
  };
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    walk(id, r.Properties);
    for (const dep of [r.DependsOn ?? []].flat()) if (!known.has(dep)) missing(id, dep, 'DependsOn');
  }
  for (const [id, o] of Object.entries(template.Outputs ?? {})) walk(`Outputs.${id}`, o);
  return out;
}

/** CT6: the platform rules of failure-lessons.md P3 (cache policy), P4 (capacity providers), P5 (lifecycle scope). */
function platformChecks(resources: Array<[string, CfnResourceJson]>): TemplateFinding[] {
  const out: TemplateFinding[] = [];
  const critical = (id: string, message: string) => out.push({ check: 'CT6', severity: 'critical', resource: id, message });
  const byId = new Map(resources);
  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::CloudFront::Distribution') {
      const config = p.DistributionConfig ?? {};
      for (const b of [config.DefaultCacheBehavior, ...(config.CacheBehaviors ?? [])].filter(Boolean)) {
        const legacy = ['ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL'].filter((k) => k in b);
        if (b.CachePolicyId && legacy.length) critical(id, `a cache behaviour has a cache policy and legacy ${legacy.join(', ')} (P3)`);
        if (!b.CachePolicyId && !legacy.includes('ForwardedValues')) critical(id, 'a cache behaviour has neither a cache policy nor forwarded values (P3)');
      }
    }
    if (r.Type === 'AWS::ECS::Service' && p.CapacityProviderStrategy) {
      if (p.LaunchType) critical(id, `the service has a launch type (${p.LaunchType}) and a capacity provider strategy (P4)`);
      const clusterId = p.Cluster?.Ref as string | undefined;
      const registered = resources
        .filter(([, a]) => a.Type === 'AWS::ECS::ClusterCapacityProviderAssociations' && a.Properties?.Cluster?.Ref === clusterId)
        .flatMap(([, a]) => (a.Properties?.CapacityProviders ?? []) as string[]);
      for (const s of p.CapacityProviderStrategy as Array<{ CapacityProvider: string }>) {
        if (!registered.includes(s.CapacityProvider)) critical(id, `capacity provider ${s.CapacityProvider} is not registered on the service's cluster (P4)`);
      }
      if (clusterId && !byId.has(clusterId)) critical(id, `cluster ${clusterId} is not in the template`);
    }
    if (r.Type === 'AWS::S3::Bucket') {
      for (const rule of (p.LifecycleConfiguration?.Rules ?? []) as Array<Record<string, unknown>>) {
        const scoped = ['Prefix', 'TagFilters', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'].some((k) => k in rule);
        if (!scoped) critical(id, `lifecycle rule ${String(rule.Id ?? '(no id)')} has neither a prefix nor a filter (P5)`);
      }
    }
  }
  return out;
}
