/**
 * What deploy asks AWS about an environment's edge before it synthesizes: the region's CloudFront prefix list,
 * the domain's hosted zone and CloudFront's certificate. Thin and testable: each returns what AWS said.
 */
import type { AwsClients } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface ManagedPrefixList {
  readonly id: string;
  readonly name: string;
  /** What a rule referencing it counts for in a security group's rule quota. */
  readonly maxEntries: number;
}

/**
 * The managed prefix list of the region with this name, or by this ID (both given: the ID, and its name is
 * returned for the caller to compare). undefined when there is none.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeManagedPrefixLists.html
 */
export async function managedPrefixList(clients: AwsClients, query: { name: string } | { id: string }): Promise<ManagedPrefixList | undefined> {
  const { DescribeManagedPrefixListsCommand } = await loadSdk('@aws-sdk/client-ec2');
  const ec2 = await clients.ec2();
  const what = 'id' in query ? `reading prefix list ${query.id}` : `looking up the prefix list ${query.name}`;
  try {
    const out = await ec2.send(
      new DescribeManagedPrefixListsCommand('id' in query ? { PrefixListIds: [query.id] } : { Filters: [{ Name: 'prefix-list-name', Values: [query.name] }] }),
    );
    const list = out.PrefixLists?.[0];
    if (!list?.PrefixListId) return undefined;
    return { id: list.PrefixListId, name: list.PrefixListName ?? '', maxEntries: list.MaxEntries ?? 0 };
  } catch (e) {
    if (/InvalidPrefixListID/.test(awsErrorName(e))) return undefined;
    throw explainAwsError(e, what);
  }
}

export interface HostedZone {
  /** Without the final dot. */
  readonly name: string;
  readonly privateZone: boolean;
}

/** The hosted zone with this ID, or undefined. https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html */
export async function hostedZone(clients: AwsClients, id: string): Promise<HostedZone | undefined> {
  const { GetHostedZoneCommand } = await loadSdk('@aws-sdk/client-route-53');
  try {
    const out = await (await clients.route53()).send(new GetHostedZoneCommand({ Id: id }));
    return { name: (out.HostedZone?.Name ?? '').replace(/\.$/, ''), privateZone: out.HostedZone?.Config?.PrivateZone ?? false };
  } catch (e) {
    if (awsErrorName(e) === 'NoSuchHostedZone' || awsErrorName(e) === 'InvalidInput') return undefined;
    throw explainAwsError(e, `reading hosted zone ${id}`);
  }
}

export interface CertificateState {
  /** ISSUED, PENDING_VALIDATION, EXPIRED, REVOKED, FAILED, INACTIVE, VALIDATION_TIMED_OUT. */
  readonly status: string;
  /** The names it covers: its domain name and subject alternative names. */
  readonly names: readonly string[];
  readonly notAfter?: Date;
  /** IMPORTED (ACM never renews it) or AMAZON_ISSUED (renewed while its validation holds). */
  readonly type?: string;
}

/**
 * An ACM certificate, asked of its own region (the ARN says which), or undefined when there is none.
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_DescribeCertificate.html
 */
export async function certificate(clients: AwsClients, arn: string): Promise<CertificateState | undefined> {
  const { DescribeCertificateCommand } = await loadSdk('@aws-sdk/client-acm');
  const region = arn.split(':')[3] ?? clients.target.region;
  try {
    const out = await (await clients.inRegion(region).acm()).send(new DescribeCertificateCommand({ CertificateArn: arn }));
    const c = out.Certificate;
    if (!c) return undefined;
    const names = [...new Set([c.DomainName ?? '', ...(c.SubjectAlternativeNames ?? [])].filter(Boolean))];
    return { status: c.Status ?? 'UNKNOWN', names, ...(c.NotAfter ? { notAfter: c.NotAfter } : {}), ...(c.Type ? { type: c.Type } : {}) };
  } catch (e) {
    if (awsErrorName(e) === 'ResourceNotFoundException') return undefined;
    throw explainAwsError(e, `reading certificate ${arn}`);
  }
}

/** Whether a certificate for `names` serves `host` (a wildcard covers one label: *.example.com covers shop.example.com). */
export function certificateCovers(names: readonly string[], host: string): boolean {
  return names.some((n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes('.')));
}
