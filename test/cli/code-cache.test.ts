/**
 * The code cache of Node 20 (src/cli/code-cache.ts): modules run exactly as Node would run them; caches are written
 * where and when they should be and read back; a cache that is damaged, not this file's, or not in a folder of
 * this user's alone is never used; nothing piles up.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksum } from '../../src/cli/code-cache-checksum.js';
import { codeCacheDir, installBundleCodeCache, installCodeCache, type InstalledCodeCache } from '../../src/cli/code-cache.js';

let root: string;
let codeDir: string;
let cacheDir: string;
let installed: InstalledCodeCache | undefined;
const load = createRequire(import.meta.url);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tapctl-code-cache-'));
  codeDir = join(root, 'bundle');
  cacheDir = join(root, 'cache', 'tapctl', 'code-cache', `${process.version}-0123456789abcdef`);
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, 'helper.js'), "'use strict';\nexports.twice = (n) => 2 * n;\n");
  writeFileSync(join(codeDir, 'other.js'), "'use strict';\nexports.three = 3;\n");
  writeFileSync(
    join(codeDir, 'entry.js'),
    [
      "'use strict';",
      "const { twice } = require('./helper.js');",
      "const path = require('node:path');",
      'module.exports = { answer: twice(21), file: __filename, dir: __dirname, self: module.exports === exports, base: path.basename(__filename) };',
      'module.exports.fail = () => { throw new Error("from entry"); };',
      "module.exports.other = () => require('./other.js').three;",
      '',
    ].join('\n'),
  );
});

afterEach(() => {
  installed?.uninstall();
  installed = undefined;
  forget();
  delete load.cache[join(root, 'outside.js')];
  rmSync(root, { recursive: true, force: true });
});

function forget(): void {
  for (const file of ['entry.js', 'helper.js', 'other.js']) delete load.cache[join(codeDir, file)];
}

/** One run of "the process": install, load the entry afresh (and `other.js` too), write the caches as the exit would. */
function run({ other = false } = {}): { exported: Record<string, unknown>; fromCache: readonly string[] } {
  installed?.uninstall();
  forget();
  installed = installCodeCache({ codeDir, cacheDir });
  const exported = load(join(codeDir, 'entry.js')) as Record<string, unknown>;
  if (other) (exported.other as () => number)();
  const fromCache = installed.readFromCache();
  installed.flush();
  return { exported, fromCache };
}

const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.cache')).sort() : []);
const cacheOf = (source: string) => join(cacheDir, cacheFiles().find((f) => f.startsWith(`${source}.`))!);
const ageDays = (path: string, days: number) => utimesSync(path, new Date(Date.now() - days * 86_400_000), new Date(Date.now() - days * 86_400_000));
const inodes = () => cacheFiles().map((f) => `${f}:${statSync(join(cacheDir, f)).ino}`);

describe('a module compiled through the cache', () => {
  it('runs as Node runs it: require, module, exports, __filename and __dirname, stack traces naming its file and line', () => {
    for (const pass of [1, 2]) {
      const { exported, fromCache } = run();
      expect(fromCache, `pass ${pass}`).toEqual(pass === 1 ? [] : ['entry.js', 'helper.js']);
      expect(exported, `pass ${pass}`).toMatchObject({ answer: 42, file: join(codeDir, 'entry.js'), dir: codeDir, self: true, base: 'entry.js' });
      let stack = '';
      try {
        (exported.fail as () => void)();
      } catch (e) {
        stack = (e as Error).stack ?? '';
      }
      expect(stack).toContain(`${join(codeDir, 'entry.js')}:5:`);
    }
  });

  it('writes each file a cache at exit, in a folder of this user only, files 0600', () => {
    run();
    expect(cacheFiles()).toEqual([expect.stringMatching(/^entry\.js\.\d+-\d+-\d+\.cache$/), expect.stringMatching(/^helper\.js\.\d+-\d+-\d+\.cache$/)]);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const f of cacheFiles()) expect(statSync(join(cacheDir, f)).mode & 0o777).toBe(0o600);
  });

  it('a run that loads the files of an earlier one writes nothing; one that loads a new set writes them all again, once', () => {
    run();
    const first = inodes();
    run();
    expect(inodes()).toEqual(first);
    // other.js too: a new set of files, so entry.js and helper.js get caches holding what this run compiled.
    const { fromCache } = run({ other: true });
    expect(fromCache).toEqual(['entry.js', 'helper.js']);
    const grown = inodes();
    expect(grown.map((f) => f.split('.')[0])).toEqual(['entry', 'helper', 'other']);
    expect(grown.filter((f) => first.includes(f))).toEqual([]);
    run({ other: true });
    expect(inodes()).toEqual(grown);
  });

  it('files outside the code folder compile as usual, with no cache', () => {
    writeFileSync(join(root, 'outside.js'), 'module.exports = 7;\n');
    installed = installCodeCache({ codeDir, cacheDir });
    expect(load(join(root, 'outside.js'))).toBe(7);
    installed.flush();
    expect(existsSync(cacheDir)).toBe(false);
  });
});

describe('a cache that is not whole and this file\'s is never used, and is written again', () => {
  it.each([
    ['one byte of the cache changed', (f: string) => {
      const bytes = readFileSync(f);
      bytes[bytes.length >> 1] ^= 0x40;
      writeFileSync(f, bytes);
    }],
    ['cut short', (f: string) => writeFileSync(f, readFileSync(f).subarray(0, 100))],
    ['empty', (f: string) => writeFileSync(f, '')],
    ['not a cache of ours', (f: string) => writeFileSync(f, Buffer.alloc(4096, 7))],
  ])('%s', (_label, damage) => {
    run();
    damage(cacheOf('helper.js'));
    const { exported, fromCache } = run({ other: true });
    expect(exported.answer).toBe(42);
    expect(fromCache).toEqual(['entry.js']);
    expect(run().fromCache).toEqual(['entry.js', 'helper.js']);
  });

  it("another file's valid cache under this file's name (two files of one size) is not taken", () => {
    writeFileSync(join(codeDir, 'other.js'), "'use strict';\nexports.twice = (n) => 5 * n;\n");
    run({ other: true });
    const helper = cacheOf('helper.js');
    const other = cacheOf('other.js');
    const helperBytes = readFileSync(helper);
    writeFileSync(helper, readFileSync(other));
    writeFileSync(other, helperBytes);
    const { exported, fromCache } = run({ other: true });
    expect(exported.answer).toBe(42);
    expect(fromCache).toEqual(['entry.js']);
  });

  it('a link in place of the set-of-files marker is replaced, never written through', () => {
    run();
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const marker = join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith('seen-'))!);
    rmSync(marker);
    symlinkSync(victim, marker);
    run();
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(statSync(marker).isFile()).toBe(true);
  });

  it('an edited file never meets its old cache, even at the same size and modification time', () => {
    run();
    const file = join(codeDir, 'helper.js');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, "'use strict';\nexports.twice = (n) => 3 * n;\n");
    utimesSync(file, atime, mtime);
    const { exported, fromCache } = run();
    expect(exported.answer).toBe(63);
    expect(fromCache).toEqual(['entry.js']);
  });

  it('a named pipe in place of a cache does not hold the start up', () => {
    run();
    const fifo = cacheOf('helper.js');
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    expect(run({ other: true }).exported.answer).toBe(42);
  });

  it('a folder in place of a cache is cleared away and the cache written; no temporary files are left behind', () => {
    run();
    const blocked = cacheOf('helper.js');
    rmSync(blocked);
    mkdirSync(blocked);
    run({ other: true });
    expect(statSync(blocked).isFile()).toBe(true);
    expect(run().fromCache).toEqual(['entry.js', 'helper.js']);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('once a day, caches no file of this install can use go, once a day old; even when a run writes nothing', () => {
    run();
    const current = cacheOf('helper.js');
    const old = join(cacheDir, 'helper.js.44-1000-1.cache');
    const recent = join(cacheDir, 'helper.js.44-2000-2.cache');
    const noSource = join(cacheDir, 'gone.js.44-1000-1.cache');
    for (const f of [old, recent, noSource]) writeFileSync(f, 'x');
    for (const f of [old, noSource, current]) ageDays(f, 2);
    run();
    expect([old, recent, noSource, current].map(existsSync)).toEqual([true, true, true, true]);
    ageDays(join(cacheDir, 'tidied'), 2);
    run();
    expect([old, recent, noSource, current].map(existsSync)).toEqual([false, true, false, true]);
    // And the stamp is renewed: the next day's tidy is a day away.
    expect(Date.now() - statSync(join(cacheDir, 'tidied')).mtimeMs).toBeLessThan(60_000);
  });

  it('a reinstall (new change times) adds no marker: markers are named by the source files', () => {
    run();
    const markers = () => readdirSync(cacheDir).filter((f) => f.startsWith('seen-'));
    expect(markers()).toHaveLength(1);
    for (const file of ['entry.js', 'helper.js']) chmodSync(join(codeDir, file), 0o600);
    run();
    expect(markers()).toHaveLength(1);
    expect(run().fromCache).toEqual(['entry.js', 'helper.js']);
  });

  it('temporary files a killed run left are removed once stale (by the daily tidy); a fresh one (a run writing now) is not', () => {
    run();
    const stale = join(cacheDir, 'entry.js.1-2-3.cache.99999.tmp');
    const staleFolder = join(cacheDir, 'zz.tmp');
    const fresh = join(cacheDir, 'entry.js.1-2-3.cache.99998.tmp');
    writeFileSync(stale, 'x');
    mkdirSync(staleFolder);
    writeFileSync(fresh, 'x');
    for (const old of [stale, staleFolder]) ageDays(old, 1 / 24);
    ageDays(join(cacheDir, 'tidied'), 2);
    run();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleFolder)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('a cache is read and written only in a folder of this user\'s alone', () => {
  it.each([
    ['open to others (0755)', () => chmodSync(cacheDir, 0o755)],
    ['a symbolic link to a folder', () => {
      const real = join(root, 'elsewhere');
      rmSync(cacheDir, { recursive: true });
      mkdirSync(real, { mode: 0o700 });
      symlinkSync(real, cacheDir);
    }],
    ['tapctl/ above it open to others to write (0777): another user could swap the folders below', () => chmodSync(join(cacheDir, '..', '..'), 0o777)],
    ['a folder further up open to others to write, and not sticky', () => chmodSync(root, 0o777)],
    ...(process.getuid?.() === 0
      ? [["tapctl/ above it another user's (as root)", () => chownSync(join(cacheDir, '..', '..'), 65534, 65534)] as [string, () => void]]
      : []),
  ])('%s', (_label, spoil) => {
    run();
    spoil();
    const before = readdirSync(cacheDir).sort();
    const { fromCache } = run({ other: true });
    expect(fromCache).toEqual([]);
    expect(readdirSync(cacheDir).sort()).toEqual(before);
  });
});

describe('folders are made one at a time, each checked first: never through a link, never on a path that fails', () => {
  it('tapctl/ a link (even this user\'s): nothing is made at its target, and there is no cache', () => {
    const target = join(root, 'target');
    mkdirSync(target, { mode: 0o700 });
    mkdirSync(join(root, 'cache'), { mode: 0o700 });
    symlinkSync(target, join(root, 'cache', 'tapctl'));
    run();
    expect(readdirSync(target)).toEqual([]);
    expect(run().fromCache).toEqual([]);
  });

  it('the cache base open to others to write, not sticky: nothing is made in it', () => {
    mkdirSync(join(root, 'cache'), { mode: 0o700 });
    chmodSync(join(root, 'cache'), 0o777);
    run();
    expect(readdirSync(join(root, 'cache'))).toEqual([]);
  });

  /** A sticky folder open to all, as /tmp is, and in it a link to `target` that `owner` made. */
  function stickyWithLink(name: string, target: string, owner: number): { sticky: string; link: string } {
    const sticky = join(root, 'shared');
    if (!existsSync(sticky)) {
      mkdirSync(sticky);
      chmodSync(sticky, 0o1777);
    }
    const link = join(sticky, name);
    symlinkSync(target, link);
    lchownSync(link, owner, owner);
    return { sticky, link };
  }

  it.runIf(process.getuid?.() === 0)("a link another user made on the way to the cache base is not followed (as root)", () => {
    const { sticky } = stickyWithLink('cache', root, 65534);
    expect(codeCacheDir('0123456789abcdef', { XDG_CACHE_HOME: join(sticky, 'cache') })).toBeUndefined();
    // The control: the same link, root's own, is followed.
    lchownSync(join(sticky, 'cache'), 0, 0);
    expect(codeCacheDir('0123456789abcdef', { XDG_CACHE_HOME: join(sticky, 'cache') })).toBe(join(root, 'tapctl', 'code-cache', `${process.version}-0123456789abcdef`));
  });

  it.runIf(process.getuid?.() === 0)("nor one reached through root's own link, nor a folder of another user's passed through (as root)", () => {
    const { sticky, link } = stickyWithLink('theirs', root, 65534);
    symlinkSync(link, join(root, 'mine'));
    expect(codeCacheDir('0123456789abcdef', { XDG_CACHE_HOME: join(root, 'mine') })).toBeUndefined();
    // A folder of another user's on the way: they could swap what is below it for a link at any moment.
    const theirFolder = join(sticky, 'folder');
    mkdirSync(theirFolder);
    chownSync(theirFolder, 65534, 65534);
    expect(codeCacheDir('0123456789abcdef', { XDG_CACHE_HOME: join(theirFolder, 'cache') })).toBeUndefined();
  });
});

it('a new build keeps the newest folders of other builds and removes older ones, and nothing else', () => {
  const parent = join(cacheDir, '..');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const builds = ['a', 'b', 'c', 'd', 'e'].map((c, i) => {
    const name = `v20.1.0-${c.repeat(16)}`;
    mkdirSync(join(parent, name), { mode: 0o700 });
    utimesSync(join(parent, name), new Date(1_700_000_000_000 + i * 1000), new Date(1_700_000_000_000 + i * 1000));
    return name;
  });
  mkdirSync(join(parent, 'notes'), { mode: 0o700 });
  run();
  // This build and the three newest others (c, d, e): two installs used in turn keep each other's.
  expect(readdirSync(parent).sort()).toEqual([...builds.slice(2), 'notes', `${process.version}-0123456789abcdef`].sort());
});

describe('checksum', () => {
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const fnv1a = (text: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  };
  /** MurmurHash3's 32-bit mixing over little-endian words (the last padded with zeros), seeded with the key, then fmix32. */
  function murmurWords(data: Uint8Array, key: string): number {
    const padded = new Uint8Array((data.length + 3) & ~3);
    padded.set(data);
    const words = new DataView(padded.buffer);
    let h = fnv1a(key);
    for (let i = 0; i < padded.length; i += 4) {
      const k = Math.imul(rotl(Math.imul(words.getUint32(i, true), 0xcc9e2d51), 15), 0x1b873593);
      h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0;
    }
    h ^= data.length;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  it('is MurmurHash3 mixing over 32-bit words, for any length, as the WebAssembly memory grows', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 63, 64, 65, 70_000, 200_000, 10, 131_072]) {
      const data = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24);
      expect(checksum(data, 'k'), `${size} bytes`).toBe(murmurWords(data, 'k'));
    }
  });

  it('tells apart what FNV-1a did not (two top bits flipped), one more zero byte, and the same bytes under another name', () => {
    const data = new Uint8Array(64).map((_, i) => i * 3);
    const flipped = Uint8Array.from(data);
    flipped[3] ^= 0x80;
    flipped[7] ^= 0x80;
    expect(checksum(flipped, 'a.js')).not.toBe(checksum(data, 'a.js'));
    expect(checksum(new Uint8Array([...data, 0]), 'a.js')).not.toBe(checksum(data, 'a.js'));
    expect(checksum(data, 'b.js')).not.toBe(checksum(data, 'a.js'));
  });
});

describe('codeCacheDir', () => {
  const id = '0123456789abcdef';
  it('is under XDG_CACHE_HOME when that is an absolute path, else ~/.cache', () => {
    const xdg = mkdtempSync(join(tmpdir(), 'tapctl-xdg-'));
    try {
      expect(codeCacheDir(id, { XDG_CACHE_HOME: xdg })).toBe(`${xdg}/tapctl/code-cache/${process.version}-${id}`);
      expect(codeCacheDir(id, { XDG_CACHE_HOME: 'relative', HOME: xdg })).toBe(`${xdg}/.cache/tapctl/code-cache/${process.version}-${id}`);
      // A link on the way is resolved once: what follows works on the real path (a link there is then refused).
      symlinkSync(xdg, join(root, 'cache-link'));
      expect(codeCacheDir(id, { XDG_CACHE_HOME: join(root, 'cache-link') })).toBe(`${xdg}/tapctl/code-cache/${process.version}-${id}`);
    } finally {
      rmSync(xdg, { recursive: true, force: true });
    }
  });
  it('is none when NODE_DISABLE_COMPILE_CACHE is set (even empty, as Node reads it), the build id is not one, or HOME is empty', () => {
    expect(codeCacheDir(id, { NODE_DISABLE_COMPILE_CACHE: '' })).toBeUndefined();
    expect(codeCacheDir('../../etc', {})).toBeUndefined();
    expect(codeCacheDir(id, { HOME: '' })).toBeUndefined();
    expect(codeCacheDir(id, { HOME: 'relative/home' })).toBeUndefined();
  });
});

describe('installBundleCodeCache on a Node with a compile cache of its own (>= 22.1)', () => {
  const calls: string[] = [];
  const nodeModule = Module as unknown as { enableCompileCache?: (dir: string) => unknown };
  const own = nodeModule.enableCompileCache;
  beforeEach(() => {
    calls.length = 0;
    nodeModule.enableCompileCache = (dir: string) => calls.push(dir);
  });
  afterEach(() => {
    if (own) nodeModule.enableCompileCache = own;
    else delete nodeModule.enableCompileCache;
  });

  it("turns Node's on in a folder of this user's alone, never the shared temporary folder Node would take", () => {
    installBundleCodeCache(codeDir, { XDG_CACHE_HOME: join(root, 'xdg') });
    const dir = join(root, 'xdg', 'tapctl', 'node-compile-cache');
    expect(calls).toEqual([dir]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('leaves it off when that folder is open to others, when turned off, or without a home of this user', () => {
    const dir = join(root, 'xdg', 'tapctl', 'node-compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    installBundleCodeCache(codeDir, { XDG_CACHE_HOME: join(root, 'xdg') });
    installBundleCodeCache(codeDir, { XDG_CACHE_HOME: join(root, 'xdg2'), NODE_DISABLE_COMPILE_CACHE: '1' });
    installBundleCodeCache(codeDir, { HOME: '' });
    expect(calls).toEqual([]);
  });
});
