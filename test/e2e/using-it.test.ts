/**
 * The README's "Using it" steps, in order, on an empty folder, as a CI job runs them (no terminal, no AWS
 * credentials): each works up to the first step that needs AWS, and none is a dead end. init starts a git
 * repository (--yes takes its default); push-image, with no commit yet, tags by the build context's content.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whichOnPath } from '../../src/image/exec.js';
import { cleanEnv, spawnTapctl } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'tapctl-using-it-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the README's Using it steps", () => {
  it('mkdir shop && tapctl init ... --yes, validate, deploy --dry-run, push-image --dry-run', async () => {
    const shop = join(root, 'shop');
    mkdirSync(shop);
    const env = cleanEnv();
    const step = (argv: string[]) => spawnTapctl(argv, { cwd: shop, env });

    const init = await step(['init', '--project', 'shop', '--account', '123456789012', '--email', 'ops@shop.io', '--envs', 'dev,staging,prod', '--yes']);
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(shop, '.git'))).toBe(true);

    const validate = await step(['validate']);
    expect(validate.code, validate.stderr).toBe(0);

    const dryRun = await step(['deploy', '--env', 'dev', '--dry-run']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/Next:\n {2}tapctl bootstrap --env dev/);

    // push-image --dry-run still picks a builder before it shows its plan: without one on PATH it cannot run.
    const builder = ['buildah', 'podman', 'docker', 'finch'].find((b) => whichOnPath(process.env)(b));
    if (!builder) {
      console.log('push-image step not run: no container builder (buildah, podman, docker, finch) on PATH');
      return;
    }
    const push = await step(['push-image', '--env', 'dev', '--dry-run', '--json']);
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'result', ok: true, command: 'push-image', tag: expect.stringMatching(/^ctx-[0-9a-f]{12}$/) });
    expect(push.stderr).toMatch(/tagging it by the content digest of its build context/);
  });
});
