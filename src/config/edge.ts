/**
 * What an environment's edge is made of, decided once from its settings: its domain and where each certificate
 * comes from, its web ACL, and how the load balancer admits CloudFront and nothing else. The stacks build this
 * plan, the rules check it and deploy's preflight resolves its prefix list; none of them decides it again.
 *
 * Two choices shape it (README "Domain, HTTPS and the origin"):
 * - CloudFront takes certificates and web ACLs from us-east-1 only. tapctl keeps one stack per environment, in
 *   the environment's region, so outside us-east-1 they are inputs (domain.certificateArn, waf.webAclArn), not
 *   resources of a second stack.
 * - The load balancer stays internet-facing and admits CloudFront's origin-facing prefix list only; a secret
 *   header that CloudFront adds and the listener checks tells this distribution from any other CloudFront one.
 */
import { CLOUDFRONT_PREFIX_LIST_WEIGHT, CLOUDFRONT_PREFIX_LISTS, UNRESOLVED_PREFIX_LIST } from './cloudfront-prefix-lists.js';
import type { ResolvedEnvironment } from './resolve.js';
import type { Preset } from './schema.js';
import { DEFAULT_MANAGED_RULES } from './waf-rule-groups.js';

/** The one region CloudFront reads certificates and web ACLs from. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** The header CloudFront adds to every request to the load balancer; its value is in Secrets Manager. */
export const ORIGIN_HEADER = 'X-Origin-Verify';

/** Presets with a CloudFront distribution in front of a load balancer. */
export const EDGE_PRESETS: readonly Preset[] = ['ecommerce', 'catalog-api'];

export const hasEdge = (env: Pick<ResolvedEnvironment, 'preset'>): boolean => EDGE_PRESETS.includes(env.preset);

export type CertificateSource = { readonly kind: 'create' } | { readonly kind: 'import'; readonly arn: string };

export interface DomainPlan {
  readonly name: string;
  /** The Route 53 zone tapctl writes records to; none when the user points DNS at CloudFront. */
  readonly zone?: { readonly id: string; readonly name: string };
  /** CloudFront's certificate (us-east-1); undefined when there is none to be had (rule DN3 refuses that). */
  readonly cloudFrontCertificate?: CertificateSource;
  /**
   * `origin.<name>`: the name CloudFront reaches the load balancer by, over HTTPS, with a certificate of the
   * environment's region (only with a zone: the certificate is validated there, and CloudFront checks the origin's
   * certificate against this name, which the load balancer's own *.elb.amazonaws.com name could never match).
   */
  readonly originName?: string;
  /** `api.<name>`: the REST API's custom domain (ecommerce, domain.api). */
  readonly apiName?: string;
}

export type WebAclPlan =
  | { readonly kind: 'create'; readonly managedRules: readonly string[] }
  | { readonly kind: 'import'; readonly arn: string }
  /** `off`: turned off (or never on outside production); `region`: on, but nothing can make one here. */
  | { readonly kind: 'none'; readonly reason: 'off' | 'region' };

/** One inbound rule of the load balancer's security group and its weight in the rule quota. */
export interface IngressRule {
  readonly port: number;
  readonly weight: number;
  readonly description: string;
}

export interface OriginPlan {
  /** How CloudFront talks to the load balancer: HTTPS when the load balancer has a certificate. */
  readonly protocol: 'https' | 'http';
  readonly port: 443 | 80;
  readonly secretGeneration: number;
  /** Generations whose value the listener accepts: the current one, and the previous one while CloudFront rolls out. */
  readonly acceptedGenerations: readonly number[];
  /** The region's CloudFront prefix list: as deploy resolved it (or the config pins it), else from the table. */
  readonly prefixListId: string;
  /** The security group's inbound rules, all from the prefix list. */
  readonly ingress: readonly IngressRule[];
  readonly ruleQuota: number;
}

export interface EdgePlan {
  readonly domain?: DomainPlan;
  readonly webAcl: WebAclPlan;
  readonly origin: OriginPlan;
}

export function domainOf(env: ResolvedEnvironment): DomainPlan | undefined {
  const d = env.domain;
  if (!d?.name) return undefined;
  const zone = d.hostedZoneId && d.zoneName ? { id: d.hostedZoneId, name: d.zoneName } : undefined;
  const cloudFrontCertificate: CertificateSource | undefined = d.certificateArn
    ? { kind: 'import', arn: d.certificateArn }
    : zone && env.region === CLOUDFRONT_REGION
      ? { kind: 'create' }
      : undefined;
  return {
    name: d.name,
    ...(zone ? { zone, originName: `origin.${d.name}` } : {}),
    ...(cloudFrontCertificate ? { cloudFrontCertificate } : {}),
    ...(zone && d.api && env.preset === 'ecommerce' ? { apiName: `api.${d.name}` } : {}),
  };
}

/** True when the config asks for a web ACL in so many words (not only by being production). */
export const webAclAsked = (env: ResolvedEnvironment): boolean => env.waf.enabled === true || env.waf.managedRules !== undefined || env.waf.webAclArn !== undefined;

export function webAclOf(env: ResolvedEnvironment): WebAclPlan {
  const w = env.waf;
  const on = w.enabled ?? (env.kind === 'production' || webAclAsked(env));
  if (!on) return { kind: 'none', reason: 'off' };
  if (w.webAclArn) return { kind: 'import', arn: w.webAclArn };
  if (env.region !== CLOUDFRONT_REGION) return { kind: 'none', reason: 'region' };
  return { kind: 'create', managedRules: w.managedRules ?? DEFAULT_MANAGED_RULES };
}

export function originOf(env: ResolvedEnvironment): OriginPlan {
  const https = domainOf(env)?.originName !== undefined;
  const port = https ? 443 : 80;
  const generation = env.origin.secretGeneration;
  return {
    protocol: https ? 'https' : 'http',
    port,
    secretGeneration: generation,
    acceptedGenerations: generation > 1 ? [generation, generation - 1] : [generation],
    prefixListId: env.origin.prefixListId ?? CLOUDFRONT_PREFIX_LISTS[env.region] ?? UNRESOLVED_PREFIX_LIST,
    ingress: [{ port, weight: CLOUDFRONT_PREFIX_LIST_WEIGHT, description: `${https ? 'HTTPS' : 'HTTP'} from CloudFront only (origin-facing prefix list)` }],
    ruleQuota: env.origin.securityGroupRuleQuota,
  };
}

export function edgeOf(env: ResolvedEnvironment): EdgePlan {
  const domain = domainOf(env);
  return { ...(domain ? { domain } : {}), webAcl: webAclOf(env), origin: originOf(env) };
}

/** The parts of an ARN (`arn:partition:service:region:account:resource`), or undefined for anything else. */
export function parseArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const m = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, service, region, account, resource] = m as unknown as [string, string, string, string, string, string];
  return { partition, service, region, account, resource };
}
