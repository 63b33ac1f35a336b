/**
 * The build secrets of container.buildSecrets, resolved to where the builder reads them (an environment variable
 * it inherits, or an absolute file path), checked before any build. The values are read only to teach the
 * Redactor what to hide if a build step echoes one; they never go on a command line.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { BuildSecretSetting } from '../config/schema/container.js';
import type { BuildSecretSource } from './builder.js';

export interface ResolvedBuildSecrets {
  readonly sources: Readonly<Record<string, BuildSecretSource>>;
  /** The secret values (for redaction only). */
  readonly values: readonly string[];
}

/** Largest secret file whose content is read for redaction; a bigger one is still passed to the builder. */
const REDACT_FILE_LIMIT = 64 * 1024;

export function resolveBuildSecrets(
  settings: Readonly<Record<string, BuildSecretSetting>>,
  where: { readonly projectDir: string; readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): ResolvedBuildSecrets {
  const sources: Record<string, BuildSecretSource> = {};
  const values: string[] = [];
  const unset: string[] = [];
  const missing: string[] = [];
  for (const [id, setting] of Object.entries(settings)) {
    if (typeof setting === 'string' || 'env' in setting) {
      const variable = typeof setting === 'string' ? setting : setting.env;
      sources[id] = { env: variable };
      const value = where.env[variable];
      if (value) values.push(value);
      else unset.push(`'${id}' (from $${variable})`);
      continue;
    }
    const file = resolve(where.projectDir, setting.file);
    sources[id] = { file };
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      if (stat.size <= REDACT_FILE_LIMIT) {
        // A build step may echo one line of the file (an .npmrc's token line) or the value after its '='.
        for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) values.push(line.trim(), line.slice(line.lastIndexOf('=') + 1).trim());
      }
    } catch {
      missing.push(`'${id}' (${relative(where.cwd, file) || file})`);
    }
  }
  if (unset.length > 0) {
    throw new UsageError(`build secret${unset.length > 1 ? 's' : ''} ${unset.join(', ')}: the environment variable is not set`, {
      hint: 'export the variable before push-image; the builder reads it by name, and its value is never shown',
    });
  }
  if (missing.length > 0) {
    throw new UsageError(`build secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the file does not exist or cannot be read`, {
      hint: 'container.buildSecrets.<id>.file is relative to the project folder',
    });
  }
  return { sources, values: values.filter(Boolean) };
}
