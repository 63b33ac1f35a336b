/**
 * The resolved environments of an unchanged config, kept in `.tapctl/config-cache.json` (a verified cache,
 * state/verified-cache.ts).
 *
 * Loading zod and the schema, validating and running the rules costs ~100 ms of start-up; status, synth and
 * deploy run far more often than the file changes. The key covers the file's bytes and tapctl's own config code,
 * so a genuine entry is exactly what a fresh load would give.
 *
 * Genuine is the question, since anything that can write the project folder can write `.tapctl/`:
 * - an entry signed with this user's cache key (state/cache-key.ts: a secret only this user can read) was written
 *   by this user's tapctl for exactly this text and code; it is used as it is, with no YAML parse;
 * - any other entry (no key on this machine, another user's entry, an entry rewritten by hand or by another tool)
 *   is never trusted for what matters most: every environment's identity (account, region, endpoint, names,
 *   image, protection: config/identity.ts) is derived again from the file itself, and an entry that disagrees is
 *   ignored with a warning. Such a file therefore cannot move a deploy to another account, drop data retention
 *   or change the image. When this user has a key, even an entry that agrees is replaced, once, by a fresh load
 *   signed with it; without a key (a home that cannot be written) the checked entry is used.
 * `tapctl validate` never uses the cache.
 */
import { deepFreeze } from './freeze.js';
import { createHash } from 'node:crypto';
import { cacheKey, signature, verifySignature } from '../state/cache-key.js';
import { codeFingerprint } from '../state/fingerprint.js';
import { isRecord, isString, readVerified, writeVerified } from '../state/verified-cache.js';
import { configCacheFile } from '../state/work-dir.js';
import { environmentNamesIn, identityFromFile, identityMismatch, identityOf } from './identity.js';
import type { ConfigIssue } from './issues.js';
import type { ResolvedEnvironment } from './resolve.js';

interface CacheEntry {
  readonly key: string;
  readonly environments: ResolvedEnvironment[];
  readonly warnings: ConfigIssue[];
}

/** As stored: the entry and, when this user has a cache key, its HMAC (over `signedText`). */
interface StoredEntry extends CacheEntry {
  readonly signature?: string;
}

/** What the signature covers: the key (the file's bytes, tapctl's code) and everything read from the entry. */
const signedText = (entry: CacheEntry): string => JSON.stringify({ key: entry.key, environments: entry.environments, warnings: entry.warnings });

export function configCacheKey(text: string): string {
  return createHash('sha256').update(text).update(codeFingerprint(['config'])).digest('hex');
}

export interface ConfigCacheRead {
  readonly projectDir: string;
  /** The config file's text, as read for this command. */
  readonly text: string;
  readonly key: string;
  /** Where a damaged or contradicting entry is reported (once). */
  readonly warn: (message: string) => void;
}

export async function readConfigCache({ projectDir, text, key, warn }: ConfigCacheRead): Promise<Omit<CacheEntry, 'key'> | undefined> {
  const entry = readVerified<StoredEntry>(configCacheFile(projectDir), shapeProblem, { onInvalid: warn, label: '.tapctl/config-cache.json' });
  if (!entry || entry.key !== key) return undefined;
  // Written by this user's tapctl for this very text and code: what a fresh load gives (see the module comment).
  if (typeof entry.signature === 'string' && verifySignature(signedText(entry), entry.signature)) {
    return { environments: entry.environments.map(deepFreeze), warnings: entry.warnings };
  }
  // Not known to be this user's: hold it against the text (see the module comment).
  const { parseYaml } = await import('./yaml-text.js');
  let raw: unknown;
  try {
    raw = parseYaml(text, 100);
  } catch {
    return undefined;
  }
  const problem = contradiction(raw, entry.environments);
  if (problem) {
    warn(`ignoring .tapctl/config-cache.json: ${problem}; it is a cache and will be rebuilt`);
    return undefined;
  }
  // Consistent, yet not known to be this user's (a .tapctl/ from another machine or user, a key made since): with a
  // key of our own, the config is loaded afresh once and the entry written again, signed, rather than parsed and
  // checked at every run from now on.
  if (cacheKey()) return undefined;
  return { environments: entry.environments.map(deepFreeze), warnings: entry.warnings };
}

export function writeConfigCache(projectDir: string, entry: CacheEntry): void {
  try {
    const sig = signature(signedText(entry));
    writeVerified(configCacheFile(projectDir), { ...entry, ...(sig ? { signature: sig } : {}) } satisfies StoredEntry);
  } catch {
    // A read-only project still works; it just loads the config every time.
  }
}

function shapeProblem(data: unknown): string | undefined {
  if (!isRecord(data) || !isString(data.key) || !Array.isArray(data.environments) || !Array.isArray(data.warnings)) return 'it does not hold a resolved config';
  if (!data.environments.every((e) => isRecord(e) && isString(e.name))) return 'it does not hold a resolved config';
  return undefined;
}

/** Why the cached environments are not the file's, or undefined when they are. */
function contradiction(raw: unknown, environments: readonly ResolvedEnvironment[]): string | undefined {
  const names = environmentNamesIn(raw);
  if (names.join('\n') !== environments.map((e) => e.name).join('\n')) return 'its environments are not those of tapctl.config.yaml';
  for (const env of environments) {
    const field = identityMismatch(identityFromFile(raw, env.name), identityOf(env));
    if (field) return `its ${field} of environment '${env.name}' is not what tapctl.config.yaml says`;
  }
  return undefined;
}
