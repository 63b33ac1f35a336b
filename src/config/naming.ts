/**
 * Every physical name the stack creates, computed in one place.
 *
 * The spec (tapstack.md §1.2, §13) used the raw suffix in 16 names and the sanitized one in a few; tapctl uses
 * the sanitized suffix everywhere, prefixes names with the project so two projects can share an account, and
 * checks each name against its AWS limit before anything is synthesized (failure-lessons.md rules N1-N7).
 */

/** tapstack.md §1.2: lower-case, [a-z0-9-_], collapse and trim hyphens, at most 50 characters, `dev` if empty. */
export function sanitizeSuffix(raw: string): string {
  let s = raw.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/-+/g, '-');
  if (s.startsWith('-')) s = s.slice(1);
  if (s.endsWith('-')) s = s.slice(0, -1);
  s = s.slice(0, 50);
  return s === '' ? 'dev' : s;
}

export interface NameInputs {
  readonly project: string;
  /** Already sanitized. */
  readonly suffix: string;
  readonly account: string;
  readonly region: string;
}

export interface PhysicalNames {
  readonly stack: string;
  readonly kmsAlias: string;
  readonly ecrRepository: string;
  readonly ecsCluster: string;
  readonly ecsService: string;
  readonly ecsLogGroup: string;
  readonly taskFamily: string;
  readonly loadBalancer: string;
  readonly targetGroup: string;
  /**
   * The second target group of blue-green, canary and linear deployments (config/deployment.ts): ECS moves the
   * traffic between the two, so after a release either one may be the live one. Created and checked (N4) only
   * for those strategies.
   */
  readonly alternateTargetGroup: string;
  readonly staticBucket: string;
  readonly logsBucket: string;
  readonly dbCluster: string;
  readonly dbSecret: string;
  readonly rotationFunction: string;
  readonly processorFunction: string;
  readonly processorLogGroup: string;
  readonly restApi: string;
  readonly usagePlan: string;
  readonly apiKey: string;
  readonly alertTopic: string;
  readonly dashboard: string;
  /** AWS WAF web ACL on CloudFront (CLOUDFRONT scope: one namespace per account). */
  readonly webAcl: string;
  /** Secrets of the origin header: this, then `-<generation>` (origin.secretGeneration). */
  readonly originSecret: string;
  readonly alarms: Readonly<Record<AlarmKey, string>>;
  /** Prefix of every CloudFormation export: `<prefix>-vpc-id`, ... */
  readonly exportPrefix: string;
}

export const ALARM_KEYS = [
  'ecs-high-cpu',
  'ecs-high-memory',
  'db-high-connections',
  'db-high-cpu',
  'alb-unhealthy-targets',
  'alb-5xx-errors',
  'api-4xx-errors',
  'api-5xx-errors',
  'api-high-latency',
  'lambda-errors',
  'lambda-throttles',
] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

export function physicalNames({ project: p, suffix: s, account }: NameInputs): PhysicalNames {
  const base = `${p}-${s}`;
  const processorFunction = `${p}-processor-${s}`;
  return {
    // tapstack.md §1.5 conflict: TapStack<sfx> / TapStack-<sfx> / TapStack / EcommerceInfra-<sfx>. tapctl uses
    // TapStack-<project>-<suffix>: it keeps the TapStack identity and lets two projects share an account.
    stack: `TapStack-${p}-${s}`,
    kmsAlias: `alias/${p}-master-key-${s}`,
    ecrRepository: `${p}-app-${s}`,
    ecsCluster: `${p}-cluster-${s}`,
    ecsService: `${p}-service-${s}`,
    ecsLogGroup: `/ecs/${p}-app-${s}`,
    taskFamily: `${p}-app-${s}`,
    loadBalancer: `${p}-alb-${s}`,
    targetGroup: `${p}-tg-${s}`,
    alternateTargetGroup: `${p}-tg2-${s}`,
    // The account is a literal from the config, never a token (failure-lessons.md #3).
    staticBucket: `${p}-static-assets-${s}-${account}`,
    logsBucket: `${p}-logs-${s}-${account}`,
    dbCluster: `${p}-db-${s}`,
    dbSecret: `${p}/${s}/db-credentials`,
    // Hosted rotation would otherwise derive a name from construct IDs that overflowed 64 (failure-lessons.md #4).
    rotationFunction: `${p}-db-rotation-${s}`,
    processorFunction,
    processorLogGroup: `/aws/lambda/${processorFunction}`,
    restApi: `${p}-api-${s}`,
    usagePlan: `${base}-usage-plan`,
    apiKey: `${base}-api-key`,
    alertTopic: `${p}-alerts-${s}`,
    dashboard: `${p}-infrastructure-${s}`,
    webAcl: `${p}-web-acl-${s}`,
    originSecret: `${p}/${s}/origin-verify`,
    alarms: Object.fromEntries(ALARM_KEYS.map((k) => [k, `${base}-${k}`])) as Record<AlarmKey, string>,
    exportPrefix: base,
  };
}

/** An AWS naming rule: what the name is, its limit and what it may contain. */
export interface NameRule {
  readonly key: keyof Omit<PhysicalNames, 'alarms'> | `alarms.${AlarmKey}`;
  readonly what: string;
  readonly max: number;
  readonly min?: number;
  readonly pattern: RegExp;
  readonly patternText: string;
}

const RDS_ID = /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/;

export const NAME_RULES: readonly NameRule[] = [
  { key: 'stack', what: 'CloudFormation stack name', max: 128, pattern: /^[A-Za-z][A-Za-z0-9-]*$/, patternText: 'a letter, then letters, digits and hyphens (no underscores)' },
  { key: 'kmsAlias', what: 'KMS alias', max: 256, pattern: /^alias\/[a-zA-Z0-9:/_-]+$/, patternText: 'alias/ followed by a-zA-Z0-9:/_-' },
  { key: 'ecrRepository', what: 'ECR repository name', max: 256, min: 2, pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, patternText: 'lower-case letters and digits separated by single . _ - or /' },
  { key: 'ecsCluster', what: 'ECS cluster name', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'ecsService', what: 'ECS service name', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'taskFamily', what: 'ECS task definition family', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'ecsLogGroup', what: 'CloudWatch log group name', max: 512, pattern: /^[A-Za-z0-9_\-/.#]+$/, patternText: 'letters, digits and _-/.#' },
  { key: 'processorLogGroup', what: 'CloudWatch log group name', max: 512, pattern: /^[A-Za-z0-9_\-/.#]+$/, patternText: 'letters, digits and _-/.#' },
  { key: 'loadBalancer', what: 'load balancer name', max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, patternText: 'letters, digits and hyphens, not starting or ending with a hyphen' },
  { key: 'targetGroup', what: 'target group name', max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, patternText: 'letters, digits and hyphens, not starting or ending with a hyphen' },
  { key: 'alternateTargetGroup', what: 'target group name', max: 32, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, patternText: 'letters, digits and hyphens, not starting or ending with a hyphen' },
  { key: 'staticBucket', what: 'S3 bucket name', max: 63, min: 3, pattern: /^[a-z0-9](?!.*\.\.)[a-z0-9.-]*[a-z0-9]$/, patternText: 'lower-case letters, digits, dots and hyphens (no underscores)' },
  { key: 'logsBucket', what: 'S3 bucket name', max: 63, min: 3, pattern: /^[a-z0-9](?!.*\.\.)[a-z0-9.-]*[a-z0-9]$/, patternText: 'lower-case letters, digits, dots and hyphens (no underscores)' },
  { key: 'dbCluster', what: 'Aurora cluster identifier', max: 63, pattern: RDS_ID, patternText: 'a letter, then lower-case letters, digits and single hyphens, not ending with a hyphen (no underscores)' },
  { key: 'dbSecret', what: 'Secrets Manager secret name', max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/, patternText: 'letters, digits and /_+=.@-' },
  { key: 'rotationFunction', what: 'Lambda function name (hosted rotation)', max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'processorFunction', what: 'Lambda function name', max: 64, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'restApi', what: 'API Gateway name', max: 1024, pattern: /^.+$/, patternText: 'any characters' },
  { key: 'usagePlan', what: 'usage plan name', max: 1024, pattern: /^.+$/, patternText: 'any characters' },
  { key: 'apiKey', what: 'API key name', max: 1024, pattern: /^.+$/, patternText: 'any characters' },
  { key: 'alertTopic', what: 'SNS topic name', max: 256, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'dashboard', what: 'CloudWatch dashboard name', max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  // 512 less the '-<generation>' the stack appends.
  { key: 'originSecret', what: 'Secrets Manager secret name', max: 500, pattern: /^[A-Za-z0-9/_+=.@-]+$/, patternText: 'letters, digits and /_+=.@-' },
  // https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html (Name: 1-128, ^[\w\-]+$)
  { key: 'webAcl', what: 'WAF web ACL name', max: 128, pattern: /^[\w-]+$/, patternText: 'letters, digits, hyphens and underscores' },
  { key: 'exportPrefix', what: 'CloudFormation export name prefix', max: 240, pattern: /^[A-Za-z0-9:-]+$/, patternText: 'letters, digits, colons and hyphens' },
];

export interface NameProblem {
  readonly key: string;
  readonly name: string;
  readonly message: string;
  /** What is wrong: a placeholder, too long, too short, or a character AWS refuses. */
  readonly kind: 'placeholder' | 'length' | 'short' | 'pattern';
  readonly limit: NameLimit;
}

/** The problem with one name under one rule, if any (N2, then length, then characters). */
export function checkName(key: string, name: string, rule: NameLimit): NameProblem | undefined {
  const problem = (kind: NameProblem['kind'], message: string): NameProblem => ({ key, name, message, kind, limit: rule });
  if (name.includes('${') || name.includes('Token[')) return problem('placeholder', `${rule.what} '${name}' contains an unresolved placeholder`);
  if (name.length > rule.max) return problem('length', `${rule.what} '${name}' is ${name.length} characters; AWS allows at most ${rule.max}`);
  if (rule.min !== undefined && name.length < rule.min) return problem('short', `${rule.what} '${name}' is shorter than ${rule.min} characters`);
  if (!rule.pattern.test(name)) return problem('pattern', `${rule.what} '${name}' is not allowed: use ${rule.patternText}`);
  return undefined;
}

/**
 * Every ecommerce physical name with the AWS rule it must follow (N1-N7). `unused`: names the environment's
 * stack does not create (the alternate target group of a rolling environment), left unchecked.
 */
export function ecommerceNameChecks(names: PhysicalNames, unused: readonly NameRule['key'][] = []): NameCheck[] {
  const lookup = (key: string): string =>
    key.startsWith('alarms.') ? names.alarms[key.slice(7) as AlarmKey] : (names[key as keyof PhysicalNames] as string);
  const alarm: NameLimit = { what: 'alarm name', max: 255, pattern: /^.+$/, patternText: 'any characters' };
  return [
    ...NAME_RULES.filter((rule) => !unused.includes(rule.key)).map((rule) => ({ key: rule.key, name: lookup(rule.key), limit: nameLimit(rule.key) })),
    ...ALARM_KEYS.map((k) => ({ key: `alarms.${k}`, name: names.alarms[k], limit: alarm })),
  ];
}

/** Checks every physical name against its AWS rule (N1-N7); returns one problem per bad name. */
export function checkNames(names: PhysicalNames): NameProblem[] {
  return checkNameList(ecommerceNameChecks(names));
}

/** What a naming rule limits, without saying which PhysicalNames key it applies to. */
export type NameLimit = Omit<NameRule, 'key'>;

/**
 * The limit of one of NAME_RULES, for names of other presets that are the same kind of thing (a catalog-api
 * target group obeys the ecommerce target group's rule), optionally described differently.
 */
export function nameLimit(key: NameRule['key'], what?: string): NameLimit {
  const rule = NAME_RULES.find((r) => r.key === key);
  if (!rule) throw new Error(`no naming rule for '${key}'`);
  const { key: _key, ...limit } = rule;
  return what ? { ...limit, what } : limit;
}

/** A name of a preset (src/config/presets) and the rule it must follow. */
export interface NameCheck {
  readonly key: string;
  readonly name: string;
  readonly limit: NameLimit;
}

/** Checks for names whose key is also the key of their AWS rule (stack, loadBalancer, kmsAlias ...). */
export function ruleChecks<K extends NameRule['key']>(names: { readonly [P in K]: string }, keys: readonly K[]): NameCheck[] {
  return keys.map((key) => ({ key, name: names[key], limit: nameLimit(key) }));
}

/** The same checks as checkNames, for any list of names: one problem per bad name. */
export function checkNameList(checks: readonly NameCheck[]): NameProblem[] {
  return checks.flatMap((c) => checkName(c.key, c.name, c.limit) ?? []);
}
