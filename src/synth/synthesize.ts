/**
 * In-process synthesis of the embedded CDK app into a standard cloud assembly, with a cache.
 *
 * The cache key is the resolved environment, tapctl's version, aws-cdk-lib's version and the bytes of the
 * compiled app code; when none changed and the assembly is byte for byte the one tapctl wrote (the cache entry
 * holds the hash of every file), the last assembly is reused (no aws-cdk-lib load at all). Nothing here calls
 * AWS: the environment carries account, region and availability zones.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { cacheKey as userCacheKey, signature, verifySignature } from '../state/cache-key.js';
import { codeFingerprint } from '../state/fingerprint.js';
import { isRecord, readVerified, writeVerified } from '../state/verified-cache.js';
import { assemblyFiles, filesDiffer, prepareAssemblyDir, SYNTH_CACHE_FILE } from './assembly-dir.js';
import { summarizeTemplate, type TemplateSummary } from './summary.js';

export interface SynthOptions {
  /** Turn on aws-cdk-lib's built-in CloudFormation validation (seconds per synth). */
  readonly validate?: boolean;
  /** Reuse the last assembly when nothing changed. @default true */
  readonly useCache?: boolean;
  /** Assembly folder. @default a fresh temporary folder, removed by the caller via `dispose` */
  readonly outDir?: string;
  /**
   * `outDir` is tapctl's own (`.tapctl/<env>/cdk.out`, a temporary folder): cleared whatever it holds. false for
   * a folder the user named (synth --out): only an empty folder or an assembly tapctl wrote is cleared
   * (synth/assembly-dir.ts).
   * @default true
   */
  readonly owned?: boolean;
  /** Hears (once) why a cached assembly was not reused: a damaged entry, an edited file. */
  readonly onCacheProblem?: (message: string) => void;
}

export interface SynthResult extends TemplateSummary {
  readonly assemblyDir: string;
  readonly templatePath: string;
  readonly cached: boolean;
  readonly durationMs: number;
  /** Warnings CDK attached to the stack (annotations). */
  readonly warnings: string[];
  /** Errors from the built-in CloudFormation validation (only with `validate`). */
  readonly validationErrors: string[];
}

/** The synth cache entry: the key it was made for, the result, and the hash of every file of the assembly. */
interface SynthCacheEntry {
  readonly key: string;
  /** The template, relative to the assembly folder. */
  readonly templateFile: string;
  readonly files: Record<string, string>;
  readonly result: Omit<SynthResult, 'assemblyDir' | 'templatePath' | 'cached' | 'durationMs'>;
  /** HMAC with this user's cache key (state/cache-key.ts) of everything above; absent without a usable key. */
  readonly signature?: string;
}

/** What the signature covers: the key (config and code), the assembly's file hashes, and the result. */
const signedText = (e: SynthCacheEntry): string => JSON.stringify({ key: e.key, templateFile: e.templateFile, files: e.files, result: e.result });

export async function synthesize(env: ResolvedEnvironment, options: SynthOptions): Promise<SynthResult> {
  // Date.now(), as every other command's duration: the global `performance` loads Node's perf_hooks (ten internal
  // modules, ~1 % of a cached synth's start-up).
  const started = Date.now();
  const outDir = options.outDir ?? join((await import('node:os')).tmpdir(), `tapctl-synth-${process.pid}-${Date.now()}`);
  const key = cacheKey(env, Boolean(options.validate));

  if (options.useCache !== false) {
    const cached = readSynthCache(outDir, key, options.onCacheProblem);
    if (cached) return { ...cached, cached: true, durationMs: Date.now() - started };
  }

  prepareAssemblyDir(outDir, { owned: options.owned ?? true });

  const { buildApp } = await import('../infra/app.js');
  const { app } = buildApp(env, { outdir: outDir, validate: options.validate ?? false });
  let validationErrors: string[] = [];
  let assembly;
  try {
    assembly = app.synth({ validateOnSynthesis: false });
  } catch (e) {
    if (!options.validate) throw e;
    // Built-in validation reports its findings by failing the synthesis.
    validationErrors = [(e as Error).message];
    return {
      assemblyDir: outDir, templatePath: '', cached: false, durationMs: Date.now() - started,
      warnings: [], validationErrors, ...summarizeTemplate(env.names.stack, {}),
    };
  }
  const stack = assembly.getStackByName(env.names.stack);
  const messages = stack.messages ?? [];
  const warnings = messages.filter((m) => m.level === 'warning').map((m) => `${m.id}: ${String(m.entry.data)}`);
  validationErrors = messages.filter((m) => m.level === 'error').map((m) => `${m.id}: ${String(m.entry.data)}`);
  const summary = summarizeTemplate(stack.stackName, stack.template as Record<string, unknown>);

  const result = { ...summary, warnings, validationErrors };
  const templateFile = relative(outDir, stack.templateFullPath);
  // Written last: a synthesis killed before this point leaves no entry, so its half-written folder is never reused.
  if (validationErrors.length === 0) {
    const entry: SynthCacheEntry = { key, templateFile, files: assemblyFiles(outDir), result };
    const sig = signature(signedText(entry));
    writeVerified(join(outDir, SYNTH_CACHE_FILE), { ...entry, ...(sig ? { signature: sig } : {}) } satisfies SynthCacheEntry);
  }
  return { ...result, assemblyDir: outDir, templatePath: stack.templateFullPath, cached: false, durationMs: Date.now() - started };
}

/**
 * The cached result for `key`, when the assembly in `outDir` is exactly the one tapctl wrote for it: the entry's
 * hash matches, and so does every file of the assembly (an edited template is not reused).
 */
function readSynthCache(outDir: string, key: string, onCacheProblem?: (message: string) => void): Omit<SynthResult, 'cached' | 'durationMs'> | undefined {
  const cacheFile = join(outDir, SYNTH_CACHE_FILE);
  const label = relative(process.cwd(), cacheFile) || cacheFile;
  const entry = readVerified<SynthCacheEntry>(cacheFile, synthEntryProblem, { label, ...(onCacheProblem ? { onInvalid: onCacheProblem } : {}) });
  if (!entry || entry.key !== key) return undefined;
  // The hashes catch damage, not a forgery (anyone can compute them again): deploy, diff and destroy reuse this
  // assembly, so with a key this user has, only an entry this user's tapctl signed is reused.
  if (userCacheKey() && !(typeof entry.signature === 'string' && verifySignature(signedText(entry), entry.signature))) {
    if (entry.signature !== undefined) onCacheProblem?.(`not reusing the cached cloud assembly in ${relative(process.cwd(), outDir) || outDir}: its signature is not this user's tapctl's; synthesizing again`);
    return undefined;
  }
  const changed = filesDiffer(entry.files, assemblyFiles(outDir));
  if (changed) {
    onCacheProblem?.(`not reusing the cached cloud assembly in ${relative(process.cwd(), outDir) || outDir}: ${changed} since tapctl wrote it; synthesizing again`);
    return undefined;
  }
  return { ...entry.result, assemblyDir: outDir, templatePath: join(outDir, entry.templateFile) };
}

function synthEntryProblem(data: unknown): string | undefined {
  if (!isRecord(data) || typeof data.key !== 'string' || typeof data.templateFile !== 'string' || !isRecord(data.files) || !isRecord(data.result)) {
    return 'it is not a synth cache entry';
  }
  // The template must be a file of the assembly itself, never a path leading out of it.
  if (isAbsolute(data.templateFile) || data.templateFile.split(/[\\/]/).includes('..') || !Object.hasOwn(data.files, data.templateFile)) {
    return 'its template is not a file of the assembly';
  }
  return undefined;
}

function cacheKey(env: ResolvedEnvironment, validate: boolean): string {
  return createHash('sha256')
    .update(JSON.stringify(env))
    .update(`validate=${validate}`)
    .update(packageVersion('aws-cdk-lib'))
    .update(codeFingerprint(['infra', 'config', 'synth']))
    .digest('hex');
}

/**
 * The version of the package `name` that this code's require() finds. Node looks in node_modules of this folder
 * and each one above it; the same walk here costs a few stat calls, where the first require() of a process spends
 * ~3 ms of CPU setting up Node's CommonJS resolver (a cached synth loads nothing else through it). A package found
 * only by other means (NODE_PATH) is asked of require() itself.
 */
function packageVersion(name: string): string {
  try {
    for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
      const file = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
      if (dirname(dir) === dir) break;
    }
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
