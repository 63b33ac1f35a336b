/** `tapctl init` in-process: the command wiring, the terminal path with scripted answers, and the output. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const prompter = scriptedPrompter(['shop', 'ecommerce', 'dev,prod', '123456789012', '210987654321', 'eu-west-1', 'ops@shop.io', 'aurora-mysql', 'arm64', '8080', 'y']);
    const r = await runTapctl(['init'], { cwd, tty: true, prompter });
    // eu-west-1: CloudFront's web ACL is an input there (waf.webAclArn), which init cannot invent; it says so.
    expect(r.stderr).toMatch(/^! environments\.prod\.waf\.enabled {2}production serves without a web ACL: CloudFront's web ACL must be in us-east-1, and prod deploys to eu-west-1[^\n]*\n$/);
    expect(r.code).toBe(0);
    expect(prompter.asked).toHaveLength(11);
    // The folder is not in git: init offers git init (push-image tags by commit), last.
    expect(prompter.asked[10]).toMatchObject({ kind: 'confirm', message: expect.stringMatching(/git init/), default: true });
    expect(existsSync(join(cwd, '.git'))).toBe(true);
    expect(r.stdout).toMatch(/✔ shop \(ecommerce\) scaffolded in /);
    expect(r.stdout).toMatch(/created {2}tapctl.config.yaml/);
    expect(r.stdout).toMatch(/prod +production, account 210987654321, eu-west-1/);
    // The steps work when followed in order: bootstrap and the first deploy come before push-image.
    expect(r.stdout).toMatch(/Next\n {2}tapctl validate\n {2}tapctl deploy --env dev --dry-run\n {2}tapctl bootstrap --env dev\n {2}tapctl deploy --env dev\n {2}tapctl push-image --env dev --deploy$/m);

    const v = await runTapctl(['validate'], { cwd });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/valid: 0 errors, 1 warning in tapctl.config.yaml \(dev, prod\)/);
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
    expect(refused.stderr).toMatch(/this folder already holds a tapctl project: init would overwrite a file in .*: tapctl.config.yaml/);
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

  it('a region typo at the prompt is refused where it is given, with the suggestion validate knows', async () => {
    const cwd = tempDir();
    const prompter = scriptedPrompter(['123456789012', 'us-easst-1', 'us-east-1', 'ops@shop.io', 'n']);
    const r = await runTapctl(['init', '--project', 'shop', '--preset', 'ecommerce', '--envs', 'dev', '--engine', 'aurora-postgresql', '--arch', 'x86_64', '--port', '3000'], { cwd, tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    const region = prompter.asked.find((q) => q.message === 'AWS region')!;
    expect(region.rejected).toEqual(["'us-easst-1' is not an AWS region; did you mean 'us-east-1'?"]);
    expect(readFileSync(join(cwd, 'tapctl.config.yaml'), 'utf8')).toMatch(/region: us-east-1/);
  });

  it('--region with a typo: exit 2 with the suggestion, before any question, nothing written', async () => {
    const cwd = tempDir();
    const r = await runTapctl(['init', '--region', 'us-easst-1', ...FLAGS], { cwd, tty: true, prompter: silentPrompter });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--region: 'us-easst-1' is not an AWS region; did you mean 'us-east-1'\?/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each(['1234-5678-9012', '1234 5678 9012', '123456789012'])('the account is accepted as the console writes it: %s', async (account) => {
    const cwd = tempDir();
    const prompter = scriptedPrompter([account, 'ops@shop.io', 'n']);
    const r = await runTapctl(['init', '--yes', '--no-git'], { cwd, tty: true, prompter: scriptedPrompter([account, 'ops@shop.io']) });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'tapctl.config.yaml'), 'utf8')).toContain('account: "123456789012"');
    const flag = await runTapctl(['init', '--account', account, '--email', 'ops@shop.io', '--no-git'], { cwd: tempDir(), prompter });
    expect(flag.code, flag.stderr).toBe(0);
  });

  it('a folder that already holds a project: said before the first question; declining writes nothing', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tapctl.config.yaml'), 'project: mine\n');
    const prompter = scriptedPrompter(['n']);
    const r = await runTapctl(['init'], { cwd, tty: true, prompter });
    expect(r.code).toBe(2);
    expect(prompter.asked).toHaveLength(1);
    expect(prompter.asked[0]).toMatchObject({ kind: 'confirm', message: expect.stringMatching(/already holds a tapctl project \(tapctl.config.yaml\)\. Overwrite them\?/), default: false });
    expect(r.stderr).toMatch(/init stopped: nothing was written/);
    expect(readdirSync(cwd)).toEqual(['tapctl.config.yaml']);
  });

  it('a folder that already holds a project: accepting the overwrite goes on to the questions', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tapctl.config.yaml'), 'project: mine\n');
    const prompter = scriptedPrompter(['y', '123456789012', 'ops@shop.io']);
    const r = await runTapctl(['init', '--yes', '--no-git'], { cwd, tty: true, prompter });
    expect(r.code).toBe(2);
    // --yes never overwrites by itself: it takes defaults, not the risk.
    expect(r.stderr).toMatch(/hint: pass --force/);
    const asked = await runTapctl(['init', '--no-git', '--project', 'shop', '--preset', 'ecommerce', '--envs', 'dev', '--region', 'us-east-1', '--engine', 'aurora-postgresql', '--arch', 'x86_64', '--port', '3000'], { cwd, tty: true, prompter });
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/overwritten {2}tapctl.config.yaml/);
  });

  it('without a terminal, an existing project is exit 2 naming --force before anything is asked', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');
    const r = await runTapctl(['init'], { cwd, prompter: silentPrompter });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/init would overwrite a file in .*: Dockerfile/);
    expect(r.stderr).toMatch(/hint: pass --force/);
    expect(r.stderr).not.toMatch(/--account/);
  });

  it('--no-git never runs git init; --git runs it without asking', async () => {
    const a = tempDir();
    expect((await runTapctl(['init', '--no-git', ...FLAGS], { cwd: a, tty: true, prompter: scriptedPrompter([undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]) })).code).toBe(0);
    expect(existsSync(join(a, '.git'))).toBe(false);
    const b = tempDir();
    const r = await runTapctl(['init', '--git', '--json', ...FLAGS], { cwd: b, prompter: silentPrompter });
    expect(JSON.parse(r.stdout)).toMatchObject({ gitInitialized: true });
    expect(existsSync(join(b, '.git'))).toBe(true);
  });
});
