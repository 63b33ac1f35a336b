/**
 * Work over every environment in one process (the spawned binary): `synth --all` writes each environment's
 * cloud assembly, and `validate --deep` synthesizes each one with CloudFormation validation, aws-cdk-lib loaded
 * once. Offline: neither needs credentials.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
let project: TempProject;
let tmp: string;

beforeAll(() => {
  project = tempProject();
  tmp = mkdtempSync(join(tmpdir(), 'tapctl-all-tmp-'));
});
afterAll(() => {
  project.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

const tapctl = (args: string[]) => spawnTapctl(args, { cwd: project.dir, env: cleanEnv({ TMPDIR: tmp }), timeoutMs: 120_000 });

describe('every environment in one process', () => {
  it('synth --all writes one cloud assembly per environment, each for its own account and region', async () => {
    const r = await tapctl(['synth', '--all', '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { environments: Array<{ environment: string; stackName: string; cached: boolean }> };
    expect(doc.environments.map((e) => e.environment)).toEqual(ENVIRONMENTS);
    expect(doc.environments.map((e) => e.stackName)).toEqual(ENVIRONMENTS.map((e) => `TapStack-shop-${e}`));
    const expected = { dev: 'aws://111111111111/us-east-1', staging: 'aws://111111111111/us-west-2', prod: 'aws://222222222222/us-east-1' };
    for (const [env, target] of Object.entries(expected)) {
      const manifest = JSON.parse(readFileSync(join(project.dir, '.tapctl', env, 'cdk.out', 'manifest.json'), 'utf8'));
      expect(manifest.artifacts[`TapStack-shop-${env}`].environment).toBe(target);
    }
  });

  it('synth --all --out <dir> writes <dir>/<env>; a second run comes from the cache', async () => {
    const first = await tapctl(['synth', '--all', '--json', '--out', 'assemblies']);
    expect(first.code, first.stderr).toBe(0);
    for (const env of ENVIRONMENTS) expect(existsSync(join(project.dir, 'assemblies', env, 'manifest.json')), env).toBe(true);
    const second = await tapctl(['synth', '--all', '--json', '--out', 'assemblies']);
    expect((JSON.parse(second.stdout) as { environments: Array<{ cached: boolean }> }).environments.map((e) => e.cached)).toEqual([true, true, true]);

    // Anything else in <dir> is the user's: refused before anything is synthesized, and left alone.
    writeFileSync(join(project.dir, 'assemblies', 'notes.txt'), 'mine');
    const third = await tapctl(['synth', '--all', '--out', 'assemblies']);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/it holds 'notes\.txt', which synth --all did not write/);
    expect(readFileSync(join(project.dir, 'assemblies', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('synth --all with --env is a usage error (exit 2)', async () => {
    const r = await tapctl(['synth', '--all', '--env', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give --env <name> or --all, not both');
  });

  it('validate --deep synthesizes every environment with CloudFormation validation', async () => {
    const r = await tapctl(['validate', '--deep']);
    expect(r.code, r.stderr).toBe(0);
    for (const env of ENVIRONMENTS) expect(r.stderr).toContain(`synthesizing ${env} with CloudFormation validation`);
    expect(r.stdout).toContain('✔ valid: 0 errors, 0 warnings in tapctl.config.yaml (dev, staging, prod)');
  });
});
