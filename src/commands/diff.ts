/** `tapctl diff --env <name>`: what a deploy would change in the deployed stack. */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { DiffOptions } from '../deploy/diff-flow.js';
import type { DiffResult } from '../deploy/results.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('diff')
    .usage('--env <name> [options]')
    .description('compare the synthesized stack with the deployed one: adds, changes, replacements, removals')
    .option('--template-only', 'compare templates only: no CloudFormation change set (faster, less precise about replacements)')
    .action(runner.action(run, { load: async () => (await import('../deploy/results.js')).renderDiff }));
}

export async function run(ctx: CommandContext, options: DiffOptions): Promise<DiffResult> {
  const { runDiff } = await import('../deploy/diff-flow.js');
  return runDiff(ctx, options);
}
