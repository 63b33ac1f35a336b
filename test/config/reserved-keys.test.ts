/**
 * Names JavaScript treats specially (__proto__, constructor, prototype) are refused wherever a user gives a
 * name, naming it; and user keys are looked up as the map's own, never inherited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { own, reservedKeyPaths } from '../../src/config/keys.js';
import { runTapctl } from '../helpers/cli.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

const HEAD = 'project: shop\ndefaults:\n  alarms: { email: ops@shop.test }\n';
const DEV = '  dev: { account: "111111111111", region: us-east-1 }\n';

describe('reserved names in tapctl.config.yaml', () => {
  it.each([
    ['an environment named __proto__ (it used to vanish)', `${HEAD}environments:\n${DEV}  __proto__: { account: "111111111111", region: us-east-1 }\n`, 'environments.__proto__', 6],
    ['an environment named constructor', `${HEAD}environments:\n${DEV}  constructor: { account: "111111111111", region: us-east-1 }\n`, 'environments.constructor', 6],
    ['an environment named prototype', `${HEAD}environments:\n${DEV}  prototype: { account: "111111111111", region: us-east-1 }\n`, 'environments.prototype', 6],
    ['a tag key', `${HEAD}  tags: { __proto__: x }\nenvironments:\n${DEV}`, 'defaults.tags.__proto__', 4],
    ['a build argument', `${HEAD}environments:\n  dev:\n    account: "111111111111"\n    region: us-east-1\n    container: { buildArgs: { constructor: x } }\n`, 'environments.dev.container.buildArgs.constructor', 8],
  ])('%s: exit 2, naming it at its line', async (_what, yaml, path, line) => {
    project = tempProject(yaml);
    const key = path.split('.').pop()!;
    for (const argv of [['validate'], ['config', '--env', 'dev']]) {
      const r = await runTapctl(argv, { cwd: project.dir });
      expect(r.code, r.stderr).toBe(2);
      const all = r.stdout + r.stderr;
      expect(all).toContain(`tapctl.config.yaml:${line}:`);
      expect(all).toContain(`${path}  '${key}' cannot be used as a name`);
      expect(all).not.toMatch(/internal error/);
    }
  });

  it('a valid file is still valid, and a key that merely shadows an Object method is an ordinary key', async () => {
    project = tempProject(`${HEAD}  tags: { toString: x, hasOwnProperty: y }\nenvironments:\n${DEV}`);
    const r = await runTapctl(['config', '--env', 'dev', '--json'], { cwd: project.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tags).toEqual({ toString: 'x', hasOwnProperty: 'y' });
  });

  it('--env __proto__ is an unknown environment, named, exit 2', async () => {
    project = tempProject(`${HEAD}environments:\n${DEV}`);
    const r = await runTapctl(['config', '--env', '__proto__'], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no environment '__proto__'/);
  });
});

describe('reserved names in init', () => {
  it.each(['dev,constructor', 'prototype', 'dev,__proto__'])('--envs %s: exit 2 naming it, nothing written', async (envs) => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/tapctl-init-`);
    const r = await runTapctl(['init', '--envs', envs, '--account', '123456789012', '--email', 'ops@shop.io', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    const name = envs.split(',').pop();
    expect(r.stderr).toMatch(new RegExp(`--envs: '${name}' cannot be used as a name`));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('own and reservedKeyPaths', () => {
  it('own() never returns an inherited property', () => {
    const map: Record<string, string> = { a: '1' };
    expect(own(map, 'a')).toBe('1');
    expect(own(map, 'constructor')).toBeUndefined();
    expect(own(map, 'toString')).toBeUndefined();
    expect(own({ PATH: '/bin' } as NodeJS.ProcessEnv, 'hasOwnProperty')).toBeUndefined();
  });

  it('reservedKeyPaths finds them at any depth, in lists too', () => {
    const value = JSON.parse('{"a":{"__proto__":1},"b":[{"constructor":2}],"c":{"prototype":{"x":1}}}');
    expect(reservedKeyPaths(value)).toEqual([['a', '__proto__'], ['b', 0, 'constructor'], ['c', 'prototype']]);
  });
});
