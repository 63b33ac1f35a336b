/**
 * `tapctl env list`: every environment of the project, as AWS has it: the configured ones (deployed or not) and
 * the previews, with their stack status, age and expiry. One STS call and one stack listing per account and
 * region; an account the credentials do not reach is listed as not checked, never as "not deployed".
 */
import type { CommandContext } from '../cli/context.js';
import { loadProject } from '../cli/project.js';
import { callerIdentity } from '../aws/identity.js';
import { listStacks } from '../aws/stack-list.js';
import type { EnvironmentKind } from '../config/schema.js';
import { quote } from '../cli/quote.js';
import { clientsFor, configuredOwner, dedupe, derivePreview, previewsIn, targetsOf, type PreviewStack, type PreviewTarget } from './find.js';

export interface EnvironmentRow {
  readonly name: string;
  /** config: an environment of tapctl.config.yaml; preview: one that lives only in AWS. */
  readonly origin: 'config' | 'preview';
  readonly kind: EnvironmentKind;
  readonly account: string;
  readonly region: string;
  /** The AWS endpoint the environment is reached at, when not AWS's own (an emulator): told apart from the real one. */
  readonly endpoint?: string;
  readonly stack: string;
  /** CloudFormation's stack status, NOT_DEPLOYED, or UNKNOWN when it could not be read (`note` says why). */
  readonly status: string;
  readonly note?: string;
  /** When the stack (a preview: the preview) was created, ISO 8601. */
  readonly createdAt?: string;
  readonly ageSeconds?: number;
  /** Previews only. */
  readonly source?: string;
  readonly branch?: string;
  readonly creator?: string;
  readonly ciActor?: string;
  readonly expiresAt?: string;
  readonly expired?: boolean;
  readonly image?: string;
}

export interface AccountCheck {
  readonly account: string;
  readonly region: string;
  /** As EnvironmentRow.endpoint. */
  readonly endpoint?: string;
  readonly checked: boolean;
  readonly note?: string;
}

export interface EnvListResult {
  readonly project: string;
  readonly environments: readonly EnvironmentRow[];
  /** Each account and region asked, and whether it could be. */
  readonly accounts: readonly AccountCheck[];
}

export async function runEnvList(ctx: CommandContext, now = Date.now()): Promise<EnvListResult> {
  const loaded = await loadProject(ctx);
  for (const w of loaded.warnings) ctx.io.debug(`${w.path}  ${w.message}`);
  const project = loaded.environments[0].project;
  const targets = targetsOf(loaded.environments);
  const reads = await Promise.all(targets.map((t) => readTarget(ctx, t, project)));
  const failures = reads.filter((r) => r.error);
  // Nothing could be read at all (no credentials, say): that is the answer, not a table of UNKNOWNs.
  if (failures.length === reads.length && failures[0]?.error) throw failures[0].error;

  const rows: EnvironmentRow[] = [];
  for (const [i, target] of targets.entries()) {
    const read = reads[i];
    for (const name of target.environments) {
      const env = loaded.environments.find((e) => e.name === name)!;
      const stack = read.stacks?.get(env.names.stack);
      const created = stack?.CreationTime ? new Date(stack.CreationTime).toISOString() : undefined;
      rows.push({
        name,
        origin: 'config',
        kind: env.kind,
        account: env.account,
        region: env.region,
        ...(env.endpoint ? { endpoint: env.endpoint } : {}),
        stack: env.names.stack,
        status: !read.stacks ? 'UNKNOWN' : (stack?.StackStatus ?? 'NOT_DEPLOYED'),
        ...(read.note ? { note: read.note } : {}),
        ...(created ? { createdAt: created, ageSeconds: age(created, now) } : {}),
      });
    }
  }
  for (const p of dedupe(reads.flatMap((r) => r.previews ?? []))) {
    // A configured environment's stack is that environment, whatever its tags say (sweep's rule, one function):
    // its config row says so, and it is never listed as a preview sweep would delete.
    const owner = configuredOwner(p, loaded.environments);
    if (!owner) {
      rows.push(previewRow(p, loaded.environments, now));
      continue;
    }
    const i = rows.findIndex((r) => r.origin === 'config' && r.name === owner.name);
    const note = `its stack is tagged as preview ${quote(p.name)}; it is environment '${owner.name}' of tapctl.config.yaml: env sweep never deletes it`;
    if (i >= 0 && rows[i]!.stack === p.stackName) rows[i] = { ...rows[i]!, note: rows[i]!.note ? `${rows[i]!.note}; ${note}` : note };
    else ctx.io.warn(`not listing ${p.stackName} as a preview: ${note.replace('its stack is', 'it is')}`);
  }
  return {
    project,
    environments: rows,
    accounts: targets.map((t, i) => ({ account: t.account, region: t.region, ...(t.via.endpoint ? { endpoint: t.via.endpoint } : {}), checked: Boolean(reads[i].stacks), ...(reads[i].note ? { note: reads[i].note } : {}) })),
  };
}

interface TargetRead {
  readonly stacks?: Map<string, import('@aws-sdk/client-cloudformation').Stack>;
  readonly previews?: PreviewStack[];
  readonly note?: string;
  readonly error?: Error;
}

async function readTarget(ctx: CommandContext, target: PreviewTarget, project: string): Promise<TargetRead> {
  const clients = clientsFor(target, ctx.globals.profile);
  try {
    const identity = await callerIdentity(clients);
    if (identity.account !== target.account) return { note: `not checked: the credentials are for account ${identity.account}` };
    const stacks = await listStacks(clients);
    return { stacks: new Map(stacks.map((s) => [s.StackName ?? '', s])), previews: previewsIn(stacks, project, target) };
  } catch (e) {
    return { note: `not checked: ${(e as Error).message}`, error: e as Error };
  }
}

function previewRow(p: PreviewStack, configured: Parameters<typeof derivePreview>[1], now: number): EnvironmentRow {
  const r = p.record;
  const derived = derivePreview(p, configured);
  const createdAt = r?.createdAt ?? p.stackCreatedAt;
  // The same verdicts as sweep's: an unreadable expiry is expired, and a preview tapctl can derive is deleted by
  // destroy's flow; one it cannot derive is not (sweep lists it as failed, with the delete-stack command).
  const note = !derived.ok ? `tapctl cannot use it: ${derived.problem}${!r ? '; env sweep cannot delete it either' : ''}` : !r ? `its tags cannot be read (${p.problem}): taken as expired, env sweep deletes it` : undefined;
  return {
    name: p.name,
    origin: 'preview',
    kind: 'development',
    account: p.account,
    region: p.region,
    stack: p.stackName,
    status: p.status,
    ...(note ? { note } : {}),
    ...(createdAt ? { createdAt, ageSeconds: age(createdAt, now) } : {}),
    ...(r ? { source: r.source, creator: r.creator, expiresAt: r.expiresAt, expired: Date.parse(r.expiresAt) <= now } : { ...(p.source ? { source: p.source } : {}), expired: true }),
    ...(r?.branch ? { branch: r.branch } : {}),
    ...(r?.ciActor ? { ciActor: r.ciActor } : {}),
    ...(r?.image ? { image: r.image } : {}),
  };
}

const age = (iso: string, now: number) => Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
