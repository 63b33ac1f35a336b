/**
 * The config rules of the catalog-api and rds-postgres presets, through the loader `tapctl validate` uses: each
 * mistake produces the located issue a user needs, with its rule ID and severity.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

const ACCOUNT = '111111111111';
type Preset = 'catalog-api' | 'rds-postgres' | 'ecommerce';

/** A one-environment config of `preset`; rds-postgres gets three zones, as its template writes. */
function load(preset: Preset, settings: Record<string, unknown> = {}, env: { name?: string; kind?: string; suffix?: string; project?: string } = {}) {
  const network = preset === 'rds-postgres' ? { network: { maxAzs: 3, natGateways: 1 } } : { network: { natGateways: 1 } };
  const name = env.name ?? 'dev';
  project = tempProject({
    project: env.project ?? 'shop',
    preset,
    defaults: { alarms: { email: 'ops@shop.test' } },
    environments: {
      [name]: { account: ACCOUNT, region: 'eu-north-1', ...(env.kind ? { kind: env.kind } : {}), ...(env.suffix ? { suffix: env.suffix } : {}), ...network, ...settings },
    },
  });
  return loadConfig(project.configPath);
}

const issues = (loaded: ReturnType<typeof load>): ConfigIssue[] => [...loaded.errors, ...loaded.warnings];
const one = (loaded: ReturnType<typeof load>, rule: string) => issues(loaded).filter((i) => i.rule === rule);

describe('rules shared by the presets', () => {
  it('a clean config of each preset has no issue', () => {
    for (const preset of ['catalog-api', 'rds-postgres'] as const) {
      const loaded = load(preset, preset === 'catalog-api' ? { database: { readers: 0 } } : {});
      expect(issues(loaded), preset).toEqual([]);
    }
  });

  it('X1: a setting the preset does not read is a warning that says what it reads instead', () => {
    // (database.version 16.4 would be its default and go unnoticed, which is harmless: it changes nothing)
    const pg = load('rds-postgres', { database: { version: '17.5', readers: 3 }, container: { cpu: 2048, memory: 4096 } });
    expect(pg.errors).toEqual([]);
    expect(one(pg, 'X1').map((i) => [i.path, i.message, i.hint]).sort()).toEqual([
      ['environments.dev.container.cpu', 'container.cpu does not apply to the rds-postgres preset and is ignored', 'remove it, or see docs/presets.md for the settings rds-postgres reads'],
      ['environments.dev.container.memory', 'container.memory does not apply to the rds-postgres preset and is ignored', 'remove it, or see docs/presets.md for the settings rds-postgres reads'],
      ['environments.dev.database.readers', 'database.readers does not apply to the rds-postgres preset and is ignored', 'the rds-postgres preset reads postgres.readReplicas instead'],
      ['environments.dev.database.version', 'database.version does not apply to the rds-postgres preset and is ignored', 'the rds-postgres preset reads postgres.version instead'],
    ]);
    expect(one(load('catalog-api', { database: { readers: 0, maxCapacity: 8 } }), 'X1')).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'environments.dev.database.maxCapacity', hint: 'the catalog-api preset reads catalog.dbInstanceClass instead' }),
    ]);
    expect(one(load('ecommerce', { postgres: { readReplicas: 2 } }), 'X1')).toEqual([expect.objectContaining({ path: 'environments.dev.postgres.readReplicas' })]);
  });

  it('N4: a catalog-api suffix longer than 16 characters overflows catalog-api-alb-<suffix>, and the hint says so', () => {
    expect(one(load('catalog-api', { database: { readers: 0 } }, { project: 'catalog-api', suffix: 'feature-search16' }), 'N4')).toEqual([]);
    const long = load('catalog-api', { database: { readers: 0 } }, { project: 'catalog-api', suffix: 'feature-search-17' });
    expect(one(long, 'N4')[0]).toMatchObject({
      severity: 'error',
      path: 'environments.dev.suffix',
      message: "load balancer name 'catalog-api-alb-feature-search-17' is 33 characters; AWS allows at most 32",
      hint: "with project 'catalog-api' the suffix may be at most 16 characters here: shorten environments.dev.suffix, or use only lower-case letters, digits and hyphens",
    });
  });
});

describe('CS3: Fargate Spot runs x86_64 only', () => {
  it('catalog-api with arm64 tasks is an error at container.architecture; ecommerce (on-demand Fargate) may run arm64', () => {
    expect(one(load('catalog-api', { database: { readers: 0 }, container: { architecture: 'arm64' } }), 'CS3')).toEqual([
      expect.objectContaining({ severity: 'error', path: 'environments.dev.container.architecture', message: expect.stringMatching(/^Fargate Spot runs x86_64 tasks only/) }),
    ]);
    expect(one(load('catalog-api', { database: { readers: 0 } }), 'CS3')).toEqual([]);
    expect(one(load('ecommerce', { container: { architecture: 'arm64' } }), 'CS3')).toEqual([]);
  });
});

describe('catalog-api rules (presets.md a.13 on the config)', () => {
  it('resolves the spec values as the preset defaults: catalogdb, CPU 70 %, cooldowns 300/60, logs 30 days', () => {
    const [env] = load('catalog-api').environments;
    expect(env.database.name).toBe('catalogdb');
    expect(env.container).toMatchObject({ cpuTargetPercent: 70, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 });
    expect(env.storage.logsExpireDays).toBe(30);
    expect(env.alarms.ecsCpuPercent).toBe(85);
  });

  it('CA1: a suffix naming another kind of environment is an error', () => {
    expect(one(load('catalog-api', { database: { readers: 0 } }, { suffix: 'prod-copy' }), 'CA1')).toEqual([
      expect.objectContaining({ severity: 'error', message: "suffix 'prod-copy' names a production environment, but dev is development: every resource name would say so" }),
    ]);
  });

  it('CA3: outside production anything that survives a teardown is an error (not the L1 warning)', () => {
    const loaded = load('catalog-api', { database: { readers: 0 }, protection: { retainData: true, deletionProtection: true } }, { name: 'staging' });
    expect(one(loaded, 'CA3').map((i) => [i.severity, i.path]).sort()).toEqual([
      ['error', 'environments.staging.protection.deletionProtection'],
      ['error', 'environments.staging.protection.retainData'],
    ]);
    expect(one(loaded, 'L1')).toEqual([]);
  });

  it('CA4: expensive settings in development are warnings only', () => {
    const loaded = load('catalog-api', { network: { natGateways: 2 }, catalog: { dbInstanceClass: 'db.r6g.large' } });
    expect(loaded.errors).toEqual([]);
    expect(one(loaded, 'CA4').map((i) => i.path).sort()).toEqual(['environments.dev.catalog.dbInstanceClass', 'environments.dev.database.readers', 'environments.dev.network.natGateways']);
  });

  it('CS1/CS2: the instance class is checked, and production on Spot or burstable classes only warns', () => {
    expect(one(load('catalog-api', { database: { readers: 0 }, catalog: { dbInstanceClass: 'r6g.large' } }), 'CS1')[0]).toMatchObject({ severity: 'error', message: "'r6g.large' is not an RDS instance class" });
    const prod = load('catalog-api', {}, { name: 'prod' });
    expect(one(prod, 'CS2')).toEqual([expect.objectContaining({ severity: 'warning', path: 'environments.prod.catalog.onDemandBase' })]);
    expect(one(prod, 'CS1')).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/db.t3.medium is burstable/) })]);
  });
});

describe('rds-postgres rules', () => {
  it('PG1: 14.7 is refused as the spec recorded it failing; unknown versions list the real ones; 13 warns', () => {
    expect(one(load('rds-postgres', { postgres: { version: '14.7' } }), 'PG1')).toEqual([
      expect.objectContaining({ severity: 'error', path: 'environments.dev.postgres.version', message: expect.stringMatching(/14.7 is recorded as failing.*#18/), hint: 'use 17.5' }),
    ]);
    expect(one(load('rds-postgres', { postgres: { version: '17.99' } }), 'PG1')[0]).toMatchObject({ severity: 'error', hint: expect.stringMatching(/^versions of 17: 17.1, .* 17.9$/) });
    expect(one(load('rds-postgres', { postgres: { version: '12.22' } }), 'PG1')[0]).toMatchObject({ severity: 'error', message: expect.stringMatching(/retired/) });
    expect(one(load('rds-postgres', { postgres: { version: '13.20' } }), 'PG1')[0]).toMatchObject({ severity: 'warning' });
  });

  it("PG2: memory parameters as unit strings are refused with the number in the engine's unit", () => {
    const loaded = load('rds-postgres', { postgres: { parameters: { shared_buffers: '1GB', maintenance_work_mem: '256MB', work_mem: '4.5' } } });
    expect(one(loaded, 'PG2').map((i) => [i.path, i.message, i.hint]).sort()).toEqual([
      ['environments.dev.postgres.parameters.maintenance_work_mem', "maintenance_work_mem '256MB' is a unit string; RDS for PostgreSQL takes an integer in kB", 'write maintenance_work_mem: 262144'],
      ['environments.dev.postgres.parameters.shared_buffers', "shared_buffers '1GB' is a unit string; RDS for PostgreSQL takes an integer in 8 kB pages", 'write shared_buffers: 131072'],
      ['environments.dev.postgres.parameters.work_mem', "work_mem '4.5' is not an integer in kB", undefined],
    ]);
  });

  it("PG3: the spec's shared_buffers 1048576 is 8 GiB in RDS's 8 kB pages: a warning on 16 GiB, an error on 4 GiB", () => {
    const big = one(load('rds-postgres', { postgres: { parameters: { shared_buffers: 1048576 } } }), 'PG3');
    expect(big).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/8.0 GiB\) is 50 % of db.r6g.large's 16 GiB/), hint: 'a quarter of memory is 524288' })]);
    const small = one(load('rds-postgres', { postgres: { instanceClass: 'db.t4g.medium', parameters: { shared_buffers: 1048576 } } }), 'PG3');
    expect(small).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/incompatible-parameters/) })]);
  });

  it('PG4: replicas need a zone each besides the primary; multiAz gives up the pinning; production wants a replica', () => {
    const crowded = load('rds-postgres', { network: { maxAzs: 2 }, postgres: { readReplicas: 2 } });
    expect(one(crowded, 'PG4')[0]).toMatchObject({
      severity: 'error',
      message: "2 read replicas need 3 availability zones (the primary's and one per replica); the network has 2",
      hint: 'set network.maxAzs: 3 (the region must have that many zones), or postgres.readReplicas: 1',
    });
    expect(one(load('rds-postgres', { postgres: { multiAz: true } }), 'PG4')[0]).toMatchObject({ severity: 'warning', path: 'environments.dev.postgres.multiAz' });
    expect(one(load('rds-postgres', { postgres: { readReplicas: 0 } }, { name: 'prod' }), 'PG4')[0]).toMatchObject({ severity: 'warning', path: 'environments.prod.postgres.readReplicas' });
  });

  it('PG5-PG7: instance classes, storage sizes and retention values AWS accepts', () => {
    const loaded = load('rds-postgres', {
      postgres: { instanceClass: 'r6g.large', bastionInstanceType: 'micro', allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100, logRetentionDays: 10, performanceInsightsRetentionDays: 10 },
    });
    expect(loaded.errors.map((i) => [i.rule, i.path]).sort((a, b) => a[1].localeCompare(b[1]))).toEqual([
      ['PG5', 'environments.dev.postgres.bastionInstanceType'],
      ['PG5', 'environments.dev.postgres.instanceClass'],
      ['PG7', 'environments.dev.postgres.logRetentionDays'],
      ['PG6', 'environments.dev.postgres.maxAllocatedStorageGiB'],
      ['PG7', 'environments.dev.postgres.performanceInsightsRetentionDays'],
    ]);
  });
});
