/**
 * Loads tapctl.config.yaml in two phases (style.md pattern 3): YAML + schema, with every problem located at its
 * line and column; then, per environment, resolution and the cross-field rules. Reading never throws for a bad
 * file's content (only for a file it cannot read): it returns the issues, all at once, so a user fixes them in one pass.
 */
import { dirname } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from 'zod/mini';
import { boundQuotedValues, quote } from '../cli/quote.js';
import { sortIssues, type ConfigIssue } from './issues.js';
import { readConfigText } from './locate.js';
import { libraryIssue, MAX_ALIAS_COUNT, MAX_VALUE_CHARS, oversizedValues } from './text-guards.js';
import { own, reservedKeyMessage, reservedKeyPaths } from './keys.js';
import { suggest } from './suggest.js';
import { looksLikeSecretName, secretValueKind } from './secrets.js';
import { DURATION_NUMBER_PREFIX } from './schema/deployment.js';
import { resolveEnvironment, type ResolvedEnvironment } from './resolve.js';
import { runRules } from './rules/index.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';
import { withThousands } from '../cli/plain-text.js';

export { CONFIG_FILE_NAME, findConfigFile, readConfigText } from './locate.js';
export { suggest } from './suggest.js';
// For env create, which loads this module anyway: one entry point into the rules, not two (scripts/bundle.js).
export { environmentIssues } from './rules/index.js';

export interface LoadedConfig {
  readonly path: string;
  readonly projectDir: string;
  /** Undefined when the schema phase failed. */
  readonly file?: ConfigFile;
  readonly environments: readonly ResolvedEnvironment[];
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

/** Where a path lives in the document: line and column of its key (or value), 1-based. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the deepest existing node along `path`, and whether the whole path exists. */
  locate(path: ReadonlyArray<string | number>): { line?: number; col?: number; exact: boolean } {
    let node: unknown = this.doc.contents;
    let offset: number | undefined = (node as { range?: number[] } | null)?.range?.[0];
    let exact = true;
    for (const key of path) {
      if (!isMap(node)) {
        exact = false;
        break;
      }
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) {
        exact = false;
        break;
      }
      offset = (pair.key as { range?: number[] }).range?.[0] ?? offset;
      node = pair.value;
    }
    if (offset === undefined) return { exact };
    const pos = this.lines.linePos(offset);
    return { line: pos.line, col: pos.col, exact };
  }

  has(path: ReadonlyArray<string | number>): boolean {
    return this.locate(path).exact;
  }

  /** The value at `path` as written in the file (YAML reads `14.10` as the number 14.1; this gives '14.10'). */
  source(path: ReadonlyArray<string | number>): string | undefined {
    const node = this.doc.getIn(path, true) as { source?: unknown } | undefined;
    return typeof node?.source === 'string' ? node.source : undefined;
  }
}

export function loadConfig(path: string): LoadedConfig {
  return loadConfigText(readConfigText(path), path);
}

/**
 * Loads config text as if it were the file at `path` (init checks what it would write before writing it).
 * Whatever the YAML parser or zod throw on this text (too many aliases, nesting too deep for the stack, a
 * schema that refuses what merged defaults produce) is a config error at its line where there is one, never an
 * internal error: the text is the user's.
 */
export function loadConfigText(text: string, path: string): LoadedConfig {
  const projectDir = dirname(path);
  const base = { path, projectDir, environments: [] as ResolvedEnvironment[], warnings: [] as ConfigIssue[] };
  const lines = new LineCounter();
  let doc: Document | undefined;
  let locator: Locator | undefined;
  let raw: unknown;
  let file: ConfigFile;
  let environments: ResolvedEnvironment[];
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    locator = new Locator(doc, lines);
    if (doc.errors.length > 0) {
      return { ...base, errors: doc.errors.map((e) => libraryIssue(e, doc, lines, locator)) };
    }

    raw = (doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}) as unknown;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ...base, errors: [{ severity: 'error', rule: 'schema', path: '(root)', message: 'the file must be a YAML mapping with project and environments', line: 1, col: 1 }] };
    }
    const oversized = oversizedValues(raw);
    if (oversized.length > 0) {
      return {
        ...base,
        errors: oversized.map(({ path, text, isKey }): ConfigIssue => ({
          severity: 'error', rule: 'size', path: path.join('.') || '(root)', ...pos(locator!.locate(path)),
          message: `${isKey ? 'this key' : 'this value'} is ${withThousands(text.length)} characters long; tapctl reads at most ${withThousands(MAX_VALUE_CHARS)}: ${quote(text)}`,
        })),
      };
    }
    // Before the schema: zod would drop such a key without a word.
    const reserved = reservedKeyPaths(raw);
    if (reserved.length > 0) {
      return {
        ...base,
        errors: reserved.map((path): ConfigIssue => {
          const key = String(path[path.length - 1]);
          return { severity: 'error', rule: 'keys', path: path.join('.'), message: reservedKeyMessage(key), hint: 'choose another name', ...pos(locator!.locate(path)) };
        }),
      };
    }
    const parsed = ConfigFileSchema.safeParse(raw);
    if (!parsed.success) {
      const errors = parsed.error.issues.flatMap((issue) => schemaIssues(issue, raw as Record<string, unknown>, locator!));
      return { ...base, errors: sortIssues(lastPerPath(errors)) };
    }
    file = parsed.data;
    environments = Object.keys(file.environments).map((name) => resolveEnvironment(file, raw as Record<string, unknown>, name));
  } catch (e) {
    return { ...base, errors: [libraryIssue(e, doc, lines, locator)] };
  }

  // The rules run on validated, resolved data: an exception there is tapctl's bug, and is reported as one.
  const found = runRules(file, environments, raw as Record<string, unknown>).map((issue) => placeRuleIssue(issue, locator!));
  return {
    ...base,
    file,
    environments,
    errors: sortIssues(dedupe(found.filter((i) => i.severity === 'error'))).map(bounded),
    warnings: sortIssues(dedupe(found.filter((i) => i.severity === 'warning'))).map(bounded),
  };
}

/** The net under the rules' messages: a value they quote is shown at most QUOTE_LIMIT characters long. */
const bounded = (issue: ConfigIssue): ConfigIssue => ({
  ...issue,
  message: boundQuotedValues(issue.message),
  ...(issue.hint ? { hint: boundQuotedValues(issue.hint) } : {}),
});

/** A rule reports `environments.<env>.<settings path>`; if the key is not in the file it came from `defaults:` or the schema. */
function placeRuleIssue(issue: ConfigIssue, locator: Locator): ConfigIssue {
  const parts = issue.path.split('.');
  if (locator.has(parts)) return { ...issue, ...pos(locator.locate(parts)) };
  if (parts[0] === 'environments' && parts.length > 2) {
    const shared = ['defaults', ...parts.slice(2)];
    if (locator.has(shared)) return { ...issue, path: shared.join('.'), ...pos(locator.locate(shared)) };
  }
  return { ...issue, ...pos(locator.locate(parts)) };
}

const pos = (p: { line?: number; col?: number }) => ({ line: p.line, col: p.col });

/** Zod can report one value twice (an integer bound, then the schema's own): keep the schema's, the last. */
function lastPerPath(issues: ConfigIssue[]): ConfigIssue[] {
  const byPath = new Map<string, ConfigIssue>();
  for (const i of issues) byPath.set(i.rule === 'schema' && i.message.startsWith('unknown key') ? `${i.path}#key` : i.path, i);
  return [...byPath.values()];
}

/** The same shared default can break a rule in several environments: report it once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function schemaIssues(issue: z.core.$ZodIssue, raw: Record<string, unknown>, locator: Locator): ConfigIssue[] {
  const path = issue.path.map(String);
  const dotted = path.join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(path);
    return issue.keys.map((key): ConfigIssue => {
      const keyPath = [...path, key];
      const where = pos(locator.locate(keyPath));
      if (looksLikeSecretName(key)) {
        return {
          severity: 'error', rule: 'secrets', path: keyPath.join('.'), ...where,
          message: `${quote(key)} looks like a secret; secrets never go in tapctl.config.yaml`,
          hint: 'the database password is generated and rotated in AWS Secrets Manager; for build-time secrets use container.buildSecrets, which names an environment variable or a file',
        };
      }
      const suggestion = suggest(key, known);
      return {
        severity: 'error', rule: 'schema', path: keyPath.join('.'), ...where,
        message: `unknown key ${quote(key)}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        hint: known.length ? `allowed here: ${known.join(', ')}` : undefined,
      };
    });
  }
  const value = valueAt(raw, path);
  const where = pos(locator.locate(path));
  return [{ severity: 'error', rule: 'schema', path: dotted, ...where, message: describeIssue(issue, value, path, locator.source(path)) }];
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown, path: string[], written?: string): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required (${issue.expected})`;
      // YAML reads 012345678901 as a number; account IDs must be quoted strings.
      // Quote what the user wrote, not YAML's number: version 14.10 is the number 14.1.
      // A duration (deployment.bake, ...) wants its unit, not quotes: its schema says which (schema/deployment.ts).
      if (issue.message.startsWith(DURATION_NUMBER_PREFIX)) return `expected a duration, got the number ${written ?? String(value)}: ${issue.message.slice(DURATION_NUMBER_PREFIX.length)}`;
      if (issue.expected === 'string' && typeof value === 'number') return `expected a string, got the number ${written ?? value}: put it in quotes ("${written ?? value}")`;
      if (issue.expected === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return `expected a number, got the string ${quote(value)}: remove the quotes`;
      return `expected ${article(issue.expected)}, got ${shown(value)}`;
    case 'invalid_value': {
      const options = issue.values.map(String);
      const s = typeof value === 'string' ? suggest(value, options) : undefined;
      return `must be one of ${options.join(', ')}; got ${shown(value)}${s ? `. Did you mean '${s}'?` : ''}`;
    }
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}; got ${shown(value)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}; got ${shown(value)}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `is not a valid ${issue.format}; got ${shown(value)}` : `${issue.message}; got ${shown(value)}`;
    case 'custom':
      return issue.message;
    default:
      return path.length && value !== undefined ? `${issue.message}; got ${shown(value)}` : issue.message;
  }
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
// A value shaped like a credential is never echoed back (secrets.ts), not even in an error about its type.
const shown = (v: unknown) => (typeof v === 'string' ? (secretValueKind(v) ? `a value that looks like ${secretValueKind(v)} (not shown)` : quote(v)) : Array.isArray(v) ? 'a list' : v === null ? 'nothing' : typeof v === 'object' ? 'a mapping' : String(v));

function valueAt(raw: unknown, path: string[]): unknown {
  let v: unknown = raw;
  for (const k of path) v = typeof v === 'object' && v !== null ? own(v as Record<string, unknown>, k) : undefined;
  return v;
}

/** The keys the schema allows at a path of the file, for "did you mean". */
function knownKeys(path: readonly string[]): string[] {
  let schema: any = ConfigFileSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (schema?.def?.type === 'record') schema = schema.def.valueType;
    else if (schema?.def?.type === 'object') schema = own(schema.shape, key);
    else return [];
  }
  schema = unwrap(schema);
  return schema?.def?.type === 'object' ? Object.keys(schema.shape) : [];
}

function unwrap(schema: any): any {
  while (schema && ['default', 'optional', 'nullable', 'pipe', 'prefault'].includes(schema.def?.type)) {
    schema = schema.def.innerType ?? schema.def.in;
  }
  return schema;
}
