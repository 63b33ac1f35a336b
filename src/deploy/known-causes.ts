/**
 * Deployment failures seen with stacks like this one (shared/spec/failure-lessons.md), and the account-level
 * ones of [6/12] that have no lesson number (an export in use, a name taken by a leftover), matched against the
 * real reason CloudFormation gives for the first failed resource. Each entry says what to do, in tapctl's terms.
 */

export interface KnownCause {
  /** The entry number in failure-lessons.md, for the causes recorded there. */
  readonly lesson?: number;
  /** A name for a cause that is not in failure-lessons.md. */
  readonly kind?: string;
  readonly pattern: RegExp;
  /** One line: what to change. */
  readonly hint: string;
}

export const KNOWN_CAUSES: readonly KnownCause[] = [
  {
    lesson: 1,
    pattern: /Stack name must match the regular expression|got '[^']*\$\{/,
    hint: 'a stack name holds an unresolved placeholder or illegal characters; tapctl validate checks every name (rule N1)',
  },
  {
    lesson: 2,
    pattern: /Alias name must be between 1 and 256 characters/i,
    hint: 'the KMS alias is too long or has characters outside a-zA-Z0-9:/_-; shorten the project name or the environment suffix (rule N5)',
  },
  {
    lesson: 3,
    pattern: /Invalid S3 bucket name|Bucket name should not contain|bucket name.*(not valid|invalid)/i,
    hint: 'a bucket name carries a token or placeholder, or breaks the 3-63 lower-case characters rule; names must be literal at synth (rule N6)',
  },
  {
    lesson: 4,
    pattern: /functionName.*length less than or equal to 64|Member must have length less than or equal to 64/i,
    hint: 'a generated Lambda function name is over 64 characters (hosted rotation builds it from construct IDs); shorten the project or suffix (rule N3)',
  },
  {
    lesson: 5,
    pattern: /can have a maximum of 32 characters/i,
    hint: 'the load balancer or target group name is over 32 characters; shorten the project name or the environment suffix (rule N4)',
  },
  {
    lesson: 7,
    pattern: /Cannot provide writer or readers if instances or instanceProps are provided/,
    hint: 'the Aurora cluster mixes writer/readers with instances/instanceProps; use only writer and readers (rule P1)',
  },
  {
    lesson: 8,
    pattern: /One of rotationLambda or hostedRotation must be specified/,
    hint: 'the rotation schedule needs hostedRotation matching the engine (postgreSqlSingleUser / mysqlSingleUser) (rule P2)',
  },
  {
    lesson: 9,
    pattern: /cannot specify both a cache policy and legacy cache behavior/i,
    hint: 'a CloudFront behaviour sets a cache policy and legacy forwarded values/TTLs together; keep only the cache policy (rule P3)',
  },
  {
    lesson: 10,
    pattern: /launch type and capacity provider strategy must not be specified together/i,
    hint: 'the ECS service sets both a launch type and a capacity provider strategy; keep only one (rule P4)',
  },
  {
    lesson: 17,
    pattern: /Cannot find version \S+ for aurora-mysql/i,
    hint: "this Aurora MySQL version is not offered in the region; set database.version to one RDS lists there (e.g. 3.08.0) and run tapctl deploy --dry-run to check (rule R1)",
  },
  {
    lesson: 16,
    pattern: /Cannot find version \S+ for aurora-postgresql/i,
    hint: 'this Aurora PostgreSQL version is not offered in the region; set database.version to one RDS lists there (16.4 is the default) (rule R1)',
  },
  {
    lesson: 15,
    pattern: /Cannot find version/i,
    hint: 'the database engine version is not offered in this region; set database.version to one RDS lists there (rule R1)',
  },
  {
    lesson: 18,
    pattern: /DBClusterParameterGroup|DBParameterGroup|shared_buffers|maintenance_work_mem|Invalid parameter value.*for parameter/i,
    hint: 'a database parameter is invalid for this engine version: memory parameters are plain integers in the parameter\'s own unit (shared_buffers counts 8 kB pages, work_mem kB, max_wal_size MB), never "1GB" (rule R3)',
  },
  {
    lesson: 19,
    pattern: /CloudWatch Logs role ARN must be set in account settings/i,
    hint: "set api.loggingLevel: OFF (and dataTrace: false), or run tapctl bootstrap --env <name>: it sets the account's API Gateway CloudWatch role once per account and region, owned by no environment (rule A1)",
  },
  {
    lesson: 20,
    pattern: /does not enable ACL access/i,
    hint: 'the bucket receiving CloudFront logs enforces bucket-owner object ownership; it needs ObjectOwnership BucketOwnerPreferred (rule A2)',
  },
  {
    lesson: 21,
    pattern: /Role arn:aws[\w-]*:iam::\S+ is invalid or cannot be assumed|cdk-\w+-cfn-exec-role.*cannot be assumed/i,
    hint: 'the CDK bootstrap roles do not trust these credentials; re-run tapctl bootstrap --env <name> with them, or deploy with the CLI-credentials synthesizer (rule A4)',
  },
  {
    lesson: 23,
    pattern: /KMS key.*(does not exist or is not allowed|not authorized|is not allowed to be used)|AccessDeniedException.*kms|kms.*AccessDenied/i,
    hint: "the KMS key does not let CloudWatch Logs use it: the key policy needs logs.<region>.amazonaws.com with an aws:logs:arn encryption-context condition (rule A5)",
  },
  {
    lesson: 26,
    pattern: /scheduled for deletion/i,
    hint: 'a secret with this name is pending deletion from an earlier stack: restore it or delete it now (aws secretsmanager delete-secret --secret-id <name> --force-delete-without-recovery), then deploy again (rule L2)',
  },
  {
    kind: 'export in use',
    pattern: /Export \S+ cannot be (updated|deleted) as it is in use by|Cannot (update|delete) export \S+ as it is in use/i,
    hint: 'another stack imports this export (Fn::ImportValue): CloudFormation will not change or remove it while it does; make that stack stop importing it and deploy it first, or keep the exported value (deploy --dry-run lists the importers)',
  },
  {
    kind: 'name taken',
    pattern: /already exists|AlreadyExists|BucketAlreadyOwnedByYou/,
    hint: 'a resource with this name is left from an earlier stack (kept when it was destroyed) or belongs to another stack: delete it if it is a leftover you do not need, or give the environment another suffix (environments.<name>.suffix) so every name changes; deploy --dry-run lists the leftovers it finds',
  },
];

/** What to call a known cause in a message: its failure-lessons.md entry, or its kind. */
export function knownCauseLabel(c: KnownCause): string {
  return c.lesson !== undefined ? `failure-lessons.md #${c.lesson}` : (c.kind ?? 'known cause');
}

/** The first known cause whose pattern matches `reason`. */
export function knownCauseFor(reason: string): KnownCause | undefined {
  return KNOWN_CAUSES.find((c) => c.pattern.test(reason));
}
