/** Finding and loading the project's config for a command, with errors a person can act on. */
import { quote } from './quote.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, UsageError } from './errors.js';
import type { CommandContext } from './context.js';
import { formatIssue } from '../config/issues.js';
import type { LoadedConfig } from '../config/load.js';
import { CONFIG_FILE_NAME, findConfigFile, readConfigText } from '../config/locate.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { suggest } from '../config/suggest.js';

/**
 * Loads the config from --dir (or the nearest folder above the working directory) and fails on errors.
 * An unchanged, valid config comes from the cache (config/cache.ts) without zod, the schema or the rules (the
 * YAML parser still reads the file: account, region, image and protection always come from it);
 * `allowErrors` (validate) always loads for real.
 */
export async function loadProject(ctx: CommandContext, options: { allowErrors?: boolean } = {}): Promise<LoadedConfig> {
  const path = configPath(ctx);
  const projectDir = dirname(path);
  // Imported here, not at the top: it loads node:crypto (~5 ms), which --help and init do not need.
  const { configCacheKey, readConfigCache, writeConfigCache } = await import('../config/cache.js');
  const text = readConfigText(path);
  const key = configCacheKey(text);
  if (!options.allowErrors) {
    const cached = await readConfigCache({ projectDir, text, key, warn: (m) => ctx.io.warn(m) });
    if (cached) return { path, projectDir, errors: [], ...cached };
  }
  const { loadConfigText } = await import('../config/load.js');
  const loaded = loadConfigText(text, path);
  if (loaded.errors.length === 0) {
    writeConfigCache(projectDir, { key, environments: [...loaded.environments], warnings: [...loaded.warnings] });
  }
  if (loaded.errors.length > 0 && !options.allowErrors) {
    const lines = loaded.errors.map((i) => formatIssue(relativeName(ctx, path), i));
    throw new ConfigError(`${relativeName(ctx, path)} has ${count(loaded.errors.length, 'error')}:\n  ${lines.join('\n  ')}`, {
      hint: 'fix them and run tapctl validate',
      details: { errors: loaded.errors, warnings: loaded.warnings },
    });
  }
  return loaded;
}

/**
 * --dir names the project folder exactly (a typo in CI must not validate some parent project); without it, the
 * working folder or the nearest folder above it that holds the config.
 */
function configPath(ctx: CommandContext): string {
  const dir = ctx.globals.dir;
  if (dir !== undefined) {
    const folder = resolve(ctx.cwd, dir);
    if (!existsSync(folder)) throw new UsageError(`--dir ${quote(dir)}: there is no such folder`, { hint: 'check the path, or run tapctl init --dir <folder> to create a project there' });
    if (!statSync(folder).isDirectory()) throw new UsageError(`--dir ${quote(dir)}: that is a file, not a folder`, { hint: 'give the project folder, the one holding tapctl.config.yaml' });
    const path = join(folder, CONFIG_FILE_NAME);
    if (!existsSync(path)) throw new ConfigError(`no ${CONFIG_FILE_NAME} in ${folder}`, { hint: 'check --dir, or run tapctl init there' });
    return path;
  }
  const start = resolve(ctx.cwd);
  const path = findConfigFile(start);
  if (!path) throw new ConfigError(`no ${CONFIG_FILE_NAME} in ${start} or any folder above it`, { hint: 'run tapctl init to create one, or pass --dir <project folder>' });
  return path;
}

/**
 * The environment named by --env: one of tapctl.config.yaml, else one of the project's preview environments,
 * found in AWS by its stack's tags and derived from its source environment (src/preview/select.ts). When the
 * file has exactly one environment, --env may be left out.
 */
export async function selectEnvironment(ctx: CommandContext, loaded: LoadedConfig, name = ctx.globals.env): Promise<ResolvedEnvironment> {
  if (name && !loaded.environments.some((e) => e.name === name)) {
    // Only when the name is no configured environment: a configured one never costs an AWS call here.
    const { selectPreview } = await import('../preview/run.js');
    const names = loaded.environments.map((e) => e.name);
    return checkRegion(ctx, await selectPreview(ctx, loaded, name, (found) => unknownEnvironment(name, names, found)));
  }
  return selectConfigured(ctx, loaded, name);
}

/** selectEnvironment for commands about the config file itself (validate): configured environments only. */
export function selectConfigured(ctx: CommandContext, loaded: LoadedConfig, name = ctx.globals.env): ResolvedEnvironment {
  const names = loaded.environments.map((e) => e.name);
  if (!name) {
    if (loaded.environments.length === 1) return checkRegion(ctx, loaded.environments[0]);
    throw new UsageError('which environment? this command needs --env <name>', { hint: `environments in ${CONFIG_FILE_NAME}: ${names.join(', ')}` });
  }
  const env = loaded.environments.find((e) => e.name === name);
  if (!env) throw unknownEnvironment(name, names);
  return checkRegion(ctx, env);
}

/** What a preview lookup found, for the message about a name that is neither configured nor a preview. */
export interface PreviewLookup {
  readonly previews: readonly string[];
  /** Where it looked (account/region). */
  readonly where: readonly string[];
  /** Why it could not look, when it could not. */
  readonly failed?: string;
}

function unknownEnvironment(name: string, names: readonly string[], found?: PreviewLookup): UsageError {
  const s = suggest(name, [...names, ...(found?.previews ?? [])]);
  const previews = found ? (found.failed ? `, and previews could not be listed (${found.failed})` : `, and no preview ${quote(name)} in ${found.where.join(', ')}`) : '';
  return new UsageError(`there is no environment ${quote(name)} in ${CONFIG_FILE_NAME}${previews}${s ? `; did you mean '${s}'?` : ''}`, {
    hint: `environments: ${names.join(', ')}${found && !found.failed ? `; previews: ${found.previews.length ? found.previews.join(', ') : 'none'} (tapctl env list)` : ''}`,
  });
}

/** --region may confirm the environment's region, never silently redirect it. */
function checkRegion(ctx: CommandContext, env: ResolvedEnvironment): ResolvedEnvironment {
  if (ctx.globals.region && ctx.globals.region !== env.region) {
    throw new UsageError(`environment '${env.name}' is in ${env.region}, but --region says ${quote(ctx.globals.region)}`, {
      hint: `to move it, change environments.${env.name}.region in ${CONFIG_FILE_NAME}`,
    });
  }
  return env;
}

export function relativeName(ctx: CommandContext, path: string): string {
  const rel = path.startsWith(ctx.cwd + '/') ? path.slice(ctx.cwd.length + 1) : path;
  return rel;
}

export const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
