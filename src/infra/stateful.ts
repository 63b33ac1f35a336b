/**
 * CloudFormation types whose replacement or deletion loses data or identity: deploy and diff flag a change
 * set that would replace or remove one of them.
 */
const STATEFUL_RESOURCE_TYPES = [
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::ECR::Repository',
  'AWS::SecretsManager::Secret',
] as const;

/** The CloudFormation type names of the stack's stateful resources (a fresh array on every call). */
export function statefulResourceTypes(): string[] {
  return [...STATEFUL_RESOURCE_TYPES];
}
