/**
 * Every option is checked before any synthesis, prompt or AWS call: a bad path, number, tag, profile or region,
 * or options that cannot go together, is exit 2 up front, also for --dry-run.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
beforeEach(() => (project = tempProject()));
afterEach(() => project.cleanup());

/** Nothing was synthesized: the assembly folder was never made. */
const nothingRan = () => expect(existsSync(join(project.dir, '.tapctl', 'dev', 'cdk.out'))).toBe(false);

describe('options are checked before anything runs', () => {
  it.each([
    ['deploy --outputs-file / (a folder), even for a dry run', ['deploy', '--env', 'dev', '--dry-run', '--outputs-file', '/'], /--outputs-file '\/' is a folder; give the path of a file to write/],
    ['deploy --outputs-file under a file', ['deploy', '--env', 'dev', '--dry-run', '--outputs-file', 'tapctl.config.yaml/out.json'], /tapctl.config.yaml is a file, not a folder/],
    ['deploy --dry-run --no-wait', ['deploy', '--env', 'dev', '--dry-run', '--no-wait'], /option '--no-wait' cannot be used with option '--dry-run'/],
    ['deploy --wait-for-stack abc', ['deploy', '--env', 'dev', '--dry-run', '--wait-for-stack', 'abc'], /--wait-for-stack takes minutes from 1 to 1440, not 'abc'/],
    ['status --watch 0', ['status', '--env', 'dev', '--watch', '0'], /--watch takes a number of seconds from 1 to 3600, not '0'/],
    ['push-image --dry-run --scan', ['push-image', '--env', 'dev', '--dry-run', '--scan'], /option '--scan' cannot be used with option '--dry-run'/],
    ['push-image --hotswap without --deploy', ['push-image', '--env', 'dev', '--hotswap'], /--hotswap only applies with --deploy/],
    ['push-image --no-wait without --deploy', ['push-image', '--env', 'dev', '--no-wait'], /--no-wait only applies with --deploy/],
    ['push-image --tag with a space', ['push-image', '--env', 'dev', '--tag', 'v1 beta'], /'v1 beta' is not a valid image tag/],
    ['synth --out onto a file', ['synth', '--env', 'dev', '--out', 'tapctl.config.yaml'], /cannot write the cloud assembly to '.*tapctl.config.yaml': it is a file/],
    ['synth --out under a device', ['synth', '--env', 'dev', '--out', '/dev/null/x'], /--out '\/dev\/null\/x': \/dev\/null is a device or special file, not a folder/],
    ['synth --all --out under a device', ['synth', '--all', '--out', '/dev/null/x'], /--out '\/dev\/null\/x': \/dev\/null is a device or special file, not a folder/],
    ['a repeated --env', ['deploy', '--env', 'dev', '--env', 'prod', '--dry-run'], /--env was given 2 times \('dev', then 'prod'\); it takes one value/],
    ['a repeated --env, once before the command', ['--env', 'dev', 'config', '--env', 'prod'], /--env was given 2 times \('dev', then 'prod'\); it takes one value/],
    ['a repeated --to', ['rollback', '--env', 'dev', '--to', '1', '--to', '2', '--dry-run'], /--to was given 2 times \('1', then '2'\)/],
    ['a repeated --outputs-file', ['deploy', '--env', 'dev', '--dry-run', '--outputs-file', 'a.json', '--outputs-file', 'b.json'], /--outputs-file was given 2 times/],
    ['an empty --to', ['rollback', '--env', 'dev', '--to', '', '--dry-run'], /--to needs a value, got an empty one/],
    ['an empty --env', ['config', '--env', ''], /--env needs a value, got an empty one/],
    ['a blank --tag', ['push-image', '--env', 'dev', '--tag', '  '], /--tag needs a value, got only blanks/],
    ['--limit in scientific notation', ['releases', '--env', 'dev', '--limit', '1e3'], /--limit takes a whole number of releases from 1 to 10 \(the ledger keeps 10\), not '1e3'/],
    ['--limit in hex', ['releases', '--env', 'dev', '--limit', '0x10'], /not '0x10'/],
    ['--limit with a space', ['releases', '--env', 'dev', '--limit', ' 3'], /not ' 3'/],
    ['--limit above what the ledger keeps', ['releases', '--env', 'dev', '--limit', '100'], /from 1 to 10 \(the ledger keeps 10\), not '100'/],
    ['--watch with a space', ['status', '--env', 'dev', '--watch', ' 3'], /--watch takes a number of seconds from 1 to 3600, not ' 3'/],
    ['rollback --allow-replace without --with-config', ['rollback', '--env', 'dev', '--allow-replace', 'X', '--dry-run'], /--allow-replace only applies with --with-config/],
    ['push-image --tag the bootstrap placeholder', ['push-image', '--env', 'dev', '--tag', 'tapctl-bootstrap-placeholder'], /'tapctl-bootstrap-placeholder' is reserved/],
    ['--env --json (a flag taken as the name)', ['config', '--env', '--json'], /--env needs a value, got the flag '--json'/],
    ['--dir followed by a flag', ['validate', '--dir', '--verbose'], /--dir needs a value, got the flag '--verbose'/],
    ['--region with a typo', ['deploy', '--env', 'dev', '--dry-run', '--region', 'us-easst-1'], /--region: 'us-easst-1' is not an AWS region; did you mean 'us-east-1'\?/],
  ])('%s: exit 2', async (_what, argv, message) => {
    const r = await runTapctl(argv, { cwd: project.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/synthesiz|preflight|checking/i);
    nothingRan();
  });

  it('an option error comes before a missing config: the options were read first', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tapctl-empty-'));
    const r = await runTapctl(['push-image', '--env', 'dev', '--tag', 'latest'], { cwd: empty });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'latest' is never the only tag/);
  });

  it('--env --json is refused in the form the person asked for: one JSON line', async () => {
    const r = await runTapctl(['validate', '--env', '--json'], { cwd: project.dir });
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2, message: "--env needs a value, got the flag '--json'" } });
  });

  it('a repeatable option may repeat: --allow-replace collects every value', async () => {
    const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run', '--allow-replace', 'NoSuchA', '--allow-replace', 'NoSuchB'], { cwd: project.dir });
    expect(r.stderr).not.toMatch(/was given 2 times/);
    expect(r.stderr).toMatch(/NoSuchA, NoSuchB/);
  });

  it('a negative number is left to the option, which says what it takes', async () => {
    const r = await runTapctl(['status', '--env', 'dev', '--watch', '-5'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--watch takes a number of seconds from 1 to 3600, not '-5'/);
  });

  it('a good --outputs-file in a folder still to be made passes the check', async () => {
    writeFileSync(join(project.dir, 'x'), '');
    const r = await runTapctl(['deploy', '--env', 'dev', '--dry-run', '--outputs-file', 'out/new/outputs.json', '--json'], { cwd: project.dir });
    expect(r.stderr).not.toMatch(/--outputs-file/);
  });
});
