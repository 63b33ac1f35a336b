/** Settings read from the environment (TAPCTL_*) are checked in one place, before any command does anything. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/cli/settings.js';
import { cleanEnv, runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
beforeAll(() => (project = tempProject()));
afterAll(() => project.cleanup());

describe('TAPCTL_* settings', () => {
  it.each([
    ['TAPCTL_AWS_TIMEOUT_MS', 'abc', /TAPCTL_AWS_TIMEOUT_MS='abc' is not valid: it takes a whole number of milliseconds from 1 to 3,600,000/],
    ['TAPCTL_AWS_TIMEOUT_MS', '0', /TAPCTL_AWS_TIMEOUT_MS='0' is not valid: .* from 1 to 3,600,000/],
    ['TAPCTL_POLL_INTERVAL_MS', '-1', /TAPCTL_POLL_INTERVAL_MS='-1' is not valid: it takes a whole number of milliseconds from 1 to 300,000/],
    ['TAPCTL_AWS_TIMEOUT_MS', '1e3', /TAPCTL_AWS_TIMEOUT_MS='1e3' is not valid/],
    ['TAPCTL_AWS_TIMEOUT_MS', '99999999999', /TAPCTL_AWS_TIMEOUT_MS='99999999999' is not valid/],
    ['TAPCTL_POLL_INTERVAL_MS', '2s', /TAPCTL_POLL_INTERVAL_MS='2s' is not valid/],
    ['TAPCTL_AWS_TIMEOUT', '5000', /TAPCTL_AWS_TIMEOUT is not a tapctl setting; did you mean TAPCTL_AWS_TIMEOUT_MS\?/],
  ])('%s=%s: exit 2 naming the variable and its range, for any command', async (name, value, message) => {
    for (const argv of [['validate'], ['deploy', '--env', 'dev', '--dry-run'], ['status', '--env', 'dev']]) {
      const r = await runTapctl(argv, { cwd: project.dir, env: cleanEnv({ [name]: value }) });
      expect(r.code, `${argv[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      // Before anything else: no synthesis, no check.
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
  });

  it('good values are read, an empty one is the default, unrelated TAPCTL_ names are left alone', () => {
    expect(readSettings({ TAPCTL_AWS_TIMEOUT_MS: '1500', TAPCTL_POLL_INTERVAL_MS: '5' })).toEqual({ awsTimeoutMs: 1500, pollIntervalMs: 5 });
    expect(readSettings({ TAPCTL_AWS_TIMEOUT_MS: '' })).toEqual({});
    expect(readSettings({ TAPCTL_NETWORK_LOG: '/tmp/x', TAPCTL_TRACE_IMPORTS: '1' })).toEqual({});
  });

  it('a valid value lets the command run', async () => {
    const r = await runTapctl(['validate'], { cwd: project.dir, env: cleanEnv({ TAPCTL_AWS_TIMEOUT_MS: '30000', TAPCTL_POLL_INTERVAL_MS: '1000' }) });
    expect(r.code, r.stderr).toBe(0);
  });
});
