/**
 * Compiled code kept between runs, for tapctl's own bundle (dist/bundle/). bin/tapctl.cjs calls
 * installBundleCodeCache() before it loads the bundle: compiling the ~300 KB of JavaScript a light command loads
 * is ~10 % of its CPU, and V8 reads the same code from a cache in a fraction of that.
 *
 * On Node >= 22.1 this is Node's own compile cache (`module.enableCompileCache`), given a folder of this user's:
 * by default Node keeps it in the shared temporary folder, where another user could put in code this user's tapctl
 * would then run.
 *
 * Node 20 has none, so tapctl keeps one, for the bundle's files only:
 * - Each bundle file is compiled as a `vm.Script` with its cache as `cachedData`
 *   (https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata). Every other module (aws-cdk-lib,
 *   toolkit-lib) compiles as usual. The one internal hook is `Module.prototype._compile`, which v8-compile-cache
 *   and Node's own tooling also replace; any failure falls back to an ordinary compile.
 * - A cache is written when the process exits, not when the file is compiled: by then the functions the run called
 *   are compiled too, and the cache holds them (written at compile time, as the v8-compile-cache package does, it
 *   would hold only the top level and save little). Different commands call different functions of the same file,
 *   so a run that loads a set of bundle files no run loaded before writes the caches of all of them again (a
 *   script read from its cache keeps what it held); a marker per set of files records it. Every other run only
 *   reads. A write costs ~2 ms.
 * - Safe to run: the folder (`$XDG_CACHE_HOME/tapctl/code-cache/<node version>-<build id>/`, state/user-folders.ts)
 *   is made 0700, one folder at a time, and read only while it is this user's and closed to everyone else, on a
 *   path no one else can change (isPrivateFolder) and no other user has a say in (realCacheBase). Nothing is
 *   written through a link.
 * - Tidy: a new build's folder removes older builds' beyond the newest four; once a day, stale temporary files and
 *   caches no file of this install can use go (tidyDaily). Each cache is named by its
 *   source file's size, change time (ctime, which no one can set back) and inode, so an edited or reinstalled file
 *   never meets an old cache; the build id (a hash of every bundle file, scripts/bundle.js) keeps builds apart.
 * - Damage is caught before V8 sees it: Node 20's V8 checks a cache's length and version but not its contents,
 *   and a damaged one can crash the process or run altered code. Each file starts with a checksum of the cache and
 *   its name (MurmurHash3's mixing, computed by a 120-byte WebAssembly function: no module to load, ~0.5 ms for
 *   400 KB, where a JavaScript loop takes ~3 ms at start-up and node:crypto costs ~4 ms to load). A cache that
 *   fails it, or is another file's, is ignored and written again.
 * - `NODE_DISABLE_COMPILE_CACHE` (set to anything) turns either off, as Node does for its own.
 */
import Module, { createRequire } from 'node:module';
import { closeSync, constants, mkdirSync, openSync, readdirSync, readlinkSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { fstatOf, lstatOf, statOf } from '../state/stat.js';
import { userFolder } from '../state/user-folders.js';

export interface CodeCacheOptions {
  /** The folder whose `.js` files are compiled through the cache (dist/bundle). Files elsewhere are not touched. */
  readonly codeDir: string;
  /** This build's cache folder (codeCacheDir()). Made on first write, when older builds' folders beside it go. */
  readonly cacheDir: string;
}

/** What installCodeCache() did: what came from the cache, how to write the caches now (what the exit does), undo. */
export interface InstalledCodeCache {
  /** The bundle files this run compiled from their cache (file names, in the order they loaded). */
  readonly readFromCache: () => readonly string[];
  /** Writes the caches this run has to write (see the module comment), at most once. */
  readonly flush: () => void;
  readonly uninstall: () => void;
}

type Compile = (this: Module, content: string, filename: string) => unknown;
interface ModuleInternals {
  _compile: Compile;
}

/** The CommonJS wrapper Node puts around a module's text (the same parameters, in the same order). */
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n});';

/** A cache file: MAGIC, the checksum of the rest (uint32, little-endian), then V8's cache. */
const MAGIC = 0x31434354; // "TCC1"
const HEADER_BYTES = 8;
/** A cache is a few times its source at most; anything far larger is not one of ours (and is not read whole). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Build folders kept: the newest few, so that two installs used in turn do not remove each other's. */
const BUILDS_KEPT = 4;
/** Folders tapctl makes under the cache base: tapctl/code-cache/<build>/ (Node 20), tapctl/node-compile-cache/ (22). */
const CODE_CACHE_LEVELS = 3;
const NODE_CACHE_LEVELS = 2;
const DAY_MS = 24 * 3600 * 1000;
/** A temporary file older than this was left by a run that died while writing. */
const STALE_TEMP_MS = 10 * 60 * 1000;

/** Node versions and build ids as folder names: `v20.19.0-0123456789abcdef`. Anything else in code-cache/ is left alone. */
const BUILD_FOLDER = /^v\d+\.\d+\.\d+-[0-9a-f]{16}$/;

/**
 * This build's cache folder for Node 20: `<$XDG_CACHE_HOME or ~/.cache>/tapctl/code-cache/<node version>-<build id>`.
 * `buildId`: 16 hex digits (scripts/bundle.js). Undefined when the cache is off (NODE_DISABLE_COMPILE_CACHE) or this
 * user has no cache folder of their own (state/user-folders.ts).
 */
export function codeCacheDir(buildId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined || !/^[0-9a-f]{16}$/.test(buildId)) return undefined;
  const base = realCacheBase(env);
  return base === undefined ? undefined : join(base, 'tapctl', 'code-cache', `${process.version}-${buildId}`);
}

/**
 * This user's cache folder (state/user-folders.ts) as a real path, resolved here one component at a time so that
 * no other user has a say in where it leads: every link followed is this user's or root's, and every folder passed
 * through is this user's or root's and writable by no one else unless sticky (chainIsSafe's rule). Such entries
 * cannot be renamed or replaced by anyone else afterwards, so the path stays what was checked. (fs.realpathSync
 * would follow any link, and a check before or after it races a rename.) Undefined when the path fails the rule;
 * the part that is not there yet is made later, one folder at a time (prepareFolder).
 */
function realCacheBase(env: NodeJS.ProcessEnv): string | undefined {
  const base = userFolder('cache', env);
  if (base === undefined) return undefined;
  const uid = process.getuid?.();
  const trusted = (owner: number) => owner === uid || owner === 0;
  const parts = base.split('/').filter(Boolean);
  let real = '/';
  for (let links = 0; parts.length > 0; ) {
    const name = parts.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      real = dirname(real);
      continue;
    }
    const next = join(real, name);
    let stat;
    try {
      stat = lstatOf(next);
    } catch {
      return join(next, ...parts);
    }
    if (stat.isSymbolicLink) {
      // 40: the kernel's own limit on links followed in one lookup (Linux ELOOP).
      if (!trusted(stat.uid) || ++links > 40) return undefined;
      const target = readlinkSync(next);
      parts.unshift(...target.split('/').filter(Boolean));
      if (target.startsWith('/')) real = '/';
      continue;
    }
    const closed = (stat.mode & 0o022) === 0 || (stat.mode & 0o1000) !== 0;
    if (!stat.isDirectory || !trusted(stat.uid) || !closed) return undefined;
    real = next;
  }
  return real;
}

/** Compiles the files of `codeDir` through the cache in `cacheDir` from now on, and writes caches at exit. */
export function installCodeCache({ codeDir, cacheDir }: CodeCacheOptions): InstalledCodeCache {
  const proto = Module.prototype as unknown as ModuleInternals;
  const original = proto._compile;
  /** Every bundle file this run compiled, and whether a cache it could use was there. */
  const loaded: { script: Script; source: string; file: string; cached: boolean }[] = [];
  const fromCache: string[] = [];
  let usable: boolean | undefined;
  const folderUsable = () => (usable ??= isPrivateFolder(cacheDir, CODE_CACHE_LEVELS));

  const compile: Compile = function (this: Module, content, filename) {
    if (dirname(filename) !== codeDir || !filename.endsWith('.js')) return original.call(this, content, filename);
    let script: Script;
    try {
      const key = sourceKey(filename);
      if (key === undefined) return original.call(this, content, filename);
      const file = join(cacheDir, `${basename(filename)}.${key}.cache`);
      const cachedData = folderUsable() ? readCache(file) : undefined;
      script = new Script(WRAPPER_START + content + WRAPPER_END, { filename, ...(cachedData ? { cachedData } : {}) });
      const cached = cachedData !== undefined && !script.cachedDataRejected;
      loaded.push({ script, source: basename(filename), file, cached });
      if (cached) fromCache.push(basename(filename));
    } catch {
      return original.call(this, content, filename);
    }
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };

  const flush = () => {
    const scripts = loaded.splice(0);
    if (scripts.length === 0) return;
    try {
      // Named by the source files (not their caches, whose names change with each install): a bounded number.
      const marker = join(cacheDir, `seen-${fnv1a(scripts.map((s) => s.source).sort().join('\n')).toString(16)}`);
      const newSet = !(folderUsable() && isFile(marker));
      const writes = newSet ? scripts : scripts.filter((s) => !s.cached);
      if (writes.length > 0) {
        if (!prepareFolder(cacheDir, CODE_CACHE_LEVELS)) return;
        for (const { script, file } of writes) writeCache(file, script.createCachedData());
        if (newSet) {
          clearWay(marker);
          // Exclusive: never through a link someone put in its place.
          writeFileSync(marker, '', { mode: 0o600, flag: 'wx' });
        }
      } else if (!folderUsable()) {
        return;
      }
      tidyDaily(cacheDir, codeDir);
    } catch {
      // A home that cannot be written (a read-only CI image, a full disk): no cache, just as fast as before.
    }
  };

  proto._compile = compile;
  process.once('exit', flush);
  return {
    readFromCache: () => [...fromCache],
    flush,
    uninstall: () => {
      if (proto._compile === compile) proto._compile = original;
      process.removeListener('exit', flush);
    },
  };
}

/** Written in by scripts/bundle.js: a hash of this build's bundle files (16 hex digits). */
declare const TAPCTL_BUILD_ID: string | undefined;

/**
 * bin/tapctl.cjs's call, before it loads the bundle in `bundleDir` (dist/bundle, an absolute path): Node's compile
 * cache where Node has one, else tapctl's; neither when it is turned off or has no place (see the module comment).
 */
export function installBundleCodeCache(bundleDir: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    const { enableCompileCache } = Module as unknown as { enableCompileCache?: (dir: string) => unknown };
    if (enableCompileCache) {
      const base = env.NODE_DISABLE_COMPILE_CACHE === undefined ? realCacheBase(env) : undefined;
      const dir = base === undefined ? undefined : join(base, 'tapctl', 'node-compile-cache');
      if (dir !== undefined && prepareFolder(dir, NODE_CACHE_LEVELS, { tidy: false })) enableCompileCache(dir);
      return;
    }
    const cacheDir = typeof TAPCTL_BUILD_ID === 'string' ? codeCacheDir(TAPCTL_BUILD_ID, env) : undefined;
    if (cacheDir) installCodeCache({ codeDir: bundleDir, cacheDir });
  } catch {
    // A cache folder that cannot be made: tapctl starts as it would without one.
  }
}

/** The cache in `file` when it is a plain file of a sane size whose checksum holds; undefined otherwise. */
function readCache(file: string): Buffer | undefined {
  let fd: number;
  try {
    // Non-blocking: a named pipe put there would otherwise hold the start up for good. A link is not followed.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatOf(fd);
    if (!stat.isFile || stat.size <= HEADER_BYTES || stat.size > MAX_CACHE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    if (readSync(fd, bytes, 0, stat.size, 0) !== stat.size) return undefined;
    if (bytes.readUInt32LE(0) !== MAGIC) return undefined;
    const data = bytes.subarray(HEADER_BYTES);
    return bytes.readUInt32LE(4) === checksum(data, basename(file)) ? data : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `file` with its header, whole or not at all (a temporary file, renamed into place). */
function writeCache(file: string, data: Buffer): void {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(checksum(data, basename(file)), 4);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600, flag: 'wx' });
    clearWay(file);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Removes what stands at `path` unless it is a plain file (a folder, a link, a pipe someone put there). */
function clearWay(path: string): void {
  try {
    if (!lstatOf(path).isFile) rmSync(path, { recursive: true, force: true });
  } catch {
    // Nothing there.
  }
}

/**
 * A real folder (not a link) of this user's that nobody else may read or write, on a path no one else can change:
 * the folders tapctl makes below `$XDG_CACHE_HOME` (`levels` of them: tapctl/, code-cache/, the build's) are this
 * user's and writable by no one else, and every folder above them is this user's or root's and writable by no one
 * else, or sticky (/tmp), the rule OpenSSH applies to the files it trusts. Otherwise another user could swap a
 * folder on the path for one of theirs between the check and the read. Works on a real path (realCacheBase): a
 * link on it was put there since, and fails the check.
 */
function isPrivateFolder(dir: string, levels: number): boolean {
  try {
    return (lstatOf(dir).mode & 0o077) === 0 && chainIsSafe(dir, 0, levels);
  } catch {
    return false;
  }
}

/** `path`, `distance` folders above the cache's own, and every folder above it, pass the rule of isPrivateFolder. */
function chainIsSafe(path: string, distance: number, levels: number): boolean {
  const uid = process.getuid?.();
  try {
    for (let p = path, d = distance; ; p = dirname(p), d++) {
      const stat = lstatOf(p);
      const tapctls = d < levels;
      const owner = stat.uid === uid || (!tapctls && stat.uid === 0);
      const closed = (stat.mode & 0o022) === 0 || (!tapctls && (stat.mode & 0o1000) !== 0);
      if (!stat.isDirectory || !owner || !closed) return false;
      if (dirname(p) === p) return true;
    }
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatOf(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Makes `dir` (0700) when it is not there; true when it is then a private folder of this user's. With `tidy` (the
 * Node 20 cache), a new build's folder also clears out older builds' beyond the newest few.
 */
function prepareFolder(dir: string, levels: number, { tidy = true } = {}): boolean {
  if (isPrivateFolder(dir, levels)) return true;
  // The folders that are missing are made one at a time, each in a folder that passed the check first: never
  // through a link, never on a path that fails the rule (where it would leave this user's folders in another's).
  const missing: string[] = [];
  let existing = dir;
  for (; !exists(existing); existing = dirname(existing)) {
    if (dirname(existing) === existing) return false;
    missing.unshift(existing);
  }
  let distance = missing.length;
  if (!chainIsSafe(existing, distance, levels)) return false;
  for (const folder of missing) {
    mkdirSync(folder, { mode: 0o700 });
    if (!chainIsSafe(folder, --distance, levels)) return false;
  }
  if (!isPrivateFolder(dir, levels)) return false;
  if (tidy) {
    const parent = dirname(dir);
    const others = readdirSync(parent)
      .filter((name) => name !== basename(dir) && BUILD_FOLDER.test(name))
      .map((name) => ({ name, mtimeMs: lstatOf(join(parent, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { name } of others.slice(BUILDS_KEPT - 1)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  return true;
}

function exists(path: string): boolean {
  try {
    lstatOf(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Once a day (the time of the `tidied` file says when): removes temporary files left by runs that died while
 * writing, and caches that no file of this install can use (another install's, an earlier version's) once no run
 * has written them for a day: two installs of one build used in turn each write theirs again, at most daily.
 */
function tidyDaily(cacheDir: string, codeDir: string): void {
  const stamp = join(cacheDir, 'tidied');
  const now = Date.now();
  let last = 0;
  try {
    const stat = lstatOf(stamp);
    if (stat.isFile) last = stat.mtimeMs;
  } catch {
    // Never tidied.
  }
  if (now - last < DAY_MS) return;
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    const age = now - lstatOf(path).mtimeMs;
    if (name.endsWith('.tmp')) {
      if (age > STALE_TEMP_MS) rmSync(path, { recursive: true, force: true });
      continue;
    }
    const cache = /^(.+)\.(\d+-\d+-\d+)\.cache$/.exec(name);
    if (cache && age > DAY_MS && cache[2] !== sourceKey(join(codeDir, cache[1]!))) rmSync(path, { recursive: true, force: true });
  }
  // Made anew (never written through a link), so its time says when this ran.
  rmSync(stamp, { recursive: true, force: true });
  writeFileSync(stamp, '', { mode: 0o600, flag: 'wx' });
}

/** What names a source file's cache: `<size>-<ctime ms>-<inode>`; undefined when the file is not there. */
function sourceKey(file: string): string | undefined {
  try {
    const { size, ctimeMs, ino } = statOf(file);
    return `${size}-${Math.trunc(ctimeMs)}-${ino}`;
  } catch {
    return undefined;
  }
}

/**
 * MurmurHash3's 32-bit mixing over `data` as little-endian 32-bit words (the last padded with zero bytes), seeded
 * with the cache file's name so that a valid cache put under another file's name fails, then its finalizer over the
 * length. (FNV-1a was tried first: two flips of a word's top bit cancel out in it.) The WebAssembly below is, in the
 * text format:
 *   (module (memory (export "m") 1)
 *     (func (export "h") (param $n i32) (param $seed i32) (result i32) (local $i i32) (local $h i32) (local $k i32)
 *       (local.set $h (local.get $seed))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
 *         (local.set $k (i32.mul (i32.rotl (i32.mul (i32.load (local.get $i)) (i32.const 0xcc9e2d51)) (i32.const 15))
 *                                (i32.const 0x1b873593)))
 *         (local.set $h (i32.add (i32.mul (i32.rotl (i32.xor (local.get $h) (local.get $k)) (i32.const 13)) (i32.const 5))
 *                                (i32.const 0xe6546b64)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 4)))
 *         (br 0)))
 *       (local.get $h)))
 * test/cli/code-cache.test.ts holds it to the same in JavaScript.
 */
const CHECKSUM_WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 9, 2, 1, 109, 2, 0, 1, 104, 0, 0, 10, 78, 1, 76, 1, 3,
  127, 32, 1, 33, 3, 2, 64, 3, 64, 32, 2, 32, 0, 79, 13, 1, 32, 2, 40, 2, 0, 65, 209, 218, 248, 228, 124, 108, 65, 15, 119, 65, 147, 235, 156, 220, 1,
  108, 33, 4, 32, 3, 32, 4, 115, 65, 13, 119, 65, 5, 108, 65, 228, 214, 209, 178, 126, 106, 33, 3, 32, 2, 65, 4, 106, 33, 2, 12, 0, 11, 11, 32, 3, 11,
];
/** The part of the WebAssembly JavaScript API used here (tapctl's TypeScript libs have no DOM types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
let wasmChecksum: { memory: WasmMemory; hash: (length: number, seed: number) => number } | undefined;

/** The checksum of a cache `data` kept under the name `key` (see CHECKSUM_WASM). */
export function checksum(data: Uint8Array, key: string): number {
  if (!wasmChecksum) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { exports } = new wasm.Instance(new wasm.Module(new Uint8Array(CHECKSUM_WASM)));
    wasmChecksum = { memory: exports.m as WasmMemory, hash: exports.h as (length: number, seed: number) => number };
  }
  const { memory, hash } = wasmChecksum;
  const words = (data.length + 3) & ~3;
  const pages = Math.ceil(words / 65536);
  const have = memory.buffer.byteLength / 65536;
  if (pages > have) memory.grow(pages - have);
  const view = new Uint8Array(memory.buffer);
  view.set(data);
  view.fill(0, data.length, words);
  // MurmurHash3's finalizer (fmix32) over the length, so that every bit of the state reaches every bit of the result.
  let h = hash(words, fnv1a(key)) ^ data.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a (32-bit) over a string's UTF-16 code units: names the set of files a run loaded, seeds the checksum. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
