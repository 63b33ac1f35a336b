/**
 * The AWS regions tapctl knows, and which availability-zone letters to default to in each, so that synth never
 * has to ask the account. Most regions have a, b, c; a few do not (ap-northeast-1 has no 1b for new accounts,
 * and us-west-1 offers most accounts only 1b and 1c). A region AWS opens after this release works too: list
 * its zones in network.availabilityZones.
 */
export const KNOWN_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
  'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
] as const;

const ZONE_LETTERS: Readonly<Record<string, string>> = {
  'us-west-1': 'bc',
  'ap-northeast-1': 'acd',
  'ap-northeast-2': 'abcd',
  'cn-north-1': 'ab',
  'ca-central-1': 'abd',
  'us-gov-west-1': 'abc',
};

export function isKnownRegion(region: string): boolean {
  return (KNOWN_REGIONS as readonly string[]).includes(region);
}

/** The first `count` zone names of a region, by the letters it offers. */
export function defaultAvailabilityZones(region: string, count: number): string[] {
  const letters = ZONE_LETTERS[region] ?? 'abcdef';
  return [...letters.slice(0, count)].map((l) => `${region}${l}`);
}

/** How many zones a region's default list can give (2 for us-west-1). */
export function defaultZoneCount(region: string): number {
  return (ZONE_LETTERS[region] ?? 'abcdef').length;
}
