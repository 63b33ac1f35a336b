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
 *   path no other user can change or has a say in (state/private-folder.ts). Nothing is written through a link.
 * - Tidy: a new build's folder removes older builds' beyond the newest four; once a day, stale temporary files and
 *   caches no file of this install can use go (tidyDaily). Each cache is named by its
 *   source file's size, change time (ctime, which no one can set back) and inode, so an edited or reinstalled file
 *   never meets an old cache; the build id (a hash of every bundle file, scripts/bundle.js) keeps builds apart.
 * - Damage is caught before V8 sees it: each file starts with a checksum of the cache and its name
 *   (cli/code-cache-checksum.ts). A cache that fails it, or is another file's, is ignored and written again.
 * - `NODE_DISABLE_COMPILE_CACHE` (set to anything) turns either off, as Node does for its own.
 */
import Module, { createRequire } from 'node:module';
import { closeSync, constants, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { isPrivateFolder, makePrivateFolder, trustedRealPath } from '../state/private-folder.js';
import { fstatOf, lstatOf, statOf } from '../state/stat.js';
import { userFolder } from '../state/user-folders.js';
import { checksum, fnv1a } from './code-cache-checksum.js';

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

/** This user's cache folder (state/user-folders.ts), resolved so that no other user has a say in where it leads. */
function realCacheBase(env: NodeJS.ProcessEnv): string | undefined {
  const base = userFolder('cache', env);
  return base === undefined ? undefined : trustedRealPath(base);
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
        const newBuild = !folderUsable();
        if (!makePrivateFolder(cacheDir, CODE_CACHE_LEVELS)) return;
        if (newBuild) removeOlderBuilds(cacheDir);
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
      if (dir !== undefined && makePrivateFolder(dir, NODE_CACHE_LEVELS)) enableCompileCache(dir);
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

function isFile(path: string): boolean {
  try {
    return lstatOf(path).isFile;
  } catch {
    return false;
  }
}

/** A new build's folder: the folders of other builds beside it go, but for the newest few. */
function removeOlderBuilds(dir: string): void {
  const parent = dirname(dir);
  const others = readdirSync(parent)
    .filter((name) => name !== basename(dir) && BUILD_FOLDER.test(name))
    .map((name) => ({ name, mtimeMs: lstatOf(join(parent, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { name } of others.slice(BUILDS_KEPT - 1)) rmSync(join(parent, name), { recursive: true, force: true });
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
