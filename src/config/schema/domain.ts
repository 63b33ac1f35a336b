/** Schema section `domain`: the environment's own name in front of CloudFront, its certificates and records. */
import { domainToASCII } from 'node:url';
import * as z from 'zod/mini';
import { strict } from './common.js';

/**
 * A lower-case DNS name of two labels or more, without the root dot: labels of letters, digits and inner
 * hyphens, at most 63 characters each, 253 in all (RFC 1035; Route 53 and ACM take the same).
 */
export const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** What is wrong with a name HOST_NAME refuses, said as the limit it breaks (a label's 63, the 253, ASCII). */
export function hostNameProblem(value: string, what: string): string | undefined {
  if (HOST_NAME.test(value)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(value)) {
    const ascii = domainToASCII(value.toLowerCase());
    return `expected ${what} in ASCII: DNS, Route 53 and ACM take an internationalized name in its punycode form${ascii ? ` (${ascii})` : ' (xn--...)'}`;
  }
  if (value.endsWith('.')) return `expected ${what} without the final dot, e.g. shop.example.com`;
  if (value !== value.toLowerCase()) return `expected ${what} in lower case, e.g. ${value.toLowerCase()}`;
  if (value.length > 253) return `expected ${what} of at most 253 characters (RFC 1035), got ${value.length}`;
  const long = value.split('.').find((label) => label.length > 63);
  if (long !== undefined) return `expected ${what} whose labels have at most 63 characters each (RFC 1035): '${long.slice(0, 20)}…' has ${long.length}`;
  if (!value.includes('.')) return `expected ${what} of two labels or more, e.g. shop.example.com`;
  return `expected ${what}: labels of lower-case letters, digits and inner hyphens separated by dots, e.g. shop.example.com`;
}

const hostName = (what: string) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = hostNameProblem(value, what);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    // Editors still get the pattern (a refinement is not representable in JSON Schema).
    z.meta({ pattern: HOST_NAME.source }),
  );

export const DomainSchema = strict({
  // Optional here so that the zone can be shared under defaults: and the name given per environment; an
  // environment whose domain has no name is refused by rule DN4.
  name: z.optional(hostName('a domain name')).register(z.globalRegistry, {
    description:
      'The name the site is served under, e.g. shop.example.com (required in a domain): CloudFront answers for it over HTTPS (HTTP is redirected). ' +
        'With hostedZoneId, tapctl also creates origin.<name> (the load balancer, for CloudFront only) and, with api: true, api.<name>.',
  }),
  hostedZoneId: z.optional(
    z.string().check(
      // Route 53 documents no pattern, only at most 32 characters; its IDs are upper-case letters and digits.
      z.regex(/^[A-Z0-9]{1,32}$/, 'expected a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ (without /hostedzone/)'),
    ),
  ).register(z.globalRegistry, {
    description:
      'Route 53 hosted zone tapctl writes the records to (alias records to CloudFront, the load balancer and API Gateway) and validates ' +
        "the certificates it creates in (DNS validation). Needs zoneName. Without it tapctl creates no record: point the name at CloudFront's " +
        'domain (the CloudFrontURL output) yourself, and give certificateArn.',
  }),
  zoneName: z.optional(hostName('the hosted zone\'s name')).register(z.globalRegistry, {
    description:
      "Name of the hosted zone (e.g. example.com), with hostedZoneId: validate checks that it contains the domain name (rule DN1) and deploy's " +
        'preflight checks that the zone ID really is that zone (Route 53 GetHostedZone).',
  }),
  certificateArn: z.optional(z.string()).register(z.globalRegistry, {
    description:
      "CloudFront's certificate for the name: an ACM certificate in us-east-1 of the environment's account (CloudFront uses no other region). " +
        'Needed outside us-east-1 (tapctl keeps one stack per environment, in its region) and without hostedZoneId; in us-east-1 with ' +
        'hostedZoneId tapctl creates it, DNS-validated.',
  }),
  api: z._default(z.boolean(), false).register(z.globalRegistry, {
    description: 'ecommerce only, with hostedZoneId: serve the REST API as https://api.<name> (an API Gateway custom domain with a regional certificate).',
  }),
});
