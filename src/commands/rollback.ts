/**
 * `tapctl rollback --env <name> [--to <release id | tag | digest>]`: run an earlier release's image again. Not
 * CloudFormation's rollback of a failed update: a deploy of an image the release ledger recorded.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import type { RollbackOptions, RollbackResult } from '../release/rollback-flow.js';

export function register(program: Command, runner: Runner): Command {
  return program
    .command('rollback')
    .description('run an earlier release again (only the image changes): by default the previous one that was deployed healthy')
    .option('--to <release>', 'the release to go back to: its id (41 or 000041), image tag, or image digest')
    .option('--with-config', 'also deploy the config as it is now, when it changed since the running release was deployed')
    .option('--no-wait', 'start the rollback and return at once; follow it with tapctl status --env <name> --watch')
    .option('--dry-run', 'show which release would run and what would change, change nothing')
    .addHelpText(
      'after',
      `
Approval as deploy: at a terminal you approve (production: by typing the environment name); in CI pass --yes.
Refused (exit 3) when the config pins container.image, and when the config changed since the running release was
deployed (--with-config deploys both). The ECS rollout decides: a rollout that rolls back is exit 1. The ledger
records the rollback as a new release and marks the replaced one rolled-back (tapctl releases).`,
    )
    .action(runner.action(run, render));
}

export async function run(ctx: CommandContext, options: RollbackOptions): Promise<RollbackResult | undefined> {
  const { runRollback } = await import('../release/rollback-flow.js');
  return runRollback(ctx, options);
}

export function render(r: RollbackResult, s: Styles): string {
  const move = `from release ${r.from.id} (${r.from.image}) to release ${r.to.id} (${r.to.image})`;
  const lines: string[] = [];
  const changes = r.deploy.changes;
  const counts = changes ? `${changes.adds} to add, ${changes.modifications} to change, ${changes.replacements} to replace, ${changes.removals} to remove` : undefined;
  switch (r.status) {
    case 'planned':
      lines.push(s.bold(`Plan: roll back '${r.environment}' ${move}`));
      if (counts) lines.push(`  ${s.dim('changes')}  ${counts}`);
      lines.push(s.dim('dry run: nothing was changed'), '', s.bold('Next:'), `  tapctl rollback --env ${r.environment} --to ${r.to.id}`);
      break;
    case 'started':
      lines.push(s.good(`✔ rollback of '${r.environment}' ${move} started; CloudFormation carries on without tapctl`));
      if (r.release) lines.push(`  ${s.dim('release')}  ${r.release.id} ${r.release.outcome}  ${s.dim(r.release.parameter)}`);
      lines.push('', s.bold('Next:'), `  tapctl status --env ${r.environment} --watch`);
      break;
    case 'rolled-back':
      lines.push(s.good(`✔ rolled back '${r.environment}' ${move} in ${Math.round(r.durationMs / 1000)}s`));
      if (r.release) lines.push(`  ${s.dim('release')}  ${r.release.id} ${r.release.outcome}  ${s.dim(r.release.parameter)}`);
      if (r.rollout) lines.push(`  ${s.dim('rollout')}  ${r.rollout.runningCount}/${r.rollout.desiredCount} tasks on ${r.rollout.taskDefinitionArn.split('/').pop()}`);
      break;
  }
  return lines.join('\n');
}
