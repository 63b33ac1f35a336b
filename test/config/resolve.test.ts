import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { kindFromName } from '../../src/config/resolve.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function envs(config: Record<string, unknown>) {
  project = tempProject(config);
  const loaded = loadConfig(project.configPath);
  expect(loaded.errors).toEqual([]);
  return Object.fromEntries(loaded.environments.map((e) => [e.name, e]));
}

describe('resolution', () => {
  it('fills every default from the spec (tapstack.md)', () => {
    const { prod } = envs(sampleConfig());
    expect(prod.network).toMatchObject({ cidr: '10.0.0.0/16', maxAzs: 2, natGateways: 2, subnetMask: 24, availabilityZones: ['us-east-1a', 'us-east-1b'] });
    expect(prod.database).toMatchObject({ engine: 'aurora-postgresql', version: '16.4', name: 'ecommerce', username: 'dbadmin', minCapacity: 0.5, maxCapacity: 2, readers: 1, backupRetentionDays: 7, backupWindow: '03:00-04:00', maintenanceWindow: 'sun:04:00-sun:05:00', rotationDays: 30 });
    expect(prod.container).toMatchObject({ port: 3000, cpu: 1024, memory: 2048, desiredCount: 2, minTasks: 2, maxTasks: 10, cpuTargetPercent: 50, memoryTargetPercent: 70, scaleInCooldownSeconds: 60, scaleOutCooldownSeconds: 60, healthCheckPath: '/health' });
    expect(prod.api).toMatchObject({ throttleRateLimit: 1000, throttleBurstLimit: 2000, quotaPerMonth: 1_000_000, loggingLevel: 'OFF' });
    expect(prod.alarms).toMatchObject({ ecsCpuPercent: 70, ecsMemoryPercent: 80, api4xx: 50, api5xx: 10, apiLatencyMs: 3000, evaluationPeriods: 2 });
    expect(prod.lambda).toMatchObject({ runtime: 'nodejs22.x', memoryMb: 512, timeoutSeconds: 30 });
    expect(prod.logRetentionDays).toBe(7);
  });

  it('derives the kind from the name and safe protection defaults from the kind', () => {
    const { dev, staging, prod } = envs(sampleConfig());
    expect([dev.kind, staging.kind, prod.kind]).toEqual(['development', 'staging', 'production']);
    expect(prod.protection).toEqual({ deletionProtection: true, retainData: true, terminationProtection: true });
    expect(dev.protection).toEqual({ deletionProtection: false, retainData: false, terminationProtection: false });
  });

  it('merges defaults, then environment overrides, key by key', () => {
    const { dev, prod } = envs(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, database: { maxCapacity: 8, readers: 2 } } }));
    expect(dev.network.natGateways).toBe(1);
    expect(prod.network.natGateways).toBe(2);
    expect(prod.database).toMatchObject({ maxCapacity: 8, readers: 2, minCapacity: 0.5 });
    expect(prod.alarms.email).toBe('ops@shop.test');
  });

  it('defaults to availability zones the region really has (ap-northeast-1 has no 1b, us-west-1 offers 1b and 1c)', () => {
    const { tokyo, norcal } = envs(sampleConfig({ environments: { tokyo: { account: '111111111111', region: 'ap-northeast-1' }, norcal: { account: '111111111111', region: 'us-west-1' } } }));
    expect(tokyo.network.availabilityZones).toEqual(['ap-northeast-1a', 'ap-northeast-1c']);
    expect(norcal.network.availabilityZones).toEqual(['us-west-1b', 'us-west-1c']);
  });

  it('picks the default engine version per engine', () => {
    const { dev } = envs(sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', database: { engine: 'aurora-mysql' } } } }));
    expect(dev.database.version).toBe('3.08.0');
  });

  it('is frozen', () => {
    const { dev } = envs(sampleConfig());
    expect(() => {
      (dev.container as { port: number }).port = 1;
    }).toThrow();
  });

  it.each([
    ['prod', 'production'],
    ['production', 'production'],
    ['dev', 'development'],
    ['qa', 'staging'],
  ])('kindFromName(%s) = %s', (name, kind) => expect(kindFromName(name)).toBe(kind));
});
