/**
 * Whatever the YAML parser, zod or the file system raise on a user's file is a config error: exit 2, one
 * message at file:line where there is one, never "internal error".
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/cli/errors.js';
import { toUserError } from '../../src/cli/user-errors.js';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject;
afterEach(() => project?.cleanup());

const ENVS = 'environments:\n  dev: { account: "111111111111", region: us-east-1 }\n';

/** Nine anchors, each a list of nine aliases of the one before: 9^10 strings once expanded. */
function billionLaughs(): string {
  let text = 'project: shop\nlol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) text += `lol${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  return text + ENVS;
}

const cases: Array<[string, () => string | Buffer, RegExp, number | undefined]> = [
  ['a billion-laughs file (too many aliases)', billionLaughs, /aliases \(\*name\) expand the file too far/, 3],
  ['flow sequences nested 5,000 deep', () => `project: ${'['.repeat(5000)}${']'.repeat(5000)}\n${ENVS}`, /nests too deeply/, 1],
  ['flow mappings nested 3,000 deep', () => `project: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n${ENVS}`, /nests too deeply/, 1],
  ['binary garbage', () => Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x3a, 0x0a, 0x5b, 0x7b, 0x00]), /./, undefined],
  ['a duplicate key', () => `project: shop\nproject: shop\n${ENVS}`, /Map keys must be unique/, 2],
  ['a tab where YAML wants spaces', () => `project: shop\nenvironments:\n\tdev: {}\n`, /./, undefined],
];

describe('parser errors are config errors', () => {
  it.each(cases)('%s: exit 2, one located message, no internal error', async (_what, content, message, line) => {
    project = tempProject('');
    writeFileSync(project.configPath, content());
    for (const argv of [['validate'], ['config', '--env', 'dev']]) {
      const r = await runTapctl(argv, { cwd: project.dir });
      expect(r.code, r.stderr).toBe(2);
      const all = r.stdout + r.stderr;
      expect(all).toMatch(message);
      expect(all).not.toMatch(/internal error|this is a bug|\n\s+at /);
      if (line !== undefined) expect(all).toMatch(new RegExp(`tapctl\\.config\\.yaml:${line}:\\d+`));
      expect(all.length).toBeLessThan(2000);
    }
  });

  it('the same failure in --json is one result line with the issue in its details', async () => {
    project = tempProject(billionLaughs());
    const r = await runTapctl(['validate', '--json'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const line = JSON.parse(r.stdout);
    expect(line).toMatchObject({ type: 'result', ok: false, command: 'validate', error: { code: 'config', exitCode: 2 } });
    expect(line.error.details.errors[0]).toMatchObject({ rule: 'yaml', line: 3 });
  });

  it('a YAML or zod error that escapes elsewhere is still a config error, never internal', () => {
    for (const name of ['YAMLParseError', 'ZodError']) {
      const mapped = toUserError(Object.assign(new Error(`${name} says no\nsecond line`), { name }));
      expect(mapped).toBeInstanceOf(ConfigError);
      expect((mapped as ConfigError).message).toBe(`${name} says no`);
      expect((mapped as ConfigError).exitCode).toBe(2);
    }
  });
});
