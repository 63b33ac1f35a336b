/**
 * The tag of an image built outside git (no repository, or no commit yet): the content digest of its build
 * context, so that the same files always get the same immutable tag and a changed file a new one, and the
 * README's steps work on a folder that is not (yet) a git repository.
 *
 * The digest covers the relative path and bytes of every file in the context, in a fixed order, except what
 * never goes into an image: `.git`, tapctl's own `.tapctl`, and the names `.dockerignore` lists plainly (one
 * name or `**`/`name` per line, without other wildcards) — which covers the ignore file init writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `ctx-` and the first 12 hex digits of the digest: a valid, immutable image tag. */
export function contextTag(contextDir: string): string {
  return `ctx-${contextDigest(contextDir).slice(0, 12)}`;
}

export function contextDigest(contextDir: string): string {
  const ignored = ignoredNames(contextDir);
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(contextDir, full).split('\\').join('/');
      if (ignored.has(name) || ignored.has(rel)) continue;
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isSymbolicLink()) hash.update(`${rel}\0link\0${readlinkSync(full)}\0`);
      else if (stat.isFile()) hash.update(`${rel}\0${stat.size}\0`).update(readFileSync(full));
    }
  };
  walk(contextDir);
  return hash.digest('hex');
}

function ignoredNames(contextDir: string): Set<string> {
  const names = new Set(['.git', '.tapctl']);
  const file = join(contextDir, '.dockerignore');
  if (!existsSync(file)) return names;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const entry = line.trim().replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\*\*\//, '');
    if (entry && !entry.startsWith('#') && !entry.startsWith('!') && !/[*?[\]]/.test(entry)) names.add(entry);
  }
  return names;
}
