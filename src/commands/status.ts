/**
 * `tapctl status --env <name>`: one fast, honest view of a deployed environment. This module stays light (it is
 * loaded for every command); the work, and only the SDK clients it calls, load inside `run`.
 */
import { checkOption, numberIn } from '../cli/option-checks.js';
import { quote } from '../cli/quote.js';
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import type { Runner } from '../cli/program.js';
import { loadProject, selectEnvironment } from '../cli/project.js';
import type { StatusDocument } from '../status/schema.js';

export const DEFAULT_WATCH_SECONDS = 5;

export interface StatusOptions {
  readonly probe?: boolean;
  readonly outputs?: boolean;
  /** true for a bare --watch, else the seconds as typed. */
  readonly watch?: boolean | string;
  readonly untilStable?: boolean;
}

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('status')
    .usage('--env <name> [options]')
    .description('show a deployed environment: stack, endpoints, service rollout, targets, database, alarms')
    .option('--probe', 'send GET /health to each endpoint and show the status code and latency')
    .option('--outputs', 'list every stack output (always included with --json)')
    .option('--watch [seconds]', `refresh every N seconds (default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`)
    .option('--until-stable', 'refresh until no stack operation or service rollout is in progress: exit 0 if it settles, 1 if it failed')
    .addHelpText('after', '\nDocs: docs/status.md in the tapctl repository (the --json schema: docs/status-schema.json).')
    .action(runner.action(run, render));
  return checkOption(cmd, '--watch', numberIn(1, 3600, 'a number of seconds'));
}

export async function run(ctx: CommandContext, options: StatusOptions): Promise<StatusDocument | undefined> {
  const intervalSeconds = watchInterval(options);
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.debug(`${w.path}  ${w.message}`);
  const env = await selectEnvironment(ctx, loaded);
  const { showStatus } = await import('../status/run.js');
  const show = { probe: options.probe === true, outputs: options.outputs === true, untilStable: options.untilStable === true };
  const doc = await showStatus(ctx, env, loaded.projectDir, { ...show, ...(intervalSeconds === undefined ? {} : { intervalSeconds }) });
  if (doc && intervalSeconds === undefined && !ctx.io.json) rendered.set(doc, (await import('../status/render.js')).renderStatus(ctx.io.style, doc, show));
  return doc;
}

/** Each single look's text, made where the render module is loaded (run), written by the runner. */
const rendered = new WeakMap<StatusDocument, string>();

/**
 * The status, as text for stdout like every command's result (so `tapctl status --env dev | less` works); progress
 * and messages stay on stderr. --watch wrote each refresh to stdout as it came: its last document is not repeated.
 */
export function render(doc: StatusDocument): string {
  return rendered.get(doc) ?? '';
}

function watchInterval(options: StatusOptions): number | undefined {
  if (options.watch === undefined || options.watch === false) return options.untilStable ? DEFAULT_WATCH_SECONDS : undefined;
  if (options.watch === true) return DEFAULT_WATCH_SECONDS;
  const seconds = Number(options.watch);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
    throw new UsageError(`--watch takes a number of seconds between 1 and 3600, not ${quote(options.watch)}`, { hint: 'e.g. tapctl status --env dev --watch 10' });
  }
  return seconds;
}
