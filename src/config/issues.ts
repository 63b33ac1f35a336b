import { byCodeUnit } from '../cli/plain-text.js';

/** A problem found in the config, located in the file where the YAML allows it. */
export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** Dotted path in the file, e.g. environments.dev.database.maxCapacity. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
  /** Stable rule identifier (schema, N4, F1 ...), part of the --json contract. */
  readonly rule: string;
  readonly line?: number;
  readonly col?: number;
  /** The environment the issue was found in, for rules run per environment. */
  readonly environment?: string;
}

/** `file:line:col  path  message`, the format editors and CI log parsers understand. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line ? `${file}:${issue.line}:${issue.col ?? 1}` : file;
  return `${where}  ${issue.path}  ${issue.message}`;
}

export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || byCodeUnit(a.path, b.path));
}
