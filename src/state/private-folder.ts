/**
 * Folders of this user's alone, on paths no other user can change: where tapctl keeps what it will later run or
 * trust (compiled code: cli/code-cache.ts). The rule is the one OpenSSH applies to the files it trusts:
 * - the folders tapctl makes (`levels` of them at the end of a path: tapctl/, code-cache/, the build's) are this
 *   user's and writable by no one else, and the last one is closed to everyone else (0700);
 * - every folder above them is this user's or root's and writable by no one else, or sticky (/tmp), so that no one
 *   else can rename or replace it;
 * - a link is followed only when it is this user's or root's (trustedRealPath), and never on a path already
 *   resolved, where a link was put there since.
 * Otherwise another user could swap a folder on the path for one of theirs between a check and a read.
 */
import { mkdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lstatOf, type FileStat } from './stat.js';

const trustedOwner = (uid: number) => uid === process.getuid?.() || uid === 0;

/** A folder above tapctl's own: no one but this user and root can rename or replace what is in it. */
const closedAncestor = (stat: FileStat) =>
  stat.isDirectory && trustedOwner(stat.uid) && ((stat.mode & 0o022) === 0 || (stat.mode & 0o1000) !== 0);

/** One of tapctl's own folders: this user's, writable by no one else. */
const ownFolder = (stat: FileStat) => stat.isDirectory && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;

/**
 * `path` (absolute) as a real path, resolved here one component at a time: every link followed is this user's or
 * root's, and every folder passed through is a closed ancestor. Such entries cannot be renamed or replaced by anyone
 * else afterwards, so the path stays what was checked (fs.realpathSync would follow any link, and a check before
 * or after it races a rename). Undefined when the path fails; a part that is not there yet is returned as given,
 * to be made by makePrivateFolder.
 */
export function trustedRealPath(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
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
      if (!trustedOwner(stat.uid) || ++links > 40) return undefined;
      const target = readlinkSync(next);
      parts.unshift(...target.split('/').filter(Boolean));
      if (target.startsWith('/')) real = '/';
      continue;
    }
    if (!closedAncestor(stat)) return undefined;
    real = next;
  }
  return real;
}

/** `dir` (a real path) is a private folder of this user's under the rule above; `levels` of its folders are tapctl's. */
export function isPrivateFolder(dir: string, levels: number): boolean {
  try {
    return (lstatOf(dir).mode & 0o077) === 0 && chainIsSafe(dir, 0, levels);
  } catch {
    return false;
  }
}

/**
 * Makes `dir` (a real path) 0700 when it is not there, with any missing folders above it, one at a time, each in a
 * folder that passed the rule first: never through a link, never on a path that fails it (where this user's folders
 * would be left in another's). True when `dir` is then a private folder.
 */
export function makePrivateFolder(dir: string, levels: number): boolean {
  if (isPrivateFolder(dir, levels)) return true;
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
  return isPrivateFolder(dir, levels);
}

/** `path`, `distance` folders above the private folder, and every folder above it, pass the rule. */
function chainIsSafe(path: string, distance: number, levels: number): boolean {
  try {
    for (let p = path, d = distance; ; p = dirname(p), d++) {
      const stat = lstatOf(p);
      if (!(d < levels ? ownFolder(stat) : closedAncestor(stat))) return false;
      if (dirname(p) === p) return true;
    }
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatOf(path);
    return true;
  } catch {
    return false;
  }
}
