/**
 * `tapctl env sweep`: deletes the project's previews that expired, and (with --live-branches) those whose branch
 * is no longer live, each through destroy's own flow (account check, busy and termination-protection refusals,
 * the retained report, the release ledger marked ended). Meant for a schedule and for a pull request's close.
 *
 * What it never deletes: a stack whose tags do not say "preview of this project" (the project tag AND the
 * preview marker, checked in the listing and again on the stack itself right before its deletion), and a stack
 * that is a configured environment's. A preview whose deletion failed stays a preview (its tags are still there)
 * and is tried again by the next run; a second run after a clean one finds nothing to do.
 */
import type { CommandContext } from '../cli/context.js';
import { ExitCode, isTapctlError, RefusedError, UsageError } from '../cli/errors.js';
import { count, loadProject } from '../cli/project.js';
import { quote } from '../cli/quote.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import { callerIdentity } from '../aws/identity.js';
import { describeStack } from '../aws/stack.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import type { RetainedResource } from '../deploy/results.js';
import { clientsFor, configuredOwner, dedupe, derivePreview, listPreviews, previewTargets, type PreviewStack } from './find.js';
import type { AccountCheck } from './list-flow.js';
import { branchTagOf, branchTagValue, isPreviewOf, PREVIEW_TAG } from './tags.js';
import { formatDuration } from './ttl.js';

export interface SweepOptions {
  /** --live-branches: the branches still live, as read from the file or stdin (branch.ts parseLiveBranches). */
  readonly liveBranches?: readonly string[];
  readonly dryRun?: boolean;
}

/**
 * expired: past its expiry (or no readable expiry); branch-gone: not in --live-branches; delete-failed: a retry;
 * abandoned: a stack left in REVIEW_IN_PROGRESS (a create whose change set was never executed) for REVIEW_ABANDONED_MS.
 */
export type SweepReason = 'expired' | 'branch-gone' | 'delete-failed' | 'abandoned';

/**
 * A preview stack still in REVIEW_IN_PROGRESS this long after its creation was abandoned: env create's change set
 * is made and approved in minutes, so an hour is nobody's work in progress. It has no resources; destroy deletes it.
 */
export const REVIEW_ABANDONED_MS = 60 * 60 * 1000;

export interface SweepItem {
  readonly name: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** The stack status when it was found. */
  readonly status: string;
  readonly reason?: SweepReason;
  /** Why, for a person: "expired 2h ago", "branch 'x' is not live", "expires in 2d 4h". */
  readonly detail: string;
  /** What destroy kept and still exists (destroy's retained report). */
  readonly retained?: readonly RetainedResource[];
  readonly ledgerEnded?: string;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

export interface SweepResult {
  readonly dryRun: boolean;
  /** How many live branches --live-branches gave (absent without it). */
  readonly liveBranches?: number;
  /** Deleted (a dry run: would be deleted). */
  readonly deleted: readonly SweepItem[];
  /** Deletion tried and failed: the next run tries again. */
  readonly failed: readonly SweepItem[];
  /** Not touched by a safety check (its tags or name say it may not be a preview). */
  readonly refused: readonly SweepItem[];
  /** An operation is running on it (a deletion started elsewhere): looked at again next run. */
  readonly inProgress: readonly SweepItem[];
  readonly kept: readonly SweepItem[];
  readonly accounts: readonly AccountCheck[];
}

export type Decision = { readonly action: 'delete'; readonly reason: SweepReason; readonly detail: string } | { readonly action: 'keep' | 'refuse' | 'wait'; readonly detail: string };

/**
 * What sweep does with one found preview. Pure. `live` holds live branches in their tag form (branchTagValue);
 * undefined without --live-branches. A preview without a branch is judged by its expiry alone.
 */
export function sweepDecision(p: PreviewStack, configured: readonly ResolvedEnvironment[], now: number, live?: ReadonlySet<string>): Decision {
  const owner = configuredOwner(p, configured);
  if (owner) return { action: 'refuse', detail: `stack ${p.stackName} is environment '${owner.name}' of tapctl.config.yaml, whatever its tags say` };
  const age = p.stackCreatedAt ? now - Date.parse(p.stackCreatedAt) : undefined;
  if (p.status === 'REVIEW_IN_PROGRESS' && age !== undefined && age >= REVIEW_ABANDONED_MS) {
    return { action: 'delete', reason: 'abandoned', detail: `REVIEW_IN_PROGRESS for ${formatDuration(age)}: a create that was never executed (no resources)` };
  }
  if (p.status.endsWith('_IN_PROGRESS')) return { action: 'wait', detail: `${p.status}: looked at again next run${p.status === 'REVIEW_IN_PROGRESS' ? ` (deleted once ${formatDuration(REVIEW_ABANDONED_MS)} old)` : ''}` };
  if (p.status === 'DELETE_FAILED') return { action: 'delete', reason: 'delete-failed', detail: 'its last deletion failed: trying again' };
  if (!p.record) return { action: 'delete', reason: 'expired', detail: `no readable expiry (${p.problem})` };
  const left = Date.parse(p.record.expiresAt) - now;
  if (left <= 0) return { action: 'delete', reason: 'expired', detail: `expired ${formatDuration(-left)} ago (${p.record.expiresAt})` };
  const branch = branchTagOf(p.stack.Tags);
  if (live && branch && !live.has(branch)) return { action: 'delete', reason: 'branch-gone', detail: `branch ${quote(p.record.branch ?? branch)} is not live` };
  return { action: 'keep', detail: `expires in ${formatDuration(left)}${live ? (branch ? ', branch live' : ', no branch recorded') : ''}` };
}

/** Seams for tests; the default destroys with destroy's own flow. */
export interface SweepDeps {
  readonly destroy: (ctx: CommandContext, env: ResolvedEnvironment) => Promise<{ retained: readonly RetainedResource[]; ledgerEnded?: string }>;
  readonly now: () => number;
}

export async function runEnvSweep(ctx: CommandContext, options: SweepOptions, deps: Partial<SweepDeps> = {}): Promise<SweepResult> {
  const now = (deps.now ?? Date.now)();
  const destroy = deps.destroy ?? destroyWithDestroyFlow;
  if (options.liveBranches && options.liveBranches.length === 0) {
    throw new UsageError('--live-branches lists no branch: that would sweep every preview that has one', {
      hint: 'give the live branches one per line (or the output of git ls-remote --heads origin); without --live-branches sweep deletes expired previews only',
    });
  }
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.debug(`${w.path}  ${w.message}`);
  // Nobody can confirm without --yes or a terminal: refuse before any AWS call (a dry run changes nothing).
  if (!options.dryRun && !ctx.globals.yes && !ctx.interactive) {
    throw new RefusedError('env sweep deletes stacks and needs confirmation, and there is no terminal to ask; nothing was touched', {
      hint: 'review it with tapctl env sweep --dry-run, then pass --yes (in CI, a scheduled or pull-request-closed job)',
    });
  }
  const project = loaded.environments[0].project;
  const live = options.liveBranches ? new Set(options.liveBranches.map(branchTagValue)) : undefined;

  const accounts: AccountCheck[] = [];
  const found: PreviewStack[] = [];
  const errors: Error[] = [];
  const targets = previewTargets(loaded);
  for (const target of targets) {
    const clients = clientsFor(target, ctx.globals.profile);
    try {
      const identity = await callerIdentity(clients);
      if (identity.account !== target.account) {
        accounts.push({ account: target.account, region: target.region, checked: false, note: `not swept: the credentials are for account ${identity.account}` });
        ctx.io.warn(`${target.account}/${target.region} not swept: the credentials are for account ${identity.account}`);
        continue;
      }
      found.push(...(await listPreviews(clients, project, target)));
      accounts.push({ account: target.account, region: target.region, checked: true });
    } catch (e) {
      errors.push(e as Error);
      accounts.push({ account: target.account, region: target.region, checked: false, note: `not swept: ${(e as Error).message}` });
    }
  }
  if (targets.length > 0 && accounts.every((a) => !a.checked)) {
    if (errors.length > 0) throw errors[0];
    throw new RefusedError(`refusing to sweep: the credentials are for none of the accounts the previews live in (${targets.map((t) => t.account).join(', ')})`, {
      hint: `use credentials for ${targets[0].account} (e.g. --profile)`,
      details: { accounts },
    });
  }

  const byAction = { delete: [] as Array<{ p: PreviewStack; d: Decision }>, keep: [] as SweepItem[], refuse: [] as SweepItem[], wait: [] as SweepItem[] };
  for (const p of dedupe(found)) {
    const d = sweepDecision(p, loaded.environments, now, live);
    if (d.action === 'delete') byAction.delete.push({ p, d });
    else byAction[d.action].push(item(p, d));
  }
  for (const r of byAction.refuse) ctx.io.warn(`not touching ${r.stack}: ${r.detail}`);
  const base = { dryRun: Boolean(options.dryRun), ...(options.liveBranches ? { liveBranches: options.liveBranches.length } : {}), refused: byAction.refuse, inProgress: byAction.wait, kept: byAction.keep, accounts };
  if (options.dryRun || byAction.delete.length === 0) return { ...base, deleted: byAction.delete.map(({ p, d }) => item(p, d)), failed: [] };

  await confirmSweep(ctx, byAction.delete.map(({ p }) => p));
  const deleted: SweepItem[] = [];
  const failed: SweepItem[] = [];
  const refused = [...byAction.refuse];
  const sure = withYes(ctx);
  for (const { p, d } of byAction.delete) {
    ctx.io.info(`deleting preview '${p.name}' (${p.stackName}): ${d.detail}`);
    const derived = derivePreview(p, loaded.environments);
    if (!derived.ok) {
      failed.push({ ...item(p, d), error: { code: 'not-derivable', message: `tapctl cannot delete it: ${derived.problem}`, hint: `aws cloudformation delete-stack --stack-name ${p.stackName} --region ${p.region}` } });
      continue;
    }
    // The tags again, on the stack itself, right before it goes: a listing is a moment old.
    const clients = new AwsClients(targetFor(derived.env, ctx.globals.profile));
    const current = await describeStack(clients, p.stackName);
    if (!current) {
      deleted.push({ ...item(p, d), detail: `${d.detail}; already gone`, retained: [] });
      continue;
    }
    if (current.StackId !== p.stackId || !isPreviewOf(current.Tags, project) || current.Tags?.find((t) => t.Key === PREVIEW_TAG)?.Value !== p.name) {
      refused.push({ ...item(p, d), detail: `stack ${p.stackName} is no longer preview '${p.name}' of project '${project}' (its tags or identity changed): not touched` });
      continue;
    }
    try {
      const r = await destroy(sure, derived.env);
      deleted.push({ ...item(p, d), retained: r.retained, ...(r.ledgerEnded ? { ledgerEnded: r.ledgerEnded } : {}) });
    } catch (e) {
      // Ctrl-C ends the sweep; anything else fails this preview only, and the next run tries it again.
      if (ctx.signal.aborted || (isTapctlError(e) && e.exitCode === ExitCode.Interrupted)) throw e;
      const error = isTapctlError(e) ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } : { code: 'internal', message: (e as Error).message };
      ctx.io.warn(`preview '${p.name}' was not deleted: ${error.message}`);
      failed.push({ ...item(p, d), error });
    }
  }
  return { ...base, refused, deleted, failed };
}

function item(p: PreviewStack, d: Decision): SweepItem {
  return { name: p.name, stack: p.stackName, account: p.account, region: p.region, status: p.status, ...(d.action === 'delete' ? { reason: d.reason } : {}), detail: d.detail };
}

async function confirmSweep(ctx: CommandContext, doomed: readonly PreviewStack[]): Promise<void> {
  const what = `delete ${count(doomed.length, 'preview')} (${doomed.map((p) => p.name).join(', ')})`;
  if (ctx.globals.yes) {
    ctx.io.warn(`${what} (--yes)`);
    return;
  }
  const ok = await ctx.prompter.confirm({ message: `${what[0].toUpperCase()}${what.slice(1)}? Every resource of each goes.`, default: false });
  if (!ok) throw new RefusedError('not confirmed; no preview was touched');
}

/** The context with --yes, for the destroys the person (or --yes) has just confirmed as a whole. */
function withYes(ctx: CommandContext): CommandContext {
  return Object.create(ctx, { globals: { value: { ...ctx.globals, yes: true }, enumerable: true } }) as CommandContext;
}

async function destroyWithDestroyFlow(ctx: CommandContext, env: ResolvedEnvironment): Promise<{ retained: readonly RetainedResource[]; ledgerEnded?: string }> {
  const { runDestroy } = await import('../deploy/destroy-flow.js');
  const r = await runDestroy(ctx, { environment: env });
  return { retained: r?.retained ?? [], ...(r?.ledgerEnded ? { ledgerEnded: r.ledgerEnded } : {}) };
}
