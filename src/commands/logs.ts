/**
 * `tapctl logs --env <name>`: the environment's logs, one line per event (time, source, task, message) on stdout;
 * `--follow` keeps streaming until Ctrl-C.
 */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { checkOption, parseWholeNumber } from '../cli/option-checks.js';
import { quote } from '../cli/quote.js';
import type { Runner } from '../cli/program.js';
import { taskIdOf } from '../logs/events.js';
import type { LogsOptions, LogsResult } from '../logs/logs-flow.js';
import { DEFAULT_SINCE, sinceMs } from '../logs/since.js';
import { withThousands } from '../cli/plain-text.js';

const SOURCES = ['app', 'api', 'lambda', 'rotation', 'all'];

/** The most events --limit keeps in memory before printing them (the newest n of a range are known at its end). */
export const MAX_LOG_LIMIT = 10_000;

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('logs')
    .usage('--env <name> [options]')
    .description("show the environment's logs: the service's by default, one line per event (time, source, task, message)")
    .addOption(new Option('--source <source>', 'whose logs: app (the service), api (API Gateway), lambda (the processor), rotation (the database secret rotation), all').choices(SOURCES))
    .option('--since <when>', `how far back: a duration (30s, 10m, 2h, 7d) or an ISO 8601 time in UTC (default ${DEFAULT_SINCE})`)
    .option('--filter <pattern>', 'only events matching this CloudWatch Logs filter pattern (e.g. ERROR, "timed out", { $.level = "error" })')
    .option('--task <id>', 'only the logs of this ECS task (its ID or ARN, as tapctl logs and tapctl status show it); source app')
    .option('--limit <n>', `only the newest n stored events, a whole number from 1 to ${withThousands(MAX_LOG_LIMIT)} (like tail -n; with --follow, then the new ones)`)
    .option('-f, --follow', 'keep streaming new events until Ctrl-C (exit 130)')
    .addHelpText(
      'after',
      `
Examples:
  tapctl logs --env dev                              the service's last 10 minutes
  tapctl logs --env prod --since 2h --filter ERROR   errors of the last two hours
  tapctl logs --env prod --source all --follow       everything, live, until Ctrl-C
  tapctl logs --env dev --task 3f2a1b...             one task (e.g. after tapctl run --detach)
  tapctl logs --env prod --limit 50 --follow         the last 50 events, then live
  tapctl logs --env dev --json | jq -r .message      NDJSON: {"type":"log",...} lines, then the result

Lines go to stdout (colour per source on a terminal), progress to stderr. --follow uses CloudWatch Logs Live Tail;
with an endpoint: in the config, or when Live Tail is denied, throttled or ends, it polls FilterLogEvents instead
and says so once. A quiet --follow is never ended by the AWS time limits; Ctrl-C ends it (exit 130).
IAM: logs:FilterLogEvents, and logs:StartLiveTail for --follow.`,
    )
    .action(runner.action(run, render));
  checkOption(cmd, '--since', (value) => void sinceMs(String(value)));
  // The one whole-number parser: 1e3, 0x10, 2.5, +4, " 3" and 0 are refused, not read as something else.
  checkOption(cmd, '--limit', (value) => {
    if (parseWholeNumber(String(value), 1, MAX_LOG_LIMIT) === undefined) {
      throw new UsageError(`--limit takes a whole number of log events from 1 to ${withThousands(MAX_LOG_LIMIT)}, not ${quote(value)}`, { hint: 'e.g. --limit 100 (the newest 100 events since --since)' });
    }
  });
  checkOption(cmd, '--task', (value, _flag, { options }) => {
    if (!taskIdOf(String(value))) {
      throw new UsageError(`--task ${quote(value)} is not an ECS task ID`, { hint: 'a task ID is 32 hex characters (or the task ARN); tapctl status and tapctl logs show them' });
    }
    if (options.source !== undefined && options.source !== 'app') {
      throw new UsageError(`--task only applies to the service's logs, not to --source ${quote(options.source)}`, { hint: 'drop --source, or use --source app' });
    }
  });
  return cmd;
}

export async function run(ctx: CommandContext, options: Omit<LogsOptions, 'limit'> & { limit?: string }): Promise<LogsResult> {
  const { runLogs } = await import('../logs/logs-flow.js');
  const { limit, ...rest } = options;
  return runLogs(ctx, { ...rest, ...(limit !== undefined ? { limit: parseWholeNumber(limit, 1, MAX_LOG_LIMIT)! } : {}) });
}

/** The log lines went to stdout as they came; the count goes to stderr with the other progress. */
export function render(): string {
  return '';
}
