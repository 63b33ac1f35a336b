/**
 * The edge's preflight (src/deploy/edge-checks.ts), on the real synthesized stack against the faked AWS: the
 * region's CloudFront prefix list goes into the template deploy synthesizes, a pinned one is verified, and the
 * domain's zone and CloudFront's given certificate are what the config says. Each refusal is exit 2, before
 * anything changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleConfig } from '../helpers/project.js';
import { FakeAws } from './fake-aws.js';
import { aimFake, synthesizedProject, tapctl, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;
useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
});

/** The template the last deploy or diff synthesized, from the project's cloud assembly. */
function synthesizedTemplate(g: Fixture): Record<string, any> {
  const dir = join(g.project.dir, '.tapctl', g.env.name, 'cdk.out');
  const file = readdirSync(dir).find((n) => n.endsWith('.template.json'))!;
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

const albIngress = (template: Record<string, any>) =>
  Object.values(template.Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroup' && r.Properties.GroupDescription === 'Security group for Application Load Balancer')
    .flatMap((r) => r.Properties.SecurityGroupIngress ?? []);

const others: Fixture[] = [];
afterEach(() => others.splice(0).forEach((g) => g.project.cleanup()));

/** Another project, `dev` configured with `settings`, and the fake aimed at it. */
async function project(settings: Record<string, unknown>): Promise<Fixture> {
  const g = await synthesizedProject(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', network: { natGateways: 1 }, ...settings } } }));
  others.push(g);
  aimFake(fake, g);
  return g;
}

const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' };
const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('the CloudFront prefix list', () => {
  it('is asked of the region and put in the template deploy synthesizes, whatever the offline table says', async () => {
    // GIVEN a region whose list has another ID than tapctl's table
    fake.cloudFrontPrefixList = { id: 'pl-0a1b2c3d4e5f60718', maxEntries: 55 };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ origin {2}CloudFront only: pl-0a1b2c3d4e5f60718 on port 80 \(55 of 60 rules\)/);
    expect(albIngress(synthesizedTemplate(f))).toEqual([expect.objectContaining({ SourcePrefixListId: 'pl-0a1b2c3d4e5f60718', FromPort: 80 })]);
    expect(fake.calls('DescribeManagedPrefixLists')).toBe(1);
  });

  it('a pinned ID the region does not have is refused (exit 2)', async () => {
    const g = await project({ origin: { prefixListId: 'pl-0badbad0' } });
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ origin {2}origin.prefixListId 'pl-0badbad0' is not a prefix list of us-east-1/);
  });

  it("the list's own weight is checked against the quota: a list that grew beyond it is refused (exit 2)", async () => {
    fake.cloudFrontPrefixList = { id: 'pl-3b927c52', maxEntries: 70 };
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would need 70 rules \(pl-3b927c52 counts as 70 in us-east-1\), above origin.securityGroupRuleQuota 60/);
  });

  it('without credentials a dry run skips it and synthesizes with the table\'s ID', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/– origin {2}no credentials/);
    expect(albIngress(synthesizedTemplate(f))).toEqual([expect.objectContaining({ SourcePrefixListId: 'pl-3b927c52' })]);
  });

  it('diff compares the template deploy would make: with the region\'s list', async () => {
    fake.deployedAsIs();
    fake.cloudFrontPrefixList = { id: 'pl-0a1b2c3d4e5f60718', maxEntries: 55 };
    const r = await tapctl(f, ['diff', '--env', 'dev', '--template-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.calls('DescribeManagedPrefixLists')).toBe(1);
    expect(albIngress(synthesizedTemplate(f))).toEqual([expect.objectContaining({ SourcePrefixListId: 'pl-0a1b2c3d4e5f60718' })]);
  });
});

describe('the domain', () => {
  it('passes with the zone the config names and creates its certificates there', async () => {
    const g = await project({ domain: { name: 'shop.example.com', ...ZONE } });
    fake.hostedZones = { [ZONE.hostedZoneId]: { name: 'example.com' } };
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ domain {2}shop.example.com: zone example.com, certificates created and validated in the zone/);
  });

  it.each([
    ['a zone ID of another zone', { [ZONE.hostedZoneId]: { name: 'example.org' } }, /hosted zone Z0123456789ABCDEFGHIJ is example.org, not example.com \(domain.zoneName\)/],
    ['a zone ID that does not exist', {}, /hosted zone Z0123456789ABCDEFGHIJ \(domain.hostedZoneId\) does not exist in account 111111111111/],
    ['a private zone', { [ZONE.hostedZoneId]: { name: 'example.com', privateZone: true } }, /is private: CloudFront's viewers and ACM's validation need public records/],
  ])('refuses %s (exit 2)', async (_what, zones, message) => {
    const g = await project({ domain: { name: 'shop.example.com', ...ZONE } });
    fake.hostedZones = zones;
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['issued and covering the name (a wildcard)', { status: 'ISSUED', names: ['*.example.com'] }, 0, /✔ domain {2}shop.example.com: certificate issued/],
    ['pending validation', { status: 'PENDING_VALIDATION', names: ['shop.example.com'] }, 2, /CloudFront's certificate for shop.example.com is PENDING_VALIDATION[\s\S]*add the CNAME record ACM asks for/],
    ['for another name', { status: 'ISSUED', names: ['www.example.com'] }, 2, /CloudFront's certificate covers www.example.com, not shop.example.com/],
    // Its names before its state: validating a certificate for another name helps nothing (qa3 P3 #3).
    ['pending, for another name', { status: 'PENDING_VALIDATION', names: ['unrelated.example.net'] }, 2, /CloudFront's certificate covers unrelated.example.net, not shop.example.com/],
    // ACM never renews an imported certificate: near its end it is a warning, not a ✔ (qa3 P3 #4).
    ['imported, expiring tomorrow', { status: 'ISSUED', names: ['shop.example.com'], type: 'IMPORTED' as const, notAfter: new Date(Date.now() + 36 * 3_600_000) }, 0, /! domain {2}shop.example.com: certificate issued until .*, it expires in 1 day and ACM does not renew imported certificates/],
    ['issued by ACM, with a year left', { status: 'ISSUED', names: ['shop.example.com'], type: 'AMAZON_ISSUED' as const, notAfter: new Date(Date.now() + 365 * 86_400_000) }, 0, /✔ domain {2}shop.example.com: certificate issued until \d{4}-\d\d-\d\d\n/],
  ])("CloudFront's given certificate %s", async (_what, cert, code, message) => {
    const g = await project({ domain: { name: 'shop.example.com', certificateArn: CERT } });
    fake.certificates = { [CERT]: cert };
    const r = await tapctl(g, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
  });
});
