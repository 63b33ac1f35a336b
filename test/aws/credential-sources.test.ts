/**
 * noCredentialSource answers "none" without loading the SDK's credential chain: every "none" must be the chain's
 * own answer, and every source the chain reads must turn it into "maybe" (the chain then decides, as before).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { noCredentialSource } from '../../src/aws/credential-sources.js';
import { explainAwsError } from '../../src/aws/errors.js';
import { loadSdk } from '../../src/aws/sdk.js';

const saved = { ...process.env };
const homes: string[] = [];
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true }));
});

/** process.env as the SDK will read it: no AWS_* of this shell, an empty home of its own, and `extra`. */
function environment(extra: Record<string, string> = {}, files: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'tapctl-home-'));
  homes.push(home);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', name), text);
  }
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, { HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra });
  return process.env;
}

/** The SDK's own default chain: what it resolves to, or the name and message it fails with. */
async function chainAnswer(): Promise<string> {
  const { defaultProvider } = await loadSdk('@aws-sdk/credential-provider-node');
  try {
    const c = await defaultProvider()();
    return `credentials ${c.accessKeyId}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('noCredentialSource', () => {
  it.each([
    ['nothing at all (metadata lookups off)', () => environment()],
    ['AWS_CONFIG_FILE naming a file that is not there', () => environment({ AWS_CONFIG_FILE: '/nonexistent/aws-config' })],
  ])('"none" for %s, and the SDK chain finds none either', async (_what, make) => {
    expect(noCredentialSource({}, make())).toBe(true);
    expect(await chainAnswer()).toBe('CredentialsProviderError: Could not load credentials from any providers');
  });

  it('status then fails as the chain would have made it fail, without loading the chain', async () => {
    environment();
    const clients = new AwsClients({ region: 'us-east-1' });
    const error = await clients.credentials().then(() => undefined, (e: unknown) => e);
    expect(explainAwsError(error, 'checking your AWS identity').message).toBe('no AWS credentials found while checking your AWS identity');
  });

  it.each([
    ['keys in the environment', () => environment({ AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'x' }), 'credentials AKIAFAKE'],
    ['a shared credentials file', () => environment({}, { credentials: '[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = x\n' }), 'credentials AKIAFILE'],
  ])('"maybe" for %s, where the chain finds them', async (_what, make, answer) => {
    expect(noCredentialSource({}, make())).toBe(false);
    expect(await chainAnswer()).toBe(answer);
  });

  it.each([
    ['an empty shared config file', () => environment({}, { config: '' })],
    ['AWS_PROFILE', () => environment({ AWS_PROFILE: 'dev' })],
    ['only an access key id', () => environment({ AWS_ACCESS_KEY_ID: 'AKIAFAKE' })],
    ['a web identity token file', () => environment({ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn:aws:iam::111111111111:role/ci' })],
    ['a container credentials endpoint', () => environment({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })],
    ['instance metadata lookups on', () => environment({ AWS_EC2_METADATA_DISABLED: '' })],
    ['AWS_EC2_METADATA_DISABLED=false', () => environment({ AWS_EC2_METADATA_DISABLED: 'false' })],
  ])('"maybe" for %s: the chain decides', (_what, make) => {
    expect(noCredentialSource({}, make())).toBe(false);
  });

  it('"maybe" for a named profile, whatever the environment', () => {
    expect(noCredentialSource({ profile: 'dev' }, environment())).toBe(false);
  });
});
