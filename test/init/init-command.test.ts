/** `tapctl init` in-process: the command wiring, the terminal path with scripted answers, and the output. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTapctl } from '../helpers/cli.js';
import { scriptedPrompter, silentPrompter } from './scripted-prompter.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tapctl-init-cmd-'));
  dirs.push(dir);
  return dir;
}

const FLAGS = ['--account', '123456789012', '--email', 'ops@shop.io'];

describe('tapctl init (in-process)', () => {
  it('on a terminal asks, writes the project, and it validates', async () => {
    const cwd = tempDir();
    const prompter = scriptedPrompter(['shop', 'ecommerce', 'dev,prod', '123456789012', '210987654321', 'eu-west-1', 'ops@shop.io', 'aurora-mysql', 'arm64', '8080']);
    const r = await runTapctl(['init'], { cwd, tty: true, prompter });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(prompter.asked).toHaveLength(10);
    expect(r.stdout).toMatch(/✔ shop \(ecommerce\) scaffolded in /);
    expect(r.stdout).toMatch(/created {2}tapctl.config.yaml/);
    expect(r.stdout).toMatch(/prod +production, account 210987654321, eu-west-1/);
    // The steps work when followed in order: bootstrap and the first deploy come before push-image.
    expect(r.stdout).toMatch(/Next\n {2}tapctl validate\n {2}tapctl deploy --env dev --dry-run\n {2}tapctl bootstrap --env dev\n {2}tapctl deploy --env dev\n {2}tapctl push-image --env dev --deploy$/m);

    const v = await runTapctl(['validate'], { cwd });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/valid: 0 errors, 0 warnings in tapctl.config.yaml \(dev, prod\)/);
  });

  it('--yes on a terminal asks only for the account and the email', async () => {
    const cwd = tempDir();
    const prompter = scriptedPrompter(['123456789012', 'ops@shop.io']);
    const r = await runTapctl(['init', '--yes'], { cwd, tty: true, prompter });
    expect(r.code).toBe(0);
    expect(prompter.asked).toHaveLength(2);
  });

  it('--no-interactive on a terminal never asks: exit 2 naming --account', async () => {
    const r = await runTapctl(['init', '--no-interactive', '--email', 'ops@shop.io'], { cwd: tempDir(), tty: true, prompter: silentPrompter });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ --account is required: there is no terminal to ask/);
    expect(r.stderr).toMatch(/hint: pass --account <12-digit account id>/);
  });

  it('--dir names the target folder, created when missing; the project defaults to its name', async () => {
    const cwd = tempDir();
    const r = await runTapctl(['init', '--dir', 'Web Store', ...FLAGS], { cwd, prompter: silentPrompter });
    expect(r.code).toBe(0);
    expect(readFileSync(join(cwd, 'Web Store', 'tapctl.config.yaml'), 'utf8')).toMatch(/^project: web-store$/m);
    expect(r.stdout).toMatch(/Next\n {2}cd "Web Store"\n {2}tapctl validate/);
  });

  it('--json prints exactly one document with project, preset, dir, environments and files', async () => {
    const cwd = tempDir();
    const r = await runTapctl(['init', '--json', '--project', 'shop', '--preset', 'catalog-api', '--envs', 'dev', ...FLAGS], { cwd, prompter: silentPrompter });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      project: 'shop',
      preset: 'catalog-api',
      dir: cwd,
      environments: [{ name: 'dev', kind: 'development', account: '123456789012', region: 'us-east-1' }],
    });
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual(['tapctl.config.yaml', '.dockerignore', '.gitignore', 'app/package.json', 'app/server.js', 'Dockerfile']);
    expect(doc.files.every((f: { action: string }) => f.action === 'created')).toBe(true);
    // Every preset has its platform now: no caveat, on stderr or in the JSON.
    expect(r.stderr).not.toMatch(/only the ecommerce preset/);
  });

  it('refuses to overwrite without --force (exit 2, listing the files), then --force replaces them', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tapctl.config.yaml'), 'project: mine\n');
    const refused = await runTapctl(['init', ...FLAGS], { cwd, prompter: silentPrompter });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/init would overwrite a file in .*: tapctl.config.yaml/);
    expect(refused.stderr).toMatch(/hint: pass --force/);
    expect(readFileSync(join(cwd, 'tapctl.config.yaml'), 'utf8')).toBe('project: mine\n');
    expect(existsSync(join(cwd, 'Dockerfile'))).toBe(false);

    const forced = await runTapctl(['init', '--force', ...FLAGS], { cwd, prompter: silentPrompter });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/overwritten {2}tapctl.config.yaml/);
  });

  it('a bad flag is a usage error naming the flag, and nothing is written', async () => {
    const cwd = tempDir();
    const r = await runTapctl(['init', '--account', '1234', '--email', 'ops@shop.io'], { cwd, prompter: silentPrompter });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^✖ --account: '1234' is not an AWS account ID: expected 12 digits/);
    expect(existsSync(join(cwd, 'tapctl.config.yaml'))).toBe(false);
  });

  it('reads the global --region, and refuses a malformed one', async () => {
    const cwd = tempDir();
    const ok = await runTapctl(['init', '--region', 'ap-southeast-2', '--json', ...FLAGS], { cwd, prompter: silentPrompter });
    expect(JSON.parse(ok.stdout).environments.map((e: { region: string }) => e.region)).toEqual(['ap-southeast-2', 'ap-southeast-2', 'ap-southeast-2']);
    const bad = await runTapctl(['init', '--region', 'Sydney', ...FLAGS], { cwd: tempDir(), prompter: silentPrompter });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--region: 'Sydney' is not an AWS region/);
  });
});
