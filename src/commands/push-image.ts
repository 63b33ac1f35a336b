/**
 * `tapctl push-image --env <name>`: build the app image for the service's platform, push it to the stack's own
 * ECR repository under an immutable tag, check it, record it as a release in the ledger and, with --deploy, roll
 * the service.
 *
 * Order: everything that can be checked locally (flags, tag, builder, secrets) and the account before any build,
 * so a wrong account or a missing stack costs seconds, not a build.
 */
import { checkOption, conflicting, requires } from '../cli/option-checks.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../cli/context.js';
import type { Styles } from '../cli/io-host.js';
import type { Runner } from '../cli/program.js';
import { BUILDER_NAMES } from '../image/builder.js';
import type { PushImageOptions, PushImageResult } from '../image/push-flow.js';

export function register(program: Command, runner: Runner): Command {
  const cmd = program
    .command('push-image')
    .usage('--env <name> [options]')
    .description("build the app image for the service's platform, push it to the stack's ECR repository, and (--deploy) roll the service")
    .addOption(
      new Option('--builder <name>', 'container builder; auto tries docker (if its engine runs), podman, buildah, finch').choices([
        'auto',
        ...BUILDER_NAMES,
      ]),
    )
    .option('--tag <tag>', 'immutable image tag (default: the short git commit, -dirty when the tree has changes); a tag already in the repository is refused')
    .option('--also-latest', "also push the tag 'latest', the one tag the repository lets move (never pushed alone, never deployed)")
    .option('--scan', "wait for ECR's scan-on-push and print the findings by severity")
    .option('--deploy', 'after pushing, deploy the stack so the service runs the new image, and wait for ECS')
    .option('--hotswap', 'with --deploy: hotswap the task definition instead of a CloudFormation update (never in production)')
    .option('--no-wait', 'with --deploy: do not wait for the ECS rollout to finish')
    .option('--dry-run', 'show what would be built and pushed, build nothing')
    .addHelpText(
      'after',
      `
Builders are tried in this order unless --builder or container.builder names one: docker (only when
'docker info' answers), podman, buildah, finch. None usable: exit 2.
Tags are immutable: the stack's ECR repository refuses to move one (only 'latest' may move). A --tag already in
it is refused before anything is built (exit 3); a rebuild of a commit already pushed (a CI retry) is tagged
<commit>-r2, -r3 ... with a warning, since a rebuild is rarely the same image byte for byte.
The registry password goes to the builder on stdin or into a private 0600 auth file that is removed
afterwards; build secrets (container.buildSecrets) are passed by reference, --secret id=<id>,env=<VAR> or id=<id>,src=<file>, never by value.`,
    )
    .action(runner.action(run, render));
  checkOption(cmd, '--tag', async (value) => (await import('../image/tag.js')).checkTag(String(value)));
  checkOption(cmd, '--hotswap', requires('deploy', '--deploy'));
  checkOption(cmd, '--no-wait', requires('deploy', '--deploy'));
  // A dry run pushes nothing, so there is no scan to wait for.
  return conflicting(cmd, '--scan', ['--dry-run']);
}

export async function run(ctx: CommandContext, options: PushImageOptions): Promise<PushImageResult | undefined> {
  const { createRun } = await import('../image/push-flow.js');
  return createRun()(ctx, options);
}

export function render(r: PushImageResult, s: Styles): string {
  const lines: string[] = [];
  const ref = `${r.repositoryUri}:${r.tag}`;
  lines.push(r.dryRun ? s.bold(`would build and push ${ref}`) : s.good(`✔ pushed ${ref}`));
  const rows: Array<[string, string]> = [];
  if (r.digest) rows.push(['digest', r.digest]);
  if (r.platformDigest) rows.push(['platform digest', r.platformDigest]);
  if (r.sizeBytes !== undefined) rows.push(['size', formatBytes(r.sizeBytes)]);
  rows.push(['platform', r.platform], ['tags', r.tags.join(', ')], ['builder', r.builder]);
  if (r.release) rows.push(['release', `${r.release.id} ${r.release.outcome}  ${s.dim(r.release.parameter)}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) lines.push(`  ${s.dim(k.padEnd(width))}  ${v}`);

  if (r.scan) {
    lines.push('', s.bold('Scan'));
    if (r.scan.status === 'COMPLETE') {
      const counts = Object.entries(r.scan.counts).filter(([, n]) => n > 0);
      lines.push(`  ${counts.length ? counts.map(([sev, n]) => `${paint(s, sev)(sev)} ${n}`).join(' · ') : s.good('no findings')}`);
      for (const f of r.scan.findings.slice(0, 20)) {
        lines.push(`  ${paint(s, f.severity)(f.severity.padEnd(13))} ${f.name}${f.package ? s.dim(`  ${f.package}`) : ''}`);
      }
      const more = r.scan.findings.length > 20 || r.scan.truncated;
      if (more) lines.push(s.dim('  ... more in the ECR console or: aws ecr describe-image-scan-findings'));
    } else {
      lines.push(`  ${s.warn(r.scan.status)}${r.scan.description ? s.dim(`  ${r.scan.description}`) : ''}`);
    }
  }

  if (r.rollout) {
    lines.push('', s.bold('Rollout'));
    lines.push(
      `  ${s.good('✔')} ${r.rollout.runningCount}/${r.rollout.desiredCount} tasks on ${r.rollout.taskDefinitionArn.split('/').pop()} in ${Math.round(r.rollout.elapsedMs / 1000)}s`,
    );
  } else if (r.deployed) {
    lines.push('', s.dim('deployed; not waiting for the ECS rollout (--no-wait)'));
  } else if (!r.dryRun) {
    // Read back after the push: with two pushes racing, only the last pointer write stands.
    if (r.current && !r.current.ours) {
      lines.push('', `${s.warn('!')} release ${r.current.id} (${r.current.image ?? 'another image'}${r.current.by ? `, by ${r.current.by}` : ''}) became the ledger's current release after this push: ${s.code(`tapctl deploy --env ${r.environment}`)} runs that one, not this image`);
    } else {
      lines.push('', `next: ${s.code(`tapctl deploy --env ${r.environment}`)} runs this image, from any machine (${r.current?.ours ? "read back: it is the ledger's current release" : "it was made the ledger's current release"})`);
    }
  }
  return lines.join('\n');
}

function paint(s: Styles, severity: string): (x: string) => string {
  return severity === 'CRITICAL' || severity === 'HIGH' ? s.bad : severity === 'MEDIUM' ? s.warn : s.dim;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]} (${n} bytes)`;
}
