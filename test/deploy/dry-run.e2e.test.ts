/**
 * The README's main-job example, as a user or a CI job runs it: the built binary, no AWS credentials at all.
 * Needs `npm run build` first (npm test does it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const project = tempProject();
afterAll(() => project.cleanup());

describe('tapctl deploy --dry-run (spawned, no credentials)', () => {
  it('validates, synthesizes and shows the plan offline, marks the AWS checks skipped, and exits 0', async () => {
    // No credentials anywhere: an empty HOME (no ~/.aws) and no AWS_* variables.
    const r = await spawnTapctl(['deploy', '--env', 'dev', '--dry-run'], { cwd: project.dir, env: cleanEnv({ HOME: project.dir }), timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ config {2}tapctl.config.yaml: environment 'dev' is valid/);
    expect(r.stderr).toMatch(/– credentials {2}none found/);
    expect(r.stderr).toMatch(/– bootstrap {2}no credentials/);
    expect(r.stdout).toMatch(/Plan for 'dev' \(TapStack-shop-dev\)/);
    expect(r.stdout).toMatch(/template\s+\d+ resources/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
  }, 120_000);
});
