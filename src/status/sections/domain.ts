/**
 * The environment's own domain: its name and the state of each certificate (ACM DescribeCertificate, asked in the
 * certificate's own region: CloudFront's in us-east-1). The ARNs come from the stack outputs, so this is one
 * call per certificate and nothing when the environment has no domain.
 */
import { domainOf } from '../../config/edge.js';
import type { CertificateInfo, DomainInfo, Section } from '../schema.js';
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
  if (!plan) return absent('no domain: the site is on CloudFront\'s own name (config domain:)');
  const wanted = CERTIFICATE_OUTPUTS.flatMap(([role, output]) => (c.outputs[output] ? [{ role, arn: c.outputs[output]! }] : []));
  const what = `reading the certificates of ${plan.name}`;
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
    return ok({ name: plan.name, url: `https://${plan.name}`, zone: plan.zone?.name ?? null, certificates });
  } catch (e) {
    return sectionError(e, what, c.signal);
  }
}
