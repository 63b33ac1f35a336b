/**
 * `tapctl ci summary <file>`: the Markdown a pipeline shows for one tapctl run, from the NDJSON that run wrote with
 * `--json` (its last line is the result: README "--json"). GitHub appends it to `$GITHUB_STEP_SUMMARY`
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary);
 * GitLab keeps it as a job artifact. The pipeline runs the command first and the summary after, so the job's exit
 * code stays the command's own (the templates keep it and exit with it).
 *
 * The summary is made from the result line alone: the same data and the same human rendering as on a terminal
 * (diff, deploy, destroy, env create, env sweep), never anything the run did not put in its result. A run that ended before its result line
 * (killed, timed out) is said as such, not guessed.
 */
import { readFileSync } from 'node:fs';
import type { Styles } from '../cli/io-host.js';
import { UsageError } from '../cli/errors.js';
import { quote } from '../cli/quote.js';
import { renderDeploy, renderDestroy, renderDiff, type DeployResult, type DestroyResult, type DiffResult } from '../deploy/results.js';
import type { EnvCreateResult } from '../preview/create-flow.js';
import { renderCreate, renderSweep } from '../preview/render.js';
import type { SweepResult } from '../preview/sweep-flow.js';
import { render as renderPushImage } from '../commands/push-image.js';
import type { PushImageResult } from '../image/push-flow.js';

export interface CiSummaryResult {
  /** The command the summarized run was (`diff`, `deploy`, `env create` ...), when it wrote its result. */
  readonly source?: { readonly command: string; readonly ok: boolean; readonly environment?: string };
  /** More than one result line: the file holds several runs (appended with >>); the last is summarized, and said. */
  readonly resultLines?: number;
  readonly markdown: string;
}

const plain = (x: string) => x;
const PLAIN: Styles = { bold: plain, dim: plain, good: plain, bad: plain, warn: plain, accent: plain, code: plain };

/** Reads `path` (the NDJSON of one `tapctl <command> --json` run) and makes its Markdown. */
export function summarizeFile(path: string): CiSummaryResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`ci summary cannot read ${quote(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'give the file a tapctl command wrote with --json, e.g. tapctl diff --env dev --json > diff.ndjson',
    });
  }
  return summarize(text);
}

/** The Markdown of one run's NDJSON text. Lines that are not JSON objects are skipped (a stray log line). */
export function summarize(ndjson: string): CiSummaryResult {
  const lines = ndjson.split('\n').flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return v && typeof v === 'object' && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  const results = lines.filter((l) => l.type === 'result');
  const result = results.at(-1);
  if (!result) {
    return { markdown: '### ✖ tapctl wrote no result\n\nThe run ended before its result line (killed, cancelled or timed out): see the job log.\n' };
  }
  const command = typeof result.command === 'string' ? result.command : 'tapctl';
  const ok = result.ok === true;
  const environment = typeof result.environment === 'string' ? result.environment : undefined;
  const title = heading(`tapctl ${command}${environment ? ` ${environment}` : ''}`);
  const source = { command, ok, ...(environment ? { environment } : {}) };
  // Several runs appended to one file: the last is summarized, and the summary says so rather than pick silently.
  const several = results.length > 1 ? `> ⚠ this file holds ${results.length} result lines (several runs written to one file): this is the last one.\n\n` : '';
  const extra = results.length > 1 ? { resultLines: results.length } : {};
  if (!ok) return { source, ...extra, markdown: `${several}${failure(title, result.error)}` };
  return { source, ...extra, markdown: `${several}### ✔ ${title}\n\n${block(rendered(command, result))}\n` };
}

/** Terminal control sequences (colours, cursor moves) and other control characters: never passed into Markdown. */
// eslint-disable-next-line no-control-regex
const CONTROL = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const withoutControls = (text: string) => text.replace(CONTROL, '');

/** A heading's text: no control characters, and no HTML or Markdown the run's values could smuggle in. */
function heading(text: string): string {
  return withoutControls(text)
    .replace(/\s+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}()#+!|~])/g, '\\$1');
}

/** The terminal renderings of the commands a generated pipeline runs. */
const RENDERERS: Readonly<Record<string, (r: any, s: Styles) => string>> = {
  diff: (r: DiffResult, st) => renderDiff(r, st),
  deploy: (r: DeployResult, st) => renderDeploy(r, st),
  destroy: (r: DestroyResult, st) => renderDestroy(r, st),
  'env create': (r: EnvCreateResult, st) => renderCreate(r, st),
  'env sweep': (r: SweepResult, st) => renderSweep(r, st),
  'push-image': (r: PushImageResult, st) => renderPushImage(r, st),
};

/** The fields each rendering reads first: a result line without them is said as such, not rendered as "undefined". */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  diff: ['stack', 'deployed'],
  deploy: ['stack', 'status'],
  destroy: ['stack', 'status'],
  'env create': ['name', 'status', 'source', 'stack'],
  'env sweep': ['deleted', 'failed'],
  'push-image': ['repositoryUri', 'tag', 'tags'],
};

function rendered(command: string, result: Record<string, unknown>): string {
  const render = RENDERERS[command];
  const missing = (REQUIRED[command] ?? []).filter((k) => result[k] === undefined || result[k] === null);
  if (render && missing.length === 0) {
    try {
      return withoutControls(render(result, PLAIN));
    } catch {
      return `${command} succeeded, but its result line could not be rendered (written by another tapctl version?): see the job log`;
    }
  }
  if (missing.length > 0) return `${command} succeeded, but its result line lacks ${missing.join(', ')} (written by another tapctl version?): see the job log`;
  const status = typeof result.status === 'string' ? `: ${withoutControls(result.status)}` : '';
  return `${command} succeeded${status}`;
}

function failure(title: string, error: unknown): string {
  const e = (error && typeof error === 'object' ? error : {}) as Record<string, unknown>;
  const exit = typeof e.exitCode === 'number' ? ` (exit ${e.exitCode})` : '';
  const lines = [`### ✖ ${title} failed${exit}`, '', block(withoutControls(String(e.message ?? 'no message')))];
  if (typeof e.hint === 'string') lines.push('', block(`hint: ${withoutControls(e.hint)}`));
  return `${lines.join('\n')}\n`;
}

/** A fenced block that no backtick run inside the text can close early. */
function block(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
