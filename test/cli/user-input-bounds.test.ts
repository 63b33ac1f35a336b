/**
 * Files that are not plain files, and values that are huge: a config path that is not a regular file is exit 2
 * at once (never a blocked read), and a message shows at most 80 characters of a user's value and says how long
 * it was.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { boundQuotedValues, quote } from '../../src/cli/quote.js';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.cleanup());

const VALID = 'project: shop\ndefaults:\n  alarms: { email: ops@shop.test }\nenvironments:\n  dev: { account: "111111111111", region: us-east-1 }\n';

describe('a config path that is not a regular file', () => {
  const replace = (make: (path: string) => void) => {
    project = tempProject(VALID);
    rmSync(project.configPath);
    make(project.configPath);
  };
  it.each([
    ['a FIFO', (p: string) => execFileSync('mkfifo', [p]), /a named pipe \(FIFO\), not a file/],
    ['a link to /dev/zero', (p: string) => symlinkSync('/dev/zero', p), /a character device, not a file/],
    ['a folder', (p: string) => mkdirSync(p), /a folder, not a file/],
    ['a dangling link', (p: string) => symlinkSync('/nonexistent/tapctl.config.yaml', p), /no tapctl.config.yaml in/],
  ])('%s: exit 2 at once, for every command that reads the config', async (_what, make, reason) => {
    replace(make);
    for (const argv of [['validate'], ['config', '--env', 'dev'], ['synth', '--env', 'dev'], ['status', '--env', 'dev']]) {
      const r = await runTapctl(argv, { cwd: project.dir });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  }, 20_000);
});

describe('huge values are quoted, cut and measured', () => {
  it('a 100 KB --env value', async () => {
    project = tempProject(VALID);
    const r = await runTapctl(['config', '--env', 'x'.repeat(100_000)], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`there is no environment '${'x'.repeat(80)}…' (100,000 characters) in tapctl.config.yaml`);
    expect(r.stderr.length).toBeLessThan(400);
  });

  it('a 10 MB value in the config', async () => {
    project = tempProject(VALID.replace('region: us-east-1', `region: us-east-1, suffix: ${'a'.repeat(10 * 1024 * 1024)}`));
    const r = await runTapctl(['validate'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/tapctl.config.yaml:5:\d+  environments.dev.suffix  this value is 10,485,760 characters long; tapctl reads at most 4,096: 'a{80}…' \(10,485,760 characters\)/);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(1000);
  });

  it('a long value the schema refuses is quoted the same way', async () => {
    project = tempProject(VALID.replace('region: us-east-1', `region: ${'r'.repeat(300)}`));
    const r = await runTapctl(['validate'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`'${'r'.repeat(80)}…' (300 characters)`);
    expect(r.stdout).not.toContain('r'.repeat(81));
  });

  it('an unknown option with a 1,000-character name', async () => {
    project = tempProject(VALID);
    const r = await runTapctl(['validate', `--${'y'.repeat(998)}`], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--y{78}…' \(1,000 characters\)/);
  });

  it('escape sequences in a value are shown, not sent to the terminal', async () => {
    project = tempProject(VALID);
    const r = await runTapctl(['config', '--env', 'a\u001b[2Jb'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'a\\u001b[2Jb'");
    expect(r.stderr).not.toContain('\u001b');
  });

  it('a bidirectional override in a name is shown as an escape: --env "dev\u202eved" cannot read as another name', async () => {
    project = tempProject(VALID);
    const r = await runTapctl(['config', '--env', 'dev\u202e\u2066ved'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'dev\\u202e\\u2066ved'");
    expect(r.stderr).not.toMatch(/[\u202e\u2066]/);
  });

  it('a config that starts with a byte-order mark reads as without it: its positions are not one off', async () => {
    project = tempProject(`\uFEFF${VALID.replace('project: shop', 'project: Shop!')}`);
    const r = await runTapctl(['validate'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/tapctl\.config\.yaml:1:1 {2}project/);
  });

  it('init echoes a huge answer the same way', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/tapctl-init-`);
    const r = await runTapctl(['init', '--account', '1'.repeat(5000), '--email', 'ops@shop.io'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`'${'1'.repeat(80)}…' (5,000 characters) is not an AWS account ID`);
    rmSync(dir, { recursive: true });
  });
});

describe('quote', () => {
  it('keeps short values whole and cuts long ones with their length', () => {
    expect(quote('dev')).toBe("'dev'");
    expect(quote('x'.repeat(80))).toBe(`'${'x'.repeat(80)}'`);
    expect(quote('x'.repeat(81))).toBe(`'${'x'.repeat(80)}…' (81 characters)`);
    expect(quote('a\nb\tc')).toBe("'a\\nb\\tc'");
  });

  it('the net cuts a quoted span once and leaves a cut one alone', () => {
    const long = 'z'.repeat(200);
    expect(boundQuotedValues(`no such thing '${long}' here`)).toBe(`no such thing '${'z'.repeat(80)}…' (200 characters) here`);
    const once = boundQuotedValues(`x '${long}'`);
    expect(boundQuotedValues(once)).toBe(once);
    expect(boundQuotedValues("short 'value'")).toBe("short 'value'");
  });
});
