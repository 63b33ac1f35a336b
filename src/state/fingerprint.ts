/**
 * A fingerprint of tapctl's own code, for caches whose results depend on it (resolved configs, synthesized
 * assemblies): when tapctl is upgraded or rebuilt, every cached result is stale.
 *
 * Run from the bundle (dist/bundle/, what bin/tapctl.cjs loads), the per-folder hashes come from
 * dist/bundle/fingerprints.json, written by scripts/bundle.js in the same build: a cached synth then reads one
 * small file instead of every compiled file of infra, config and synth at each start. Run from dist/<folder>/ or
 * from src/ (tests), the files are hashed here, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const distRoot = join(here, '..');
const PREBUILT_FILE = join(here, 'fingerprints.json');

let prebuilt: Readonly<Record<string, string>> | null | undefined;
let version: string | undefined;

/** sha256 over tapctl's version and the compiled files under the given top-level source folders. */
export function codeFingerprint(folders: readonly string[]): string {
  const hash = createHash('sha256').update(tapctlVersion());
  const hashes = prebuiltHashes();
  if (hashes) {
    for (const folder of folders) hash.update(folder).update(hashes[folder] ?? 'absent');
    return hash.digest('hex');
  }
  for (const file of codeFiles(folders)) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

function prebuiltHashes(): Readonly<Record<string, string>> | null {
  if (prebuilt === undefined) {
    prebuilt = null;
    if (basename(here) === 'bundle') {
      try {
        prebuilt = JSON.parse(readFileSync(PREBUILT_FILE, 'utf8')) as Record<string, string>;
      } catch {
        // No fingerprints file (a hand-made bundle): hash the files, which is slower but as correct.
      }
    }
  }
  return prebuilt;
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
  version ??= readVersion();
  return version;
}

function readVersion(): string {
  for (const candidate of [join(distRoot, '..', 'package.json'), join(distRoot, '..', '..', 'package.json')]) {
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
