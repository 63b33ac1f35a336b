/**
 * Whether the AWS SDK's default credential chain (@aws-sdk/credential-provider-node: environment, SSO, shared
 * files, process, web identity, container, instance metadata) has any source at all to read, answered from the
 * environment variables and two file names, without loading the SDK.
 *
 * Why: loading the chain costs ~30 ms of CPU (it brings in much of the SDK's core), which `status` with no
 * credentials spent only to learn that there are none. The answer is "none" only when every source the chain
 * reads is absent; anything that might be a source (a variable, a shared file, even an empty one) leaves the
 * question to the chain itself, as before. Instance metadata counts as a source unless it is turned off
 * (AWS_EC2_METADATA_DISABLED, as CI jobs and the benchmark do): the chain would ask it over the network.
 * test/aws/credential-sources.test.ts holds the SDK's chain to every "none" given here.
 *
 * The SDK's own names: credential-provider-env (AWS_ACCESS_KEY_ID), @smithy/core config (AWS_PROFILE,
 * AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, the home folder from HOME / USERPROFILE / HOMEDRIVE+HOMEPATH),
 * credential-provider-web-identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), credential-provider-imds and
 * -http (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI, AWS_EC2_METADATA_DISABLED).
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SOURCE_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

/** True when the default chain has nothing to read (see the module comment); false when it might. */
export function noCredentialSource(options: { profile?: string } = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  if (options.profile) return false;
  if (SOURCE_VARIABLES.some((name) => env[name])) return false;
  const metadataOff = env.AWS_EC2_METADATA_DISABLED !== undefined && env.AWS_EC2_METADATA_DISABLED !== '' && env.AWS_EC2_METADATA_DISABLED !== 'false';
  if (!metadataOff) return false;
  const home = env.HOME || env.USERPROFILE || (env.HOMEPATH ? `${env.HOMEDRIVE ?? 'C:\\'}${env.HOMEPATH}` : homedir());
  const files = [env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')];
  return !files.some((file) => existsSync(file));
}

/** What the chain itself throws when it finds nothing (explainAwsError reads it as "no AWS credentials"). */
export function noCredentialsError(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
}
