/** Sizes AWS accepts: Fargate CPU/memory pairs, Aurora Serverless v2 capacity, task counts, VPC address space. */
import { defaultAvailabilityZones, isKnownRegion, KNOWN_REGIONS, maxZones, possibleZones } from '../regions.js';
import { suggest } from '../suggest.js';
import { finding, wrote, type EnvironmentRule } from './rule.js';
import type { ConfigIssue } from '../issues.js';

/** Valid Fargate memory (MiB) for each CPU value (Linux). */
export function fargateMemoryOptions(cpu: number): number[] | undefined {
  const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256: return [512, 1024, 2048];
    case 512: return range(1024, 4096, 1024);
    case 1024: return range(2048, 8192, 1024);
    case 2048: return range(4096, 16384, 1024);
    case 4096: return range(8192, 30720, 1024);
    case 8192: return range(16384, 61440, 4096);
    case 16384: return range(32768, 122880, 8192);
    default: return undefined;
  }
}

export const fargateRules: EnvironmentRule = (env) => {
  const { cpu, memory } = env.container;
  const options = fargateMemoryOptions(cpu);
  if (!options) {
    return [finding(env, 'container.cpu', 'error', 'F1', `Fargate does not offer ${cpu} CPU units`, { hint: 'use 256, 512, 1024, 2048, 4096, 8192 or 16384' })];
  }
  if (!options.includes(memory)) {
    const list = options.length > 6 ? `${options[0]} to ${options[options.length - 1]} in steps of ${options[1] - options[0]}` : options.join(', ');
    return [finding(env, 'container.memory', 'error', 'F1', `Fargate does not pair ${memory} MiB with ${cpu} CPU units`, { hint: `with cpu ${cpu}, memory must be ${list} MiB` })];
  }
  return [];
};

const halfSteps = (n: number) => Number.isInteger(n * 2);

export const auroraCapacityRules: EnvironmentRule = (env) => {
  const { minCapacity: min, maxCapacity: max } = env.database;
  const out: ConfigIssue[] = [];
  if (min < 0 || min > 256 || !halfSteps(min)) {
    out.push(finding(env, 'database.minCapacity', 'error', 'D1', `Aurora Serverless v2 minimum capacity must be 0 to 256 ACUs in steps of 0.5; got ${min}`));
  }
  if (max < 1 || max > 256 || !halfSteps(max)) {
    out.push(finding(env, 'database.maxCapacity', 'error', 'D1', `Aurora Serverless v2 maximum capacity must be 1 to 256 ACUs in steps of 0.5; got ${max}`));
  }
  if (min > max) {
    out.push(finding(env, 'database.minCapacity', 'error', 'D1', `minimum capacity ${min} ACUs is above the maximum ${max}`, { hint: 'make database.minCapacity <= database.maxCapacity' }));
  }
  if (min === 0 && env.kind === 'production') {
    out.push(finding(env, 'database.minCapacity', 'warning', 'D1', 'a production database that pauses at 0 ACUs takes ~15 s to resume on the first request'));
  }
  return out;
};

export const taskCountRules: EnvironmentRule = (env) => {
  const { minTasks, maxTasks } = env.container;
  const out: ConfigIssue[] = [];
  if (minTasks > maxTasks) {
    out.push(finding(env, 'container.minTasks', 'error', 'S1', `minTasks ${minTasks} is above maxTasks ${maxTasks}`));
  }
  if (env.kind === 'production' && minTasks < 2) {
    out.push(finding(env, 'container.minTasks', 'warning', 'S1', `production runs as few as ${minTasks} task(s): one failure or deployment takes the service down`));
  }
  return out;
};

function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return { base, prefix };
}

export const networkRules: EnvironmentRule = (env, ctx) => {
  const { cidr, subnetMask, maxAzs, natGateways, availabilityZones } = env.network;
  const out: ConfigIssue[] = [];
  const parsed = parseCidr(cidr);
  if (!parsed) return [finding(env, 'network.cidr', 'error', 'V1', `'${cidr}' is not an IPv4 CIDR block`, { hint: 'write it like 10.0.0.0/16' })];
  if (parsed.prefix < 16 || parsed.prefix > 28) {
    out.push(finding(env, 'network.cidr', 'error', 'V1', `a VPC block must be /16 to /28; got /${parsed.prefix}`));
  }
  const hostBits = 32 - parsed.prefix;
  if (hostBits < 32 && (parsed.base & ((1 << hostBits) - 1)) !== 0) {
    out.push(finding(env, 'network.cidr', 'error', 'V1', `'${cidr}' has host bits set`, { hint: 'use the network address of the block, e.g. 10.0.0.0/16' }));
  }
  const subnets = 3 * maxAzs;
  if (subnetMask < parsed.prefix || subnets * 2 ** (32 - subnetMask) > 2 ** (32 - parsed.prefix)) {
    out.push(
      finding(env, 'network.subnetMask', 'error', 'V2', `${subnets} subnets of /${subnetMask} (3 tiers x ${maxAzs} AZs) do not fit in ${cidr}`, {
        hint: 'use a larger VPC block (smaller prefix) or a smaller subnetMask (larger number)',
      }),
    );
  }
  const byDefault = JSON.stringify(availabilityZones) === JSON.stringify(defaultAvailabilityZones(env.region, maxAzs));
  const most = maxZones(env.region);
  const source = 'AWS Availability Zones: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html';
  const listedZones = wrote(ctx, env, 'network.availabilityZones');
  const possible = possibleZones(env.region);
  const missing = possible.length > 0 ? availabilityZones.filter((az) => az.startsWith(env.region) && !possible.includes(az)) : [];
  if (missing.length > 0) {
    // A zone letter the region does not have: synth would place subnets in it and CloudFormation would fail.
    out.push(
      finding(env, 'network.availabilityZones', 'error', 'V3', `${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist: ${env.region} has ${possible.join(', ')}`, {
        hint: `list zones of the region (${source}); deploy checks them against your account`,
      }),
    );
  } else if (most !== undefined && maxAzs > most && !listedZones) {
    out.push(
      finding(env, 'network.maxAzs', 'error', 'V3', `${env.region} has ${most} availability zones${most < possible.length ? ' per account' : ''}; network.maxAzs is ${maxAzs}`, {
        hint: `set network.maxAzs: ${most} or fewer (${source})`,
      }),
    );
  } else if (new Set(availabilityZones).size !== availabilityZones.length) {
    out.push(finding(env, 'network.availabilityZones', 'error', 'V3', 'a zone is listed twice: each subnet tier needs distinct zones'));
  } else if (availabilityZones.length !== maxAzs) {
    out.push(
      byDefault
        ? finding(env, 'network.maxAzs', 'error', 'V3', `${env.region} offers ${availabilityZones.length} availability zones to most accounts, not ${maxAzs}`, { hint: `lower network.maxAzs, or list the zones your account has in network.availabilityZones` })
        : finding(env, 'network.availabilityZones', 'error', 'V3', `${availabilityZones.length} availability zones listed but maxAzs is ${maxAzs}`),
    );
  }
  if (!isKnownRegion(env.region)) {
    const typo = suggest(env.region, KNOWN_REGIONS);
    out.push(
      typo && byDefault
        ? finding(env, 'region', 'error', 'V5', `'${env.region}' is not an AWS region; did you mean '${typo}'?`)
        : finding(env, 'region', 'warning', 'V5', `'${env.region}' is not a region this tapctl knows`, { hint: 'if AWS opened it recently, list its zones in network.availabilityZones' }),
    );
  }
  const foreign = availabilityZones.filter((az) => !az.startsWith(env.region));
  if (foreign.length) {
    out.push(finding(env, 'network.availabilityZones', 'error', 'V3', `${foreign.join(', ')} ${foreign.length > 1 ? 'are' : 'is'} not in region ${env.region}`));
  }
  if (natGateways > maxAzs) {
    out.push(finding(env, 'network.natGateways', 'error', 'V4', `${natGateways} NAT gateways for ${maxAzs} availability zones; at most one per zone`));
  } else if (env.kind === 'production' && natGateways < maxAzs) {
    out.push(finding(env, 'network.natGateways', 'warning', 'V4', `production has ${natGateways} NAT gateway(s) for ${maxAzs} zones: losing that zone cuts the others' egress`));
  }
  return out;
};
