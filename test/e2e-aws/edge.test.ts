/**
 * The edge's preflight against the emulator: deploy asks Route 53 whether the domain's zone is the one the config
 * names, and EC2 for the region's CloudFront prefix list, before anything changes.
 */
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeAll, expect, it } from 'vitest';
import { e2eSuite, emulator, resetEmulator, Scenario } from './harness.js';

e2eSuite(import.meta.url, 'e2e-aws: the edge', () => {
  let s: Scenario;
  const zones: Record<string, string> = {};

  beforeAll(async () => {
    await resetEmulator();
    s = await Scenario.init();
    expect((await s.tapctl(['bootstrap', '--env', 'dev'])).code).toBe(0);
    const route53 = new Route53Client({ endpoint: emulator().awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    for (const name of ['example.com', 'example.org']) {
      const out = await route53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `tapctl-e2e-${name}` }));
      zones[name] = out.HostedZone!.Id!.replace('/hostedzone/', '');
    }
  });

  /** dev served as shop.example.com in the zone with this ID (the config says it is example.com). */
  const domainIn = (zoneId: string) =>
    s.editConfig((doc) => doc.setIn(['environments', 'dev', 'domain'], doc.createNode({ name: 'shop.example.com', hostedZoneId: zoneId, zoneName: 'example.com' })));

  it('refuses a zone ID that is another zone (exit 2), before anything is created', async () => {
    domainIn(zones['example.org']!);
    const r = await s.tapctl(['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain(`hosted zone ${zones['example.org']} is example.org, not example.com (domain.zoneName)`);
    expect(await s.aws.stackNames()).toEqual(['CDKToolkit']);
  });

  it('passes with the zone the config names, and synthesizes with the region\'s own CloudFront prefix list', async () => {
    domainIn(zones['example.com']!);
    const r = await s.tapctl(['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/✔ domain {2}shop.example.com: zone example.com, certificates created and validated in the zone/);
    // The emulator's list has an ID of its own, unlike any in tapctl's offline table.
    expect(r.stderr).toContain(`✔ origin  CloudFront only: ${await s.aws.cloudFrontPrefixListId()} on port 443 (55 of 60 rules)`);
  });
});
