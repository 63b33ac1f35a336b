/**
 * Kind 1 of issue [5/12]: every combination of an engine version and a feature it may lack is checked before
 * any AWS call (rule R4), with both keys and the lowest version that works in the message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AURORA_CAPABILITIES, compareVersions, hasCapability } from '../../src/config/engine-capabilities.js';
import { KNOWN_ENGINE_VERSIONS } from '../../src/config/engine-versions.js';
import { loadConfig } from '../../src/config/load.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(config: Record<string, unknown>) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}
const dev = (database: Record<string, unknown>, preset = 'ecommerce') =>
  sampleConfig({ preset, environments: { dev: { account: '111111111111', region: 'us-east-1', network: { natGateways: 1 }, database } } });
const r4 = (loaded: ReturnType<typeof load>) => loaded.errors.filter((e) => e.rule === 'R4');

describe('R4: engine version capabilities', () => {
  it('the issue example: version 14.9 with minCapacity 0 names both keys and 14.12', () => {
    const errors = r4(load(dev({ version: '14.9', minCapacity: 0 })));
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'environments.dev.database.minCapacity',
        message: 'database.minCapacity 0 asks for a minimum capacity of 0 ACUs (auto-pause), which needs aurora-postgresql 14.12 or later (lowest per major: 17.4, 16.3, 15.7, 14.12, 13.15); database.version is 14.9',
        hint: expect.stringMatching(/^set database.version: "14.12" or later, or database.minCapacity: 0.5 \(https:\/\/docs.aws.amazon.com\/.*auto-pause.html\)$/),
      }),
    ]);
  });

  it('the lowest version that works passes: 14.12 with minCapacity 0', () => {
    expect(r4(load(dev({ version: '14.12', minCapacity: 0 })))).toEqual([]);
  });

  it('a version with no Serverless v2 at all is an error at database.version (aurora-postgresql 13.5, aurora-mysql 3.01.1)', () => {
    expect(r4(load(dev({ version: '13.5' })))).toEqual([
      expect.objectContaining({ path: 'environments.dev.database.version', message: expect.stringMatching(/aurora-postgresql 13.5 has no Aurora Serverless v2.*lowest version per major: 17.4, 16.1, 15.2, 14.3, 13.6/), hint: expect.stringMatching(/"13.6"/) }),
    ]);
    expect(r4(load(dev({ engine: 'aurora-mysql', version: '3.01.1' })))[0]).toMatchObject({ path: 'environments.dev.database.version', hint: expect.stringMatching(/"3.02.0"/) });
  });

  it('a maximum above 128 ACUs needs a version with 256 (aurora-mysql 3.05.2 -> 3.06.0)', () => {
    expect(r4(load(dev({ engine: 'aurora-mysql', version: '3.05.2', maxCapacity: 192 })))).toEqual([
      expect.objectContaining({ path: 'environments.dev.database.maxCapacity', message: expect.stringMatching(/database.maxCapacity 192 asks for a maximum capacity above 128 ACUs.*aurora-mysql 3.06.0 or later .*database.version is 3.05.2/) }),
    ]);
    expect(r4(load(dev({ engine: 'aurora-mysql', version: '3.06.0', maxCapacity: 192 })))).toEqual([]);
  });

  it('when only the version is written, the error is reported at database.version (the key the user wrote)', () => {
    const loaded = load(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, database: { minCapacity: 0 } }, environments: { dev: { account: '111111111111', region: 'us-east-1', database: { version: '15.4' } } } }));
    expect(r4(loaded).map((e) => e.path)).toEqual(['defaults.database.minCapacity']);
    const onlyVersion = load(dev({ engine: 'aurora-mysql', version: '3.07.1' }));
    expect(r4(onlyVersion)).toEqual([]);
  });

  it('the preset defaults are consistent, and catalog-api (provisioned) is not held to Serverless v2', () => {
    expect(r4(load(dev({})))).toEqual([]);
    expect(r4(load(dev({ version: '13.5', minCapacity: 0 }, 'catalog-api')))).toEqual([]);
  });
});

describe('the capability tables', () => {
  it('compare versions by number, not text', () => {
    expect(compareVersions('14.9', '14.10')).toBe(-1);
    expect(compareVersions('3.08.0', '3.10.0')).toBe(-1);
    expect(compareVersions('16.3', '16.3')).toBe(0);
  });

  it('every row names a documentation page, and every known version either has the capability or is below its lowest', () => {
    for (const [engine, rows] of Object.entries(AURORA_CAPABILITIES)) {
      for (const row of Object.values(rows)) {
        expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
        for (const lowest of Object.values(row.lowest)) expect(KNOWN_ENGINE_VERSIONS[engine as keyof typeof KNOWN_ENGINE_VERSIONS], `${engine} ${lowest}`).toContain(lowest);
      }
    }
    expect(hasCapability(AURORA_CAPABILITIES['aurora-postgresql'].zeroCapacity, '18.3')).toBe(true);
    expect(hasCapability(AURORA_CAPABILITIES['aurora-postgresql'].zeroCapacity, '12.22')).toBe(false);
  });
});
