/**
 * What `tapctl init --preset <p>` writes must validate without an issue, synthesize for every environment kind,
 * and pass cdk-nag's AwsSolutions pack (suppressions live in the constructs, each with its reason).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedEnvironment } from '../../src/config/resolve.js';
import { buildApp } from '../../src/infra/app.js';
import { CatalogApiStack } from '../../src/infra/presets/catalog-api-stack.js';
import { RdsPostgresStack } from '../../src/infra/presets/rds-postgres-stack.js';
import { scaffold } from '../../src/init/scaffold.js';
import { nagErrors, presetEnv } from './fixtures.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The environments of a freshly scaffolded project of `preset` (dev, staging, prod in eu-north-1). */
function scaffolded(preset: 'catalog-api' | 'rds-postgres', engine: 'aurora-postgresql' | 'aurora-mysql' = 'aurora-postgresql') {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-preset-'));
  dirs.push(dir);
  const environments = [
    { name: 'dev', kind: 'development' as const, account: '111111111111', region: 'eu-north-1' },
    { name: 'staging', kind: 'staging' as const, account: '111111111111', region: 'eu-north-1' },
    { name: 'prod', kind: 'production' as const, account: '222222222222', region: 'eu-north-1' },
  ];
  // Fargate Spot (catalog-api) runs x86_64 only (rule CS3); rds-postgres has no service, so arm64 changes nothing.
  scaffold({ project: 'cat', preset, environments, email: 'ops@cat.test', engine, architecture: preset === 'catalog-api' ? 'x86_64' : 'arm64', port: 3000 }, { dir, force: false });
  return loadConfig(join(dir, 'tapctl.config.yaml'));
}

const byName = (envs: readonly ResolvedEnvironment[], name: string) => envs.find((e) => e.name === name)!;

describe.each(['catalog-api', 'rds-postgres'] as const)('init --preset %s', (preset) => {
  const loaded = scaffolded(preset);

  it('writes a config that validates with no error, and no warning but the web ACL production needs outside us-east-1', () => {
    expect(loaded.errors).toEqual([]);
    // eu-north-1: CloudFront's web ACL is an input there (README), which no scaffold can invent.
    expect(loaded.warnings.map((w) => `${w.rule} ${w.path}`)).toEqual(preset === 'catalog-api' ? ['WF4 environments.prod.waf.enabled'] : []);
    expect(loaded.environments.map((e) => e.preset)).toEqual([preset, preset, preset]);
  });

  it.each(['dev', 'staging', 'prod'])('%s synthesizes offline into the preset stack, cdk-nag clean', (name) => {
    const env = byName(loaded.environments, name);
    const { app, stack } = buildApp(env);
    expect(stack).toBeInstanceOf(preset === 'catalog-api' ? CatalogApiStack : RdsPostgresStack);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
    expect(nagErrors(env)).toEqual([]);
  });
});

describe('what the templates choose per kind', () => {
  it('catalog-api: development small and on Spot, production with an on-demand base and a memory-optimized database', () => {
    const envs = scaffolded('catalog-api').environments;
    expect(byName(envs, 'dev')).toMatchObject({ network: { natGateways: 1 }, database: { readers: 0 }, catalog: { onDemandBase: 0 } });
    expect(byName(envs, 'prod')).toMatchObject({ database: { readers: 1 }, catalog: { onDemandBase: 2, dbInstanceClass: 'db.r6g.large' }, protection: { retainData: true } });
  });

  it('rds-postgres: development a single small primary; staging and production two replicas over three zones', () => {
    const envs = scaffolded('rds-postgres').environments;
    expect(byName(envs, 'dev')).toMatchObject({ network: { availabilityZones: ['eu-north-1a', 'eu-north-1b'] }, postgres: { instanceClass: 'db.t4g.medium', readReplicas: 0 } });
    for (const name of ['staging', 'prod']) {
      expect(byName(envs, name)).toMatchObject({ network: { availabilityZones: ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'] }, postgres: { instanceClass: 'db.r6g.large', readReplicas: 2 } });
    }
  });
});

describe('cdk-nag AwsSolutions on the variants the config allows', () => {
  it.each([
    ['catalog-api', 'dev', { catalog: { egress: 'endpoints' }, database: { engine: 'aurora-mysql' } }],
    ['catalog-api', 'prod', { catalog: { onDemandBase: 2 } }],
    ['rds-postgres', 'prod', { network: { maxAzs: 3 }, postgres: { readReplicas: 2, multiAz: true, monitoringIntervalSeconds: 0 } }],
  ] as const)('%s %s %o has no unsuppressed errors', (preset, name, overrides) => {
    expect(nagErrors(presetEnv(preset, name, overrides as Record<string, unknown>))).toEqual([]);
  });
});
