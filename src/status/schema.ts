/**
 * The `tapctl status --json` document: the TypeScript side of docs/status-schema.json (the two are checked
 * against each other by test/status/schema.test.ts).
 *
 * Stability promise: within one SCHEMA_VERSION, fields are only ever added, never renamed, removed or retyped,
 * so consumers must ignore properties they do not know. A breaking change bumps SCHEMA_VERSION.
 */

export const SCHEMA_VERSION = 1 as const;

/** The domain section's reason when neither the config nor the stack has a domain (status then shows no Domain section). */
export const NO_DOMAIN = 'no domain: the site is on CloudFront\'s own name (config domain:)';

export interface StatusDocument {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  /** Always true here; error documents (`{ ok: false, error }`) are the CLI's common shape. */
  readonly ok: true;
  /** ISO-8601 time the document was assembled. */
  readonly generatedAt: string;
  readonly environment: EnvironmentInfo;
  readonly identity: IdentityInfo;
  readonly summary: Summary;
  readonly stack: StackInfo;
  readonly endpoints: readonly EndpointInfo[];
  readonly service: Section<ServiceInfo>;
  readonly targets: Section<TargetsInfo>;
  readonly database: Section<DatabaseInfo>;
  readonly alarms: Section<AlarmsInfo>;
  /** The release ledger (SSM Parameter Store): the current release, and whether what runs differs from it. */
  readonly release: Section<ReleaseInfo>;
  /** The environment's own domain and its certificates (absent without config domain:). */
  readonly domain: Section<DomainInfo>;
  /** Every stack output, by output key. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface EnvironmentInfo {
  readonly name: string;
  readonly project: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
}

export interface IdentityInfo {
  readonly account: string;
  readonly arn: string;
}

/**
 * stable: no stack operation and no service rollout in progress.
 * in-progress: CloudFormation or ECS is still changing something.
 * failed: the last stack operation failed or rolled back, or a service rollout failed.
 */
/** unknown: nothing seen moving, but the gradual rollout could not be read (so it may be). */
export type StabilityState = 'stable' | 'in-progress' | 'failed' | 'unknown';

export interface Summary {
  readonly state: StabilityState;
  /** One sentence per thing that is moving or failed; empty when stable. */
  readonly reasons: readonly string[];
}

export interface StackInfo {
  readonly name: string;
  readonly id: string;
  readonly status: string;
  readonly statusReason: string | null;
  readonly createdAt: string | null;
  /** Last update, or creation when it was never updated. */
  readonly lastUpdatedAt: string | null;
  readonly terminationProtection: boolean;
  readonly operationInProgress: boolean;
}

/** `domain` and `apiDomain`: the site and the API on the environment's own name (config domain:). */
export type EndpointName = 'site' | 'api' | 'alb' | 'domain' | 'apiDomain';

export interface EndpointInfo {
  readonly name: EndpointName;
  /** The stack output the URL comes from. */
  readonly output: string;
  /** Null when the stack has no such output. */
  readonly url: string | null;
  /** Null unless --probe was given (and for an endpoint that cannot be probed: see notProbed). */
  readonly probe: ProbeResult | null;
  /** Why --probe leaves it out: the load balancer answers CloudFront only. */
  readonly notProbed?: string;
}

export interface CertificateInfo {
  /** What it serves: CloudFront's name, the load balancer's origin.<name>, the API's api.<name>. */
  readonly for: 'cloudfront' | 'origin' | 'api';
  /** Its first name, as ACM has it; null when ACM does not know it. */
  readonly name: string | null;
  readonly arn: string;
  readonly region: string;
  /** ACM's status: ISSUED, PENDING_VALIDATION, EXPIRED, ...; NOT_FOUND when ACM has no such certificate. */
  readonly status: string;
  readonly notAfter: string | null;
  /** A resource uses it (CloudFront, the load balancer, API Gateway). */
  readonly inUse: boolean;
}

export interface DomainInfo {
  readonly name: string;
  readonly url: string;
  /** The hosted zone tapctl writes records to; null when the user owns DNS. */
  readonly zone: string | null;
  readonly certificates: readonly CertificateInfo[];
}

export interface ProbeResult {
  readonly url: string;
  /** True for a 2xx answer. */
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly latencyMs: number | null;
  /** Why there is no status code: time-out, DNS, connection refused ... */
  readonly error: string | null;
}

/** Each section is read independently: one that fails says why and the others still show. */
export type Section<T> = SectionOk<T> | SectionAbsent | SectionError;

export interface SectionOk<T> {
  readonly state: 'ok';
  readonly data: T;
}

/** The resource does not exist (not created yet, or not part of this preset). */
export interface SectionAbsent {
  readonly state: 'absent';
  readonly reason: string;
}

export type SectionErrorCode = 'access-denied' | 'timeout' | 'network' | 'credentials' | 'aws';

export interface SectionError {
  readonly state: 'error';
  readonly error: { readonly code: SectionErrorCode; readonly message: string };
}

export interface ServiceInfo {
  readonly cluster: string;
  readonly service: string;
  readonly status: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly deployments: readonly DeploymentInfo[];
  readonly image: ImageComparison;
  /** The newest service events first (at most 5). */
  readonly events: readonly ServiceEvent[];
  /** What could not be read inside this section (e.g. a denied ecs:ListTasks), so digests may be missing. */
  readonly notes: readonly string[];
  /**
   * Blue-green, canary and linear environments only: the service deployment ECS runs now, null when none runs.
   * Absent for rolling environments (their deployments' rolloutState says it).
   */
  readonly rollout?: RolloutInfo | null;
  /** How ECS rolls a new release out here (config `deployment:` resolved: strategy and a person's summary). */
  readonly deploymentPlan?: { readonly strategy: string; readonly summary: string };
}

/** A blue-green, canary or linear rollout in progress (ECS's service deployment). */
export interface RolloutInfo {
  readonly strategy: 'blue-green' | 'canary' | 'linear';
  readonly serviceDeployment: string;
  /** PENDING, IN_PROGRESS, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS or STOP_REQUESTED. */
  readonly status: string;
  /** SCALE_UP, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, ... */
  readonly stage: string | null;
  /** Percent of production traffic the new revision has been given. */
  readonly percent: number | null;
  readonly startedAt: string | null;
  /** Alarms that fired during it. */
  readonly alarms: readonly string[];
}

export type RolloutState = 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';

export interface DeploymentInfo {
  readonly id: string;
  /** PRIMARY (the newest), ACTIVE (being replaced) or INACTIVE. */
  readonly status: string;
  readonly rolloutState: RolloutState | null;
  readonly rolloutStateReason: string | null;
  /** family:revision */
  readonly taskDefinition: string;
  readonly revision: number | null;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly failedTasks: number;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The image of the service's container in this deployment's task definition, with the digest tasks report. */
  readonly image: ImageRef | null;
}

export interface ImageRef {
  /** As written in the task definition. */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string | null;
  /** Pinned in the task definition, or reported by the running tasks. */
  readonly digest: string | null;
}

export interface ImageComparison {
  /** The image of the PRIMARY deployment. */
  readonly running: ImageRef | null;
  /**
   * The image of the release ledger's current release: what the next deploy runs (before the ledger, what
   * push-image last pushed from this machine). Null when the ledger has no current release with a tag and digest.
   */
  readonly lastPushed: PushedImageInfo | null;
  /** Null when either side is unknown. Compared by digest when both have one, otherwise by tag. */
  readonly matchesLastPushed: boolean | null;
}

export interface PushedImageInfo {
  readonly repositoryUri: string;
  readonly tag: string;
  readonly digest: string;
  readonly pushedAt: string;
}

export interface ReleaseInfo {
  /** The ledger's SSM parameter prefix: `/tapctl/<project>/<suffix>/`. */
  readonly ledger: string;
  /** The current release: what the environment runs, or runs after the next deploy. Null when there is none. */
  readonly current: ReleaseSummary | null;
  /** Why the ledger's current pointer is not used (invalid record, from before a destroy), or null. */
  readonly ignored: string | null;
  /** When destroy ended the environment's ledger (a later release starts it afresh), or null. */
  readonly ended: { readonly at: string; readonly by: string } | null;
  /** The image container.image pins in the config, or null. */
  readonly pinned: { readonly repository: string | null; readonly tag: string | null; readonly digest: string | null } | null;
  /** One sentence per disagreement between what runs, the current release and the pin; empty when they agree. */
  readonly drift: readonly string[];
}

export interface ReleaseSummary {
  /** Zero-padded release id (`000042`). */
  readonly id: string;
  /** pushed, started, deployed (CloudFormation finished it), failed or rolled-back. */
  readonly outcome: string;
  /** The ECS service's verdict when tapctl saw one (healthy, failed), else null: not checked. */
  readonly rollout: string | null;
  /** push-image, deploy (a pinned image) or rollback. */
  readonly source: string;
  readonly image: { readonly repository: string; readonly tag: string | null; readonly digest: string | null };
  /** The STS caller ARN that recorded it, and the CI actor and run when it came from CI. */
  readonly by: { readonly arn: string; readonly ciActor: string | null; readonly runUrl: string | null };
  /** When it was recorded (ISO 8601). */
  readonly at: string;
  readonly taskDefinitionArn: string | null;
  /** A rollback: the release whose image it runs again, and the one it replaced. */
  readonly from: string | null;
  readonly rollbackOf: string | null;
}

export interface ServiceEvent {
  readonly at: string | null;
  readonly message: string;
}

export interface TargetGroupHealth {
  readonly targetGroup: string;
  readonly targetGroupArn: string;
  readonly healthy: number;
  readonly unhealthy: number;
  /** initial, draining, unused, unavailable. */
  readonly other: number;
  readonly targets: readonly TargetInfo[];
}

/** The first target group; for blue-green, canary and linear also the second and the production rule's weights. */
export interface TargetsInfo extends TargetGroupHealth {
  readonly alternate?: TargetGroupHealth;
  /** Weight by target group name (production rule); null when unread or no rule yet. Gradual environments only. */
  readonly weights?: Readonly<Record<string, number>> | null;
  /** Traffic on a group without healthy tasks while the other has them: what is wrong, in one sentence. */
  readonly stranded?: string;
}

export interface TargetInfo {
  readonly id: string;
  readonly port: number | null;
  readonly state: string;
  readonly reason: string | null;
  readonly description: string | null;
}

export interface DatabaseInfo {
  readonly cluster: string;
  readonly status: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly endpoint: string | null;
  readonly readerEndpoint: string | null;
  /** Aurora Serverless v2 scaling range; null for provisioned clusters. */
  readonly capacity: { readonly minAcu: number; readonly maxAcu: number } | null;
  readonly instances: readonly DbInstanceInfo[];
}

export interface DbInstanceInfo {
  readonly id: string;
  readonly role: 'writer' | 'reader';
  readonly status: string | null;
  readonly instanceClass: string | null;
}

export interface AlarmsInfo {
  /** Alarms of this environment that exist. */
  readonly total: number;
  readonly counts: { readonly ok: number; readonly alarm: number; readonly insufficientData: number };
  /** Alarms in ALARM, the longest-firing first. */
  readonly firing: readonly FiringAlarm[];
  /** Alarm names the environment expects that CloudWatch does not have. */
  readonly missing: readonly string[];
}

export interface FiringAlarm {
  readonly name: string;
  /** tapctl's key for it (ecs-high-cpu ...), null for an alarm tapctl does not know. */
  readonly key: string | null;
  /** When it went into ALARM. */
  readonly since: string | null;
  readonly reason: string | null;
}
