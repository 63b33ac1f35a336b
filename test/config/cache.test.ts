/** The resolved-config cache must give exactly what a fresh load gives, and never outlive a change. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configCacheKey, readConfigCache, writeConfigCache } from '../../src/config/cache.js';
import { identityFromFile, identityMismatch, identityOf } from '../../src/config/identity.js';
import { loadConfig } from '../../src/config/load.js';
import { contentHash } from '../../src/state/verified-cache.js';
import { runTapctl } from '../helpers/cli.js';
import { sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.cleanup());

const cachePath = () => join(project.dir, '.tapctl', 'config-cache.json');
const configJson = async (env = 'prod') => {
  const r = await runTapctl(['config', '--env', env, '--json'], { cwd: project.dir });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('config cache', () => {
  it('a cached load equals a fresh one', async () => {
    project = tempProject();
    const fresh = await configJson();
    expect(existsSync(cachePath())).toBe(true);
    const cached = await configJson();
    expect(cached).toEqual(fresh);
  });

  it('any change to the file invalidates it', async () => {
    project = tempProject();
    await configJson();
    writeFileSync(project.configPath, stringify(sampleConfig({ defaults: { alarms: { email: 'ops@shop.test' }, database: { maxCapacity: 8 } } })));
    expect((await configJson()).database.maxCapacity).toBe(8);
  });

  it('an invalid config is never cached, and a stale valid entry never hides the new errors', async () => {
    project = tempProject();
    await configJson();
    writeFileSync(project.configPath, stringify(sampleConfig({ environments: { prod: { account: '222222222222', region: 'us-east-1', container: { cpu: 300 } } } })));
    const r = await runTapctl(['config', '--env', 'prod'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Fargate does not offer 300 CPU units/);
  });

  it('a damaged cache file is ignored with one warning and rewritten', async () => {
    project = tempProject();
    await configJson();
    writeFileSync(cachePath(), '{ not json');
    const r = await runTapctl(['config', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/ignoring \.tapctl\/config-cache\.json: it is not valid JSON/g)).toHaveLength(1);
    expect(() => JSON.parse(readFileSync(cachePath(), 'utf8'))).not.toThrow();
    // Rebuilt: the next run reads it without a word.
    const again = await runTapctl(['config', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(again.stderr).toBe('');
  });

  it('an entry edited without its hash is ignored with one warning', async () => {
    project = tempProject();
    await configJson();
    const file = JSON.parse(readFileSync(cachePath(), 'utf8'));
    file.data.environments[2].container.cpu = 4096;
    writeFileSync(cachePath(), JSON.stringify(file));
    const r = await runTapctl(['config', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(r.stderr).toMatch(/ignoring \.tapctl\/config-cache\.json: its content does not match its hash/);
    expect(JSON.parse(r.stdout).container.cpu).not.toBe(4096);
  });

  // A cache file rewritten together with its hash passes the hash check: what is deployed where must still come
  // from tapctl.config.yaml.
  const forge = (edit: (prod: any) => void) => {
    const file = JSON.parse(readFileSync(cachePath(), 'utf8'));
    const prod = file.data.environments.find((e: { name: string }) => e.name === 'prod');
    edit(prod);
    writeFileSync(cachePath(), JSON.stringify({ ...file, sha256: contentHash(file.data) }));
  };

  it.each([
    ['account', (prod: any) => { prod.account = '999999999999'; prod.names.stack = 'TapStack-shop-prod'; }, { account: '222222222222' }],
    ['retention', (prod: any) => { prod.protection.retainData = false; prod.protection.deletionProtection = false; }, { protection: { retainData: true, deletionProtection: true } }],
    ['image', (prod: any) => { prod.container.image = { repository: 'evil.example.com/app', tag: 'pwned' }; }, { container: { image: {} } }],
    ['region', (prod: any) => { prod.region = 'eu-west-1'; }, { region: 'us-east-1' }],
    ['physical names', (prod: any) => { prod.names.stack = 'TapStack-other-prod'; }, { names: { stack: 'TapStack-shop-prod' } }],
    ['endpoint', (prod: any) => { prod.endpoint = 'http://127.0.0.1:4566'; }, {}],
  ])('a cache rewritten with its hash cannot change the %s', async (_what, edit, expected) => {
    project = tempProject();
    await configJson();
    forge(edit);
    const r = await runTapctl(['config', '--env', 'prod', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject(expected);
    expect(env.endpoint).toBeUndefined();
    expect(env.container.image).toEqual({});
    expect(r.stderr.match(/ignoring \.tapctl\/config-cache\.json: its \w+ of environment 'prod' is not what tapctl.config.yaml says/g)).toHaveLength(1);
  });

  it('a cache rewritten with its hash cannot add or drop an environment', async () => {
    project = tempProject();
    await configJson();
    const file = JSON.parse(readFileSync(cachePath(), 'utf8'));
    file.data.environments = file.data.environments.filter((e: { name: string }) => e.name !== 'staging');
    writeFileSync(cachePath(), JSON.stringify({ ...file, sha256: contentHash(file.data) }));
    const r = await runTapctl(['config', '--env', 'staging', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/its environments are not those of tapctl.config.yaml/);
  });

  it('validate always checks for real', async () => {
    project = tempProject();
    await configJson();
    // A forged cache entry with the right key but no environments would fool a cache-reader; validate ignores it.
    const entry = JSON.parse(readFileSync(cachePath(), 'utf8'));
    writeFileSync(cachePath(), JSON.stringify({ ...entry, environments: [] }));
    const r = await runTapctl(['validate', '--json'], { cwd: project.dir });
    expect(JSON.parse(r.stdout).environments).toEqual(['dev', 'staging', 'prod']);
  });
});

describe('signed entries (this user\'s cache key, state/cache-key.ts)', () => {
  // The key lives under XDG_CONFIG_HOME: a folder of this test's own.
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'tapctl-xdg-'));
  });
  afterEach(() => {
    rmSync(process.env.XDG_CONFIG_HOME!, { recursive: true, force: true });
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
  });

  // An entry whose prod account the file does not say: only a signed entry is taken as it is (no YAML parse).
  const entryFor = (text: string) => {
    const { environments, warnings } = loadConfig(project.configPath);
    const moved = environments.map((e) => (e.name === 'prod' ? { ...e, account: '999999999999' } : e));
    return { key: configCacheKey(text), environments: moved, warnings: [...warnings] };
  };

  it('an entry signed with this user\'s key is used as written, without deriving the identity again', async () => {
    project = tempProject();
    const text = readFileSync(project.configPath, 'utf8');
    const entry = entryFor(text);
    writeConfigCache(project.dir, entry);
    expect(JSON.parse(readFileSync(cachePath(), 'utf8')).data.signature).toMatch(/^[0-9a-f]{64}$/);
    const warnings: string[] = [];
    const read = await readConfigCache({ projectDir: project.dir, text, key: entry.key, warn: (m) => warnings.push(m) });
    expect(read?.environments.find((e) => e.name === 'prod')?.account).toBe('999999999999');
    expect(warnings).toEqual([]);
  });

  it.each([
    ['another key', () => (process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'tapctl-xdg-other-')))],
    ['an entry rewritten with its hash', () => {
      const file = JSON.parse(readFileSync(cachePath(), 'utf8'));
      file.data.warnings = [{ severity: 'warning', rule: 'x', path: 'project', message: 'added by hand' }];
      writeFileSync(cachePath(), JSON.stringify({ ...file, sha256: contentHash(file.data) }));
    }],
  ])('with %s, the signature does not verify and the identity comes from the file again', async (_what, change) => {
    project = tempProject();
    const text = readFileSync(project.configPath, 'utf8');
    const entry = entryFor(text);
    writeConfigCache(project.dir, entry);
    const home = process.env.XDG_CONFIG_HOME!;
    change();
    const warnings: string[] = [];
    const read = await readConfigCache({ projectDir: project.dir, text, key: entry.key, warn: (m) => warnings.push(m) });
    if (process.env.XDG_CONFIG_HOME !== home) rmSync(home, { recursive: true, force: true });
    expect(read).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/its account of environment 'prod' is not what tapctl.config.yaml says/)]);
  });
});

describe('an entry not signed with this user\'s key, that agrees with the file', () => {
  let saved: string | undefined;
  const homes: string[] = [];
  const useNewKey = () => {
    const home = mkdtempSync(join(tmpdir(), 'tapctl-xdg-'));
    homes.push(home);
    process.env.XDG_CONFIG_HOME = home;
  };
  beforeEach(() => {
    saved = process.env.XDG_CONFIG_HOME;
    useNewKey();
  });
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
  });

  it('is loaded afresh once and written again signed with this user\'s key (not parsed and checked at every run)', async () => {
    project = tempProject();
    const text = readFileSync(project.configPath, 'utf8');
    const { environments, warnings } = loadConfig(project.configPath);
    const entry = { key: configCacheKey(text), environments: [...environments], warnings: [...warnings] };
    writeConfigCache(project.dir, entry);
    const signedByOther = JSON.parse(readFileSync(cachePath(), 'utf8')).data.signature;
    useNewKey();
    const seen: string[] = [];
    expect(await readConfigCache({ projectDir: project.dir, text, key: entry.key, warn: (m) => seen.push(m) })).toBeUndefined();
    expect(seen).toEqual([]);
    // A command's load rewrites it, signed with this key; from then on it is used as written.
    const fresh = await configJson('prod');
    const resigned = JSON.parse(readFileSync(cachePath(), 'utf8')).data.signature;
    expect(resigned).toMatch(/^[0-9a-f]{64}$/);
    expect(resigned).not.toBe(signedByOther);
    expect((await readConfigCache({ projectDir: project.dir, text, key: entry.key, warn: (m) => seen.push(m) }))?.environments.map((e) => e.name)).toEqual(environments.map((e) => e.name));
    expect(fresh.account).toBe(environments.find((e) => e.name === 'prod')?.account);
  });
});

describe('environment identity (the fields the cache never decides)', () => {
  // identity.ts derives them without the schema; it must agree with resolve.ts for every way a file sets them.
  const files: Array<[string, Record<string, unknown>]> = [
    ['the sample', sampleConfig()],
    ['catalog-api', sampleConfig({ preset: 'catalog-api' })],
    ['rds-postgres', sampleConfig({ preset: 'rds-postgres' })],
    [
      'defaults and overrides',
      sampleConfig({
        defaults: { alarms: { email: 'ops@shop.test' }, protection: { retainData: true }, container: { image: { tag: 'v1' } } },
        environments: {
          dev: { account: '111111111111', region: 'us-east-1', suffix: 'Dev-1', protection: { retainData: false, terminationProtection: true } },
          qa: { account: '111111111111', region: 'eu-west-1', kind: 'production', profile: 'qa', endpoint: 'http://127.0.0.1:4566', container: { image: { digest: `sha256:${'a'.repeat(64)}` } } },
          prod: { account: '222222222222', region: 'us-east-1', protection: { deletionProtection: false } },
        },
      }),
    ],
  ];
  it.each(files)('agrees with a full load for %s', (_name, config) => {
    project = tempProject(config);
    const loaded = loadConfig(project.configPath);
    expect(loaded.errors).toEqual([]);
    const raw = parse(readFileSync(project.configPath, 'utf8'));
    for (const env of loaded.environments) expect(identityMismatch(identityFromFile(raw, env.name), identityOf(env)), env.name).toBeUndefined();
  });
});

describe("the issue's case: a forged cache and a production dry run", () => {
  it('deploy --env prod --dry-run still targets the account of the config and keeps its data', async () => {
    project = tempProject();
    await configJson('prod');
    const file = JSON.parse(readFileSync(cachePath(), 'utf8'));
    const prod = file.data.environments.find((e: { name: string }) => e.name === 'prod');
    prod.account = '999999999999';
    prod.protection = { deletionProtection: false, retainData: false, terminationProtection: false };
    writeFileSync(cachePath(), JSON.stringify({ ...file, sha256: contentHash(file.data) }));

    const r = await runTapctl(['deploy', '--env', 'prod', '--dry-run', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ignoring \.tapctl\/config-cache\.json: its (account|protection) of environment 'prod'/);
    const assembly = join(project.dir, '.tapctl', 'prod', 'cdk.out');
    const manifest = JSON.parse(readFileSync(join(assembly, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts['TapStack-shop-prod'].environment).toBe('aws://222222222222/us-east-1');
    const template = JSON.parse(readFileSync(join(assembly, 'TapStack-shop-prod.template.json'), 'utf8'));
    const cluster = Object.values(template.Resources as Record<string, { Type: string; DeletionPolicy?: string }>).find((r) => r.Type === 'AWS::RDS::DBCluster');
    expect(cluster?.DeletionPolicy).toBe('Snapshot');
  });
});
