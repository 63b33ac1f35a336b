/** The resolved-config cache must give exactly what a fresh load gives, and never outlive a change. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('a damaged cache file is ignored and rewritten', async () => {
    project = tempProject();
    await configJson();
    writeFileSync(cachePath(), '{ not json');
    expect((await configJson()).name).toBe('prod');
    expect(() => JSON.parse(readFileSync(cachePath(), 'utf8'))).not.toThrow();
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
