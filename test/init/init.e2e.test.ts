/**
 * `tapctl init` through the built binary, with no TTY, as a CI job runs it. Needs `npm run build` first (the
 * binary imports dist/).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/config/schema.js';
import { BIN, spawnTapctl } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-init-e2e-'));
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  const built = join(BIN, '..', '..', 'dist', 'commands', 'init.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build before the e2e tests`);
});

describe('tapctl init (spawned, no TTY)', () => {
  it('scaffolds with flags and --yes, and the project validates at once', async () => {
    const cwd = tempDir();
    const r = await spawnTapctl(['init', '--project', 'shop', '--account', '123456789012', '--email', 'ops@shop.io', '--yes'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['tapctl.config.yaml', 'Dockerfile', '.dockerignore', '.gitignore', 'app/server.js', 'app/package.json']) {
      expect(existsSync(join(cwd, f)), f).toBe(true);
    }
    expect(r.stdout).toMatch(/tapctl deploy --env dev --dry-run/);

    const v = await spawnTapctl(['validate'], { cwd });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/✔ valid: 0 errors, 0 warnings in tapctl.config.yaml \(dev, staging, prod\)/);
  });

  it('with no flags fails at once with exit 2 naming --account, never waiting for input', async () => {
    const cwd = tempDir();
    const started = Date.now();
    const r = await spawnTapctl(['init'], { cwd, timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--account/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(join(cwd, 'tapctl.config.yaml'))).toBe(false);
  });

  it('--json prints one parseable document on stdout', async () => {
    const cwd = tempDir();
    const r = await spawnTapctl(['init', '--json', '--account', '123456789012', '--email', 'ops@shop.io'], { cwd });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['project', 'preset', 'dir', 'environments', 'files']));
    expect(doc.files).toHaveLength(6);
  });

  it('--json on failure prints one error document', async () => {
    const r = await spawnTapctl(['init', '--json', '--account', 'x', '--email', 'ops@shop.io'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2, message: expect.stringMatching(/^--account:/) } });
  });

  it.each(PRESETS)('preset %s scaffolds a config that validates', async (preset) => {
    const cwd = tempDir();
    const r = await spawnTapctl(['init', '--preset', preset, '--project', 'shop', '--account', '123456789012', '--prod-account', '210987654321', '--email', 'ops@shop.io'], { cwd });
    expect(r.code).toBe(0);
    const v = await spawnTapctl(['validate', '--json'], { cwd });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, errors: [], warnings: [], environments: ['dev', 'staging', 'prod'] });
  });
});
