/**
 * A V8 code cache for tapctl's own bundle (dist/bundle/) on a Node with no compile cache of its own (Node 20;
 * bin/tapctl.cjs turns on Node's built-in one, `module.enableCompileCache()`, from Node 22.1). Compiling the
 * ~300 KB of JavaScript a light command loads is ~10 % of its CPU; V8 reads the same code from its cache in a
 * fraction of that (`--help` −6 %, `config` −10 %, measured in pairs on this machine).
 *
 * How: each bundle file is compiled as a `vm.Script` with the cache as its `cachedData`
 * (https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata). A file compiled without a usable cache
 * has its cache written when the process exits, not when it is compiled: by then the functions this run called are
 * compiled too, and the cache holds them (at compile time it would hold only the top level, which is why the
 * v8-compile-cache package gains little here). Commands call different functions of the same file, so the first
 * run of each command writes the cache of every file it loaded again, now also holding what that command compiled
 * (a script read from its cache keeps those functions compiled); a marker file per command records that it did.
 * Every other run only reads. A write costs ~2 ms, once per command and build.
 *
 * The one internal hook is `Module.prototype._compile`, the same one v8-compile-cache and Node's own tooling
 * patch: only files in the bundle's folder take this path; every other module (aws-cdk-lib, toolkit-lib) compiles
 * as usual. Any failure here falls back to an ordinary compile: a cache can make tapctl faster, never break it.
 *
 * Safety: cached code runs as tapctl, so it must be code tapctl wrote for exactly this source.
 * - Where: `$XDG_CACHE_HOME/tapctl/code-cache/<node version>-<build id>/` (default `~/.cache/...`), a folder made
 *   0700 and used only while it is this user's and closed to everyone else (as state/cache-key.ts does for its key).
 * - For what: the build id is a hash of every bundle file (scripts/bundle.js), and each cache file is named by its
 *   source file's size and modification time, so a rebuilt or edited file never meets an old cache. V8 itself
 *   rejects a cache made by another V8 version or with other flags (`cachedDataRejected`); it is then rewritten.
 * - `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it does Node's own compile cache.
 */
import Module, { createRequire } from 'node:module';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CodeCacheOptions {
  /** The folder whose `.js` files are compiled through the cache (dist/bundle). Files elsewhere are not touched. */
  readonly codeDir: string;
  /** This build's cache folder (codeCacheDir()). Made on first write; other builds' folders beside it are removed then. */
  readonly cacheDir: string;
  /** What this run is (commandOf()): its first run adds what it compiled to the caches of the files it loaded. */
  readonly command: string;
}

/** What installCodeCache() did: how to write the caches now (what the process's exit does) and undo the hook (tests). */
export interface InstalledCodeCache {
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

/** Node versions and build ids as folder names: `v20.19.0-0123456789abcdef`. Anything else in code-cache/ is left alone. */
const BUILD_FOLDER = /^v\d+\.\d+\.\d+-[0-9a-f]{16}$/;

/**
 * This build's cache folder: `<$XDG_CACHE_HOME or ~/.cache>/tapctl/code-cache/<node version>-<build id>`.
 * `buildId`: 16 hex digits (scripts/bundle.js). Undefined when the cache is off (NODE_DISABLE_COMPILE_CACHE) or
 * there is no user to own it (no process.getuid: not Linux or macOS).
 */
export function codeCacheDir(buildId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE || process.getuid === undefined || !/^[0-9a-f]{16}$/.test(buildId)) return undefined;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'tapctl', 'code-cache', `${process.version}-${buildId}`);
}

/** The command a run's arguments name (the first that is not an option), as a file name: `other` when it is none. */
export function commandOf(args: readonly string[]): string {
  const first = args.find((a) => !a.startsWith('-'));
  return first !== undefined && /^[a-z][a-z-]{0,39}$/.test(first) ? first : 'other';
}

/** Compiles the files of `codeDir` through the cache in `cacheDir` from now on, and writes caches at exit. */
export function installCodeCache({ codeDir, cacheDir, command }: CodeCacheOptions): InstalledCodeCache {
  const proto = Module.prototype as unknown as ModuleInternals;
  const original = proto._compile;
  /** Every bundle file this run compiled, and whether a cache it could use was there. */
  const loaded: { script: Script; file: string; cached: boolean }[] = [];
  let usable: boolean | undefined;
  const folderUsable = () => (usable ??= isPrivateFolder(cacheDir));

  const compile: Compile = function (this: Module, content, filename) {
    if (dirname(filename) !== codeDir || !filename.endsWith('.js')) return original.call(this, content, filename);
    let script: Script;
    try {
      const { size, mtimeMs } = statSync(filename);
      const file = join(cacheDir, `${basename(filename)}.${size}-${Math.trunc(mtimeMs)}.cache`);
      const cachedData = folderUsable() ? readOrUndefined(file) : undefined;
      script = new Script(WRAPPER_START + content + WRAPPER_END, { filename, cachedData });
      loaded.push({ script, file, cached: cachedData !== undefined && !script.cachedDataRejected });
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
      const marker = join(cacheDir, `${command}.seen`);
      const firstOfCommand = !(folderUsable() && existsSync(marker));
      const writes = firstOfCommand ? scripts : scripts.filter((s) => !s.cached);
      if (writes.length === 0 || !prepareFolder(cacheDir)) return;
      for (const { script, file } of writes) {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, file);
      }
      if (firstOfCommand) writeFileSync(marker, '', { mode: 0o600 });
    } catch {
      // A home that cannot be written (a read-only CI image): no cache, just as fast as before.
    }
  };

  proto._compile = compile;
  process.once('exit', flush);
  return {
    flush,
    uninstall: () => {
      if (proto._compile === compile) proto._compile = original;
      process.removeListener('exit', flush);
    },
  };
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A real folder (not a link) of this user's that nobody else may read or write. */
function isPrivateFolder(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Makes this build's folder when it is new, and removes the folders of other builds (each ~0.3 MB). */
function prepareFolder(dir: string): boolean {
  if (isPrivateFolder(dir)) return true;
  const parent = dirname(dir);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    mkdirSync(dir, { mode: 0o700 });
  }
  if (!isPrivateFolder(dir) || !isPrivateFolder(parent)) return false;
  for (const name of readdirSync(parent)) {
    if (name !== basename(dir) && BUILD_FOLDER.test(name)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  return true;
}

/** Written in by scripts/bundle.js: a hash of this build's bundle files (16 hex digits). */
declare const TAPCTL_BUILD_ID: string | undefined;

/**
 * bin/tapctl.cjs's call on a Node with no compile cache of its own: the cache for the bundle in `bundleDir`
 * (dist/bundle, an absolute path), unless it is turned off or has no place (codeCacheDir()).
 */
export function installBundleCodeCache(bundleDir: string): void {
  const cacheDir = typeof TAPCTL_BUILD_ID === 'string' ? codeCacheDir(TAPCTL_BUILD_ID) : undefined;
  if (cacheDir) installCodeCache({ codeDir: bundleDir, cacheDir, command: commandOf(process.argv.slice(2)) });
}
