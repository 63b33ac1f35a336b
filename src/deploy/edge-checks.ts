/**
 * The edge's preflight: what only AWS knows about an environment's CloudFront edge, asked before synthesis.
 *
 * - origin: the region's CloudFront origin-facing prefix list. Its ID differs per region and offline synthesis
 *   can only take it from a table; deploy and diff synthesize with the region's own answer (or verify a pinned
 *   origin.prefixListId), and check its real weight (MaxEntries) against the security group quota.
 * - domain: the hosted zone really is the zone the config names (validate checked the name against zoneName,
 *   rule DN1), and public; CloudFront's given certificate is issued and covers the name.
 *
 * A wrong answer is a config error (exit 2) that names the value to write; nothing has changed yet.
 */
import { ConfigError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import type { AwsClients } from '../aws/clients.js';
import { certificate, certificateCovers, hostedZone, managedPrefixList } from '../aws/edge.js';
import { CLOUDFRONT_PREFIX_LIST_NAME } from '../config/cloudfront-prefix-lists.js';
import { domainOf, hasEdge, originOf } from '../config/edge.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { CheckList } from './checks.js';

/** The environment with `origin.prefixListId` set to the region's own CloudFront prefix list. */
export function withPrefixList(env: ResolvedEnvironment, prefixListId: string): ResolvedEnvironment {
  if (env.origin.prefixListId === prefixListId) return env;
  return Object.freeze({ ...env, origin: Object.freeze({ ...env.origin, prefixListId }) }) as ResolvedEnvironment;
}

/**
 * The region's CloudFront prefix list (or the pinned one, verified), checked against the rule quota. Returns the
 * environment to synthesize, and a line for the check list.
 */
export async function resolveOriginPrefixList(env: ResolvedEnvironment, clients: AwsClients): Promise<{ env: ResolvedEnvironment; detail: string }> {
  const pinned = env.origin.prefixListId;
  const list = await managedPrefixList(clients, pinned ? { id: pinned } : { name: CLOUDFRONT_PREFIX_LIST_NAME });
  if (!list) {
    throw new ConfigError(
      pinned
        ? `origin.prefixListId ${quote(pinned)} is not a prefix list of ${env.region}`
        : `${env.region} has no ${CLOUDFRONT_PREFIX_LIST_NAME} prefix list: the load balancer cannot be restricted to CloudFront there`,
      { hint: pinned ? 'remove origin.prefixListId: deploy finds the region\'s own' : 'CloudFront publishes it in every commercial region; check the environment\'s region and endpoint' },
    );
  }
  if (list.name !== CLOUDFRONT_PREFIX_LIST_NAME) {
    throw new ConfigError(`origin.prefixListId ${quote(list.id)} is ${quote(list.name)}, not CloudFront's ${CLOUDFRONT_PREFIX_LIST_NAME}: the load balancer would admit the wrong addresses`, {
      hint: 'remove origin.prefixListId: deploy finds the region\'s own',
    });
  }
  // The quota counts a prefix list reference as its MaxEntries: the documented weight (rule OR1) is checked
  // offline; this is the list's own.
  const plan = originOf(env);
  // An emulator reports no MaxEntries (0): the documented weight then stands.
  const weight = list.maxEntries > 0 ? list.maxEntries : (plan.ingress[0]?.weight ?? 0);
  const needed = plan.ingress.length * weight;
  if (needed > plan.ruleQuota) {
    throw new ConfigError(`the load balancer's security group would need ${needed} rules (${list.id} counts as ${weight} in ${env.region}), above origin.securityGroupRuleQuota ${plan.ruleQuota}`, {
      hint: 'raise "Inbound rules per security group" (Service Quotas, L-0EA8095F) and set origin.securityGroupRuleQuota to it',
    });
  }
  return { env: withPrefixList(env, list.id), detail: `CloudFront only: ${list.id} on port ${plan.port} (${needed} of ${plan.ruleQuota} rules), header ${plan.secretGeneration > 1 ? `generation ${plan.secretGeneration}` : 'generated'}` };
}

/**
 * A given certificate this close to its end is a warning: CloudFront stops serving the name when it expires. 30 days,
 * the window ACM itself uses for expiry events (https://docs.aws.amazon.com/acm/latest/userguide/acm-notifications.html).
 */
export const CERTIFICATE_EXPIRY_WARNING_MS = 30 * 86_400_000;

/** The hosted zone and CloudFront's given certificate, against what the config says. Returns the check line. */
export async function checkDomain(env: ResolvedEnvironment, clients: AwsClients, now = Date.now()): Promise<{ status: 'pass' | 'warn'; detail: string }> {
  const domain = domainOf(env);
  if (!domain) return { status: 'pass', detail: 'no domain: the site is on CloudFront\'s own name' };
  let status: 'pass' | 'warn' = 'pass';
  const said: string[] = [];
  if (domain.zone) {
    const zone = await hostedZone(clients, domain.zone.id);
    if (!zone) throw new ConfigError(`hosted zone ${domain.zone.id} (domain.hostedZoneId) does not exist in account ${env.account}`, { hint: 'aws route53 list-hosted-zones-by-name shows the zones and their IDs' });
    if (zone.name !== domain.zone.name) {
      throw new ConfigError(`hosted zone ${domain.zone.id} is ${zone.name}, not ${domain.zone.name} (domain.zoneName)`, { hint: `set domain.zoneName: ${zone.name}, or the ID of ${domain.zone.name}'s zone` });
    }
    if (zone.privateZone) throw new ConfigError(`hosted zone ${domain.zone.id} (${zone.name}) is private: CloudFront's viewers and ACM's validation need public records`, { hint: 'use the public zone of the name' });
    said.push(`zone ${zone.name}`);
  }
  const source = domain.cloudFrontCertificate;
  if (source?.kind === 'import') {
    const cert = await certificate(clients, source.arn);
    if (!cert) throw new ConfigError(`CloudFront's certificate ${source.arn} (domain.certificateArn) does not exist`, { hint: 'aws acm list-certificates --region us-east-1' });
    // Its names first: a certificate for another name is the wrong one, whatever its state (validating it helps nothing).
    if (!certificateCovers(cert.names, domain.name)) {
      throw new ConfigError(`CloudFront's certificate covers ${cert.names.join(', ')}, not ${domain.name}`, { hint: 'request one for the name and set domain.certificateArn to it' });
    }
    if (cert.status !== 'ISSUED') {
      throw new ConfigError(`CloudFront's certificate for ${domain.name} is ${cert.status}, and CloudFront takes issued certificates only`, {
        hint: cert.status === 'PENDING_VALIDATION' ? 'add the CNAME record ACM asks for to the zone (aws acm describe-certificate --region us-east-1 shows it) and deploy once it is issued' : 'request a new certificate and set domain.certificateArn to it',
      });
    }
    said.push(`certificate issued${cert.notAfter ? ` until ${cert.notAfter.toISOString().slice(0, 10)}` : ''}`);
    const left = cert.notAfter ? cert.notAfter.getTime() - now : undefined;
    if (left !== undefined && left < CERTIFICATE_EXPIRY_WARNING_MS) {
      status = 'warn';
      const days = Math.max(0, Math.floor(left / 86_400_000));
      said.push(
        cert.type === 'IMPORTED'
          ? `it expires in ${days} day${days === 1 ? '' : 's'} and ACM does not renew imported certificates: import a new one and set domain.certificateArn to it`
          : `it expires in ${days} day${days === 1 ? '' : 's'}: ACM renews it only while its validation CNAME is in place (aws acm describe-certificate --region us-east-1 shows the renewal status)`,
      );
    }
  } else if (source?.kind === 'create') {
    said.push('certificates created and validated in the zone');
  }
  return { status, detail: `${domain.name}: ${said.join(', ')}` };
}

/**
 * Both, as check lines; returns the environment deploy synthesizes. Without AWS (a dry run with no credentials)
 * both are skipped and the offline table's prefix list stays.
 */
export async function checkEdge(checks: CheckList, input: { env: ResolvedEnvironment; clients: AwsClients; awsChecked: boolean; skipReason?: string }): Promise<ResolvedEnvironment> {
  const { env, clients } = input;
  if (!hasEdge(env)) return env;
  if (!input.awsChecked) {
    checks.report('skip', 'origin', input.skipReason);
    if (env.domain) checks.report('skip', 'domain', input.skipReason);
    return env;
  }
  let resolved = env;
  await checks.run('origin', async () => {
    const r = await resolveOriginPrefixList(env, clients);
    resolved = r.env;
    checks.report('pass', 'origin', r.detail);
  });
  if (env.domain) {
    await checks.run('domain', async () => {
      const r = await checkDomain(env, clients);
      checks.report(r.status, 'domain', r.detail);
    });
  }
  return resolved;
}
