/** A misspelt --profile is a usage error with a suggestion, not "no credentials" (which a dry run would skip). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
beforeAll(() => {
  project = tempProject();
  const config = join(project.dir, 'aws-config');
  writeFileSync(config, '[default]\nregion = us-east-1\n[profile shop-dev]\nregion = us-east-1\n');
  vi.stubEnv('AWS_CONFIG_FILE', config);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(project.dir, 'no-credentials'));
});
afterAll(() => {
  vi.unstubAllEnvs();
  project.cleanup();
});

describe('--profile', () => {
  it('status with a profile that does not exist: exit 2, with the closest one suggested', async () => {
    const r = await runTapctl(['status', '--env', 'dev', '--profile', 'shop-dve'], { cwd: project.dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/there is no AWS profile 'shop-dve'; did you mean 'shop-dev'\?/);
    expect(r.stderr).toMatch(/default, shop-dev/);
  });

  it('a dry run does not skip past it as "no credentials"', async () => {
    const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run', '--profile', 'nope'], { cwd: project.dir, env: cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ there is no AWS profile 'nope'/);
  });
});

describe('AWS_PROFILE', () => {
  it('a misspelt AWS_PROFILE is named, with the closest profile, not "no AWS credentials found"', async () => {
    vi.stubEnv('AWS_PROFILE', 'shop-dve');
    try {
      const r = await runTapctl(['status', '--env', 'dev'], { cwd: project.dir, env: cleanEnv({ AWS_PROFILE: 'shop-dve' }) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/there is no AWS profile 'shop-dve' \(from AWS_PROFILE\); did you mean 'shop-dev'\?/);
      expect(r.stderr).not.toMatch(/no AWS credentials found/);
    } finally {
      vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
    }
  });

  it('a dry run names it too, instead of skipping the checks for "no credentials"', async () => {
    vi.stubEnv('AWS_PROFILE', 'prod-typo');
    try {
      const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run'], { cwd: project.dir, env: cleanEnv({ AWS_PROFILE: 'prod-typo' }) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/there is no AWS profile 'prod-typo' \(from AWS_PROFILE\)/);
      expect(r.stderr).toMatch(/unset AWS_PROFILE|profiles in ~\/.aws\/config/);
    } finally {
      vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
    }
  });

  it('--profile wins over AWS_PROFILE', async () => {
    vi.stubEnv('AWS_PROFILE', 'whatever');
    try {
      const r = await runTapctl(['status', '--env', 'dev', '--profile', 'shop-dve'], { cwd: project.dir, env: cleanEnv({ AWS_PROFILE: 'whatever' }) });
      expect(r.stderr).toMatch(/there is no AWS profile 'shop-dve'; did you mean/);
    } finally {
      vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
    }
  });
});
