/**
 * The AWS SDK v3 packages tapctl calls, each through a module of src/aws/sdk/ that names the client and the commands
 * tapctl sends, and nothing else.
 *
 * Why: the bundle (scripts/bundle.js) takes the SDK's ES module build and keeps only what these modules name: a
 * client package as published holds every operation of its service (client-ec2's CommonJS build alone is ~3 MB),
 * and Node parses all of it to send one call. Loading the six clients of `tapctl status` and the credential chain
 * measured 866 M instructions / ~180 ms that way, 490 M / ~115 ms bundled. Each module is still loaded only when a
 * command first needs that service (a chunk of its own per `import()` below), so `status` loads STS alone before
 * its first request.
 *
 * Run from source (the tests), these modules re-export the installed packages: the classes are those that
 * aws-sdk-client-mock stubs. A command the code sends must be named in its module, or the build fails to type-check.
 */
const PACKAGES = {
  '@aws-sdk/client-acm': () => import('./sdk/acm.js'),
  '@aws-sdk/client-api-gateway': () => import('./sdk/api-gateway.js'),
  '@aws-sdk/client-cloudformation': () => import('./sdk/cloudformation.js'),
  '@aws-sdk/client-cloudwatch': () => import('./sdk/cloudwatch.js'),
  '@aws-sdk/client-cloudwatch-logs': () => import('./sdk/cloudwatch-logs.js'),
  '@aws-sdk/client-ec2': () => import('./sdk/ec2.js'),
  '@aws-sdk/client-ecr': () => import('./sdk/ecr.js'),
  '@aws-sdk/client-ecs': () => import('./sdk/ecs.js'),
  '@aws-sdk/client-elastic-load-balancing-v2': () => import('./sdk/elastic-load-balancing-v2.js'),
  '@aws-sdk/client-iam': () => import('./sdk/iam.js'),
  '@aws-sdk/client-kms': () => import('./sdk/kms.js'),
  '@aws-sdk/client-rds': () => import('./sdk/rds.js'),
  '@aws-sdk/client-route-53': () => import('./sdk/route-53.js'),
  '@aws-sdk/client-s3': () => import('./sdk/s3.js'),
  '@aws-sdk/client-secrets-manager': () => import('./sdk/secrets-manager.js'),
  '@aws-sdk/client-ssm': () => import('./sdk/ssm.js'),
  '@aws-sdk/client-sts': () => import('./sdk/sts.js'),
  '@aws-sdk/credential-provider-node': () => import('./sdk/credential-provider-node.js'),
};

type SdkPackage = keyof typeof PACKAGES;

/** `const { STSClient, GetCallerIdentityCommand } = await loadSdk('@aws-sdk/client-sts')`. */
export function loadSdk<P extends SdkPackage>(name: P): ReturnType<(typeof PACKAGES)[P]> {
  return PACKAGES[name]() as ReturnType<(typeof PACKAGES)[P]>;
}
