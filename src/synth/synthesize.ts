/**
 * In-process synthesis of the embedded CDK app into a standard cloud assembly, with a cache.
 *
 * The cache key is the resolved environment, tapctl's version, aws-cdk-lib's version and the bytes of the
 * compiled app code; when none changed, the last assembly is reused (no aws-cdk-lib load at all). Nothing here
 * calls AWS: the environment carries account, region and availability zones.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { codeFingerprint } from '../state/fingerprint.js';
import { summarizeTemplate, type TemplateSummary } from './summary.js';

export interface SynthOptions {
  /** Turn on aws-cdk-lib's built-in CloudFormation validation (seconds per synth). */
  readonly validate?: boolean;
  /** Reuse the last assembly when nothing changed. @default true */
  readonly useCache?: boolean;
  /** Assembly folder. @default a fresh temporary folder, removed by the caller via `dispose` */
  readonly outDir?: string;
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

const CACHE_FILE = 'tapctl-synth.json';

export async function synthesize(env: ResolvedEnvironment, options: SynthOptions): Promise<SynthResult> {
  const started = performance.now();
  const outDir = options.outDir ?? join((await import('node:os')).tmpdir(), `tapctl-synth-${process.pid}-${Date.now()}`);
  const key = cacheKey(env, Boolean(options.validate));
  const cacheFile = join(outDir, CACHE_FILE);

  if (options.useCache !== false && existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Omit<SynthResult, 'cached' | 'durationMs'> & { key: string };
      if (cached.key === key && existsSync(cached.templatePath)) {
        const { key: _ignored, ...rest } = cached;
        return { ...rest, cached: true, durationMs: performance.now() - started };
      }
    } catch {
      // A damaged cache file is just a miss.
    }
  }

  prepareOutDir(outDir);

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
      assemblyDir: outDir, templatePath: '', cached: false, durationMs: performance.now() - started,
      warnings: [], validationErrors, ...summarizeTemplate(env.names.stack, {}),
    };
  }
  const stack = assembly.getStackByName(env.names.stack);
  const messages = stack.messages ?? [];
  const warnings = messages.filter((m) => m.level === 'warning').map((m) => `${m.id}: ${String(m.entry.data)}`);
  validationErrors = messages.filter((m) => m.level === 'error').map((m) => `${m.id}: ${String(m.entry.data)}`);
  const summary = summarizeTemplate(stack.stackName, stack.template as Record<string, unknown>);

  const result = {
    ...summary,
    assemblyDir: outDir,
    templatePath: stack.templateFullPath,
    warnings,
    validationErrors,
  };
  if (validationErrors.length === 0) writeFileSync(cacheFile, JSON.stringify({ key, ...result }, null, 2));
  return { ...result, cached: false, durationMs: performance.now() - started };
}

/**
 * Empties the assembly folder so a stale assembly never mixes with the new one, but only a folder that is empty
 * or holds a cloud assembly (a manifest.json): `--out app` or `--out .` must never delete a user's files.
 */
function prepareOutDir(outDir: string): void {
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) {
      throw new UsageError(`cannot write the cloud assembly to ${outDir}: it is a file`, { hint: 'give --out a folder that is empty or holds an earlier cloud assembly' });
    }
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.includes('manifest.json')) {
      throw new UsageError(`refusing to write the cloud assembly into ${outDir}: it holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''})`, {
        hint: 'give --out a new or empty folder; tapctl only ever clears a folder that holds an earlier cloud assembly',
      });
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
}

function cacheKey(env: ResolvedEnvironment, validate: boolean): string {
  return createHash('sha256')
    .update(JSON.stringify(env))
    .update(`validate=${validate}`)
    .update(packageVersion('aws-cdk-lib'))
    .update(codeFingerprint(['infra', 'config', 'synth']))
    .digest('hex');
}

function packageVersion(name: string): string {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
