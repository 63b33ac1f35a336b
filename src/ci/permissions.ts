/**
 * What each CI role of an environment may do, as data: one statement per need, each naming the tapctl code that
 * makes the calls. The roles stack (src/infra/ci-roles-stack.ts) turns them into IAM policies; the tests assert
 * them in the synthesized template.
 *
 * The model is CDK's: CloudFormation changes the stack with the bootstrap's execution role, which the CDK deploy
 * role passes to it. So:
 * - the plan role never gets the CDK deploy role (which may execute change sets), nor any change-set action or
 *   iam:PassRole: a pull request's diff runs `tapctl diff --template-only` (the pipeline says so), which compares
 *   the deployed template (read with the lookup role, or the plan role's own GetTemplate) with the synthesized one.
 *   Creating a change set would need the CDK execution role passed to CloudFormation (AdministratorAccess by
 *   default), and a role that any same-repository pull request may assume should pass no role at all.
 *   It does NOT get the file-publishing role either: that role writes any key of the account's CDK assets bucket,
 *   and CDK skips uploading an asset whose key (a content hash) is already there, so a pull request could plant
 *   the content a later deploy from main would take as its own (a Lambda's code). So a pull request's diff
 *   compares the templates, and is less precise about replacements, never less safe.
 * - the deploy role assumes the four bootstrap roles (deploy, file publishing, image publishing, lookup) as any
 *   CDK deploy does, writes the release ledger and pushes the service's image.
 * - both read what deploy's preflight and diff read (src/deploy/preflight.ts and the checks it calls).
 *
 * Not here: the app's secrets (tapctl secrets set/unset) and ECS Exec (tapctl exec): a pipeline does neither. The
 * one Secrets Manager action is DescribeSecret on the environment's own app-secret names, and only when
 * `container.secrets` is set: deploy's preflight resolves each secret's full ARN with it (src/secrets/deploy-inputs.ts),
 * which returns metadata, never a value.
 *
 * Environments that share an account share its CDK bootstrap roles: a role that may assume the CDK deploy role
 * can deploy any stack of that account through it. Production belongs in an account of its own (README).
 */
import { apiLogging } from '../deploy/account-singletons.js';
import { physicalNames, type PhysicalNames } from '../config/naming.js';
import { NOT_APPLICABLE } from '../config/presets/index.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { partitionOf } from '../aws/account-singletons.js';
import { deploymentOf } from '../config/deployment.js';
import type { CiRoleKind } from './identity.js';

/** CDK's default bootstrap qualifier: the names of the bootstrap roles carry it. */
export const CDK_QUALIFIER = 'hnb659fds';

export interface StatementSpec {
  /** Statement ID: letters and digits (IAM's Sid). */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Why the role needs it, and for a wildcard resource why the action takes no narrower one. */
  readonly why: string;
}

/** What a role's statements are scoped to: an environment, or (preview role) every preview of one project. */
export interface PolicyScope {
  readonly project: string;
  readonly account: string;
  readonly region: string;
  /** The suffix in names: the environment's, or `pr-*` for the preview role. */
  readonly suffix: string;
  readonly names: PhysicalNames;
  readonly env: ResolvedEnvironment;
}

export function environmentScope(env: ResolvedEnvironment): PolicyScope {
  return { project: env.project, account: env.account, region: env.region, suffix: env.suffix, names: env.names, env };
}

/**
 * Every preview the pipeline makes from `source`: `pr-<n>` takes the place of the suffix in each of the source's
 * names, so the statements name `TapStack-<project>-pr-*`, `<project>-app-pr-*`, `/tapctl/<project>/pr-*` ...
 * and nothing configured (bootstrap refuses --previews while a configured environment's suffix starts with `pr-`).
 */
export const PREVIEW_SUFFIX = 'pr-*';

export function previewScope(source: ResolvedEnvironment): PolicyScope {
  const suffix = PREVIEW_SUFFIX;
  return { project: source.project, account: source.account, region: source.region, suffix, names: physicalNames({ project: source.project, suffix, account: source.account, region: source.region }), env: source };
}

export function cdkRoleArn(scope: Pick<PolicyScope, 'account' | 'region'>, kind: 'deploy' | 'file-publishing' | 'image-publishing' | 'lookup' | 'cfn-exec'): string {
  return `arn:${partitionOf(scope.region)}:iam::${scope.account}:role/cdk-${CDK_QUALIFIER}-${kind}-role-${scope.account}-${scope.region}`;
}

/** The statements of one role. */
export function roleStatements(kind: CiRoleKind, scope: PolicyScope): StatementSpec[] {
  const reads = preflightReads(scope);
  if (kind === 'plan') return [...reads, ...gradualRollout(scope, 'read'), ...ledger(scope, 'read'), assumeCdkRoles(scope, ['lookup'])];
  return [
    ...reads,
    ...gradualRollout(scope, 'write'),
    ...ledger(scope, 'write'),
    ...changeSetExecution(scope),
    ...imagePush(scope),
    assumeCdkRoles(scope, ['deploy', 'file-publishing', 'image-publishing', 'lookup']),
    ...(kind === 'preview' ? previewListing(scope) : []),
  ];
}

function arn(scope: Pick<PolicyScope, 'region' | 'account'>, service: string, resource: string, region: string = scope.region, account: string = scope.account): string {
  return `arn:${partitionOf(scope.region)}:${service}:${region}:${account}:${resource}`;
}

function hasService(env: ResolvedEnvironment): boolean {
  return !NOT_APPLICABLE[env.preset].includes('container');
}

/** The reads of deploy's preflight (and of diff and deploy --dry-run), scoped to the environment where AWS allows. */
function preflightReads(scope: PolicyScope): StatementSpec[] {
  const { names, env } = scope;
  const stack = arn(scope, 'cloudformation', `stack/${names.stack}/*`);
  const out: StatementSpec[] = [
    {
      sid: 'ReadStack',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:GetTemplateSummary', 'cloudformation:ListStackResources', 'cloudformation:DescribeStackResource', 'cloudformation:DescribeStackResources', 'cloudformation:DescribeStackEvents'],
      resources: [stack, arn(scope, 'cloudformation', 'stack/CDKToolkit/*')],
      why: "the stack's state, template, resources and events (src/aws/stack.ts, stack-details.ts); the bootstrap stack's outputs (toolkit-lib)",
    },
    {
      sid: 'ReadAccountStacks',
      actions: ['cloudformation:ListImports', 'cloudformation:DescribeStackResources'],
      resources: ['*'],
      why: 'who imports an export (src/deploy/exports.ts) and which stack owns a role by its physical ID (src/aws/apigateway-account.ts): ListImports has no resource type, and DescribeStackResources by physical ID names no stack, so both take * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html); both only read',
    },
    {
      sid: 'ReadBootstrapVersion',
      actions: ['ssm:GetParameter'],
      resources: [arn(scope, 'ssm', `parameter/cdk-bootstrap/${CDK_QUALIFIER}/version`)],
      why: 'the CDK bootstrap version the stack needs (src/aws/bootstrap.ts, toolkit-lib)',
    },
    {
      sid: 'ReadRegion',
      actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeManagedPrefixLists', 'rds:DescribeDBEngineVersions'],
      resources: ['*'],
      why: "the account's zones (src/aws/zones.ts), CloudFront's origin-facing prefix list (src/aws/edge.ts), the engine version in the region (src/aws/rds-engines.ts): Describe actions that take no resource",
    },
    {
      sid: 'ReadLeftovers',
      actions: ['s3:ListBucket', 'rds:DescribeDBClusters', 'rds:DescribeDBInstances'],
      resources: [
        `arn:${partitionOf(scope.region)}:s3:::${names.staticBucket}`,
        `arn:${partitionOf(scope.region)}:s3:::${names.logsBucket}`,
        arn(scope, 'rds', `cluster:${scope.project}-*`),
        arn(scope, 'rds', `db:${scope.project}-*`),
      ],
      why: "names a create would take, kept from an earlier destroy (src/deploy/leftovers.ts: HeadBucket needs s3:ListBucket); the project's database identifiers",
    },
    {
      sid: 'ReadLeftoverLogsAndKeys',
      actions: ['logs:DescribeLogGroups', 'kms:DescribeKey'],
      resources: [arn(scope, 'logs', 'log-group:*'), arn(scope, 'kms', 'key/*')],
      why: 'leftover log groups and the KMS alias (src/aws/resource-exists.ts), the key a secret is encrypted with (src/secrets/store.ts): DescribeLogGroups lists by a name prefix the template gives, and DescribeKey resolves an alias or a key ID not known before, so both take the account-wide form of their resource (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html); both return metadata only',
    },
    {
      sid: 'ReadApiGatewayAccount',
      actions: ['apigateway:GET'],
      resources: [`arn:${partitionOf(scope.region)}:apigateway:${scope.region}::/account`],
      why: "API Gateway's account setting (src/aws/apigateway-account.ts)",
    },
  ];
  if (hasService(env)) {
    out.push(
      {
        sid: 'ReadImages',
        actions: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:DescribeRepositories', 'ecr:DescribeImageScanFindings'],
        resources: [arn(scope, 'ecr', `repository/${names.ecrRepository}`), ...pinnedEcrRepository(scope)],
        why: "the ledger's image in the stack's own repository, and the pinned image's ECR repository when container.image names one (src/aws/ecr-images.ts, src/image/remote-image.ts): read only",
      },
      {
        sid: 'EcrToken',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
        why: "the registry token reading a pinned image's manifest (and, for the deploy role, pushing) needs: GetAuthorizationToken takes no resource",
      },
      {
        sid: 'ReadService',
        actions: ['ecs:DescribeServices'],
        resources: [arn(scope, 'ecs', `service/${names.ecsCluster}/${names.ecsService}`)],
        why: 'what the service runs and its rollout (src/release/running-image.ts, src/aws/ecs-rollout.ts)',
      },
      {
        sid: 'ReadTasks',
        actions: ['ecs:ListTasks', 'ecs:DescribeTasks'],
        resources: [arn(scope, 'ecs', `task/${names.ecsCluster}/*`), arn(scope, 'ecs', `container-instance/${names.ecsCluster}/*`)],
        conditions: { ArnEquals: { 'ecs:cluster': arn(scope, 'ecs', `cluster/${names.ecsCluster}`) } },
        why: 'tasks started before a secret changed or before ECS Exec (src/secrets/deploy-inputs.ts), stopped tasks of a rollout (src/aws/ecs-rollout.ts)',
      },
      {
        sid: 'ReadTaskDefinitions',
        actions: ['ecs:DescribeTaskDefinition'],
        resources: ['*'],
        why: 'the image a task definition runs (src/release/running-image.ts): DescribeTaskDefinition takes no resource',
      },
    );
  }
  if (env.container.secrets.length > 0) {
    out.push({
      sid: 'ReadAppSecretArns',
      actions: ['secretsmanager:DescribeSecret'],
      resources: [arn(scope, 'secretsmanager', `secret:tapctl/${scope.project}/${scope.suffix}/*`)],
      why: "each container.secrets name's full ARN for the task definition (src/secrets/deploy-inputs.ts): metadata, never a value",
    });
  }
  if (apiLogging(env)) {
    out.push({
      sid: 'ReadApiGatewayRole',
      actions: ['iam:GetRole'],
      resources: [`arn:${partitionOf(scope.region)}:iam::${scope.account}:role/*`],
      why: "that the role API Gateway's account setting names still exists (src/aws/apigateway-account.ts): it may be any role of the account",
    });
  }
  if (env.domain) {
    out.push({
      sid: 'ReadDomain',
      actions: ['acm:DescribeCertificate', 'route53:GetHostedZone'],
      resources: [
        arn(scope, 'acm', 'certificate/*'),
        arn(scope, 'acm', 'certificate/*', 'us-east-1'),
        ...(env.domain.hostedZoneId ? [`arn:${partitionOf(scope.region)}:route53:::hostedzone/${env.domain.hostedZoneId}`] : []),
      ],
      why: 'the certificates and the hosted zone the domain uses (src/deploy/edge-checks.ts); CloudFront takes its certificate from us-east-1',
    });
  }
  return out;
}

/**
 * The ECR repository of a pinned image (container.image.repository) in ECR, as an ARN; none for the stack's own
 * repository or an image outside ECR (read over the registry API, no IAM).
 */
function pinnedEcrRepository(scope: PolicyScope): string[] {
  const repository = scope.env.container.image?.repository;
  if (!repository) return [];
  const clean = repository.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(clean);
  if (!m) return [];
  const [, account, region, path] = m;
  return [arn(scope, 'ecr', `repository/${path}`, region, account)];
}

/**
 * What a blue-green, canary or linear environment's deploy, diff and rollback call besides the preflight reads
 * (qa5 P1 #1): the production rule's live weights (src/aws/traffic.ts readLiveTraffic), the rollback alarms'
 * states (alarmStates), ECS's service deployment (src/aws/service-deployment.ts), and after a failed release the
 * target groups' health and the one write, ModifyRule, that puts the traffic back on the healthy tasks
 * (src/deploy/traffic-repair.ts; deploy role only). test/ci/gradual-permissions.test.ts derives the calls from
 * those files and fails when one is not allowed here.
 */
function gradualRollout(scope: PolicyScope, access: 'read' | 'write'): StatementSpec[] {
  const plan = hasService(scope.env) ? deploymentOf(scope.env) : undefined;
  // A rolling environment reads the rule too: it may have been gradual before (traffic-checks.ts hasProductionRule).
  if (!plan) return [];
  const { names } = scope;
  const alarmNames = plan.alarms.map((a) => (names.alarms as Readonly<Record<string, string>>)[a.key] ?? a.name);
  const out: StatementSpec[] = [
    {
      sid: 'ReadProductionRule',
      actions: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
      why: "the production listener rule's live weights and each target group's healthy targets (src/aws/traffic.ts): ELB's Describe actions take no resource",
    },
    {
      sid: 'ReadServiceDeployments',
      actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
      resources: [arn(scope, 'ecs', `service/${names.ecsCluster}/${names.ecsService}`), arn(scope, 'ecs', `service-deployment/${names.ecsCluster}/${names.ecsService}/*`)],
      why: "ECS's verdict on a gradual rollout (src/aws/service-deployment.ts)",
    },
  ];
  if (alarmNames.length > 0) {
    out.push({
      sid: 'ReadRollbackAlarms',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: alarmNames.map((n) => arn(scope, 'cloudwatch', `alarm:${n}`)),
      why: 'an alarm already in ALARM refuses the release (src/deploy/traffic-checks.ts checkDeploymentAlarms)',
    });
  }
  if (access === 'write' && plan.alternateTargetGroup) {
    out.push({
      sid: 'RestoreProductionRuleTraffic',
      actions: ['elasticloadbalancing:ModifyRule'],
      resources: [arn(scope, 'elasticloadbalancing', `listener-rule/app/${names.loadBalancer}/*`)],
      why: "after a failed release, puts the production rule's traffic back on the target group with the service's healthy tasks when CloudFormation's rollback moved it off them (src/deploy/traffic-repair.ts)",
    });
  }
  return out;
}

/** The release ledger under /tapctl/<project>/<suffix>/ (src/release/ledger.ts). */
function ledger(scope: PolicyScope, access: 'read' | 'write'): StatementSpec[] {
  const base = `parameter/tapctl/${scope.project}/${scope.suffix}`;
  return [
    {
      sid: access === 'read' ? 'ReadLedger' : 'WriteLedger',
      actions: access === 'read' ? ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'] : ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameters'],
      resources: [arn(scope, 'ssm', base), arn(scope, 'ssm', `${base}/*`)],
      why: access === 'read' ? 'which release runs and which comes next (src/release/running-image.ts)' : 'records releases, their outcome and the current pointer; prunes old ones (src/release/ledger.ts)',
    },
  ];
}

/** The deploy role's own change-set calls (deploy --no-wait executes the change set toolkit-lib created). */
function changeSetExecution(scope: PolicyScope): StatementSpec[] {
  return [
    {
      sid: 'ExecuteChangeSets',
      actions: ['cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet'],
      resources: [arn(scope, 'cloudformation', `stack/${scope.names.stack}/*`)],
      why: 'deploy --no-wait executes (or, with nothing to change, deletes) the change set toolkit-lib created (src/deploy/change-set.ts)',
    },
  ];
}

function imagePush(scope: PolicyScope): StatementSpec[] {
  if (!hasService(scope.env)) return [];
  return [
    {
      sid: 'PushImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:GetDownloadUrlForLayer'],
      resources: [arn(scope, 'ecr', `repository/${scope.names.ecrRepository}`)],
      why: "push-image into the stack's own repository (src/image/publish.ts)",
    },
  ];
}

function assumeCdkRoles(scope: PolicyScope, kinds: ReadonlyArray<'deploy' | 'file-publishing' | 'image-publishing' | 'lookup'>): StatementSpec {
  return {
    sid: 'AssumeCdkBootstrapRoles',
    actions: ['sts:AssumeRole', 'sts:TagSession'],
    resources: kinds.map((k) => cdkRoleArn(scope, k)),
    why: `toolkit-lib acts through the CDK bootstrap roles of ${scope.account}/${scope.region} (qualifier ${CDK_QUALIFIER}): ${kinds.join(', ')}`,
  };
}

/** env list and env sweep list the account's stacks to find the previews (src/preview/find.ts). */
function previewListing(scope: PolicyScope): StatementSpec[] {
  return [
    {
      sid: 'ListStacks',
      actions: ['cloudformation:DescribeStacks'],
      resources: ['*'],
      why: "finding previews by their tags lists the region's stacks: DescribeStacks without a stack name takes no narrower resource (read only)",
    },
  ];
}
