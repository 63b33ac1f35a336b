/** `tapctl releases --env <name>`: the release ledger, newest first, marking what runs, current and pinned. */
import type { Command } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import type { ReleasesOptions, ReleasesResult, ReleaseRow } from '../release/releases-flow.js';

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('releases')
    .usage('--env <name> [options]')
    .description("list an environment's releases from its ledger in AWS (SSM), newest first: what runs, what is current, what the config pins")
    .option('--limit <n>', 'how many to list, newest first (default: every release the ledger keeps)')
    .addHelpText(
      'after',
      `
The ledger lives in the environment's own account: /tapctl/<project>/<suffix>/ in SSM Parameter Store (the
suffix is the environment's name unless suffix: sets one), written by push-image, deploy and rollback.
Outcome: pushed, started (handed to CloudFormation, end not seen), deployed (CloudFormation finished it),
failed, rolled-back; ECS: healthy when the service was seen running it, - when nobody looked.
The ledger keeps as many releases as the ECR lifecycle rule keeps images. IN ECR: whether ECR still has the
image; a gone image cannot run again.
Marks: running (the ECS service runs its image, matched by digest), current (the next deploy runs it),
pinned (container.image in the config names it).`,
    )
    .action(runner.action(run, render));
  // --limit is parsed by the one whole-number parser, first thing in run (releases-flow.ts), against the
  // ledger's own bound (release/retention.ts), which this light module does not load.
  return cmd;
}

export async function run(ctx: CommandContext, options: ReleasesOptions): Promise<ReleasesResult> {
  const { runReleases } = await import('../release/releases-flow.js');
  return runReleases(ctx, options);
}

/** `healthy`, `failed`, or `failed (alarm shop-prod-alb-5xx-errors)` when alarms rolled it back. */
function ecsVerdict(x: ReleasesResult['releases'][number]): string {
  if (!x.rollout) return '-';
  return x.rolloutAlarms?.length ? `${x.rollout} (${x.rolloutAlarms.length === 1 ? 'alarm' : 'alarms'} ${x.rolloutAlarms.join(', ')})` : x.rollout;
}

export function render(r: ReleasesResult, s: Styles): string {
  const lines = [`${s.bold(`Releases of '${r.environment}'`)}  ${s.dim(`${r.ledger} · ${r.releases.length} of ${r.total}`)}`];
  if (r.releases.length === 0) {
    lines.push(`  ${s.dim(`none yet: tapctl push-image --env ${r.environment} records the first`)}`);
  } else {
    const heads = ['ID', 'OUTCOME', 'ECS', 'IMAGE', 'IN ECR', 'RECORDED (UTC)', 'BY'];
    const cells = r.releases.map((x) => [x.id, x.outcome, ecsVerdict(x), image(x), inEcr(x), x.at.slice(0, 16).replace('T', ' '), author(x)]);
    const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const row = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ');
    lines.push(`  ${s.dim(row(heads))}`);
    let endShown = false;
    r.releases.forEach((x, i) => {
      if (r.ended && !endShown && Date.parse(x.at) <= Date.parse(r.ended.at)) {
        endShown = true;
        lines.push(`  ${s.warn(`── ended ${r.ended.at.slice(0, 16).replace('T', ' ')} by ${r.ended.by} (destroy): the releases below belong to the destroyed environment`)}`);
      }
      const text = row(cells[i]);
      const outcome = x.outcome === 'failed' ? s.bad(text) : x.outcome === 'rolled-back' || x.imageInEcr === 'gone' ? s.dim(text) : text;
      const marks = x.marks.length ? `  ${s.accent(x.marks.join(', '))}` : '';
      const rollback = x.from ? s.dim(`  rollback to ${x.from}${x.rollbackOf ? `, replaced ${x.rollbackOf}` : ''}`) : '';
      lines.push(`  ${outcome}${marks}${rollback}`);
    });
    if (r.ended && !endShown) lines.push(`  ${s.warn(`── ended ${r.ended.at.slice(0, 16).replace('T', ' ')} by ${r.ended.by} (destroy)`)}`);
  }
  if (r.running && !r.releases.some((x) => x.marks.includes('running'))) {
    lines.push(`  ${s.warn('!')} the service runs ${r.running.image.digest?.slice(0, 19) ?? r.running.image.tag ?? r.running.image.repository}, which is none of the releases listed`);
  }
  if (r.pinned) lines.push(`  ${s.dim(`pinned in the config (container.image): ${r.pinned.tag ?? r.pinned.digest}`)}`);
  for (const bad of r.invalid) lines.push(`  ${s.warn('!')} ${bad.name} is not a valid release record (${bad.reason}): ignored`);
  for (const note of r.notes) lines.push(`  ${s.warn('!')} ${note}`);
  return lines.join('\n');
}

function inEcr(x: ReleaseRow): string {
  return x.imageInEcr === 'exists' ? 'yes' : x.imageInEcr === 'gone' ? 'gone' : 'not checked';
}

function image(x: ReleaseRow): string {
  const digest = x.image.digest ? x.image.digest.slice(0, 19) : '';
  return x.image.tag ? `${x.image.tag}${digest ? ` ${digest}` : ''}` : digest;
}

/** The CI actor, else the last part of the caller ARN (the role session or user name). */
function author(x: ReleaseRow): string {
  return x.by.ciActor ?? x.by.arn.slice(x.by.arn.lastIndexOf('/') + 1);
}
