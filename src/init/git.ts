/**
 * init's offer to start a git repository: push-image tags an image by its commit, so a project that is meant to
 * be in git is better off in it from the start. Outside git push-image still works (it tags by the build
 * context's content digest), so this is an offer, never a requirement.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Spawn } from '../image/exec.js';

/** true: `dir` (or the nearest existing folder above it) is inside a git work tree; undefined: git is not installed. */
export async function insideGitWorkTree(spawn: Spawn, dir: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
  // The nearest folder that exists (a file in the path is init's to report, not this check's).
  let existing = dir;
  while (!existsSync(existing) || !statSync(existing).isDirectory()) {
    if (dirname(existing) === existing) return undefined;
    existing = dirname(existing);
  }
  const r = await spawn({ command: 'git', args: ['rev-parse', '--is-inside-work-tree'], cwd: existing, env: { ...env, LC_ALL: 'C' }, timeoutMs: 30_000 });
  if (r.error) return undefined;
  return r.code === 0 && r.stdout.trim() === 'true';
}

/** `git init` in `dir`; the error when it failed. */
export async function gitInit(spawn: Spawn, dir: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await spawn({ command: 'git', args: ['init', '--quiet'], cwd: dir, env: { ...env, LC_ALL: 'C' }, timeoutMs: 30_000 });
  if (r.error) return r.error.message;
  return r.code === 0 ? undefined : r.tail.join(' ').trim() || `git init exited with ${r.code}`;
}
