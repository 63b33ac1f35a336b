/** `tapctl deploy --env <name>`: preflight, the change and its approval, live progress, outputs. */
import { checkOption, conflicting, numberIn, repeatable, writableFile } from '../cli/option-checks.js';
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Runner } from '../cli/program.js';
import type { DeployOptions } from '../deploy/deploy-flow.js';
import type { DeployResult } from '../deploy/results.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('deploy')
    .usage('--env <name> [options]')
    .description('deploy an environment: preflight checks, the change and its approval, live progress, outputs')
    .option('--dry-run', 'run every check and show the plan without changing anything (works without credentials)')
    .option('--no-wait', 'start the deploy and return at once; follow it with tapctl status --env <name> --watch')
    .option('--wait-for-stack [minutes]', 'if the stack is busy, wait for it (at most this many minutes, default 30) instead of refusing')
    .option('--allow-replace <logicalId>', "allow replacing or removing this stateful resource: its logical ID as tapctl diff shows it, or 'all'; repeatable", collect)
    .option('--allow-scale-to-zero', 'allow a change that takes the running service to zero tasks (DesiredCount or minimum capacity 0, or the bootstrap placeholder image)')
    .option('--outputs-file <path>', 'also write every stack output to this JSON file')
    .addHelpText(
      'after',
      `
Approval: at a terminal you approve the change (production: by typing the environment name); in CI pass --yes
(without it and without a terminal, deploy refuses at once: exit 3).
A change that replaces or removes a database, bucket, key, repository or secret is refused without --allow-replace;
one that takes the running service to zero tasks, without --allow-scale-to-zero.
The image comes from AWS: the config's pin, else the release ledger's current release (tapctl releases), else
what the deployed stack runs; never from a local file, so a deploy from any clone or CI job is safe.
AWS going silent (no answer, no progress) for 120 s ends the command with exit 1; TAPCTL_AWS_TIMEOUT_MS changes it.
With --json, stdout is NDJSON events ending with the result (docs/deploy-events.md).`,
    )
    .action(runner.action(run, { load: async () => (await import('../deploy/results.js')).renderDeploy }));
  checkOption(cmd, '--outputs-file', writableFile);
  checkOption(cmd, '--wait-for-stack', numberIn(1, 1440, 'minutes'));
  repeatable(cmd, '--allow-replace');
  // A dry run changes nothing, so there is nothing to start and not wait for.
  return conflicting(cmd, '--no-wait', ['--dry-run']);
}

export async function run(ctx: CommandContext, options: DeployOptions): Promise<DeployResult | undefined> {
  const { runDeploy } = await import('../deploy/deploy-flow.js');
  return runDeploy(ctx, options);
}
