/**
 * Every physical name in synthesized templates, including the ones CDK generates into explicit Name properties,
 * checked against its AWS limit and for uniqueness across a project's environments (rules N9, N10). Templates in,
 * findings out: no aws-cdk-lib, no AWS. `tapctl validate --deep` runs it on every environment it synthesizes.
 *
 * Two stacks may not hold the same name where AWS keeps one namespace: S3 bucket names are global, IAM names
 * and CloudFront policy names are account-wide, nearly everything else is per account and region. A name that
 * depends on a resource of its own stack (a Ref, a GetAtt) is unique by construction and not compared.
 */

/** A CloudFormation template as JSON (only what is read here). */
export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { readonly Export?: { readonly Name?: unknown } }>;
}

export interface SynthesizedTemplate {
  /** Environment name (the key under `environments:`). */
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
}

export interface NameFinding {
  readonly severity: 'error' | 'warning';
  /** N9: the same name in two places of one namespace; N10: a name outside its AWS limit; N11: a stack that declares an account singleton. */
  readonly rule: 'N9' | 'N10' | 'N11';
  readonly environment: string;
  /** Logical ID of the resource, or `Outputs.<key>`. */
  readonly resource: string;
  readonly name?: string;
  readonly message: string;
}

type Scope = 'global' | 'account' | 'region';

interface NameProperty {
  readonly type: string;
  /** Dotted path of the name inside Properties. */
  readonly property: string;
  readonly what: string;
  readonly scope: Scope;
  readonly max: number;
  readonly min?: number;
  readonly pattern?: RegExp;
  readonly patternText?: string;
}

const LAMBDA = { max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' };
const RDS_ID = { max: 63, pattern: /^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/, patternText: 'a letter, then letters, digits and single hyphens, not ending with a hyphen' };
const ELB = { max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, patternText: 'letters, digits and hyphens, not starting or ending with a hyphen' };
const IAM = { pattern: /^[\w+=,.@-]+$/, patternText: 'letters, digits and +=,.@_-' };

/**
 * The name properties of every resource type the presets create (or could, through CDK), with the namespace and
 * the limit of each. Limits from each type's page in the CloudFormation User Guide (resource type reference).
 */
export const NAME_PROPERTIES: readonly NameProperty[] = [
  { type: 'AWS::S3::Bucket', property: 'BucketName', what: 'S3 bucket name', scope: 'global', max: 63, min: 3, pattern: /^[a-z0-9](?!.*\.\.)[a-z0-9.-]*[a-z0-9]$/, patternText: 'lower-case letters, digits, dots and hyphens' },
  { type: 'AWS::IAM::Role', property: 'RoleName', what: 'IAM role name', scope: 'account', max: 64, ...IAM },
  { type: 'AWS::IAM::ManagedPolicy', property: 'ManagedPolicyName', what: 'IAM policy name', scope: 'account', max: 128, ...IAM },
  { type: 'AWS::IAM::InstanceProfile', property: 'InstanceProfileName', what: 'instance profile name', scope: 'account', max: 128, ...IAM },
  { type: 'AWS::IAM::User', property: 'UserName', what: 'IAM user name', scope: 'account', max: 64, ...IAM },
  { type: 'AWS::CloudFront::CachePolicy', property: 'CachePolicyConfig.Name', what: 'CloudFront cache policy name', scope: 'account', max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::CloudFront::OriginRequestPolicy', property: 'OriginRequestPolicyConfig.Name', what: 'CloudFront origin request policy name', scope: 'account', max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  // CLOUDFRONT-scope web ACLs: one namespace per account (they all live in us-east-1).
  { type: 'AWS::WAFv2::WebACL', property: 'Name', what: 'WAF web ACL name', scope: 'account', max: 128, pattern: /^[\w-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::CloudFront::ResponseHeadersPolicy', property: 'ResponseHeadersPolicyConfig.Name', what: 'CloudFront response headers policy name', scope: 'account', max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::Lambda::Function', property: 'FunctionName', what: 'Lambda function name', scope: 'region', ...LAMBDA },
  { type: 'AWS::SecretsManager::RotationSchedule', property: 'HostedRotationLambda.RotationLambdaName', what: 'rotation Lambda function name', scope: 'region', ...LAMBDA },
  { type: 'AWS::Logs::LogGroup', property: 'LogGroupName', what: 'log group name', scope: 'region', max: 512, pattern: /^[A-Za-z0-9_\-/.#]+$/, patternText: 'letters, digits and _-/.#' },
  { type: 'AWS::SQS::Queue', property: 'QueueName', what: 'SQS queue name', scope: 'region', max: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::SNS::Topic', property: 'TopicName', what: 'SNS topic name', scope: 'region', max: 256, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::KMS::Alias', property: 'AliasName', what: 'KMS alias', scope: 'region', max: 256, pattern: /^alias\/(?!aws\/)[a-zA-Z0-9:/_-]+$/, patternText: "alias/ followed by a-zA-Z0-9:/_- (not alias/aws/)" },
  { type: 'AWS::RDS::DBCluster', property: 'DBClusterIdentifier', what: 'Aurora cluster identifier', scope: 'region', ...RDS_ID },
  { type: 'AWS::RDS::DBInstance', property: 'DBInstanceIdentifier', what: 'RDS instance identifier', scope: 'region', ...RDS_ID },
  { type: 'AWS::RDS::DBSubnetGroup', property: 'DBSubnetGroupName', what: 'DB subnet group name', scope: 'region', max: 255, pattern: /^[a-z0-9 ._-]+$/, patternText: 'lower-case letters, digits, spaces, periods, underscores and hyphens' },
  { type: 'AWS::RDS::DBParameterGroup', property: 'DBParameterGroupName', what: 'DB parameter group name', scope: 'region', ...RDS_ID, max: 255 },
  { type: 'AWS::RDS::DBClusterParameterGroup', property: 'DBClusterParameterGroupName', what: 'DB cluster parameter group name', scope: 'region', ...RDS_ID, max: 255 },
  { type: 'AWS::ECR::Repository', property: 'RepositoryName', what: 'ECR repository name', scope: 'region', max: 256, min: 2, pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, patternText: 'lower-case letters and digits separated by . _ - or /' },
  { type: 'AWS::ECS::Cluster', property: 'ClusterName', what: 'ECS cluster name', scope: 'region', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::ECS::TaskDefinition', property: 'Family', what: 'task definition family', scope: 'region', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', property: 'Name', what: 'load balancer name', scope: 'region', ...ELB },
  { type: 'AWS::ElasticLoadBalancingV2::TargetGroup', property: 'Name', what: 'target group name', scope: 'region', ...ELB },
  { type: 'AWS::SecretsManager::Secret', property: 'Name', what: 'secret name', scope: 'region', max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, patternText: 'letters, digits and /_+=.@-' },
  { type: 'AWS::CloudWatch::Alarm', property: 'AlarmName', what: 'alarm name', scope: 'region', max: 255 },
  { type: 'AWS::CloudWatch::Dashboard', property: 'DashboardName', what: 'dashboard name', scope: 'region', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { type: 'AWS::SSM::Parameter', property: 'Name', what: 'SSM parameter name', scope: 'region', max: 1011, pattern: /^[A-Za-z0-9_.\-/]+$/, patternText: 'letters, digits and _.-/' },
  { type: 'AWS::Events::Rule', property: 'Name', what: 'EventBridge rule name', scope: 'region', max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, patternText: 'letters, digits and .-_' },
  { type: 'AWS::ApplicationAutoScaling::ScalableTarget', property: 'ResourceId', what: 'scalable target', scope: 'region', max: 1600 },
  // CDK names the launch template of an Instance with requireImdsv2 itself: `<construct id>LaunchTemplate`.
  { type: 'AWS::EC2::LaunchTemplate', property: 'LaunchTemplateName', what: 'launch template name', scope: 'region', max: 128, min: 3, pattern: /^[a-zA-Z0-9().\-/_]+$/, patternText: 'letters, digits and ().-/_' },
  { type: 'AWS::EC2::SecurityGroup', property: 'GroupName', what: 'security group name', scope: 'region', max: 255 },
  // Names AWS does not require to be unique: checked against their limit only.
  { type: 'AWS::ApiGateway::RestApi', property: 'Name', what: 'REST API name', scope: 'region', max: 1024 },
  { type: 'AWS::ApiGateway::UsagePlan', property: 'UsagePlanName', what: 'usage plan name', scope: 'region', max: 1024 },
  { type: 'AWS::ApiGateway::ApiKey', property: 'Name', what: 'API key name', scope: 'region', max: 1024 },
  { type: 'AWS::ApplicationAutoScaling::ScalingPolicy', property: 'PolicyName', what: 'scaling policy name', scope: 'region', max: 256 },
];

const NOT_UNIQUE = new Set(['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::UsagePlan', 'AWS::ApiGateway::ApiKey', 'AWS::ApplicationAutoScaling::ScalingPolicy', 'AWS::EC2::SecurityGroup']);

/**
 * Resource types that set an account singleton (src/aws/account-singletons.ts): one per account (and region),
 * shared by every environment. An environment's stack declaring one sets it for all of them and takes it along
 * when it is deleted; tapctl's own stacks never do (`tapctl bootstrap` sets them), so finding one is a warning.
 */
const SINGLETONS: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::Account': "the account's API Gateway CloudWatch Logs role (one per account and region)",
  'AWS::IAM::OIDCProvider': 'an IAM OIDC identity provider (one per issuer URL and account)',
};

const EXPORT = { what: 'CloudFormation export name', max: 255, pattern: /^[A-Za-z0-9:-]+$/, patternText: 'letters, digits, colons and hyphens' };

/** The literal value of a name, with the pseudo parameters resolved; undefined when it depends on a resource. */
export function literalName(value: unknown, t: Pick<SynthesizedTemplate, 'account' | 'region' | 'stackName'>): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const pseudo: Record<string, string> = { 'AWS::AccountId': t.account, 'AWS::Region': t.region, 'AWS::StackName': t.stackName, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return typeof v.Ref === 'string' ? pseudo[v.Ref] : undefined;
  if ('Fn::Join' in v && Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    const resolved = (parts ?? []).map((p) => literalName(p, t));
    return resolved.every((p) => p !== undefined) ? resolved.join(sep) : undefined;
  }
  if ('Fn::Sub' in v && typeof v['Fn::Sub'] === 'string') {
    let unresolved = false;
    const out = (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => pseudo[name] ?? ((unresolved = true), ''));
    return unresolved ? undefined : out;
  }
  return undefined;
}

const at = (props: Record<string, unknown> | undefined, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), props);

interface FoundName {
  readonly t: SynthesizedTemplate;
  readonly resource: string;
  readonly spec: Omit<NameProperty, 'type' | 'property'> & { readonly type: string };
  readonly name: string;
}

/** Every literal physical name of one template, with the rule it must follow. */
export function physicalNamesOf(t: SynthesizedTemplate): FoundName[] {
  const out: FoundName[] = [];
  for (const [id, resource] of Object.entries(t.template.Resources ?? {})) {
    for (const spec of NAME_PROPERTIES.filter((p) => p.type === resource.Type)) {
      const name = literalName(at(resource.Properties, spec.property), t);
      if (name !== undefined) out.push({ t, resource: id, spec, name });
    }
  }
  for (const [key, output] of Object.entries(t.template.Outputs ?? {})) {
    const name = literalName(output.Export?.Name, t);
    if (name !== undefined) out.push({ t, resource: `Outputs.${key}`, spec: { type: 'Export', scope: 'region', ...EXPORT }, name });
  }
  return out;
}

function limitFinding(n: FoundName): NameFinding | undefined {
  const { spec, name } = n;
  const problem = name.includes('${') || name.includes('Token[')
    ? 'contains an unresolved placeholder'
    : name.length > spec.max
      ? `is ${name.length} characters; AWS allows at most ${spec.max}`
      : spec.min !== undefined && name.length < spec.min
        ? `is shorter than ${spec.min} characters`
        : spec.pattern && !spec.pattern.test(name)
          ? `is not allowed: use ${spec.patternText}`
          : undefined;
  return problem ? { severity: 'error', rule: 'N10', environment: n.t.environment, resource: n.resource, name, message: `${spec.what} '${name}' (${n.resource}) ${problem}` } : undefined;
}

const scopeKey = (scope: Scope, t: SynthesizedTemplate) => (scope === 'global' ? '' : scope === 'account' ? t.account : `${t.account}/${t.region}`);
const scopeText = (scope: Scope, t: SynthesizedTemplate) => (scope === 'global' ? 'S3 bucket names are global' : scope === 'account' ? `in account ${t.account}` : `in ${t.account}/${t.region}`);

/**
 * N9-N11 over templates of one project: every name within its limit, no name twice in one namespace (within
 * a template or across environments that share the namespace), no account singleton declared by a stack.
 */
export function checkPhysicalNames(templates: readonly SynthesizedTemplate[]): NameFinding[] {
  const findings: NameFinding[] = [];
  const seen = new Map<string, FoundName>();
  for (const t of templates) {
    for (const n of physicalNamesOf(t)) {
      const limit = limitFinding(n);
      if (limit) findings.push(limit);
      if (NOT_UNIQUE.has(n.spec.type)) continue;
      const key = `${n.spec.type}|${scopeKey(n.spec.scope, t)}|${n.name}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, n);
        continue;
      }
      const where = first.t === t ? `twice in ${t.stackName} (${first.resource}, ${n.resource})` : `in both '${first.t.environment}' and '${t.environment}' (${scopeText(n.spec.scope, t)})`;
      findings.push({ severity: 'error', rule: 'N9', environment: t.environment, resource: n.resource, name: n.name, message: `${n.spec.what} '${n.name}' is ${where}: the second create fails because the name is taken` });
    }
  }
  for (const t of templates) {
    for (const [id, resource] of Object.entries(t.template.Resources ?? {})) {
      const what = SINGLETONS[resource.Type];
      if (!what) continue;
      findings.push({
        severity: 'warning',
        rule: 'N11',
        environment: t.environment,
        resource: id,
        message: `${t.stackName} declares ${what} (${id}): the last stack deployed sets it for every environment of account ${t.account}, and deleting that stack takes it from all of them; tapctl bootstrap sets it once, outside every stack`,
      });
    }
  }
  return findings;
}

/** The findings as config issues of `tapctl validate --deep`, each at the environment it was found in. */
export function nameIssues(templates: readonly SynthesizedTemplate[]): Array<{ severity: 'error' | 'warning'; rule: string; path: string; environment: string; message: string }> {
  return checkPhysicalNames(templates).map((f) => ({ severity: f.severity, rule: f.rule, path: `environments.${f.environment}`, environment: f.environment, message: f.message }));
}
