/**
 * One look, or --watch / --until-stable: refresh every N seconds, redrawn in place on a terminal and as plain
 * repeated blocks elsewhere; with --json one compact document per refresh (NDJSON).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../cli/context.js';
import { InterruptedError, isTapctlError, OperationError } from '../cli/errors.js';
import { AwsClients, targetFor } from '../aws/clients.js';
import type { CallerIdentity } from '../aws/identity.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { collectStatus, type CollectOptions } from './collect.js';
import { renderStatus } from './render.js';
import type { StatusDocument } from './schema.js';
import { analyse } from './stability.js';

export interface ShowStatusOptions {
  readonly probe: boolean;
  readonly outputs: boolean;
  /** Seconds between refreshes; undefined for a single look. */
  readonly intervalSeconds?: number;
  readonly untilStable: boolean;
}

/**
 * Returns the document of a single look, or the last one when watching (each refresh was already written: with
 * --json as a `status` event line; the runner then writes the last document as the result line).
 */
export async function showStatus(ctx: CommandContext, env: ResolvedEnvironment, projectDir: string, o: ShowStatusOptions): Promise<StatusDocument | undefined> {
  const clients = new AwsClients(targetFor(env, ctx.globals.profile));
  // The release ledger is read on every refresh: a push-image during a watch shows up on the next one.
  const base = (): CollectOptions => ({ clients, env, probe: o.probe, signal: ctx.signal });

  if (o.intervalSeconds === undefined) {
    ctx.io.progress(`reading ${env.names.stack} ...`);
    const { document } = await collectStatus(base());
    // The command renders it and the runner writes it to stdout, like every command's result.
    return document;
  }

  let identity: CallerIdentity | undefined;
  let last: StatusDocument | undefined;
  const failures = new Set<string>();
  for (let refresh = 1; ; refresh++) {
    try {
      const collected = await collectStatus({ ...base(), ...(identity ? { identity } : {}) });
      identity = collected.identity;
      const document = collected.document;
      last = document;
      show(ctx, document, o, refresh);
      // Nobody reads a plain watch any more (`| head`): it ends as for Ctrl-C. --until-stable still owes its answer.
      if (ctx.io.outputClosed && !o.untilStable) return last;

      // A rollout that fails and rolls back ends "stable" but is not what was asked for: remember it.
      for (const reason of analyse(document.stack, document.service).failed) failures.add(reason);
      if (o.untilStable && document.summary.state !== 'in-progress') {
        if (document.summary.state === 'unknown' && failures.size === 0) {
          throw new OperationError(`${env.name} shows nothing moving, but ${document.summary.reasons.join('; ')}: tapctl cannot say it is stable`, {
            hint: 'your role needs ecs:ListServiceDeployments and ecs:DescribeServiceDeployments on the service (tapctl bootstrap --ci grants them)',
            code: 'rollout-unknown',
          });
        }
        if (failures.size === 0) return last;
        throw new OperationError(`${env.name} settled, but not as asked: ${[...failures].join('; ')}`, {
          hint: 'the service events above say why; the stack events are in the CloudFormation console',
          code: 'rollout-failed',
        });
      }
    } catch (e) {
      // Once the first look succeeded, a network blip or throttling should not end a long wait: try again.
      if (!(identity && isTransient(e))) return stopped(e, o, ctx.signal, last);
      ctx.io.warn(`refresh ${refresh} failed: ${(e as Error).message}; trying again in ${o.intervalSeconds} s`);
    }
    try {
      await sleep(o.intervalSeconds * 1000, undefined, { signal: ctx.signal });
    } catch (e) {
      return stopped(e, o, ctx.signal, last);
    }
  }
}

function isTransient(e: unknown): boolean {
  return isTapctlError(e) && ['network', 'timeout', 'aws'].includes(e.code);
}

/**
 * Ctrl-C ends a plain --watch normally (exit 0); --until-stable was cut short of its answer (exit 130). SIGTERM
 * (a cancelled CI job) is no request to stop watching: it ends either with exit 143 (cli/program.ts).
 */
function stopped(e: unknown, o: ShowStatusOptions, signal: AbortSignal, last: StatusDocument | undefined): StatusDocument | undefined {
  const interrupted = signal.aborted && (e instanceof InterruptedError || (e as Error)?.name === 'AbortError');
  if (!interrupted) throw e;
  if (o.untilStable) throw new InterruptedError('interrupted before the environment was stable');
  if (signal.reason === 'SIGTERM') throw new InterruptedError('stopped watching', { signal: 'SIGTERM' });
  return last;
}

function show(ctx: CommandContext, document: StatusDocument, o: ShowStatusOptions, refresh: number): void {
  if (ctx.io.json) {
    ctx.io.event({ ...document, type: 'status' });
    return;
  }
  const s = ctx.io.style;
  const stop = o.untilStable ? 'until stable' : 'Ctrl-C to stop';
  const header = s.dim(`tapctl status --env ${document.environment.name} · every ${o.intervalSeconds} s · ${stop} · ${document.generatedAt.slice(11, 19)} UTC · refresh ${refresh}`);
  // Each refresh is the result so far, on stdout: redrawn in place on a terminal, one block after another elsewhere.
  ctx.io.output(`${refresh > 1 && !ctx.io.live ? '\n' : ''}${header}\n${renderStatus(s, document, o)}`, { redraw: true });
}
