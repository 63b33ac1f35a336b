/**
 * The AWS regions tapctl knows and their availability zones, so that validate catches a zone that does not
 * exist before synth puts subnets in it (rule V3).
 *
 * Source: "AWS Availability Zones", https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 * (the AZ IDs of every region), consulted 2026-11-29. The table is an upper bound: in the oldest regions AWS maps
 * zone letters to physical zones per account, and some zones are closed to new accounts (us-west-1 gives any
 * account two of its three; ap-northeast-1's apne1-az3 is closed to accounts created since), so which letters an
 * account has differs. With credentials, deploy's preflight asks EC2 (DescribeAvailabilityZones) and names the
 * zones the account really has. A region AWS opens after this table works too: list its zones in
 * network.availabilityZones (a warning says the region is unknown).
 */

export interface RegionZones {
  /** Zone letters that exist in the region in some account (an upper bound). */
  readonly letters: string;
  /** The most zones one account can have, when fewer than `letters` (us-west-1: 2 of a, b, c). */
  readonly perAccount?: number;
  /** The letters tapctl defaults to: ones every account created today has. @default letters */
  readonly defaults?: string;
}

const three: RegionZones = { letters: 'abc' };

/** Commercial regions first, then GovCloud and China (other partitions, kept so their configs validate). */
export const REGION_ZONES: Readonly<Record<string, RegionZones>> = {
  'us-east-1': { letters: 'abcdef' },
  'us-east-2': three,
  'us-west-1': { letters: 'abc', perAccount: 2, defaults: 'bc' },
  'us-west-2': { letters: 'abcd' },
  'af-south-1': three,
  'ap-east-1': three,
  'ap-east-2': three,
  'ap-south-1': three,
  'ap-south-2': three,
  'ap-southeast-1': three,
  'ap-southeast-2': three,
  'ap-southeast-3': three,
  'ap-southeast-4': three,
  'ap-southeast-5': three,
  'ap-southeast-6': three,
  'ap-southeast-7': three,
  'ap-northeast-1': { letters: 'abcd', defaults: 'acd' },
  'ap-northeast-2': { letters: 'abcd' },
  'ap-northeast-3': three,
  'ca-central-1': { letters: 'abd' },
  'ca-west-1': three,
  'eu-central-1': three,
  'eu-central-2': three,
  'eu-west-1': three,
  'eu-west-2': three,
  'eu-west-3': three,
  'eu-south-1': three,
  'eu-south-2': three,
  'eu-north-1': three,
  'il-central-1': three,
  'me-south-1': three,
  'me-central-1': three,
  'mx-central-1': three,
  'sa-east-1': three,
  'us-gov-east-1': three,
  'us-gov-west-1': three,
  'cn-north-1': { letters: 'abd', defaults: 'ab' },
  'cn-northwest-1': three,
};

export const KNOWN_REGIONS: readonly string[] = Object.keys(REGION_ZONES);

export function isKnownRegion(region: string): boolean {
  return Object.hasOwn(REGION_ZONES, region);
}

/** The region's zones, or undefined for a region this table does not know. */
export function regionZones(region: string): RegionZones | undefined {
  return isKnownRegion(region) ? REGION_ZONES[region] : undefined;
}

/** The zone names that may exist in a region (every letter of the table), e.g. eu-west-3a..c. */
export function possibleZones(region: string): string[] {
  return [...(regionZones(region)?.letters ?? '')].map((l) => `${region}${l}`);
}

/** The most zones one account can have in the region (an upper bound); undefined when the region is unknown. */
export function maxZones(region: string): number | undefined {
  const zones = regionZones(region);
  return zones ? (zones.perAccount ?? zones.letters.length) : undefined;
}

const defaultLetters = (region: string) => {
  const zones = regionZones(region);
  return zones ? (zones.defaults ?? zones.letters) : 'abcdef';
};

/** The first `count` zone names of a region, by the letters every account has. */
export function defaultAvailabilityZones(region: string, count: number): string[] {
  return [...defaultLetters(region).slice(0, count)].map((l) => `${region}${l}`);
}

/** How many zones a region's default list can give (2 for us-west-1). */
export function defaultZoneCount(region: string): number {
  return defaultLetters(region).length;
}
