/**
 * Renders the templates for a set of answers and writes them into the project folder. Nothing is written until
 * every file is rendered, the config passes the same loader `tapctl validate` uses, and no file would be
 * overwritten by surprise.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { formatIssue, type ConfigIssue } from '../config/issues.js';
import { CONFIG_FILE_NAME, loadConfigText } from '../config/load.js';
import type { InitAnswers } from './answers.js';
import { configTemplate, environmentTemplate, mergeIgnoreFile, renderTemplate, SCHEMA_FILE, templateTree } from './templates.js';

export interface PlannedFile {
  /** Relative to the project folder, with forward slashes. */
  readonly path: string;
  readonly content: string;
  /** `merge`: an existing file gains the missing lines instead of being replaced (.gitignore). */
  readonly mode: 'write' | 'merge';
}

export type FileAction = 'created' | 'overwritten' | 'appended' | 'unchanged';

export interface WrittenFile {
  readonly path: string;
  readonly action: FileAction;
}

export interface ScaffoldOptions {
  /** The project folder; created when missing. */
  readonly dir: string;
  /** Replace files that already exist. */
  readonly force: boolean;
}

/** Files init adds to instead of replacing: a project's ignore rules are its own. */
const MERGED = new Set(['.gitignore']);

/** The schema path for the `yaml-language-server` comment, relative to the project so it survives a move of both. */
export function schemaReference(dir: string, schemaFile: string = SCHEMA_FILE): string {
  const rel = relative(dir, schemaFile).split(sep).join('/');
  return rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`;
}

export function placeholderValues(answers: InitAnswers, dir: string): Record<string, string> {
  return {
    project: answers.project,
    preset: answers.preset,
    engine: answers.engine,
    arch: answers.architecture,
    port: String(answers.port),
    email: answers.email,
    schemaPath: schemaReference(dir),
    environments: answers.environments
      .map((env) => renderTemplate(environmentTemplate(env.kind, answers.preset), { name: env.name, kind: env.kind, account: env.account, region: env.region }).trimEnd())
      .join('\n'),
  };
}

/** Every file init writes, rendered in memory. */
export function planFiles(answers: InitAnswers, dir: string): PlannedFile[] {
  const values = placeholderValues(answers, dir);
  const config: PlannedFile = { path: CONFIG_FILE_NAME, content: renderTemplate(configTemplate(answers.preset), values), mode: 'write' };
  const tree = templateTree().map(
    (t): PlannedFile => ({ path: t.target, content: renderTemplate(t.source, values), mode: MERGED.has(t.target) ? 'merge' : 'write' }),
  );
  return [config, ...tree];
}

/** The files init would replace in `dir` (every planned file but the merged ones), known before any question. */
export function existingFiles(dir: string): string[] {
  const paths = [CONFIG_FILE_NAME, ...templateTree().map((t) => t.target).filter((p) => !MERGED.has(p))];
  return paths.filter((p) => existsSync(join(dir, ...p.split('/'))));
}

/** The refusal to overwrite `clashes` without --force (exit 2). */
export function overwriteRefusal(dir: string, clashes: readonly string[]): UsageError {
  const project = clashes.includes(CONFIG_FILE_NAME) ? 'this folder already holds a tapctl project: ' : '';
  return new UsageError(`${project}init would overwrite ${clashes.length === 1 ? 'a file' : `${clashes.length} files`} in ${dir}: ${clashes.join(', ')}`, {
    hint: 'pass --force to replace them, or choose another folder with --dir; nothing was written',
    details: { files: clashes },
  });
}

/** Writes the plan. Refuses, before writing anything, when a file exists and `force` is not set. */
export function writeFiles(plan: readonly PlannedFile[], options: ScaffoldOptions): WrittenFile[] {
  const target = (f: PlannedFile) => join(options.dir, ...f.path.split('/'));
  const clashes = plan.filter((f) => f.mode === 'write' && existsSync(target(f))).map((f) => f.path);
  if (clashes.length > 0 && !options.force) throw overwriteRefusal(options.dir, clashes);
  return plan.map((f): WrittenFile => {
    const path = target(f);
    mkdirSync(dirname(path), { recursive: true });
    if (f.mode === 'merge' && existsSync(path)) {
      const merged = mergeIgnoreFile(readFileSync(path, 'utf8'), f.content);
      if (merged === undefined) return { path: f.path, action: 'unchanged' };
      writeFileSync(path, merged);
      return { path: f.path, action: 'appended' };
    }
    const existed = existsSync(path);
    writeFileSync(path, f.content);
    return { path: f.path, action: existed ? 'overwritten' : 'created' };
  });
}

/**
 * Renders every file, checks the config it would write with the loader validate uses, and only then writes.
 * Returns what was written and the config's warnings (which never block).
 */
export function scaffold(answers: InitAnswers, options: ScaffoldOptions): { files: WrittenFile[]; warnings: readonly ConfigIssue[] } {
  const plan = planFiles(answers, options.dir);
  const warnings = verifyPlannedConfig(plan, options.dir);
  return { files: writeFiles(plan, options), warnings };
}

/**
 * The config init would write, read with the loader validate uses, before anything is written: a combination of
 * answers that validate refuses stops here (exit 2, naming the problems) and leaves the folder as it was.
 */
export function verifyPlannedConfig(plan: readonly PlannedFile[], dir: string): readonly ConfigIssue[] {
  const config = plan.find((f) => f.path === CONFIG_FILE_NAME);
  if (!config) throw new Error(`internal: init has no ${CONFIG_FILE_NAME} to write`);
  const loaded = loadConfigText(config.content, join(dir, CONFIG_FILE_NAME));
  if (loaded.errors.length > 0) {
    const lines = loaded.errors.map((i) => formatIssue(CONFIG_FILE_NAME, i));
    throw new UsageError(`these answers make a ${CONFIG_FILE_NAME} that does not validate; nothing was written:\n  ${lines.join('\n  ')}`, {
      hint: 'change the answer each line names and run tapctl init again',
    });
  }
  return loaded.warnings;
}
