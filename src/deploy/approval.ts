/**
 * Whether a change may go ahead. Two gates, in order:
 *
 * 1. A replacement or removal of a stateful resource is refused unless --allow-replace names it (or `all`).
 * 2. A person approves: at a terminal by answering (production: by typing the environment's name); without
 *    one, only --yes approves. Nothing is ever approved silently.
 */
import type { CommandContext } from '../cli/context.js';
import { RefusedError } from '../cli/errors.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { changeCountPhrase, type ChangeSummary } from './change-summary.js';

export type ChangeVerb = 'deploy' | 'rollback';

/**
 * The refusal for data-losing changes that --allow-replace does not name, or undefined. A rollback (with
 * --with-config, the only one that can change more than the image) takes the same flag: its hint names it there.
 */
export function destructiveRefusal(summary: ChangeSummary, allowReplace: readonly string[], envName: string, verb: ChangeVerb = 'deploy'): RefusedError | undefined {
  const allowAll = allowReplace.includes('all');
  const blocked = summary.destructive.filter((c) => !allowAll && !allowReplace.includes(c.logicalId));
  if (blocked.length === 0) return undefined;
  const list = blocked.map((c) => `${c.logicalId} (${c.type}, ${c.kind === 'replace' ? (c.conditional ? 'may be replaced' : 'replaced') : 'removed'})`).join(', ');
  const flags = `${blocked.map((c) => `--allow-replace ${c.logicalId}`).join(' ')} (or --allow-replace all)`;
  return new RefusedError(`refusing to ${verb === 'deploy' ? 'deploy to' : 'roll back'} '${envName}': it would destroy the data of ${list}`, {
    hint:
      verb === 'deploy'
        ? `if losing that data is intended, name each resource: ${flags}; tapctl diff --env ${envName} shows why`
        : `if losing that data is intended, add to the rollback: ${flags}; tapctl rollback --env ${envName} --with-config --dry-run shows the change`,
    details: { destructive: blocked },
  });
}

/**
 * Refuses at once (exit 3) when nobody could approve a change: no --yes and no terminal. Deploy calls it before
 * synthesis and before any AWS call, so that a CI job without --yes fails in a second, not after preflight and
 * asset publishing.
 */
export function refuseWithoutApprover(ctx: CommandContext, envName: string, verb = 'deploy'): void {
  if (ctx.globals.yes || ctx.interactive) return;
  const doing = verb === 'deploy' ? 'deploying to' : 'rolling back';
  throw new RefusedError(`${doing} '${envName}' needs approval, and there is no terminal to ask; nothing was checked or changed`, {
    hint: verb === 'deploy'
      ? `in CI, review the change (tapctl diff --env ${envName}), then approve it with --yes; or run tapctl deploy on a terminal to answer`
      : `in CI, review it (tapctl ${verb} --env ${envName} --dry-run), then approve it with --yes; or run tapctl ${verb} on a terminal to answer`,
  });
}

/**
 * Asks for approval. Returns undefined when approved, the refusal otherwise. `subject` replaces "Deploy <n>
 * resource changes to '<env>'" for a change that is more than a deploy (a rollback).
 */
export async function askApproval(ctx: CommandContext, env: ResolvedEnvironment, summary: ChangeSummary, subject?: string, verb: ChangeVerb = 'deploy'): Promise<RefusedError | undefined> {
  const what = changeCountPhrase(summary);
  if (ctx.globals.yes) {
    ctx.io.info(`approved with --yes: ${what} to '${env.name}'`);
    return undefined;
  }
  if (!ctx.interactive) {
    return new RefusedError(`${verb === 'deploy' ? 'deploying' : 'rolling back with'} ${what} to '${env.name}' needs approval, and there is no terminal to ask`, {
      hint: verb === 'deploy' ? `review the change (tapctl diff --env ${env.name}), then approve it with --yes` : `review it (tapctl rollback --env ${env.name} --dry-run), then approve it with --yes`,
    });
  }
  const broadening = summary.permissionChange === 'broadening' ? ' It broadens IAM permissions or security-group access.' : '';
  if (env.kind === 'production') {
    const answer = await ctx.prompter.input({
      message: `${subject ? `${subject} in PRODUCTION (${what})` : `Deploy ${what} to PRODUCTION`}?${broadening} Type the environment name (${env.name}) to approve:`,
      validate: (v) => v.trim() === env.name || `type ${env.name} to approve, or press Ctrl-C to stop`,
    });
    return answer.trim() === env.name ? undefined : declined(env.name, verb);
  }
  const yes = await ctx.prompter.confirm({ message: `${subject ? `${subject} (${what})` : `Deploy ${what} to '${env.name}'`}?${broadening}`, default: false });
  return yes ? undefined : declined(env.name, verb);
}

function declined(envName: string, verb: ChangeVerb): RefusedError {
  return new RefusedError(`${verb === 'deploy' ? `deploy to '${envName}'` : `rollback of '${envName}'`} not approved; nothing was changed`);
}
