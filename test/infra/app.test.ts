import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/infra/app.js';
import { FEATURE_FLAGS } from '../../src/infra/feature-flags.js';
import { TapStack } from '../../src/infra/tap-stack.js';
import { resolvedEnv } from './fixtures.js';

describe('buildApp', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'tapctl-infra-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes offline into the given folder: no lookup left for the toolkit, no version reporting', () => {
    // GIVEN a development environment and an output folder
    const env = resolvedEnv('dev');
    // WHEN
    const { app, stack } = buildApp(env, { outdir });
    const assembly = app.synth();
    // THEN the assembly is complete: no missing context (a Vpc would have asked for availability zones)
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(assembly.directory).toBe(outdir);
    expect(readdirSync(outdir)).toContain(`${env.names.stack}.template.json`);
    expect(stack).toBeInstanceOf(TapStack);
    expect(stack.availabilityZones).toEqual(env.network.availabilityZones);
    // and without version reporting
    expect(JSON.stringify(assembly.getStackArtifact(stack.artifactId).template)).not.toContain('AWS::CDK::Metadata');
    // and without tree.json, which nothing reads (toolkit-lib's deploy and diff run without it: test/deploy)
    expect(readdirSync(outdir)).not.toContain('tree.json');
    expect(assembly.tree()).toBeUndefined();
    // and without a creation stack trace per resource (aws:cdk:creationStack: captured and parsed for each L1,
    // read only by toolkit-lib's diagnose, which tapctl does not run)
    const artifact = assembly.getStackArtifact(stack.artifactId);
    expect(artifact.findMetadataByType('aws:cdk:logicalId').length).toBeGreaterThan(100);
    expect(artifact.findMetadataByType('aws:cdk:creationStack')).toEqual([]);
  });

  it('(the control for the check above) aws-cdk-lib records a creation stack per resource unless told not to', () => {
    const app = new App({ outdir: mkdtempSync(join(outdir, 'control-')), stackTraces: false });
    const stack = new Stack(app, 'Control');
    new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' });
    expect(app.synth().getStackArtifact(stack.artifactId).findMetadataByType('aws:cdk:creationStack')).not.toEqual([]);
  });

  it('uses the configured availability zones', () => {
    const env = resolvedEnv('dev', { network: { availabilityZones: ['us-east-1c', 'us-east-1d'] } });
    const { stack } = buildApp(env);
    expect(stack.network.vpc.availabilityZones).toEqual(['us-east-1c', 'us-east-1d']);
  });

  it('pins its feature flags in the app context', () => {
    const { app } = buildApp(resolvedEnv('dev'));
    for (const [flag, value] of Object.entries(FEATURE_FLAGS)) expect(app.node.tryGetContext(flag)).toBe(value);
  });

  it('uses the default synthesizer unless asked for CLI credentials (failure #21, rule A4)', () => {
    expect(buildApp(resolvedEnv('dev')).stack.synthesizer).toBeInstanceOf(DefaultStackSynthesizer);
    expect(buildApp(resolvedEnv('dev'), { synthesizer: 'cli-credentials' }).stack.synthesizer).toBeInstanceOf(
      CliCredentialsStackSynthesizer,
    );
  });

  it("builds the stack class of the environment's preset (the presets' own tests are in test/presets)", () => {
    expect(buildApp(resolvedEnv('dev')).stack).toBeInstanceOf(TapStack);
    const unknown = { ...resolvedEnv('dev'), preset: 'marketplace' } as unknown as Parameters<typeof buildApp>[0];
    expect(() => buildApp(unknown)).toThrow(/preset 'marketplace', which this tapctl cannot build/);
  });
});
