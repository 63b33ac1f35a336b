/**
 * The code cache of Node 20 (src/cli/code-cache.ts): modules run exactly as Node would run them, the cache is
 * written where and when it should be, read back, and never used when it is not this build's, this file's, or
 * this user's alone.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDir, commandOf, installCodeCache, type InstalledCodeCache } from '../../src/cli/code-cache.js';

let root: string;
let codeDir: string;
let cacheDir: string;
let installed: InstalledCodeCache | undefined;
const WHOLE_SECOND = 1_700_000_000;
const load = createRequire(import.meta.url);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tapctl-code-cache-'));
  codeDir = join(root, 'bundle');
  cacheDir = join(root, 'cache', 'tapctl', 'code-cache', `${process.version}-0123456789abcdef`);
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, 'helper.js'), "'use strict';\nexports.twice = (n) => 2 * n;\n");
  writeFileSync(
    join(codeDir, 'entry.js'),
    [
      "'use strict';",
      "const { twice } = require('./helper.js');",
      "const path = require('node:path');",
      'module.exports = { answer: twice(21), file: __filename, dir: __dirname, self: module.exports === exports, base: path.basename(__filename) };',
      'module.exports.fail = () => { throw new Error("from entry"); };',
      '',
    ].join('\n'),
  );
  // A time in whole seconds, which a file keeps exactly (a time in milliseconds may come back 1 ns short).
  for (const file of ['helper.js', 'entry.js']) utimesSync(join(codeDir, file), WHOLE_SECOND, WHOLE_SECOND);
});

afterEach(() => {
  installed?.uninstall();
  installed = undefined;
  for (const file of ['entry.js', 'helper.js', 'outside.js']) delete load.cache[join(codeDir, file)];
  delete load.cache[join(root, 'outside.js')];
  rmSync(root, { recursive: true, force: true });
});

/** One run of "the process": install, load the entry afresh, write the caches as the exit would. */
function run(command = 'config'): Record<string, unknown> {
  installed?.uninstall();
  for (const file of ['entry.js', 'helper.js']) delete load.cache[join(codeDir, file)];
  installed = installCodeCache({ codeDir, cacheDir, command });
  const exported = load(join(codeDir, 'entry.js')) as Record<string, unknown>;
  installed.flush();
  return exported;
}

const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.cache')).sort() : []);
const inodes = () => cacheFiles().map((f) => `${f}:${statSync(join(cacheDir, f)).ino}`);

describe('a module compiled through the cache', () => {
  it('runs as Node runs it: require, module, exports, __filename and __dirname, stack traces naming its file and line', () => {
    for (const pass of [1, 2]) {
      const m = run();
      expect(m, `pass ${pass}`).toMatchObject({ answer: 42, file: join(codeDir, 'entry.js'), dir: codeDir, self: true, base: 'entry.js' });
      const stack = (() => {
        try {
          (m.fail as () => void)();
        } catch (e) {
          return (e as Error).stack ?? '';
        }
        return '';
      })();
      expect(stack).toContain(`${join(codeDir, 'entry.js')}:5:`);
    }
  });

  it('writes each file a cache at exit, in a folder of this user only, files 0600', () => {
    run();
    expect(cacheFiles()).toEqual([expect.stringMatching(/^entry\.js\.\d+-\d+\.cache$/), expect.stringMatching(/^helper\.js\.\d+-\d+\.cache$/)]);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const f of cacheFiles()) expect(statSync(join(cacheDir, f)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(cacheDir, 'config.seen'))).toBe(true);
  });

  it('reads it back: a command run before writes nothing; a new command adds what it compiled, once', () => {
    run('config');
    const first = inodes();
    run('config');
    expect(inodes()).toEqual(first);
    run('validate');
    const afterValidate = inodes();
    expect(afterValidate).not.toEqual(first);
    expect(afterValidate.map((f) => f.split(':')[0])).toEqual(first.map((f) => f.split(':')[0]));
    run('validate');
    expect(inodes()).toEqual(afterValidate);
  });

  it('a damaged cache is rejected by V8 and written again; the module still runs', () => {
    run();
    const helperCache = cacheFiles().find((f) => f.startsWith('helper.js'))!;
    writeFileSync(join(cacheDir, helperCache), 'not a code cache');
    // A text this process has not compiled yet: V8 would otherwise take the compiled code it still holds.
    editKeepingSizeAndTime();
    expect(run().answer).toBe(63);
    expect(readFileSync(join(cacheDir, helperCache)).toString()).not.toBe('not a code cache');
  });

  it('an edited file never meets the cache of its old text, even at the same size', () => {
    run();
    const before = cacheFiles();
    writeFileSync(join(codeDir, 'helper.js'), "'use strict';\nexports.twice = (n) => 3 * n;\n");
    utimesSync(join(codeDir, 'helper.js'), new Date(), new Date(Date.now() + 5000));
    expect(run().answer).toBe(63);
    expect(cacheFiles()).toHaveLength(before.length + 1);
  });

  it('files outside the code folder compile as usual, with no cache', () => {
    writeFileSync(join(root, 'outside.js'), 'module.exports = 7;\n');
    installed = installCodeCache({ codeDir, cacheDir, command: 'config' });
    expect(load(join(root, 'outside.js'))).toBe(7);
    installed.flush();
    expect(existsSync(cacheDir)).toBe(false);
  });
});

/**
 * Whether a cache was read, seen from outside: V8 checks a cache against its source's length only, so a file
 * edited to the same length with its old modification time runs the cached (old) code when its cache is read.
 */
function editKeepingSizeAndTime(): void {
  const file = join(codeDir, 'helper.js');
  writeFileSync(file, "'use strict';\nexports.twice = (n) => 3 * n;\n");
  utimesSync(file, WHOLE_SECOND, WHOLE_SECOND);
}

describe('a cache is read only from a folder of this user\'s alone', () => {
  it('read: the same folder, private (the control: the old code runs)', () => {
    run();
    editKeepingSizeAndTime();
    expect(run('status').answer).toBe(42);
  });

  it.each([
    ['open to others (0755)', () => chmodSync(cacheDir, 0o755)],
    ['another user\'s folder, made a link to', () => {
      const real = join(root, 'elsewhere');
      rmSync(cacheDir, { recursive: true });
      mkdirSync(real, { mode: 0o700 });
      symlinkSync(real, cacheDir);
    }],
  ])('not read, not written: %s', (_label, spoil) => {
    run();
    spoil();
    editKeepingSizeAndTime();
    expect(run('status').answer).toBe(63);
    expect(existsSync(join(cacheDir, 'status.seen'))).toBe(false);
  });
});

it('removes the folders of other builds when it makes its own, and nothing else', () => {
  const parent = join(cacheDir, '..');
  mkdirSync(join(parent, 'v20.1.0-aaaaaaaaaaaaaaaa'), { recursive: true, mode: 0o700 });
  mkdirSync(join(parent, 'notes'), { mode: 0o700 });
  chmodSync(parent, 0o700);
  run();
  expect(readdirSync(parent).sort()).toEqual([`${process.version}-0123456789abcdef`, 'notes'].sort());
});

describe('codeCacheDir', () => {
  const id = '0123456789abcdef';
  it('is under XDG_CACHE_HOME when that is an absolute path, else ~/.cache', () => {
    expect(codeCacheDir(id, { XDG_CACHE_HOME: '/x/cache' })).toBe(`/x/cache/tapctl/code-cache/${process.version}-${id}`);
    expect(codeCacheDir(id, { XDG_CACHE_HOME: 'relative' })).toMatch(new RegExp(`/\\.cache/tapctl/code-cache/${process.version}-${id}$`));
    expect(codeCacheDir(id, {})).toMatch(/\/\.cache\/tapctl\/code-cache\//);
  });
  it('is none when NODE_DISABLE_COMPILE_CACHE is set or the build id is not one', () => {
    expect(codeCacheDir(id, { NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(codeCacheDir('../../etc', {})).toBeUndefined();
  });
});

describe('commandOf', () => {
  it.each([
    [['config', '--env', 'dev'], 'config'],
    [['--json', 'status'], 'status'],
    [['--help'], 'other'],
    [[], 'other'],
    [['../x'], 'other'],
    [['Config'], 'other'],
  ])('%j -> %s', (args, command) => expect(commandOf(args)).toBe(command));
});
