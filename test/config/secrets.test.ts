/**
 * Kind 5 of issue [5/12]: secrets through the wrong door. A secret-looking build argument (name or value) is
 * refused with exit 2 and never echoed, shown by `config`, cached or passed on; build secrets take an environment
 * variable or a file. One detector serves the loader and the rules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { looksLikeSecretName, secretValueKind } from '../../src/config/secrets.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

const NPM = `npm_${'a1B2c3D4e5'.repeat(3)}abcdef`;
const GITHUB = `ghp_${'Z9y8X7w6V5'.repeat(4)}`;

function load(config: Record<string, unknown>) {
  project = tempProject(config);
  return loadConfig(project.configPath);
}
const dev = (settings: Record<string, unknown>) => sampleConfig({ environments: { dev: { account: '111111111111', region: 'us-east-1', ...settings } } });

describe('B1: secret-looking build arguments', () => {
  it('the issue example: NPM_TOKEN with an npm token is exit 2, validate and config show no value, nothing is cached', async () => {
    project = tempProject(dev({ container: { buildArgs: { NPM_TOKEN: NPM } } }));
    for (const argv of [['validate'], ['config', '--env', 'dev'], ['validate', '--json']]) {
      const r = await runTapctl(argv, { cwd: project.dir, env: cleanEnv() });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout + r.stderr, argv.join(' ')).not.toContain(NPM);
    }
    const r = await runTapctl(['validate', '--json'], { cwd: project.dir, env: cleanEnv() });
    expect(r.stdout).toMatch(/"rule": ?"B1"/);
    expect(existsSync(join(project.dir, '.tapctl', 'config-cache.json'))).toBe(false);
    const { errors } = loadConfig(project.configPath);
    expect(errors).toEqual([
      expect.objectContaining({
        rule: 'B1',
        path: 'environments.dev.container.buildArgs.NPM_TOKEN',
        message: "build argument NPM_TOKEN holds what looks like an npm token: build arguments are shown by tapctl config, cached in .tapctl/, passed on the builder's command line and kept in the image history",
        hint: expect.stringMatching(/container.buildSecrets: \{ NPM_TOKEN: \{ env: NPM_TOKEN \} \}.*RUN --mount=type=secret,id=NPM_TOKEN/),
      }),
    ]);
  });

  it('a secret-looking name with a harmless-looking value is refused too', () => {
    expect(load(dev({ container: { buildArgs: { GITHUB_TOKEN: 'abc123', NODE_ENV: 'production' } } })).errors).toEqual([
      expect.objectContaining({ rule: 'B1', path: 'environments.dev.container.buildArgs.GITHUB_TOKEN', message: expect.stringMatching(/^build argument GITHUB_TOKEN is named like a secret/) }),
    ]);
  });

  it('a token under an innocent name, in the shared defaults, is refused at defaults', () => {
    const { errors } = load(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, container: { buildArgs: { REGISTRY_AUTH: GITHUB } } } }));
    expect(errors.map((e) => [e.rule, e.path])).toEqual([['B1', 'defaults.container.buildArgs.REGISTRY_AUTH']]);
    expect(JSON.stringify(errors)).not.toContain(GITHUB);
  });

  it('plain build arguments and build secrets from a variable or a file validate clean', () => {
    const { errors } = load(dev({ container: { buildArgs: { NODE_ENV: 'production', APP_VERSION: '1.2.3' }, buildSecrets: { npm: 'NPM_TOKEN', gh: { env: 'GH_TOKEN' }, npmrc: { file: '.npmrc' } } } }));
    expect(errors).toEqual([]);
  });
});

describe('secrets anywhere else in the file', () => {
  it('a URL with a password is refused at its path, without the password', () => {
    const { errors } = load(dev({ endpoint: 'http://admin:hunter2hunter2@localhost:4566' }));
    expect(errors).toEqual([expect.objectContaining({ rule: 'secrets', path: 'environments.dev.endpoint', message: expect.stringMatching(/looks like a URL with a password/) })]);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  it('a token written where a variable name belongs is refused there, without echoing it', () => {
    const { errors } = load(dev({ container: { buildSecrets: { npm: NPM } } }));
    expect(errors).toEqual([expect.objectContaining({ rule: 'secrets', path: 'environments.dev.container.buildSecrets.npm' })]);
    expect(JSON.stringify(errors)).not.toContain(NPM);
  });

  it('a schema error about a secret-looking value does not echo it', () => {
    const url = 'https://deploy:pa55word-x1@registry.example';
    const { errors } = load(dev({ container: { buildSecrets: { npm: url } } }));
    expect(errors.map((e) => e.rule)).toContain('schema');
    expect(JSON.stringify(errors)).not.toContain('pa55word');
  });

  it('the loader refuses a secret-looking unknown key with the same detector', () => {
    expect(load(dev({ database: { masterPassword: 'x' } })).errors).toEqual([expect.objectContaining({ rule: 'secrets', path: 'environments.dev.database.masterPassword' })]);
  });
});

describe('the shared detector', () => {
  it('knows secret names and credential formats, and leaves ordinary ones alone', () => {
    for (const name of ['NPM_TOKEN', 'dbPassword', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'privateKey', 'NODE_AUTH_TOKEN']) expect(looksLikeSecretName(name), name).toBe(true);
    for (const name of ['NODE_ENV', 'BYPASS_CACHE', 'APP_VERSION', 'secretArn', 'COMPASS']) expect(looksLikeSecretName(name), name).toBe(false);
    expect(secretValueKind(NPM)).toBe('an npm token');
    expect(secretValueKind('AKIAIOSFODNN7EXAMPLE')).toBe('an AWS access key ID');
    expect(secretValueKind('-----BEGIN RSA PRIVATE KEY-----')).toBe('a private key');
    for (const plain of ['production', '1.2.3', 'https://example.com/path', 'sha256:abc']) expect(secretValueKind(plain), plain).toBeUndefined();
  });
});
