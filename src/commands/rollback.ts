/**
 * `tapctl rollback --env <name> [--to <release id | tag | digest>]`: run an earlier release's image again. Not
 * CloudFormation's rollback of a failed update: a deploy of an image the release ledger recorded.
 */
import type { Command } from 'commander';
import { checkOption, conflicting, repeatable, requires } from '../cli/option-checks.js';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import type { RollbackOptions, RollbackResult } from '../release/rollback-flow.js';
import { changeLines, countsLine } from '../deploy/change-summary.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('rollback')
    .usage('--env <name> [options]')
    .description('run an earlier release again (only the image changes): by default the previous one that ran healthy')
    .option('--to <release>', 'the release to go back to: its id (41), image tag or digest; exactly: id:41, tag:v41, sha256:<hex>')
    .option('--with-config', 'also deploy the config as it is now, when the deployed template differs from it in more than the image')
    .option('--allow-replace <logicalId>', 'with --with-config: allow replacing or removing this stateful resource (as deploy); repeatable', collect)
    .option('--allow-scale-to-zero', 'with --with-config: allow a change that takes the running service to zero tasks (as deploy)')
    .option('--no-wait', 'start the rollback and return at once; follow it with tapctl status --env <name> --watch')
    .option('--dry-run', 'show which release would run and what would change, change nothing')
    .addHelpText(
      'after',
      `
Approval as deploy: at a terminal you approve (production: by typing the environment name); in CI pass --yes.
The default target is the newest earlier release ECS was seen running healthy (tapctl releases: ECS healthy);
when there is none, name one with --to. A --to value that names releases of different images (a tag '1' and
release 1) is refused: say id:1 or tag:1.
Refused (exit 3) when the config pins container.image, and when the deployed template differs from the config in
more than the image (deploy the config first, or --with-config to deploy both). The ECS rollout decides: a
rollout that rolls back is exit 1. The ledger records the rollback as soon as it is approved (started), then
deployed once CloudFormation has finished, with the ECS verdict after the wait (tapctl releases).`,
    )
    .action(runner.action(run, render));
  repeatable(cmd, '--allow-replace');
  checkOption(cmd, '--allow-replace', requires('withConfig', '--with-config'));
  checkOption(cmd, '--allow-scale-to-zero', requires('withConfig', '--with-config'));
  return conflicting(cmd, '--no-wait', ['--dry-run']);
}

export async function run(ctx: CommandContext, options: RollbackOptions): Promise<RollbackResult | undefined> {
  const { runRollback } = await import('../release/rollback-flow.js');
  return runRollback(ctx, options);
}

export function render(r: RollbackResult, s: Styles): string {
  const from = r.from.id ? `release ${r.from.id} (${r.from.image})` : `${r.from.image} (not in the ledger)`;
  const move = `from ${from} to release ${r.to.id} (${r.to.image})`;
  const lines: string[] = [];
  const changes = r.deploy.changes;
  switch (r.status) {
    case 'planned':
      lines.push(s.bold(`Plan: roll back '${r.environment}' ${move}`));
      // The same change lines deploy's plan shows, stateful warnings included.
      if (changes) lines.push(`  ${s.dim('changes')}  ${countsLine(changes)}`, ...changeLines(changes, s).map((l) => `    ${l}`));
      lines.push(s.dim('dry run: nothing was changed'));
      break;
    case 'started':
      lines.push(s.good(`✔ rollback of '${r.environment}' ${move} started; CloudFormation carries on without tapctl`));
      if (r.release) lines.push(`  ${s.dim('release')}  ${r.release.id} ${r.release.outcome}  ${s.dim(r.release.parameter)}`);
      break;
    case 'rolled-back':
      lines.push(s.good(`✔ rolled back '${r.environment}' ${move} in ${Math.round(r.durationMs / 1000)}s`));
      if (r.release) lines.push(`  ${s.dim('release')}  ${r.release.id} ${r.release.outcome}${r.release.rollout ? `, ECS ${r.release.rollout}` : ''}  ${s.dim(r.release.parameter)}`);
      if (r.rollout) lines.push(`  ${s.dim('rollout')}  ${r.rollout.runningCount}/${r.rollout.desiredCount} tasks on ${r.rollout.taskDefinitionArn.split('/').pop()}`);
      break;
  }
  if (r.next.length > 0) lines.push('', s.bold('Next:'), ...r.next.map((n) => `  ${n}`));
  return lines.join('\n');
}
