/**
 * The environment's own domain: its name and the state of each certificate (ACM DescribeCertificate, asked in the
 * certificate's own region: CloudFront's in us-east-1). The name and the ARNs come from the stack outputs
 * (DomainURL, *CertificateArn), never from the config: a domain whose deploy rolled back is not served, and status
 * says "configured, not deployed" rather than showing it. One call per certificate; nothing without a domain.
 */
import { domainOf } from '../../config/edge.js';
import { NO_DOMAIN, type CertificateInfo, type DomainInfo, type Section } from '../schema.js';
import { absent, callOptions, iso, isNotFound, ok, sectionError, type SectionContext } from './section.js';
import { loadSdk } from '../../aws/sdk.js';

/** Which certificate each output holds, and what it is for. */
const CERTIFICATE_OUTPUTS: ReadonlyArray<[CertificateInfo['for'], string]> = [
  ['cloudfront', 'CloudFrontCertificateArn'],
  ['origin', 'OriginCertificateArn'],
  ['api', 'ApiCertificateArn'],
];

export async function readDomain(c: SectionContext): Promise<Section<DomainInfo>> {
  const plan = domainOf(c.env);
  const served = hostOf(c.outputs['DomainURL']);
  if (!served) {
    if (!plan) return absent(NO_DOMAIN);
    return absent(`${plan.name} is configured but not deployed: the stack has no DomainURL output (run tapctl deploy; a deploy that rolled back leaves none)`);
  }
  const wanted = CERTIFICATE_OUTPUTS.flatMap(([role, output]) => (c.outputs[output] ? [{ role, arn: c.outputs[output]! }] : []));
  const what = `reading the certificates of ${served}`;
  try {
    const { DescribeCertificateCommand } = await loadSdk('@aws-sdk/client-acm');
    const certificates = await Promise.all(
      wanted.map(async ({ role, arn }): Promise<CertificateInfo> => {
        const region = arn.split(':')[3] ?? c.env.region;
        try {
          const acm = await c.clients.inRegion(region).acm();
          const cert = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }), callOptions(c.signal))).Certificate;
          return { for: role, name: cert?.DomainName ?? null, arn, region, status: cert?.Status ?? 'UNKNOWN', notAfter: iso(cert?.NotAfter), inUse: (cert?.InUseBy ?? []).length > 0 };
        } catch (e) {
          if (isNotFound(e, 'ResourceNotFoundException')) return { for: role, name: null, arn, region, status: 'NOT_FOUND', notAfter: null, inUse: false };
          throw e;
        }
      }),
    );
    // The zone is a config fact: shown only while the config still names the domain the stack serves.
    const zone = plan && plan.name === served ? (plan.zone?.name ?? null) : null;
    return ok({ name: served, url: `https://${served}`, zone, certificates });
  } catch (e) {
    return sectionError(e, what, c.signal);
  }
}

/** `https://shop.example.com` -> `shop.example.com`; undefined for a missing or unreadable output. */
function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
