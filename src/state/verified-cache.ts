/**
 * The one way tapctl keeps a file in `.tapctl/`: a cache, never a source of truth (style.md "Where state
 * lives"). Each file holds its data together with the sha256 of that data:
 *
 *   { "tapctlCache": 1, "sha256": "<hex of JSON.stringify(data)>", "data": ... }
 *
 * A read returns the data only when the file is a plain file of bounded size, parses, its hash matches and the
 * caller's own check accepts the data. Anything else is a miss that the caller rebuilds; a file that is there
 * but wrong is reported once (through `onInvalid`), so a person learns why and that it was rebuilt.
 *
 * The hash catches corruption and hand edits; it is not a signature (anyone can recompute it). So the caller's
 * check must hold every fact a safety decision rests on against its real source (the config file, AWS): a cache
 * file rewritten together with its hash must never change what is deployed where.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotAPlainFileError, readPlainFile } from '../cli/user-files.js';

const FORMAT = 1;
/** Cache entries are small (the largest, the resolved config, is tens of KB). */
const MAX_CACHE_BYTES = 8 * 1024 * 1024;

/** The caller's check: undefined when the data is acceptable, else why not (one short phrase). */
export type CacheCheck = (data: unknown) => string | undefined;

export interface CacheReadOptions {
  /** Called once per damaged file and command, with a message ready to show (the file and what was wrong). */
  readonly onInvalid?: (message: string) => void;
  /** How the file is named in that message (e.g. relative to the project). @default the path */
  readonly label?: string;
  /**
   * Files written before caches had a hash are plain JSON: read them through the caller's check alone (which
   * must then be the whole safety of the read). Otherwise such a file is a silent miss.
   */
  readonly legacy?: boolean;
}

export function contentHash(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

/** Paths already reported in this process: a watch that reads a file every refresh says it once. */
const reported = new Set<string>();

/** The data of a verified cache file, or undefined (missing or rejected: rebuild it). */
export function readVerified<T>(path: string, check: CacheCheck, options: CacheReadOptions = {}): T | undefined {
  if (!existsSync(path)) return undefined;
  const problem = (reason: string): undefined => {
    const key = `${path}\0${reason}`;
    if (options.onInvalid && !reported.has(key)) {
      reported.add(key);
      options.onInvalid(`ignoring ${options.label ?? path}: ${reason}; it is a cache and will be rebuilt`);
    }
    return undefined;
  };
  let text: string;
  try {
    text = readPlainFile(path, MAX_CACHE_BYTES).toString('utf8');
  } catch (e) {
    return problem(e instanceof NotAPlainFileError ? e.reason : (e as Error).message);
  }
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return problem('it is not valid JSON');
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return problem('it is not a tapctl cache file');
  const { tapctlCache, sha256 } = entry as Record<string, unknown>;
  let data = (entry as Record<string, unknown>).data;
  if (tapctlCache === undefined && sha256 === undefined) {
    // A file of an older tapctl (no envelope): stale and rebuilt without a word, unless its data is still wanted.
    if (!options.legacy) return undefined;
    data = entry;
  } else {
    if (tapctlCache !== FORMAT || typeof sha256 !== 'string') return problem('it is not a tapctl cache file');
    if (contentHash(data) !== sha256) return problem('its content does not match its hash (it was changed or damaged)');
  }
  const refused = check(data);
  if (refused !== undefined) return problem(refused);
  return data as T;
}

/** Writes `data` with its hash, through a temporary file so an interrupted write never leaves half a file. */
export function writeVerified(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ tapctlCache: FORMAT, sha256: contentHash(data), data }) + '\n');
  renameSync(tmp, path);
}

/** Helpers for checks: the shapes cache data is made of. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
