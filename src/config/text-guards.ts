/**
 * What the loader (load.ts) guards against in a user's text before the schema sees it: exceptions the YAML
 * parser or zod raise on it (too many aliases, nesting deeper than the stack), and values too long to be a
 * setting. Each becomes a located config issue (exit 2), never an internal error.
 */
import { visit, YAMLError, type Document, type LineCounter } from 'yaml';
import type { ConfigIssue } from './issues.js';
import type { Locator } from './load.js';

/** The longest string value (or key) a config may hold: AWS's own limits on names, tags and commands are far below. */
export const MAX_VALUE_CHARS = 4096;

/** YAML's own default: an alias may be expanded at most this many times before the parser calls it an attack. */
export const MAX_ALIAS_COUNT = 100;

/** An exception the YAML parser or zod raised on the user's text, as a config issue placed where possible. */
export function libraryIssue(e: unknown, doc: Document | undefined, lines: LineCounter, locator: Locator | undefined): ConfigIssue {
  const at = (offset: number | undefined) => (offset === undefined ? {} : { line: lines.linePos(offset).line, col: lines.linePos(offset).col });
  if (e instanceof YAMLError) {
    const pos = e.linePos?.[0];
    const message = /Maximum call stack/.test(e.message) ? 'the file nests too deeply for tapctl to read' : e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { severity: 'error', rule: 'yaml', path: '(yaml)', message, line: pos?.line, col: pos?.col };
  }
  if (e instanceof ReferenceError && /alias/i.test(e.message)) {
    return {
      severity: 'error', rule: 'yaml', path: '(yaml)', ...at(firstAliasOffset(doc)),
      message: `the aliases (*name) expand the file too far: more than ${MAX_ALIAS_COUNT} expansions of one anchor (a "billion laughs" file)`,
      hint: 'write the values out, or use fewer aliases of each anchor',
    };
  }
  if (e instanceof RangeError) {
    return { severity: 'error', rule: 'yaml', path: '(yaml)', message: 'the file nests too deeply for tapctl to read', hint: 'a tapctl.config.yaml is a few levels deep: check the indentation' };
  }
  if (isZodError(e)) {
    const issue = e.issues[0];
    const path = issue.path.map(String);
    return { severity: 'error', rule: 'schema', path: path.join('.') || '(root)', message: issue.message, ...(locator ? position(locator.locate(path)) : {}) };
  }
  return { severity: 'error', rule: 'yaml', path: '(yaml)', message: e instanceof Error ? e.message : String(e) };
}

function isZodError(e: unknown): e is { issues: Array<{ path: PropertyKey[]; message: string }> } {
  return e instanceof Error && (e.name === 'ZodError' || e.name === '$ZodError') && Array.isArray((e as { issues?: unknown }).issues);
}

function firstAliasOffset(doc: Document | undefined): number | undefined {
  let offset: number | undefined;
  if (doc) {
    visit(doc, {
      Alias(_key, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
  }
  return offset;
}

/** Every string value or key of the parsed file longer than MAX_VALUE_CHARS, with its path. */
export function oversizedValues(value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; text: string; isKey: boolean }> {
  if (typeof value === 'string') return value.length > MAX_VALUE_CHARS ? [{ path, text: value, isKey: false }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => oversizedValues(v, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((k) =>
    k.length > MAX_VALUE_CHARS ? [{ path, text: k, isKey: true }] : oversizedValues((value as Record<string, unknown>)[k], [...path, k]),
  );
}

const position = (p: { line?: number; col?: number }) => ({ line: p.line, col: p.col });
