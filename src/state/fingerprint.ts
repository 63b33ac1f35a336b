/**
 * A fingerprint of tapctl's own code, for caches whose results depend on it (resolved configs, synthesized
 * assemblies): when tapctl is upgraded or rebuilt, every cached result is stale.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const distRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** sha256 over tapctl's version and the compiled files under the given top-level source folders. */
export function codeFingerprint(folders: readonly string[]): string {
  const hash = createHash('sha256').update(tapctlVersion());
  for (const file of codeFiles(folders)) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

function codeFiles(folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
    }
  };
  folders.forEach((f) => walk(join(distRoot, f)));
  return out;
}

export function tapctlVersion(): string {
  for (const candidate of [join(distRoot, '..', 'package.json'), join(distRoot, '..', '..', 'package.json')]) {
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
