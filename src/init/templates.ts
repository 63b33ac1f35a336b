/**
 * The files in `templates/` (style.md pattern 6, after create-vite): real files, copied as they are, with
 * `{{name}}` placeholders filled from the answers. They ship in the package through package.json `files`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvironmentKind, Preset } from '../config/schema.js';
import { byName } from '../cli/plain-text.js';

// Two levels up from src/init/ (tests) and from dist/init/ (the built package) is the package root.
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/tapctl.config.schema.json', import.meta.url));

/** Copied into the project folder as a tree. */
export const PROJECT_TEMPLATE_DIR = join(TEMPLATES_DIR, 'project');

/** npm leaves .gitignore out of a published package (and .dockerignore would steer packing), so they ship renamed. */
const RENAMES: Readonly<Record<string, string>> = { _gitignore: '.gitignore', _dockerignore: '.dockerignore' };

export function configTemplate(preset: Preset): string {
  return join(TEMPLATES_DIR, 'config', `${preset}.yaml`);
}

/**
 * The block of one environment: the preset's own (`environments/<preset>/<kind>.yaml`) when it differs from the
 * shared one, e.g. rds-postgres sizes its database per kind and has no service to shrink in development.
 */
export function environmentTemplate(kind: EnvironmentKind, preset?: Preset): string {
  const own = preset ? join(TEMPLATES_DIR, 'config', 'environments', preset, `${kind}.yaml`) : undefined;
  return own && existsSync(own) ? own : join(TEMPLATES_DIR, 'config', 'environments', `${kind}.yaml`);
}

export interface TemplateFile {
  /** Absolute path of the template. */
  readonly source: string;
  /** Path in the project folder, with forward slashes. */
  readonly target: string;
}

/** Every file under `dir`, with the name it gets in the project. */
export function templateTree(dir: string = PROJECT_TEMPLATE_DIR): TemplateFile[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const source = join(entry.parentPath, entry.name);
      const parts = relative(dir, source).split(sep);
      parts[parts.length - 1] = RENAMES[entry.name] ?? entry.name;
      return { source, target: parts.join('/') };
    })
    .sort((a, b) => byName(a.target, b.target));
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/**
 * Fills every `{{name}}`. A placeholder without a value, or a stray `{{`, is a bug in the template: it throws
 * rather than write a file the user would have to repair.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, source: string): string {
  const filled = text.replace(PLACEHOLDER, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`template ${source} uses {{${key}}}, which init does not fill`);
    return values[key];
  });
  if (filled.includes('{{')) throw new Error(`template ${source} has a malformed placeholder`);
  return filled;
}

export function renderTemplate(source: string, values: Readonly<Record<string, string>>): string {
  return fillPlaceholders(readFileSync(source, 'utf8'), values, relative(TEMPLATES_DIR, source));
}

/** `.tapctl`, `.tapctl/`, `/.tapctl` and `/.tapctl/` ignore the same folder. */
const ignoreKey = (line: string) => line.trim().replace(/^\//, '').replace(/\/$/, '');

/**
 * The lines of `wanted` that `existing` lacks, appended under its comment; undefined when nothing is missing.
 * A project's own ignore file is kept as it is: init only adds.
 */
export function mergeIgnoreFile(existing: string, wanted: string): string | undefined {
  const have = new Set(existing.split(/\r?\n/).map(ignoreKey).filter((l) => l && !l.startsWith('#')));
  const lines = wanted.split(/\r?\n/);
  const missing = lines.filter((l) => ignoreKey(l) !== '' && !l.startsWith('#') && !have.has(ignoreKey(l)));
  if (missing.length === 0) return undefined;
  const comments = lines.filter((l) => l.startsWith('#'));
  const separator = existing === '' ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return `${existing}${separator}${[...comments, ...missing].join('\n')}\n`;
}
