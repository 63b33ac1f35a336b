/** `tapctl destroy --env <name>`: delete the environment's stack, then list what was kept and still costs money. */
import { UsageError } from '../cli/errors.js';
import { checkOption } from '../cli/option-checks.js';
import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { DestroyOptions } from '../deploy/destroy-flow.js';
import type { DestroyResult } from '../deploy/results.js';

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('destroy')
    .usage('--env <name> [--allow-production] [options]')
    .description("delete an environment's stack (asks you to type its name; production also needs --allow-production)")
    .option('--allow-production', 'required to destroy a production environment')
    // The old spelling: --force means "overwrite files" to init; here it is refused, naming the new one.
    .addOption(new Option('--force').hideHelp())
    .action(runner.action(run, { load: async () => (await import('../deploy/results.js')).renderDestroy }));
  return checkOption(cmd, '--force', () => {
    throw new UsageError("destroy's --force is now --allow-production: it allows destroying a production environment, nothing else", {
      hint: 'tapctl destroy --env <name> --allow-production (like deploy --allow-replace, it names what it allows)',
    });
  });
}

export async function run(ctx: CommandContext, options: DestroyOptions): Promise<DestroyResult | undefined> {
  const { runDestroy } = await import('../deploy/destroy-flow.js');
  return runDestroy(ctx, options);
}
