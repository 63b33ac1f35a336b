/** The AWS partition of a region, for building ARNs offline (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
