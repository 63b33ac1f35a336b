/**
 * `tapctl exec --env <name> [--task <id>] [-- <command...>]`: a shell (or one command) in a running task of the
 * service, through ECS Exec and AWS's session-manager-plugin.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { checkOption } from '../cli/option-checks.js';
import { quote } from '../cli/quote.js';
import type { Runner } from '../cli/program.js';
import type { ExecOptions, ExecResult } from '../ecs/exec-flow.js';
import { taskIdOf } from '../logs/events.js';

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('exec')
    .usage('--env <name> [--task <id>] [-- <command...>]')
    .argument('[command...]', 'what to run in the container (after --); default /bin/sh')
    .description('open a shell (or run one command) in a running task of the service, through ECS Exec')
    .option('--task <id>', "the task (its ID or ARN); default: the service's newest running task")
    .addHelpText(
      'after',
      `
Examples:
  tapctl exec --env dev                                  a shell in the newest task
  tapctl exec --env dev --task 3f2a1b... -- ls /app      one command in one task
  tapctl exec --env staging -- node -e 'console.log(process.version)'

Needs container.exec: true in the config (off by default; a warning in production) and a deploy, which turns
on enableExecuteCommand, gives the task role the ssmmessages permissions and rolls tasks that predate it; and
AWS's session-manager-plugin on this machine: without it, exec says how to install it and stops (exit 2) before
any AWS call. IAM: ecs:ExecuteCommand, ecs:ListTasks, ecs:DescribeTasks.`,
    )
    .action(runner.action(run, render));
  return checkOption(cmd, '--task', (value) => {
    if (!taskIdOf(String(value))) throw new UsageError(`--task ${quote(value)} is not an ECS task ID`, { hint: 'a task ID is 32 hex characters (or the task ARN); tapctl status and tapctl logs show them' });
  });
}

export async function run(ctx: CommandContext, options: ExecOptions, args: string[] = []): Promise<ExecResult> {
  const { runExec } = await import('../ecs/exec-flow.js');
  return runExec(ctx, args, options);
}

/** The session was the output. */
export function render(): string {
  return '';
}
