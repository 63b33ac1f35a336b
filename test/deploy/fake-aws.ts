/**
 * A small fake of the AWS APIs deploy, diff, bootstrap and destroy touch, at the SDK boundary
 * (aws-sdk-client-mock): tapctl's code and toolkit-lib's run for real against it.
 *
 * CloudFormation keeps one stack with a status, a template and outputs. A change set is computed from the
 * deployed template and the next template (the synthesized one, which the test hands in, since toolkit-lib
 * uploads the real one to S3); executing it plays a scripted outcome: success, failure with a cascade, or a
 * stack that stays in progress. Every answer is a terminal state at once, so nothing waits.
 */
import { createRequire } from 'node:module';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListImportsCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Change,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { BatchGetImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeDBClustersCommand, DescribeDBEngineVersionsCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeAvailabilityZonesCommand, DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, ECSClient, ListServiceDeploymentsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetBucketLocationCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { FakeParameterStore } from '../helpers/fake-ssm.js';
import { DEV_ACCOUNT } from '../helpers/project.js';

// toolkit-lib assumes the bootstrap roles through the SDK's nested STS client, loaded as CommonJS.
const nested = createRequire(import.meta.url)('@aws-sdk/nested-clients/sts') as { STSClient: typeof STSClient; AssumeRoleCommand: typeof AssumeRoleCommand };

type Template = { Resources?: Record<string, { Type: string; Properties?: unknown; DeletionPolicy?: string }>; [k: string]: unknown };

export interface FakeStack {
  status: string;
  template?: Template;
  outputs?: Record<string, string>;
  tags?: Record<string, string>;
  terminationProtection?: boolean;
  reason?: string;
  /** Physical IDs by logical ID (ListStackResources). */
  physicalIds?: Record<string, string>;
  /** Export names by output key (DescribeStacks' ExportName). */
  exports?: Record<string, string>;
}

export type Outcome =
  | { kind: 'success'; outputs?: Record<string, string> }
  /** `failed` fails first with `reason`; every other changed resource is then cancelled (the cascade). */
  | { kind: 'fail'; failed: string; reason: string }
  /** The operation never ends (for Ctrl-C). */
  | { kind: 'hang' };

const CANCELLED = 'Resource creation cancelled';

export class FakeAws {
  account = DEV_ACCOUNT;
  region = 'us-east-1';
  stackName = 'TapStack-shop-dev';
  stack?: FakeStack;
  /** The synthesized template the next change set carries. */
  nextTemplate?: Template;
  nextTags: Record<string, string> = {};
  /** The stack takes the Tags of the change set it executes (as CloudFormation does), instead of nextTags. */
  changeSetTagsApply = false;
  private changeSetTags?: Record<string, string>;
  nextTerminationProtection = false;
  outcome: Outcome = { kind: 'success' };
  /** Logical IDs whose property changes CloudFormation reports as requiring replacement. */
  replaceOnChange = new Set<string>();
  /**
   * CloudFormation found changes but itemized none (DescribeChangeSet: CREATE_COMPLETE with no per-resource
   * Changes), as QA saw it: the summary must not read "0 changes".
   */
  changeSetWithoutDetails = false;
  bootstrapVersion: number | undefined = 30;
  /** Image tags and digests present in the stack's ECR repository (undefined: no repository). */
  images: string[] | undefined = [];
  /** The digest each tag names, when a test cares (else a tag names sha256:000…). */
  tagDigests: Record<string, string> = {};
  /**
   * What ECS DescribeServices answers (the rollout verdict deploy reads once after CloudFormation finished).
   * Default: no such service, so nothing is claimed about ECS.
   */
  ecsServices: unknown[] = [];
  /**
   * ECS's service deployments of the service (ListServiceDeployments / DescribeServiceDeployments), newest last.
   * `next` ones are appended when a change set executes (the deployment the change starts), each read after that
   * answering the next state of it.
   */
  serviceDeployments: ServiceDeployment[] = [];
  /** The states DescribeServiceDeployments answers, one per read, for the deployment a change set starts; the last repeats. */
  nextServiceDeployment: ServiceDeployment[] = [];
  /** CloudWatch alarms by name: their state (DescribeAlarms). */
  alarms: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'> = {};
  /** The production listener rule's forward action (DescribeRules): target group name -> weight. */
  productionRule?: { arn: string; weights: Record<string, number> };
  /** Healthy targets per target group name (DescribeTargetHealth); a group not here has none. */
  healthyTargets: Record<string, number> = {};
  /** Called when CloudFormation rolls a failed update back (before UPDATE_ROLLBACK_COMPLETE), e.g. to restore the rule's old weights. */
  onRollback?: () => void;
  engineVersions = ['15.10', '16.4', '16.6', '8.0.mysql_aurora.3.08.0'];
  /** ServerlessV2FeaturesSupport RDS reports for every version (undefined: none, as an older API). */
  serverlessV2?: { MinCapacity: number; MaxCapacity: number };
  /** Zone letters the account has in the region (DescribeAvailabilityZones). */
  zoneLetters = 'abcdef';
  /** The region's CloudFront origin-facing prefix list (DescribeManagedPrefixLists); undefined: none. */
  cloudFrontPrefixList: { id: string; maxEntries: number } | undefined = { id: 'pl-3b927c52', maxEntries: 55 };
  /** Route 53 hosted zones by ID (GetHostedZone). */
  hostedZones: Record<string, { name: string; privateZone?: boolean }> = {};
  /** ACM certificates by ARN (DescribeCertificate, in any region). */
  certificates: Record<string, { status: string; names: string[]; notAfter?: Date; type?: 'IMPORTED' | 'AMAZON_ISSUED' }> = {};
  /** API Gateway's account setting: the CloudWatch role ARN (undefined: none set). */
  apiGatewayRole: string | undefined = undefined;
  /** IAM roles that exist, by name: their ARN, tags and attached policies. */
  readonly iamRoles = new Map<string, { arn: string; tags: Array<{ Key: string; Value: string }>; policies: string[] }>();
  /** Which stack a physical resource ID belongs to (DescribeStackResources by PhysicalResourceId). */
  readonly stackOfPhysicalId = new Map<string, string>();
  /** The stacks that import each export (ListImports); an export not here is imported by none. */
  readonly imports = new Map<string, string[]>();
  /** The revision of the task definition ARN DescribeStackResource reports. */
  taskDefinitionRevision = 7;
  /** Resources that exist by name or physical ID (buckets, repositories, clusters, log groups, secrets, keys, aliases). */
  existing = new Set<string>();
  /** Secrets and KMS keys (or aliases) that exist but are scheduled for deletion. */
  pendingDeletion = new Set<string>();
  /** Bucket names another account owns (HeadBucket answers 403). */
  foreignBuckets = new Set<string>();
  missingCredentials = false;
  /** Called on every DescribeStackEvents (the interrupt test aborts from here). */
  onPoll?: () => void;
  /** SSM Parameter Store: the release ledger lives here (the CDK bootstrap version is answered apart). */
  readonly parameters = new FakeParameterStore(DEV_ACCOUNT);
  /** Called on every DescribeStacks of the environment's stack, before it is answered. */
  onDescribeStack?: () => void;

  readonly cfn: AwsClientStub<CloudFormationClient> = mockClient(CloudFormationClient);
  readonly sts: AwsClientStub<STSClient> = mockClient(STSClient);
  readonly nestedSts: AwsClientStub<STSClient> = mockClient(nested.STSClient);
  readonly ssm: AwsClientStub<SSMClient> = mockClient(SSMClient);
  readonly s3: AwsClientStub<S3Client> = mockClient(S3Client);
  readonly ecr: AwsClientStub<ECRClient> = mockClient(ECRClient);
  readonly rds: AwsClientStub<RDSClient> = mockClient(RDSClient);
  readonly apigw: AwsClientStub<APIGatewayClient> = mockClient(APIGatewayClient);
  readonly ec2: AwsClientStub<EC2Client> = mockClient(EC2Client);
  readonly route53: AwsClientStub<Route53Client> = mockClient(Route53Client);
  readonly acm: AwsClientStub<ACMClient> = mockClient(ACMClient);
  readonly iam: AwsClientStub<IAMClient> = mockClient(IAMClient);
  readonly logs: AwsClientStub<CloudWatchLogsClient> = mockClient(CloudWatchLogsClient);
  readonly secrets: AwsClientStub<SecretsManagerClient> = mockClient(SecretsManagerClient);
  readonly kms: AwsClientStub<KMSClient> = mockClient(KMSClient);
  readonly ecs: AwsClientStub<ECSClient> = mockClient(ECSClient);
  readonly cloudWatch: AwsClientStub<CloudWatchClient> = mockClient(CloudWatchClient);
  readonly elbv2: AwsClientStub<ElasticLoadBalancingV2Client> = mockClient(ElasticLoadBalancingV2Client);

  private events: StackEvent[] = [];
  private toolkitEvents: StackEvent[] = [];
  private changeSet?: { name: string; changes: Change[]; created: Date; empty: boolean; toolkit?: boolean };
  private clock = Date.now();
  private eventSeq = 0;

  constructor() {
    this.install();
  }

  get stackArn(): string {
    return `arn:aws:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/0000`;
  }

  get toolkitArn(): string {
    return `arn:aws:cloudformation:${this.region}:${this.account}:stack/CDKToolkit/0000`;
  }

  /** A change set is in review (created, neither executed nor deleted). */
  get changeSetInReview(): boolean {
    return this.changeSet !== undefined;
  }

  restore(): void {
    for (const m of [this.cfn, this.sts, this.nestedSts, this.ssm, this.s3, this.ecr, this.rds, this.apigw, this.ec2, this.route53, this.acm, this.iam, this.logs, this.secrets, this.kms, this.ecs, this.cloudWatch, this.elbv2]) m.restore();
  }

  /** AWS API calls so far, as `Service.Command` -> count. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    const services = { CloudFormation: this.cfn, STS: this.sts, 'STS(assume-role)': this.nestedSts, SSM: this.ssm, S3: this.s3, ECR: this.ecr, RDS: this.rds, APIGateway: this.apigw, EC2: this.ec2, Route53: this.route53, ACM: this.acm, IAM: this.iam, Logs: this.logs, SecretsManager: this.secrets, KMS: this.kms, ECS: this.ecs };
    for (const [service, mock] of Object.entries(services)) {
      for (const call of mock.calls()) {
        const key = `${service}.${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
    }
    return counts;
  }

  calls(command: string): number {
    return Object.entries(this.callCounts()).filter(([k]) => k.endsWith(`.${command}`)).reduce((n, [, v]) => n + v, 0);
  }

  /** A deployed stack equal to what would be deployed now (the no-change case). */
  deployedAsIs(status = 'UPDATE_COMPLETE'): void {
    this.stack = { status, template: this.nextTemplate, tags: this.nextTags, terminationProtection: this.nextTerminationProtection, outputs: { CloudFrontURL: 'https://d111.cloudfront.net', APIGatewayURL: 'https://api.example/prod', ALBDNSName: 'alb.example', ECRRepositoryURI: `${this.account}.dkr.ecr.${this.region}.amazonaws.com/shop-app-dev` } };
  }

  private now(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  private event(logicalId: string, type: string, status: string, reason?: string): StackEvent {
    const isStack = logicalId === this.stackName;
    return {
      EventId: `e${++this.eventSeq}`,
      StackId: this.stackArn,
      StackName: this.stackName,
      LogicalResourceId: logicalId,
      PhysicalResourceId: isStack ? this.stackArn : `${logicalId.toLowerCase()}-physical`,
      ResourceType: type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ...(reason ? { ResourceStatusReason: reason } : {}),
      Timestamp: this.now(),
    };
  }

  private describeStack(name: string) {
    if (isToolkit(name)) {
      if (this.bootstrapVersion === undefined) throw notExist('CDKToolkit');
      return {
        Stacks: [{ StackName: 'CDKToolkit', StackId: this.toolkitArn, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [
          { OutputKey: 'BucketName', OutputValue: `cdk-hnb659fds-assets-${this.account}-${this.region}` },
          { OutputKey: 'BucketDomainName', OutputValue: `cdk-hnb659fds-assets-${this.account}-${this.region}.s3.amazonaws.com` },
          { OutputKey: 'BootstrapVersion', OutputValue: String(this.bootstrapVersion) },
        ] }],
      } as never;
    }
    this.onDescribeStack?.();
    const s = this.stack;
    if (!s || s.status === 'DELETE_COMPLETE') throw notExist(name);
    return {
      Stacks: [{
        StackName: this.stackName,
        StackId: this.stackArn,
        StackStatus: s.status,
        ...(s.reason ? { StackStatusReason: s.reason } : {}),
        CreationTime: new Date(this.clock - 3600_000),
        EnableTerminationProtection: Boolean(s.terminationProtection),
        Tags: Object.entries(s.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        Outputs: Object.entries(s.outputs ?? {}).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue, ...(s.exports?.[OutputKey] ? { ExportName: s.exports[OutputKey] } : {}) })),
        Parameters: [{ ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version', ResolvedValue: String(this.bootstrapVersion) }],
      }],
    } as never;
  }

  private computeChanges(): Change[] {
    const before = this.stack?.status === 'REVIEW_IN_PROGRESS' ? {} : (this.stack?.template?.Resources ?? {});
    const after = this.nextTemplate?.Resources ?? {};
    const changes: Change[] = [];
    for (const [id, r] of Object.entries(after)) {
      const old = before[id];
      if (!old) changes.push({ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: r.Type } });
      else if (JSON.stringify(old) !== JSON.stringify(r)) {
        const props = { ...(old.Properties as object), ...(r.Properties as object) } as Record<string, unknown>;
        const changedProps = Object.keys(props).filter((p) => JSON.stringify((old.Properties as Record<string, unknown>)?.[p]) !== JSON.stringify((r.Properties as Record<string, unknown>)?.[p]));
        const replace = this.replaceOnChange.has(id);
        changes.push({
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify', LogicalResourceId: id, ResourceType: r.Type, Replacement: replace ? 'True' : 'False',
            Details: changedProps.map((Name) => ({ Target: { Attribute: 'Properties', Name, RequiresRecreation: replace ? 'Always' : 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' })),
          },
        });
      }
    }
    for (const [id, r] of Object.entries(before)) {
      if (!after[id]) changes.push({ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: id, ResourceType: r.Type } });
    }
    // New stack tags propagate to the taggable resources: CloudFormation updates them (one is enough here).
    const retagged = this.changeSetTagsApply && changes.length === 0 && this.stack?.status !== 'REVIEW_IN_PROGRESS' && JSON.stringify(this.changeSetTags ?? {}) !== JSON.stringify(this.stack?.tags ?? {});
    const taggable = Object.entries(after).find(([, r]) => (r.Properties as { Tags?: unknown } | undefined)?.Tags !== undefined);
    if (retagged && taggable) {
      changes.push({ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: taggable[0], ResourceType: taggable[1].Type, Replacement: 'False', Details: [{ Target: { Attribute: 'Tags', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' }] } });
    }
    return changes;
  }

  private execute(): void {
    const changes = this.changeSet?.changes ?? [];
    const creating = !this.stack || this.stack.status === 'REVIEW_IN_PROGRESS';
    const verb = creating ? 'CREATE' : 'UPDATE';
    const prior = this.stack;
    this.events.unshift(this.event(this.stackName, 'AWS::CloudFormation::Stack', `${verb}_IN_PROGRESS`, 'User Initiated'));
    const push = (e: StackEvent) => this.events.unshift(e);
    const outcome = this.outcome;
    if (outcome.kind === 'hang') {
      this.stack = { ...(prior ?? {}), status: `${verb}_IN_PROGRESS` };
      return;
    }
    if (outcome.kind === 'success') {
      for (const c of changes) {
        const rc = c.ResourceChange!;
        const v = rc.Action === 'Remove' ? 'DELETE' : rc.Action === 'Add' ? 'CREATE' : 'UPDATE';
        push(this.event(rc.LogicalResourceId!, rc.ResourceType!, `${v}_IN_PROGRESS`));
        push(this.event(rc.LogicalResourceId!, rc.ResourceType!, `${v}_COMPLETE`));
      }
      push(this.event(this.stackName, 'AWS::CloudFormation::Stack', `${verb}_COMPLETE`));
      this.stack = {
        status: `${verb}_COMPLETE`,
        template: this.nextTemplate,
        tags: this.changeSetTagsApply && this.changeSetTags ? this.changeSetTags : this.nextTags,
        terminationProtection: this.nextTerminationProtection,
        outputs: outcome.outputs ?? { CloudFrontURL: 'https://d111.cloudfront.net', APIGatewayURL: 'https://api.example/prod', ALBDNSName: 'alb.example', ECRRepositoryURI: `${this.account}.dkr.ecr.${this.region}.amazonaws.com/shop-app-dev` },
      };
      return;
    }
    // Failure: a few resources start, the named one fails for real, the rest are cancelled, then the rollback.
    const adds = changes.map((c) => c.ResourceChange!).filter((rc) => rc.LogicalResourceId !== outcome.failed).slice(0, 3);
    const failedType = changes.map((c) => c.ResourceChange!).find((rc) => rc.LogicalResourceId === outcome.failed)?.ResourceType ?? 'AWS::ApiGateway::Stage';
    for (const rc of adds) push(this.event(rc.LogicalResourceId!, rc.ResourceType!, 'CREATE_IN_PROGRESS'));
    push(this.event(outcome.failed, failedType, 'CREATE_IN_PROGRESS'));
    push(this.event(outcome.failed, failedType, 'CREATE_FAILED', outcome.reason));
    for (const rc of adds) push(this.event(rc.LogicalResourceId!, rc.ResourceType!, 'CREATE_FAILED', CANCELLED));
    push(this.event(this.stackName, 'AWS::CloudFormation::Stack', creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS', `The following resource(s) failed to create: [${[outcome.failed, ...adds.map((a) => a.LogicalResourceId)].join(', ')}]. Rollback requested by user.`));
    if (!creating) this.onRollback?.();
    push(this.event(this.stackName, 'AWS::CloudFormation::Stack', creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE'));
    this.stack = creating ? { status: 'ROLLBACK_COMPLETE' } : { ...prior!, status: 'UPDATE_ROLLBACK_COMPLETE' };
  }

  private install(): void {
    const { cfn } = this;
    this.sts.on(GetCallerIdentityCommand).callsFake(() => {
      if (this.missingCredentials) throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      return { Account: this.account, Arn: `arn:aws:iam::${this.account}:user/ci`, UserId: 'AIDA' };
    });
    const creds = () => ({ Credentials: { AccessKeyId: 'ASIAFAKE', SecretAccessKey: 'fake', SessionToken: 'fake', Expiration: new Date(Date.now() + 3600_000) }, AssumedRoleUser: { Arn: 'arn:aws:sts::1:assumed-role/x/y', AssumedRoleId: 'x:y' } });
    this.sts.on(AssumeRoleCommand).callsFake(creds);
    this.nestedSts.on(nested.AssumeRoleCommand).callsFake(creds);

    this.parameters.install(this.ssm, (name) => {
      if (!name.startsWith('/cdk-bootstrap/')) return undefined;
      if (this.bootstrapVersion === undefined) throw Object.assign(new Error('ParameterNotFound'), { name: 'ParameterNotFound' });
      return { Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: String(this.bootstrapVersion) } };
    });

    // Assets and templates are "already published": nothing is uploaded.
    this.s3.on(ListObjectsV2Command).callsFake((i: { Prefix?: string }) => ({ Contents: [{ Key: i.Prefix }], KeyCount: 1 }));
    this.s3.on(GetBucketLocationCommand).resolves({});
    this.s3.on(PutObjectCommand).resolves({});
    this.s3.on(HeadBucketCommand).callsFake((i: { Bucket?: string }) => {
      if (this.existing.has(i.Bucket ?? '')) return {};
      if (this.foreignBuckets.has(i.Bucket ?? '')) throw Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } });
      throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });

    this.ecr.on(DescribeImagesCommand).callsFake((i: { imageIds?: Array<{ imageTag?: string; imageDigest?: string }> }) => {
      if (!this.images) throw Object.assign(new Error('repository does not exist'), { name: 'RepositoryNotFoundException' });
      const digestOf = (ref: string) => (ref.startsWith('sha256:') ? ref : (this.tagDigests[ref] ?? 'sha256:' + '0'.repeat(64)));
      const tagsOf = (digest: string) => this.images!.filter((t) => !t.startsWith('sha256:') && digestOf(t) === digest);
      // Without image ids: the whole repository (one page), as `tapctl releases` asks.
      if (!i.imageIds) return { imageDetails: [...new Set(this.images.map(digestOf))].map((d) => ({ imageDigest: d, imageTags: tagsOf(d) })) };
      const id = i.imageIds[0];
      const ref = id?.imageDigest ?? id?.imageTag ?? '';
      if (!this.images.includes(ref)) throw Object.assign(new Error(`image ${ref} not found`), { name: 'ImageNotFoundException' });
      return { imageDetails: [{ imageDigest: digestOf(ref), imageTags: ref.startsWith('sha256:') ? tagsOf(ref) : [ref] }] };
    });
    // A pinned image's manifest (deploy's 'image platform' check): an image index for both Fargate platforms, so a
    // test about something else passes the check without a registry (test/deploy/pinned-image.test.ts tests it).
    this.ecr.on(BatchGetImageCommand).callsFake((i: { imageIds?: Array<{ imageTag?: string; imageDigest?: string }> }) => {
      const id = i.imageIds?.[0];
      const ref = id?.imageDigest ?? id?.imageTag ?? '';
      // DescribeImages answers every image with the digest sha256:00..0: a pin resolved to it names an image too.
      const known = ref === `sha256:${'0'.repeat(64)}` ? (this.images?.length ?? 0) > 0 : this.images?.includes(ref);
      if (!known) return { images: [], failures: [{ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] };
      const platform = (architecture: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${(architecture === 'amd64' ? 'a' : 'b').repeat(64)}`, size: 500, platform: { os: 'linux', architecture } });
      const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [platform('amd64'), platform('arm64')] };
      return { images: [{ imageId: id, imageManifest: JSON.stringify(index), imageManifestMediaType: index.mediaType }] };
    });
    this.ecs.on(DescribeServicesCommand).callsFake(() => ({ services: this.ecsServices, failures: this.ecsServices.length ? [] : [{ reason: 'MISSING' }] }));
    this.ecs.on(ListServiceDeploymentsCommand).callsFake((i: { createdAt?: { after?: Date } }) => ({
      serviceDeployments: this.serviceDeployments
        .filter((d) => !i.createdAt?.after || (d.createdAt && d.createdAt >= i.createdAt.after))
        .map((d) => ({ serviceDeploymentArn: d.serviceDeploymentArn, createdAt: d.createdAt, status: d.status })),
    }));
    this.ecs.on(DescribeServiceDeploymentsCommand).callsFake((i: { serviceDeploymentArns?: string[] }) => {
      const found = this.serviceDeployments.find((d) => d.serviceDeploymentArn === i.serviceDeploymentArns?.[0]);
      if (found && found === this.serviceDeployments.at(-1) && this.nextServiceDeployment.length > 0) {
        Object.assign(found, this.nextServiceDeployment.length > 1 ? this.nextServiceDeployment.shift() : this.nextServiceDeployment[0]);
      }
      return { serviceDeployments: found ? [found] : [] };
    });
    this.cloudWatch.on(DescribeAlarmsCommand).callsFake((i: { AlarmNames?: string[] }) => ({
      MetricAlarms: (i.AlarmNames ?? []).filter((n) => this.alarms[n]).map((n) => ({ AlarmName: n, StateValue: this.alarms[n], StateReason: `state ${this.alarms[n]}` })),
    }));
    this.elbv2.on(DescribeRulesCommand).callsFake(() => ({
      Rules: this.productionRule
        ? [{ RuleArn: this.productionRule.arn, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: Object.entries(this.productionRule.weights).map(([name, Weight]) => ({ TargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/${name}/0123456789abcdef`, Weight })) } }] }]
        : [],
    }));
    this.elbv2.on(DescribeTargetHealthCommand).callsFake((i: { TargetGroupArn?: string }) => {
      const name = /:targetgroup\/([^/]+)\//.exec(i.TargetGroupArn ?? '')?.[1] ?? '';
      return { TargetHealthDescriptions: Array.from({ length: this.healthyTargets[name] ?? 0 }, (_, n) => ({ Target: { Id: `10.0.0.${n + 1}`, Port: 8080 }, TargetHealth: { State: 'healthy' } })) };
    });
    this.elbv2.on(ModifyRuleCommand).callsFake((i: { Actions?: Array<{ ForwardConfig?: { TargetGroups?: Array<{ TargetGroupArn?: string; Weight?: number }> } }> }) => {
      const groups = i.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      if (this.productionRule) this.productionRule.weights = Object.fromEntries(groups.map((g) => [/:targetgroup\/([^/]+)\//.exec(g.TargetGroupArn ?? '')?.[1] ?? '', g.Weight ?? 0]));
      return {};
    });
    this.ecr.on(DescribeRepositoriesCommand).callsFake((i: { repositoryNames?: string[] }) => {
      if (this.existing.has(i.repositoryNames?.[0] ?? '')) return { repositories: [{ repositoryName: i.repositoryNames?.[0] }] };
      throw Object.assign(new Error('no repo'), { name: 'RepositoryNotFoundException' });
    });
    this.ec2.on(DescribeAvailabilityZonesCommand).callsFake(() => ({
      AvailabilityZones: [...this.zoneLetters].map((l) => ({ ZoneName: `${this.region}${l}`, ZoneType: 'availability-zone', State: 'available' })),
    }));
    this.ec2.on(DescribeManagedPrefixListsCommand).callsFake((i: { PrefixListIds?: string[]; Filters?: Array<{ Name: string; Values: string[] }> }) => {
      const list = this.cloudFrontPrefixList;
      const wanted = i.PrefixListIds?.[0];
      const byName = i.Filters?.find((f) => f.Name === 'prefix-list-name')?.Values[0];
      if (wanted && wanted !== list?.id) throw Object.assign(new Error(`The prefix list ID '${wanted}' does not exist`), { name: 'InvalidPrefixListID.NotFound' });
      if (!list || (byName && byName !== 'com.amazonaws.global.cloudfront.origin-facing')) return { PrefixLists: [] };
      return { PrefixLists: [{ PrefixListId: list.id, PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing', MaxEntries: list.maxEntries, AddressFamily: 'IPv4' }] };
    });
    this.route53.on(GetHostedZoneCommand).callsFake((i: { Id?: string }) => {
      const zone = this.hostedZones[i.Id ?? ''];
      if (!zone) throw Object.assign(new Error(`No hosted zone found with ID: ${i.Id}`), { name: 'NoSuchHostedZone' });
      return { HostedZone: { Id: `/hostedzone/${i.Id}`, Name: `${zone.name}.`, CallerReference: 'x', Config: { PrivateZone: zone.privateZone ?? false } } };
    });
    this.acm.on(DescribeCertificateCommand).callsFake((i: { CertificateArn?: string }) => {
      const cert = this.certificates[i.CertificateArn ?? ''];
      if (!cert) throw Object.assign(new Error('Could not find certificate'), { name: 'ResourceNotFoundException' });
      return { Certificate: { CertificateArn: i.CertificateArn, DomainName: cert.names[0], SubjectAlternativeNames: cert.names, Status: cert.status, ...(cert.notAfter ? { NotAfter: cert.notAfter } : {}), ...(cert.type ? { Type: cert.type } : {}) } };
    });
    this.rds.on(DescribeDBEngineVersionsCommand).callsFake((i: { EngineVersion?: string }) => ({
      DBEngineVersions: this.engineVersions
        .filter((v) => !i.EngineVersion || v === i.EngineVersion)
        .map((EngineVersion) => ({ EngineVersion, ...(this.serverlessV2 ? { ServerlessV2FeaturesSupport: this.serverlessV2 } : {}) })),
    }));
    this.rds.on(DescribeDBClustersCommand).callsFake((i: { DBClusterIdentifier?: string }) => {
      if (this.existing.has(i.DBClusterIdentifier ?? '')) return { DBClusters: [{ DBClusterIdentifier: i.DBClusterIdentifier }] };
      throw Object.assign(new Error('not found'), { name: 'DBClusterNotFoundFault' });
    });
    this.rds.on(DescribeDBInstancesCommand).callsFake((i: { DBInstanceIdentifier?: string }) => {
      if (this.existing.has(i.DBInstanceIdentifier ?? '')) return { DBInstances: [{ DBInstanceIdentifier: i.DBInstanceIdentifier }] };
      throw Object.assign(new Error('not found'), { name: 'DBInstanceNotFoundFault' });
    });
    this.logs.on(DescribeLogGroupsCommand).callsFake((i: { logGroupNamePrefix?: string }) => ({
      logGroups: [...this.existing].filter((n) => n.startsWith(i.logGroupNamePrefix ?? '')).map((logGroupName) => ({ logGroupName })),
    }));
    this.secrets.on(DescribeSecretCommand).callsFake((i: { SecretId?: string }) => {
      const id = i.SecretId ?? '';
      if (this.pendingDeletion.has(id)) return { Name: id, DeletedDate: new Date() };
      if (this.existing.has(id)) return { Name: id };
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' });
    });
    // The environment's app secrets (tapctl secrets set): those in `existing` under the name prefix.
    this.secrets.on(ListSecretsCommand).callsFake((i: { Filters?: Array<{ Key: string; Values: string[] }> }) => {
      const prefix = i.Filters?.find((f) => f.Key === 'name')?.Values[0] ?? '';
      const names = [...this.existing, ...this.pendingDeletion].filter((n) => n.startsWith(prefix));
      return { SecretList: names.map((Name) => ({ Name, ARN: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${Name}-AbCdEf`, ...(this.pendingDeletion.has(Name) ? { DeletedDate: new Date() } : {}) })) };
    });
    this.kms.on(DescribeKeyCommand).callsFake((i: { KeyId?: string }) => {
      const id = i.KeyId ?? '';
      if (this.pendingDeletion.has(id)) return { KeyMetadata: { KeyId: id, KeyState: 'PendingDeletion' } };
      if (this.existing.has(id)) return { KeyMetadata: { KeyId: id, KeyState: 'Enabled' } };
      throw Object.assign(new Error(`Key '${id}' does not exist`), { name: 'NotFoundException' });
    });
    this.apigw.on(GetAccountCommand).callsFake(() => (this.apiGatewayRole ? { cloudwatchRoleArn: this.apiGatewayRole } : {}));
    this.apigw.on(UpdateAccountCommand).callsFake((i: { patchOperations?: Array<{ path?: string; value?: string }> }) => {
      const op = i.patchOperations?.find((o) => o.path === '/cloudwatchRoleArn');
      if (op) this.apiGatewayRole = op.value;
      return { cloudwatchRoleArn: this.apiGatewayRole };
    });
    const noSuchRole = (name?: string) => Object.assign(new Error(`The role with name ${name} cannot be found.`), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
    this.iam.on(GetRoleCommand).callsFake((i: { RoleName?: string }) => {
      const role = this.iamRoles.get(i.RoleName ?? '');
      if (!role) throw noSuchRole(i.RoleName);
      return { Role: { RoleName: i.RoleName, Arn: role.arn, Path: '/', RoleId: 'AROA', CreateDate: new Date(), Tags: role.tags } };
    });
    this.iam.on(CreateRoleCommand).callsFake((i: { RoleName?: string; Path?: string; Tags?: Array<{ Key: string; Value: string }> }) => {
      const name = i.RoleName ?? '';
      if (this.iamRoles.has(name)) throw Object.assign(new Error(`Role with name ${name} already exists.`), { name: 'EntityAlreadyExistsException', $metadata: { httpStatusCode: 409 } });
      const arn = `arn:aws:iam::${this.account}:role${i.Path ?? '/'}${name}`;
      this.iamRoles.set(name, { arn, tags: i.Tags ?? [], policies: [] });
      return { Role: { RoleName: name, Arn: arn, Path: i.Path ?? '/', RoleId: 'AROA', CreateDate: new Date() } };
    });
    this.iam.on(AttachRolePolicyCommand).callsFake((i: { RoleName?: string; PolicyArn?: string }) => {
      const role = this.iamRoles.get(i.RoleName ?? '');
      if (!role) throw noSuchRole(i.RoleName);
      if (!role.policies.includes(i.PolicyArn ?? '')) role.policies.push(i.PolicyArn ?? '');
      return {};
    });

    cfn.on(DescribeStacksCommand).callsFake((i: { StackName?: string }) => this.describeStack(i.StackName ?? ''));
    cfn.on(GetTemplateCommand).callsFake((i: { StackName?: string }) => {
      if (isToolkit(i.StackName)) {
        if (this.bootstrapVersion === undefined) throw notExist('CDKToolkit');
        return { TemplateBody: '{}' };
      }
      if (!this.stack || this.stack.status === 'DELETE_COMPLETE') throw notExist(this.stackName);
      return { TemplateBody: JSON.stringify(this.stack.template ?? {}), StagesAvailable: ['Original', 'Processed'] };
    });
    cfn.on(CreateChangeSetCommand).callsFake((i: { ChangeSetName?: string; StackName?: string }) => {
      if (isToolkit(i.StackName)) {
        // tapctl bootstrap: the bootstrap stack is created; its resources are not modelled.
        this.changeSet = { name: i.ChangeSetName ?? 'cs', created: this.now(), empty: false, toolkit: true, changes: [{ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: 'StagingBucket', ResourceType: 'AWS::S3::Bucket' } }] };
        return { Id: `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${this.changeSet.name}/1`, StackId: this.toolkitArn };
      }
      if (!this.stack || this.stack.status === 'DELETE_COMPLETE') this.stack = { status: 'REVIEW_IN_PROGRESS' };
      this.changeSetTags = Object.fromEntries(((i as { Tags?: Array<{ Key?: string; Value?: string }> }).Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      const changes = this.computeChanges();
      this.changeSet = this.changeSetWithoutDetails
        ? { name: i.ChangeSetName ?? 'cs', changes: [], created: this.now(), empty: false }
        : { name: i.ChangeSetName ?? 'cs', changes, created: this.now(), empty: changes.length === 0 };
      return { Id: `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${this.changeSet.name}/1`, StackId: this.stackArn };
    });
    cfn.on(DescribeChangeSetCommand).callsFake(() => {
      const cs = this.changeSet;
      if (!cs) throw Object.assign(new Error('ChangeSet does not exist'), { name: 'ChangeSetNotFoundException' });
      const base = { ChangeSetName: cs.name, ChangeSetId: `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${cs.name}/1`, StackId: cs.toolkit ? this.toolkitArn : this.stackArn, StackName: cs.toolkit ? 'CDKToolkit' : this.stackName, CreationTime: cs.created };
      return cs.empty
        ? { ...base, Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.", Changes: [] }
        : { ...base, Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: cs.changes };
    });
    cfn.on(DeleteChangeSetCommand).callsFake(() => {
      this.changeSet = undefined;
      return {};
    });
    cfn.on(ExecuteChangeSetCommand).callsFake(() => {
      if (this.changeSet?.toolkit) {
        this.bootstrapVersion = 30;
        for (const [status, id, type] of [['CREATE_IN_PROGRESS', 'CDKToolkit', 'AWS::CloudFormation::Stack'], ['CREATE_IN_PROGRESS', 'StagingBucket', 'AWS::S3::Bucket'], ['CREATE_COMPLETE', 'StagingBucket', 'AWS::S3::Bucket'], ['CREATE_COMPLETE', 'CDKToolkit', 'AWS::CloudFormation::Stack']]) {
          this.toolkitEvents.unshift({ EventId: `t${++this.eventSeq}`, StackId: this.toolkitArn, StackName: 'CDKToolkit', LogicalResourceId: id, PhysicalResourceId: id === 'CDKToolkit' ? this.toolkitArn : 'bucket', ResourceType: type, ResourceStatus: status as StackEvent['ResourceStatus'], Timestamp: this.now() });
        }
      } else {
        // The service deployment the change starts (a test that sets nextServiceDeployment): created now.
        const first = this.nextServiceDeployment[0];
        if (first) this.serviceDeployments.push({ ...first, createdAt: new Date() });
        this.execute();
      }
      return {};
    });
    cfn.on(DescribeStackEventsCommand).callsFake((i: { StackName?: string }) => {
      this.onPoll?.();
      return { StackEvents: isToolkit(i.StackName) ? this.toolkitEvents : this.events };
    });
    cfn.on(DeleteStackCommand).callsFake(() => {
      const resources = Object.entries(this.stack?.template?.Resources ?? {});
      this.events.unshift(this.event(this.stackName, 'AWS::CloudFormation::Stack', 'DELETE_IN_PROGRESS', 'User Initiated'));
      for (const [id, r] of resources.slice(0, 3)) {
        this.events.unshift(this.event(id, r.Type, 'DELETE_IN_PROGRESS'));
        this.events.unshift(this.event(id, r.Type, r.DeletionPolicy === 'Retain' ? 'DELETE_SKIPPED' : 'DELETE_COMPLETE'));
      }
      this.events.unshift(this.event(this.stackName, 'AWS::CloudFormation::Stack', 'DELETE_COMPLETE'));
      this.stack = { status: 'DELETE_COMPLETE' };
      return {};
    });
    cfn.on(DescribeStackResourceCommand).callsFake((i: { LogicalResourceId?: string }) => {
      const r = this.stack?.template?.Resources?.[i.LogicalResourceId ?? ''];
      if (!r) throw Object.assign(new Error(`Resource ${i.LogicalResourceId} does not exist for stack ${this.stackName}`), { name: 'ValidationError' });
      const physical = r.Type === 'AWS::ECS::TaskDefinition' ? `arn:aws:ecs:${this.region}:${this.account}:task-definition/shop-app-dev:${this.taskDefinitionRevision}` : (this.stack?.physicalIds?.[i.LogicalResourceId!] ?? `${i.LogicalResourceId!.toLowerCase()}-physical`);
      return { StackResourceDetail: { LogicalResourceId: i.LogicalResourceId, PhysicalResourceId: physical, ResourceType: r.Type, ResourceStatus: 'UPDATE_COMPLETE', LastUpdatedTimestamp: new Date() } };
    });
    cfn.on(ListImportsCommand).callsFake((i: { ExportName?: string }) => {
      const importers = this.imports.get(i.ExportName ?? '');
      if (!importers?.length) throw Object.assign(new Error(`Export '${i.ExportName}' is not imported by any stack.`), { name: 'ValidationError' });
      return { Imports: importers };
    });
    cfn.on(DescribeStackResourcesCommand).callsFake((i: { PhysicalResourceId?: string }) => {
      const stack = this.stackOfPhysicalId.get(i.PhysicalResourceId ?? '');
      if (!stack) throw Object.assign(new Error(`Stack for ${i.PhysicalResourceId} does not exist`), { name: 'ValidationError' });
      return { StackResources: [{ StackName: stack, LogicalResourceId: 'Role', PhysicalResourceId: i.PhysicalResourceId, ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_COMPLETE', Timestamp: new Date() }] };
    });
    cfn.on(ListStackResourcesCommand).callsFake(() => ({
      StackResourceSummaries: Object.entries(this.stack?.template?.Resources ?? {}).map(([id, r]) => ({
        LogicalResourceId: id, ResourceType: r.Type, PhysicalResourceId: this.stack?.physicalIds?.[id] ?? `${id.toLowerCase()}-physical`, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(),
      })),
    }));
  }
}

const isToolkit = (name: string | undefined) => Boolean(name && (name === 'CDKToolkit' || name.includes(':stack/CDKToolkit/')));

function notExist(name: string): Error {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}
