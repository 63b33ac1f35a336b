/**
 * Kind 2 of issue [5/12]: every region's zones are known (an upper bound, with its source), so a zone that does
 * not exist is an error before synth puts subnets in it (rule V3).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { defaultAvailabilityZones, KNOWN_REGIONS, maxZones, possibleZones, REGION_ZONES } from '../../src/config/regions.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

function load(region: string, network: Record<string, unknown>) {
  project = tempProject(sampleConfig({ environments: { dev: { account: '111111111111', region, network: { natGateways: 1, ...network } } } }));
  return loadConfig(project.configPath);
}
const v3 = (loaded: ReturnType<typeof load>) => loaded.errors.filter((e) => e.rule === 'V3').map((e) => [e.path, e.message]);

describe('V3: availability zones the region has', () => {
  it('the issue example: eu-west-3 with maxAzs 4 is an error at network.maxAzs', () => {
    expect(v3(load('eu-west-3', { maxAzs: 4 }))).toEqual([['environments.dev.network.maxAzs', 'eu-west-3 has 3 availability zones; network.maxAzs is 4']]);
  });

  it('a listed zone the region does not have is an error at network.availabilityZones, naming the ones it has', () => {
    expect(v3(load('eu-west-3', { maxAzs: 2, availabilityZones: ['eu-west-3a', 'eu-west-3d'] }))).toEqual([
      ['environments.dev.network.availabilityZones', 'eu-west-3d does not exist: eu-west-3 has eu-west-3a, eu-west-3b, eu-west-3c'],
    ]);
    // ca-central-1 has no c zone
    expect(v3(load('ca-central-1', { maxAzs: 2, availabilityZones: ['ca-central-1a', 'ca-central-1c'] }))[0][1]).toMatch(/ca-central-1c does not exist/);
  });

  it('the largest regions pass at their size and fail one above it', () => {
    expect(v3(load('us-east-1', { maxAzs: 6, natGateways: 1 }))).toEqual([]);
    expect(v3(load('us-west-2', { maxAzs: 4 }))).toEqual([]);
    expect(v3(load('us-west-2', { maxAzs: 5 }))).toEqual([['environments.dev.network.maxAzs', 'us-west-2 has 4 availability zones; network.maxAzs is 5']]);
  });

  it('a zone listed twice is an error', () => {
    expect(v3(load('eu-west-1', { maxAzs: 2, availabilityZones: ['eu-west-1a', 'eu-west-1a'] }))).toEqual([
      ['environments.dev.network.availabilityZones', 'a zone is listed twice: each subnet tier needs distinct zones'],
    ]);
  });
});

describe('the region table', () => {
  it('covers every commercial region with at least two zones, and defaults to zones the region has', () => {
    for (const region of ['eu-west-3', 'ap-southeast-7', 'mx-central-1', 'ca-west-1', 'il-central-1', 'ap-east-2', 'ap-southeast-6']) expect(KNOWN_REGIONS).toContain(region);
    for (const [region, zones] of Object.entries(REGION_ZONES)) {
      expect(maxZones(region), region).toBeGreaterThanOrEqual(2);
      for (const az of defaultAvailabilityZones(region, maxZones(region)!)) expect(possibleZones(region), region).toContain(az);
      expect([...(zones.defaults ?? '')].every((l) => zones.letters.includes(l)), region).toBe(true);
    }
  });
});
