/** `tapctl bootstrap --env <name>`: CDK bootstrap of the environment's account and region (once per pair). */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { BootstrapResult } from '../deploy/results.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('bootstrap')
    .usage('--env <name> [options]')
    .description("prepare the environment's account and region for deploys (CDK bootstrap: bucket, roles)")
    .action(runner.action(run, { load: async () => (await import('../deploy/results.js')).renderBootstrap }));
}

export async function run(ctx: CommandContext): Promise<BootstrapResult | undefined> {
  const { runBootstrap } = await import('../deploy/bootstrap-flow.js');
  return runBootstrap(ctx);
}
