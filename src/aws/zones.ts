/**
 * The availability zones an account has in a region. Which zone letters exist differs per account (older
 * accounts map letters to physical zones their own way; some zones are closed to newer accounts), so the
 * config's table (src/config/regions.ts) is only an upper bound; this is the account's answer.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html
 */
import type { AwsClients } from './clients.js';
import { explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

/** Zone names (us-west-1b, ...) that are available to the account, Local and Wavelength Zones left out. */
export async function accountAvailabilityZones(clients: AwsClients): Promise<string[]> {
  const { DescribeAvailabilityZonesCommand } = await loadSdk('@aws-sdk/client-ec2');
  const ec2 = await clients.ec2();
  try {
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    return (out.AvailabilityZones ?? [])
      .filter((z) => (z.ZoneType ?? 'availability-zone') === 'availability-zone' && (z.State ?? 'available') === 'available')
      .map((z) => z.ZoneName ?? '')
      .filter(Boolean)
      .sort();
  } catch (e) {
    throw explainAwsError(e, 'listing the availability zones');
  }
}
