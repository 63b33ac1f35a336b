/**
 * The key that signs tapctl's config cache (config/cache.ts): 32 random bytes, one per user and machine, kept
 * outside every project in `$XDG_CONFIG_HOME/tapctl/cache-key` (default `~/.config/tapctl/cache-key`), a file of
 * this user's with no access for anyone else (0600, in a folder made 0700), written on first use.
 *
 * Why a key: `.tapctl/` lies in the project folder, which more than this user's tapctl can write (a commit that
 * ships a `.tapctl/` folder, a shared checkout, another tool). A content hash catches damage, not a forgery: anyone
 * can compute it again. An HMAC made with a key only this user can read can be checked, but not made, by anything
 * else: a cache entry that verifies was written by tapctl, as this user, on this machine, for the inputs its own
 * key names (the config file's bytes, tapctl's code). Whoever can read the key can also edit this user's
 * ~/.aws/config or tapctl itself: the key adds no new party to trust.
 *
 * No usable key (a home that cannot be written; a key file of another user, or one that others may read or
 * write): entries are not signed, and a reader checks them as it does any unsigned entry (config/cache.ts: the
 * identity of every environment is derived again from the file), which is slower, never less safe.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userFolder } from './user-folders.js';

const KEY_BYTES = 32;
/** The key is stored as hex text. */
const KEY_FILE_LENGTH = KEY_BYTES * 2;

/**
 * Where the key lives: `$XDG_CONFIG_HOME/tapctl/cache-key`, else `~/.config/tapctl/cache-key`; undefined when this
 * user has no such folder of their own (state/user-folders.ts: an empty HOME, another user's HOME under sudo).
 */
export function cacheKeyPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = userFolder('config', env);
  return base === undefined ? undefined : join(base, 'tapctl', 'cache-key');
}

/** Per path: the key, or why there is none to use. Read once per process. */
const keys = new Map<string, KeyRead>();

type KeyRead = { readonly key: Buffer } | { readonly problem?: string };

/** This user's cache key, made on first use; undefined when there is no usable one (see the module comment). */
export function cacheKey(path = cacheKeyPath()): Buffer | undefined {
  const read = keyRead(path);
  return 'key' in read ? read.key : undefined;
}

/** Why the key file that is there is not used (another user's, open to others, damaged); undefined otherwise. */
export function cacheKeyProblem(path = cacheKeyPath()): string | undefined {
  const read = keyRead(path);
  return 'problem' in read ? read.problem : undefined;
}

function keyRead(path: string | undefined): KeyRead {
  // No folder of this user's to keep a key in: no key, nothing to report (tapctl works without).
  if (path === undefined) return {};
  let read = keys.get(path);
  if (!read) {
    read = readKey(path);
    if (!('key' in read) && read.problem === undefined) read = makeKey(path);
    keys.set(path, read);
  }
  return read;
}

/** HMAC-SHA256 of `text` with this user's key (hex), or undefined without a key. */
export function signature(text: string, path = cacheKeyPath()): string | undefined {
  const key = cacheKey(path);
  return key ? createHmac('sha256', key).update(text).digest('hex') : undefined;
}

/** Whether `sig` is `text`'s signature with this user's key (false without a key). */
export function verifySignature(text: string, sig: string, path = cacheKeyPath()): boolean {
  const expected = signature(text, path);
  if (expected === undefined || sig.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

/** The key in `path` when it is a plain file of this user's that nobody else may read or write; else why not (nothing when there is no file). */
function readKey(path: string): KeyRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? {} : { problem: `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if (!stat.isFile()) return { problem: `${path} is not a plain file` };
    if (uid !== undefined && stat.uid !== uid) return { problem: `${path} belongs to another user` };
    if ((stat.mode & 0o077) !== 0) return { problem: `${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)}; it must be 600)` };
    const text = Buffer.alloc(KEY_FILE_LENGTH);
    const ok = stat.size === KEY_FILE_LENGTH && readSync(fd, text, 0, KEY_FILE_LENGTH, 0) === KEY_FILE_LENGTH && /^[0-9a-f]+$/.test(text.toString('latin1'));
    return ok ? { key: Buffer.from(text.toString('latin1'), 'hex') } : { problem: `${path} does not hold a tapctl cache key` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new key where there is none: into a private temporary file, then linked into place, which fails if
 * another tapctl got there first (its key is then the one read). A home that cannot be written: no key, silently
 * (tapctl works without caches).
 */
function makeKey(path: string): KeyRead {
  const dir = join(path, '..');
  const tmp = join(dir, `.cache-key.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, randomBytes(KEY_BYTES).toString('hex'), { mode: 0o600, flag: 'wx' });
    linkSync(tmp, path);
  } catch {
    // EEXIST: another process made it first (read below). Anything else: a home that cannot be written.
  } finally {
    rmSync(tmp, { force: true });
  }
  return readKey(path);
}
