/**
 * CloudFront's origin-facing managed prefix list (com.amazonaws.global.cloudfront.origin-facing): the IPv4
 * ranges CloudFront reaches origins from. AWS documents its name and weight, not its ID, which differs per
 * region: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list
 *
 * Deploy and diff never use this table: they ask the region (DescribeManagedPrefixLists filtered by the name;
 * src/deploy/edge-checks.ts) and synthesize with its answer. The table only lets `tapctl synth` and
 * `validate --deep`, which stay offline, show the template deploy will create. Its IDs are the ones AWS's own
 * samples map regions to (the `AWSRegions2PrefixListID` mapping of the aws-samples CloudFormation templates
 * that go with the AWS blog post "Limit access to your origins using the AWS-managed prefix list for Amazon
 * CloudFront", 2022); a wrong or missing entry changes nothing a deploy does. A region not here synthesizes
 * with UNRESOLVED_PREFIX_LIST offline.
 */
export const CLOUDFRONT_PREFIX_LIST_NAME = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * What the list weighs in a security group's rule quota: a rule that references it counts as 55 rules.
 * https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html#aws-managed-prefix-list-weights
 */
export const CLOUDFRONT_PREFIX_LIST_WEIGHT = 55;

/** Stands in for the ID offline where the table has none; deploy and diff always put the region's own. */
export const UNRESOLVED_PREFIX_LIST = 'pl-00000000';

export const CLOUDFRONT_PREFIX_LISTS: Readonly<Record<string, string>> = {
  'ap-northeast-1': 'pl-58a04531',
  'ap-northeast-2': 'pl-22a6434b',
  'ap-northeast-3': 'pl-31a14458',
  'ap-south-1': 'pl-9aa247f3',
  'ap-southeast-1': 'pl-31a34658',
  'ap-southeast-2': 'pl-b8a742d1',
  'ca-central-1': 'pl-38a64351',
  'eu-central-1': 'pl-a3a144ca',
  'eu-north-1': 'pl-fab65393',
  'eu-west-1': 'pl-4fa04526',
  'eu-west-2': 'pl-93a247fa',
  'eu-west-3': 'pl-75b1541c',
  'sa-east-1': 'pl-5da64334',
  'us-east-1': 'pl-3b927c52',
  'us-east-2': 'pl-b6a144df',
  'us-west-1': 'pl-4ea04527',
  'us-west-2': 'pl-82a045eb',
};
