/**
 * Finding a project's previews in AWS. A preview lives where its source environment does, so tapctl looks in
 * the accounts and regions of the configured non-production environments (usually one), each once, and keeps
 * only stacks whose tags mark them as this project's previews AND whose ARN places them in that account and
 * region (a listing made with credentials for another account shows that account's stacks).
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { AwsClients, targetFor } from '../aws/clients.js';
import { listStacks, stackHome } from '../aws/stack-list.js';
import type { LoadedConfig } from '../config/load.js';
import type { ResolvedEnvironment } from '../config/resolve.js';
import { previewEnvironment } from './derive.js';
import type { PreviewRecord } from './record.js';
import { isPreviewOf, readPreviewTags } from './tags.js';

/** One account and region to look in, with how to reach it (the first configured environment there). */
export interface PreviewTarget {
  readonly account: string;
  readonly region: string;
  /** The environment whose endpoint and profile the clients use. */
  readonly via: ResolvedEnvironment;
  /** Every configured environment in this account and region. */
  readonly environments: readonly string[];
}

/** Where `environments` live, each account, region and endpoint once, in the config's order. */
export function targetsOf(environments: readonly ResolvedEnvironment[]): PreviewTarget[] {
  const byKey = new Map<string, { account: string; region: string; via: ResolvedEnvironment; environments: string[] }>();
  for (const env of environments) {
    const key = `${env.account}/${env.region}/${env.endpoint ?? ''}`;
    const t = byKey.get(key);
    if (t) t.environments.push(env.name);
    else byKey.set(key, { account: env.account, region: env.region, via: env, environments: [env.name] });
  }
  return [...byKey.values()];
}

/** Where previews can be: the non-production environments' accounts and regions. */
export function previewTargets(loaded: Pick<LoadedConfig, 'environments'>): PreviewTarget[] {
  return targetsOf(loaded.environments.filter((e) => e.kind !== 'production'));
}

export function clientsFor(target: PreviewTarget, profileFlag: string | undefined): AwsClients {
  return new AwsClients(targetFor(target.via, profileFlag));
}

/** A stack that is one of this project's previews, as found. */
export interface PreviewStack {
  readonly name: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
  readonly status: string;
  readonly stackCreatedAt?: string;
  /** The record its tags hold; undefined when they cannot be read (`problem` says why). */
  readonly record?: PreviewRecord;
  readonly problem?: string;
  /** Its source environment when the record is unreadable but that tag is not (only a time is unreadable). */
  readonly source?: string;
  /** The raw stack, for the checks that need more (termination protection, tags). */
  readonly stack: Stack;
}

/** This project's previews among `stacks` (one target's listing). */
export function previewsIn(stacks: readonly Stack[], project: string, target: Pick<PreviewTarget, 'account' | 'region'>): PreviewStack[] {
  const out: PreviewStack[] = [];
  for (const stack of stacks) {
    if (!isPreviewOf(stack.Tags, project)) continue;
    const home = stackHome(stack.StackId);
    if (!home || home.account !== target.account || home.region !== target.region) continue;
    const parsed = readPreviewTags(stack.Tags);
    out.push({
      name: parsed.ok ? parsed.record.name : parsed.name,
      stackName: stack.StackName ?? '',
      stackId: stack.StackId ?? '',
      ...home,
      status: stack.StackStatus ?? 'UNKNOWN',
      ...(stack.CreationTime ? { stackCreatedAt: new Date(stack.CreationTime).toISOString() } : {}),
      ...(parsed.ok ? { record: parsed.record } : { problem: parsed.problem, ...(parsed.source ? { source: parsed.source } : {}) }),
      stack,
    });
  }
  return out;
}

/** The previews of `project` in one target. */
export async function listPreviews(clients: AwsClients, project: string, target: PreviewTarget): Promise<PreviewStack[]> {
  return previewsIn(await listStacks(clients), project, target);
}

/** Drops a stack seen twice (two targets naming the same account and region through different endpoints). */
export function dedupe(previews: readonly PreviewStack[]): PreviewStack[] {
  const seen = new Set<string>();
  return previews.filter((p) => !seen.has(p.stackId) && Boolean(seen.add(p.stackId)));
}

export type Derived = { readonly ok: true; readonly env: ResolvedEnvironment } | { readonly ok: false; readonly problem: string };

/**
 * A found preview's environment: derive.ts on its source as configured now. Refused (with why) when its tags
 * cannot be read, its source is gone or production, or the stack is not where and what the derivation says
 * (another account or region than its source, another stack name): then tapctl cannot know its settings.
 */
export function derivePreview(found: PreviewStack, configured: readonly ResolvedEnvironment[]): Derived {
  const record = found.record ?? salvagedRecord(found);
  if (!record) return { ok: false, problem: `its tags cannot be read: ${found.problem}` };
  const sourceName = record.source;
  const source = configured.find((e) => e.name === sourceName);
  if (!source) return { ok: false, problem: `its source '${sourceName}' is no environment of tapctl.config.yaml any more` };
  if (source.kind === 'production') return { ok: false, problem: `its source '${sourceName}' is a production environment now` };
  if (source.account !== found.account || source.region !== found.region) {
    return { ok: false, problem: `it is in ${found.account}/${found.region}, but its source '${sourceName}' is configured in ${source.account}/${source.region}` };
  }
  const env = previewEnvironment(source, record);
  if (env.names.stack !== found.stackName) return { ok: false, problem: `its stack is ${found.stackName}, but a preview named '${found.name}' would be ${env.names.stack}` };
  return { ok: true, env };
}

/**
 * The record of a preview whose name and source tags are readable but a time is not (`tapctl:expires=soon-ish`):
 * its settings depend on the name and the source only, so it can still be derived, listed and destroyed. It is
 * taken as expired at its stack's creation (sweep's rule for an unreadable expiry), so a deploy that rewrites its
 * tags writes an expiry sweep acts on, never one tapctl made up for the future.
 */
function salvagedRecord(found: PreviewStack): PreviewRecord | undefined {
  if (!found.source || !found.name) return undefined;
  const createdAt = found.stackCreatedAt ?? new Date(0).toISOString();
  return { name: found.name, source: found.source, creator: 'unknown', createdAt, expiresAt: createdAt };
}

/**
 * The configured environment a found "preview" stack really is (its name or stack name is one of
 * tapctl.config.yaml's), whatever its tags say: env list shows it as that environment and sweep never deletes it.
 */
export function configuredOwner(found: Pick<PreviewStack, 'name' | 'stackName'>, configured: readonly ResolvedEnvironment[]): ResolvedEnvironment | undefined {
  return configured.find((e) => e.name === found.name || e.names.stack === found.stackName);
}
