/**
 * The AWS API calls a no-change deploy and a dry run make, counted at the SDK mocks (reported for `npm run bench`).
 * A no-change deploy must execute no change set, and creates none either.
 */
import { describe, expect, it } from 'vitest';
import { configFingerprint } from '../../src/release/release.js';
import { releaseRecord, seedLedger } from '../helpers/fake-ssm.js';
import { FakeAws } from './fake-aws.js';
import { deployedWith, tapctl, templateWithImage, type Fixture, useFakeAws } from './setup.js';

let f: Fixture;
let fake: FakeAws;

useFakeAws((fixture, aws) => {
  f = fixture;
  fake = aws;
}, (aws) => aws.deployedAsIs());

describe('AWS API calls', () => {
  it('a no-change deploy: preflight reads, one template read, no change set', async () => {
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const counts = fake.callCounts();
    console.log('no-change deploy:', JSON.stringify(counts));
    expect(counts['CloudFormation.ExecuteChangeSet']).toBeUndefined();
    expect(counts['CloudFormation.CreateChangeSet']).toBeUndefined();
    expect(counts).toEqual({
      'STS.GetCallerIdentity': 1,
      'EC2.DescribeAvailabilityZones': 1,
      // The region's CloudFront prefix list, which the template admits to the load balancer (edge-checks.ts).
      'EC2.DescribeManagedPrefixLists': 1,
      'SSM.GetParameter': 1,
      'SSM.GetParameters': 1,
      'CloudFormation.DescribeStacks': 1,
      'RDS.DescribeDBEngineVersions': 1,
      'CloudFormation.GetTemplate': 1,
    });
  });

  it('image resolution adds at most 3 calls: GetParameters (current, ended), GetParameters (the current release\'s own record) and one DescribeImages; the template is read once', async () => {
    const digest = `sha256:${'7'.repeat(64)}`;
    deployedWith(fake, await templateWithImage(f, { tag: 'v7', digest }));
    // Recorded with the config deployed now: nothing to update in the ledger.
    const release = releaseRecord(7, { configFingerprint: configFingerprint(f.env) });
    seedLedger(fake.parameters, [release], release);
    fake.images = [digest];
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const counts = fake.callCounts();
    console.log('no-change deploy of a release:', JSON.stringify(counts));
    const resolution = (counts['SSM.GetParameters'] ?? 0) + (counts['ECR.DescribeImages'] ?? 0);
    expect(resolution).toBe(3);
    expect(counts).toEqual({
      'STS.GetCallerIdentity': 1,
      'SSM.GetParameter': 1,
      'SSM.GetParameters': 2,
      'ECR.DescribeImages': 1,
      'CloudFormation.DescribeStacks': 1,
      'RDS.DescribeDBEngineVersions': 1,
      'EC2.DescribeAvailabilityZones': 1,
      'EC2.DescribeManagedPrefixLists': 1,
      'CloudFormation.GetTemplate': 1,
    });
  });

  it('a dry run of a deployed stack: the same reads plus a template-only diff', async () => {
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const counts = fake.callCounts();
    console.log('dry run:', JSON.stringify(counts));
    expect(Object.keys(counts).filter((k) => /Create|Execute|Delete|Put|Update/.test(k))).toEqual([]);
  });

  it('a dry run without credentials asks AWS nothing beyond the failed identity call', async () => {
    fake.missingCredentials = true;
    const r = await tapctl(f, ['deploy', '--env', 'dev', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.callCounts()).toEqual({ 'STS.GetCallerIdentity': 1 });
  });
});
