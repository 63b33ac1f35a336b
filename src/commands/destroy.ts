/** `tapctl destroy --env <name>`: delete the environment's stack, then list what was kept and still costs money. */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { DestroyOptions } from '../deploy/destroy-flow.js';
import { renderDestroy, type DestroyResult } from '../deploy/results.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('destroy')
    .description("delete an environment's stack (asks you to type its name; production also needs --force)")
    .option('--force', 'required to destroy a production environment')
    .action(runner.action(run, renderDestroy));
}

export async function run(ctx: CommandContext, options: DestroyOptions): Promise<DestroyResult | undefined> {
  const { runDestroy } = await import('../deploy/destroy-flow.js');
  return runDestroy(ctx, options);
}
