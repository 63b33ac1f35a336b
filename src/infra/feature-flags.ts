/**
 * The aws-cdk-lib feature flags the embedded app runs with.
 *
 * A CDK project normally pins these in cdk.json (written by `cdk init`); tapctl has no cdk.json, so they are
 * pinned here. Pinning, rather than spreading `cx-api`'s CURRENTLY_RECOMMENDED_FLAGS, means an aws-cdk-lib
 * upgrade never changes a deployed template by itself: a new flag is adopted by adding it here, in a change
 * whose diff shows the template difference.
 *
 * Only flags that touch a resource this app creates are listed.
 */
export const FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  // Secret values may not be used where they would land in the template in plain text.
  '@aws-cdk/core:checkSecretUsage': true,
  // Literal partition ('aws') instead of { Ref: AWS::Partition } when the region is known: readable ARNs.
  '@aws-cdk/core:enablePartitionLiterals': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/aws-kms:aliasNameRef': true,
  '@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope': true,
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
  '@aws-cdk/aws-s3:publicAccessBlockedByDefault': true,
  '@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments': true,
  '@aws-cdk/aws-rds:auroraClusterChangeScopeOfInstanceParameterGroupWithEachParameters': true,
  '@aws-cdk/aws-rds:preventRenderingDeprecatedCredentials': true,
  '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': true,
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': true,
  // A service without desiredCount gets no DesiredCount in the template (not a default of 1): see service.ts.
  '@aws-cdk/aws-ecs:removeDefaultDesiredCount': true,
  '@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions': true,
  '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
  '@aws-cdk/aws-apigateway:requestValidatorUniqueId': true,
  '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard': true,
  '@aws-cdk/aws-cloudfront:defaultViewerProtocolPolicyRedirectToHttps': true,
  '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
  // The bastion's IMDSv2 launch template is otherwise named '<construct id>LaunchTemplate' (InstanceLaunchTemplate),
  // the same in every environment: a second environment in the account and region failed to create it (N9).
  '@aws-cdk/aws-ec2:uniqueImdsv2TemplateName': true,
  // Off on purpose: on, it adds a custom-resource Lambda (a file asset and one more function to patch) only to
  // strip the rules of the VPC's default security group, which nothing in this stack uses. The Vpc sets
  // `restrictDefaultSecurityGroup: false` explicitly as well, so the flag's value cannot change the template.
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': false,
};
