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
  const result = lines.findLast((l) => l.type === 'result');
  if (!result) {
    return { markdown: '### ✖ tapctl wrote no result\n\nThe run ended before its result line (killed, cancelled or timed out): see the job log.\n' };
  }
  const command = typeof result.command === 'string' ? result.command : 'tapctl';
  const ok = result.ok === true;
  const environment = typeof result.environment === 'string' ? result.environment : undefined;
  const title = `tapctl ${command}${environment ? ` ${environment}` : ''}`;
  const source = { command, ok, ...(environment ? { environment } : {}) };
  if (!ok) return { source, markdown: failure(title, result.error) };
  return { source, markdown: `### ✔ ${title}\n\n${block(rendered(command, result))}\n` };
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

function rendered(command: string, result: Record<string, unknown>): string {
  const render = RENDERERS[command];
  if (render) return render(result, PLAIN);
  const status = typeof result.status === 'string' ? `: ${result.status}` : '';
  return `${command} succeeded${status}`;
}

function failure(title: string, error: unknown): string {
  const e = (error && typeof error === 'object' ? error : {}) as Record<string, unknown>;
  const exit = typeof e.exitCode === 'number' ? ` (exit ${e.exitCode})` : '';
  const lines = [`### ✖ ${title} failed${exit}`, '', block(String(e.message ?? 'no message'))];
  if (typeof e.hint === 'string') lines.push('', block(`hint: ${e.hint}`));
  return `${lines.join('\n')}\n`;
}

/** A fenced block that no backtick run inside the text can close early. */
function block(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
