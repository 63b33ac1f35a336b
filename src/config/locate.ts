/** Where the project's config lives, and reading it: kept apart from the loader so that neither loads a parser. */
import { quote } from '../cli/quote.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../cli/errors.js';
import { NotAPlainFileError, readPlainFile } from '../cli/user-files.js';

export const CONFIG_FILE_NAME = 'tapctl.config.yaml';

/** The config file in `dir` or the nearest folder above it. */
export function findConfigFile(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** tapctl.config.yaml files are a few KB; anything near this is not one. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/**
 * The config file's text: a regular file of at most MAX_CONFIG_BYTES, read without ever blocking (a FIFO or a
 * device under the config's name is refused at once, a folder too), without a leading byte-order mark.
 * @throws ConfigError
 */
export function readConfigText(path: string): string {
  try {
    // A UTF-8 byte-order mark (Windows editors write one) is not part of the YAML: without it, every line:column
    // of the first line would be one off.
    return readPlainFile(path, MAX_CONFIG_BYTES).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const reason = e instanceof NotAPlainFileError ? e.reason : (e as Error).message;
    throw new ConfigError(`cannot read ${basename(path)}: ${reason}`, { hint: `${quote(path)} must be a plain YAML file (tapctl init writes one)` });
  }
}
