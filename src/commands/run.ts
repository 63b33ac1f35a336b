/**
 * `tapctl run --env <name> -- <command...>`: a one-off task (a migration, a script) with the service's live task
 * definition, network, roles and secrets, its command replaced; streams its log lines and passes its exit code on.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { RunOptions, RunResult } from '../ecs/run-flow.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('run')
    .usage('--env <name> [--detach] -- <command...>')
    .argument('[command...]', 'what the task runs instead of the image\'s command (after --; exec form: no shell)')
    .description("run a one-off task (a migration) with the service's live task definition, network and secrets; stream its logs; exit with its exit code")
    .option('--detach', 'start the task and return at once (follow it with tapctl logs --task <id> --follow)')
    .addHelpText(
      'after',
      `
Examples:
  tapctl run --env dev -- npm run migrate
  tapctl run --env prod --yes -- node scripts/backfill.js --batch 500
  tapctl run --env dev -- sh -c 'npm run migrate && npm run seed'     (a shell, when you need one)
  tapctl run --env staging --detach -- npm run reindex

The task runs the task definition the ECS service runs now (DescribeServices), in the service's subnets and
security groups, on Fargate (never Spot: a migration should not be reclaimed halfway). It changes nothing
deployed, but runs code against the environment's data: production asks you to type its name at a terminal and
needs --yes without one (exit 3).
The command is sent as RunTask's container override, which may take at most 8192 characters of JSON (the
command's words quoted, the container's name included): a longer one, or one whose first word is empty, is exit 2
before any AWS call (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
Exit code: once the container ran, tapctl exits with the container's exit code. tapctl's own failures keep
their codes (1: the task could not start, with ECS's stopped reason; 2; 3; 130: Ctrl-C, the task keeps running).
With --json they are told apart: error.code is "container-exit" and error.details.containerExitCode is set only
when the code is the container's; a success carries exitCode 0 and containerExitCode 0.
IAM: ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:RunTask, ecs:DescribeTasks, iam:PassRole on the task
and execution roles, logs:GetLogEvents.`,
    )
    .action(runner.action(run, render));
}

export async function run(ctx: CommandContext, options: RunOptions, args: string[] = []): Promise<RunResult> {
  const { runOneOff } = await import('../ecs/run-flow.js');
  return runOneOff(ctx, args, options);
}

/** The task's log lines went to stdout as they came; the outcome went to stderr. */
export function render(): string {
  return '';
}
