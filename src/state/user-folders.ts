/**
 * The folders of this user's own where tapctl keeps things outside every project, after the XDG Base Directory
 * spec (https://specifications.freedesktop.org/basedir-spec/latest/): `config` is `$XDG_CONFIG_HOME`, default
 * `~/.config` (the cache key, state/cache-key.ts); `cache` is `$XDG_CACHE_HOME`, default `~/.cache` (compiled code,
 * cli/code-cache.ts).
 *
 * Only a folder of this user's is one. HOME (or the XDG folder) must be an absolute path, and the folder, or the
 * folder it would be made in, must belong to this user:
 * - an empty or relative HOME would put the key or the cache in the current folder, the project;
 * - a HOME of another user's (`sudo` keeping the caller's HOME) would leave files there that its owner cannot remove,
 *   and that turn the feature off for them for good.
 * No such folder: undefined, and tapctl works without what it would have kept there.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { statOf } from './stat.js';

export type UserFolderKind = 'config' | 'cache';

const XDG: Readonly<Record<UserFolderKind, readonly [variable: string, underHome: string]>> = {
  config: ['XDG_CONFIG_HOME', '.config'],
  cache: ['XDG_CACHE_HOME', '.cache'],
};

/** This user's `kind` folder (see the module comment), or undefined. It may not exist yet; its parent does. */
export function userFolder(kind: UserFolderKind, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.getuid === undefined) return undefined;
  const [variable, underHome] = XDG[kind];
  const xdg = env[variable];
  // The spec: a relative path in an XDG variable is invalid and ignored.
  if (xdg && isAbsolute(xdg)) return ownFolderOrPlace(xdg) ? xdg : undefined;
  const home = env.HOME ?? homedir();
  if (!isAbsolute(home) || !isOwnFolder(home)) return undefined;
  const folder = join(home, underHome);
  return ownFolderOrPlace(folder) ? folder : undefined;
}

/** `path` is a folder of this user's, or is not there and would be made in one. */
function ownFolderOrPlace(path: string): boolean {
  const stat = statOrUndefined(path);
  return stat ? stat.isDirectory && stat.uid === process.getuid?.() : isOwnFolder(dirname(path));
}

function isOwnFolder(path: string): boolean {
  const stat = statOrUndefined(path);
  return Boolean(stat?.isDirectory && stat.uid === process.getuid?.());
}

function statOrUndefined(path: string) {
  try {
    return statOf(path);
  } catch {
    return undefined;
  }
}
