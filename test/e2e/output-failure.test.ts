/**
 * Output that cannot be written (a full disk, a file size limit) ends the run with one message on stderr and exit 1,
 * or the command's own failing code; never a stack trace (cli/fd-writer.ts, cli/main.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

const project = tempProject();
const dir = mkdtempSync(join(tmpdir(), 'tapctl-out-'));
afterAll(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const MESSAGE = /^✖ could not write to standard output: no space left on device \(ENOSPC\); the output is incomplete\n {2}hint: .*ulimit -f.*\n$/;

/** Runs tapctl through a shell, so that its stdout and stderr may go where a shell sends them. */
function sh(command: string) {
  return spawnSync('bash', ['-c', command, 'tapctl', process.execPath, BIN], { cwd: project.dir, env: cleanEnv(), encoding: 'utf8' });
}

describe.skipIf(!existsSync('/dev/full'))('stdout on a full disk (/dev/full, a character device: Node\'s stream)', () => {
  it.each([['--help'], ['config --env dev'], ['validate --json']])('tapctl %s: one message, exit 1', (args) => {
    const r = sh(`"$1" "$2" ${args} >/dev/full`);
    expect(r.stderr).toMatch(MESSAGE);
    expect(r.status).toBe(1);
  });

  it('a command that fails keeps its own code; its --json result line, lost, is said to be', () => {
    const r = sh('"$1" "$2" validate --env nope --json >/dev/full');
    const [said, lost] = r.stderr.split(/(?=✖ could not write)/);
    expect(said).toMatch(/^✖ there is no environment 'nope' in tapctl.config.yaml\n/);
    expect(lost).toMatch(MESSAGE);
    expect(r.status).toBe(2);
  });

  it('a failing command that writes nothing to stdout: no output lost, nothing more said', () => {
    const r = sh('"$1" "$2" validate --env nope >/dev/full');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^✖ there is no environment 'nope' in tapctl.config.yaml\n {2}hint: [^\n]*\n$/);
  });

  it('stderr full too: nothing more can be said, the exit code says it', () => {
    const r = sh('"$1" "$2" config --env dev >/dev/full 2>/dev/full; echo "exit $?" >&2');
    expect(r.stderr).toBe('exit 1\n');
  });
});

it('stdout a file over the size limit (ulimit -f: EFBIG, written directly): one message, exit 1, what fit is kept', () => {
  const out = join(dir, 'config.yaml');
  // 1 block of 512 bytes: the config's YAML is longer. SIGXFSZ is ignored, as a shell ignoring it would.
  const r = sh(`trap '' XFSZ; ulimit -f 1; "$1" "$2" config --env dev > "${out}"`);
  expect(r.stderr).toMatch(/^✖ could not write to standard output: file too large \(EFBIG\); the output is incomplete\n/);
  expect(r.stderr).not.toMatch(/\bat \S+ \(/);
  expect(r.status).toBe(1);
  expect(readFileSync(out, 'utf8')).toMatch(/^# tapctl config --env dev \(resolved\)\n/);
});
