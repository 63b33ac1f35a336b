/**
 * The resolved environments of an unchanged config, kept in `.tapctl/config-cache.json`.
 *
 * Parsing YAML and validating with zod costs ~130 ms of start-up; status, synth and deploy run far more often
 * than the file changes. The key covers the file's bytes and tapctl's own config code, so a cached result is
 * exactly what a fresh load would give. `tapctl validate` never uses it.
 */
import { createHash } from 'node:crypto';
import { codeFingerprint } from '../state/fingerprint.js';
import { readJson, writeJson } from '../state/work-dir.js';
import { join } from 'node:path';
import type { ConfigIssue } from './issues.js';
import type { ResolvedEnvironment } from './resolve.js';

interface CacheEntry {
  readonly key: string;
  readonly environments: ResolvedEnvironment[];
  readonly warnings: ConfigIssue[];
}

const cacheFile = (projectDir: string) => join(projectDir, '.tapctl', 'config-cache.json');

export function configCacheKey(text: string): string {
  return createHash('sha256').update(text).update(codeFingerprint(['config'])).digest('hex');
}

export function readConfigCache(projectDir: string, key: string): Omit<CacheEntry, 'key'> | undefined {
  const entry = readJson<CacheEntry>(cacheFile(projectDir));
  if (!entry || entry.key !== key || !Array.isArray(entry.environments)) return undefined;
  return { environments: entry.environments.map(deepFreeze), warnings: entry.warnings ?? [] };
}

export function writeConfigCache(projectDir: string, entry: CacheEntry): void {
  try {
    writeJson(cacheFile(projectDir), entry);
  } catch {
    // A read-only project still works; it just loads the config every time.
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
