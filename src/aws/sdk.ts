/**
 * The AWS SDK v3 client packages, loaded as CommonJS (what they are).
 *
 * An ES module `import()` of a CommonJS package makes Node parse its source, and the sources it re-exports, for
 * export names before it hands over the module: ~30 ms of CPU per client package here, on top of loading it, and
 * status loads six. `require` skips that parse. The classes are the same objects either way (one module cache),
 * so aws-sdk-client-mock in the tests still intercepts them.
 */
import { createRequire } from 'node:module';

interface SdkPackages {
  '@aws-sdk/client-acm': typeof import('@aws-sdk/client-acm');
  '@aws-sdk/client-api-gateway': typeof import('@aws-sdk/client-api-gateway');
  '@aws-sdk/client-cloudformation': typeof import('@aws-sdk/client-cloudformation');
  '@aws-sdk/client-cloudwatch': typeof import('@aws-sdk/client-cloudwatch');
  '@aws-sdk/client-cloudwatch-logs': typeof import('@aws-sdk/client-cloudwatch-logs');
  '@aws-sdk/client-ec2': typeof import('@aws-sdk/client-ec2');
  '@aws-sdk/client-ecr': typeof import('@aws-sdk/client-ecr');
  '@aws-sdk/client-ecs': typeof import('@aws-sdk/client-ecs');
  '@aws-sdk/client-elastic-load-balancing-v2': typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  '@aws-sdk/client-iam': typeof import('@aws-sdk/client-iam');
  '@aws-sdk/client-kms': typeof import('@aws-sdk/client-kms');
  '@aws-sdk/client-rds': typeof import('@aws-sdk/client-rds');
  '@aws-sdk/client-route-53': typeof import('@aws-sdk/client-route-53');
  '@aws-sdk/client-s3': typeof import('@aws-sdk/client-s3');
  '@aws-sdk/client-secrets-manager': typeof import('@aws-sdk/client-secrets-manager');
  '@aws-sdk/client-ssm': typeof import('@aws-sdk/client-ssm');
  '@aws-sdk/client-sts': typeof import('@aws-sdk/client-sts');
  '@aws-sdk/credential-provider-node': typeof import('@aws-sdk/credential-provider-node');
}

const requireSdk = createRequire(import.meta.url);

/** `await loadSdk('@aws-sdk/client-sts')` where one would write `await loadSdk('@aws-sdk/client-sts')`. */
export async function loadSdk<P extends keyof SdkPackages>(name: P): Promise<SdkPackages[P]> {
  return requireSdk(name) as SdkPackages[P];
}
