/**
 * What a change does, resource by resource, from toolkit-lib's template diff (enriched with the change set's
 * replacement verdicts when one was created). Counts adds, modifications, replacements and removals, and marks
 * every replacement or removal of a stateful resource: those lose data.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CommandContext } from '../cli/context.js';
import { statefulResourceTypes } from '../infra/stateful.js';

/** The part of @aws-cdk/cloudformation-diff's ResourceDifference this module reads. */
interface ResourceDifferenceLike {
  readonly changeImpact: string;
  readonly oldResourceType?: string;
  readonly newResourceType?: string;
}

/** A DifferenceCollection: `differenceCount` counts the entries that differ. */
interface DifferencesLike {
  readonly differenceCount: number;
  readonly logicalIds?: string[];
}

/** The part of @aws-cdk/cloudformation-diff's TemplateDiff this module reads. */
export interface TemplateDiffLike {
  readonly resources: {
    readonly logicalIds: string[];
    get(logicalId: string): ResourceDifferenceLike;
  };
  readonly outputs?: DifferencesLike;
  readonly parameters?: DifferencesLike;
  readonly conditions?: DifferencesLike;
  readonly mappings?: DifferencesLike;
  readonly permissionsBroadened?: boolean;
  readonly permissionsAnyChanges?: boolean;
}

export type ChangeKind = 'add' | 'modify' | 'replace' | 'remove' | 'orphan' | 'import';

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** True for a conditional replacement (CloudFormation decides at deploy time). */
  readonly conditional?: boolean;
  /** A replacement or removal of a resource that holds data or identity. */
  readonly destroysData: boolean;
}

export interface ChangeSummary {
  readonly adds: number;
  readonly modifications: number;
  readonly replacements: number;
  /** Removals, including resources removed from the stack but retained in the account. */
  readonly removals: number;
  readonly changes: readonly ResourceChange[];
  /** The subset of `changes` that would lose data. */
  readonly destructive: readonly ResourceChange[];
  /** IAM or security-group changes: none, non-broadening, broadening. */
  readonly permissionChange: 'none' | 'non-broadening' | 'broadening';
  /** Resources the templates show changing that the change set did not itemize (withTemplateDifferences). */
  readonly unitemized: readonly { readonly logicalId: string; readonly type: string }[];
  /** Differences outside the resources: outputs, parameters, conditions, mappings (by section). */
  readonly otherDifferences: Readonly<Record<string, number>>;
  /**
   * True when CloudFormation said the change set changes the stack yet itemized no resource change: the counts
   * are then not the change, and are never shown as "0 changes".
   */
  readonly incomplete?: boolean;
}

const KIND_BY_IMPACT: Readonly<Record<string, { kind: ChangeKind; conditional?: boolean } | undefined>> = {
  WILL_CREATE: { kind: 'add' },
  WILL_UPDATE: { kind: 'modify' },
  WILL_REPLACE: { kind: 'replace' },
  MAY_REPLACE: { kind: 'replace', conditional: true },
  WILL_DESTROY: { kind: 'remove' },
  WILL_ORPHAN: { kind: 'orphan' },
  WILL_IMPORT: { kind: 'import' },
};

/** Summarizes the diffs toolkit-lib returns (one per stack, nested stacks included). */
export function summarizeChanges(diffs: Readonly<Record<string, TemplateDiffLike>>): ChangeSummary {
  const stateful = new Set(statefulResourceTypes());
  const changes: ResourceChange[] = [];
  const otherDifferences: Record<string, number> = {};
  let broadening = false;
  let anyPermission = false;
  for (const diff of Object.values(diffs)) {
    for (const section of ['outputs', 'parameters', 'conditions', 'mappings'] as const) {
      const n = diff[section]?.differenceCount ?? 0;
      if (n > 0) otherDifferences[section] = (otherDifferences[section] ?? 0) + n;
    }

    broadening ||= Boolean(diff.permissionsBroadened);
    anyPermission ||= Boolean(diff.permissionsAnyChanges);
    for (const logicalId of diff.resources.logicalIds) {
      const d = diff.resources.get(logicalId);
      const mapped = KIND_BY_IMPACT[d.changeImpact];
      if (!mapped) continue;
      // (`resourceType` throws when the type changed; old and new types never do.)
      const types = [d.oldResourceType, d.newResourceType].filter((t): t is string => Boolean(t));
      const type = d.newResourceType ?? d.oldResourceType ?? 'unknown';
      const destroysData = (mapped.kind === 'replace' || mapped.kind === 'remove') && types.some((t) => stateful.has(t));
      changes.push({ logicalId, type, kind: mapped.kind, ...(mapped.conditional ? { conditional: true } : {}), destroysData });
    }
  }
  const count = (...kinds: ChangeKind[]) => changes.filter((c) => kinds.includes(c.kind)).length;
  return {
    adds: count('add', 'import'),
    modifications: count('modify'),
    replacements: count('replace'),
    removals: count('remove', 'orphan'),
    changes,
    destructive: changes.filter((c) => c.destroysData),
    permissionChange: broadening ? 'broadening' : anyPermission ? 'non-broadening' : 'none',
    unitemized: [],
    otherDifferences,
  };
}

/** The part of a CloudFormation template compared here. */
export interface TemplateLike {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
  readonly [section: string]: unknown;
}

/**
 * What the two templates themselves show beyond the change set's itemized changes: resources added, removed or
 * with different Properties that the change set does not itemize, and differing outputs, parameters, conditions and
 * mappings. toolkit-lib's diff drops a property difference CloudFormation resolves at deploy time (a Ref, an Fn::)
 * when the change set has no detail for it, so a change set without per-resource details would otherwise read as
 * "0 changes". Properties only: a resource's Metadata (CDK's asset paths) changes with every synth and changes
 * nothing; CDK's own AWS::CDK::Metadata resource is left out, as toolkit-lib's diff does.
 */
export function withTemplateDifferences(s: ChangeSummary, before: TemplateLike, after: TemplateLike): ChangeSummary {
  const itemized = new Set(s.changes.map((c) => c.logicalId));
  const unitemized: { logicalId: string; type: string }[] = [];
  const old = before.Resources ?? {};
  const now = after.Resources ?? {};
  for (const logicalId of new Set([...Object.keys(old), ...Object.keys(now)])) {
    const type = now[logicalId]?.Type ?? old[logicalId]?.Type ?? 'unknown';
    if (itemized.has(logicalId) || type === 'AWS::CDK::Metadata') continue;
    const differs = !old[logicalId] || !now[logicalId] || !isDeepStrictEqual(old[logicalId].Properties ?? {}, now[logicalId].Properties ?? {});
    if (differs) unitemized.push({ logicalId, type });
  }
  const otherDifferences: Record<string, number> = {};
  for (const section of ['Outputs', 'Parameters', 'Conditions', 'Mappings']) {
    const a = (before[section] ?? {}) as Record<string, unknown>;
    const b = (after[section] ?? {}) as Record<string, unknown>;
    const n = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !isDeepStrictEqual(a[k], b[k])).length;
    if (n > 0) otherDifferences[section.toLowerCase()] = n;
  }
  return { ...s, unitemized, otherDifferences };
}

/** CloudFormation said the change set changes the stack: with no itemized resource change, the summary is incomplete. */
export function markChangeSetHasChanges(s: ChangeSummary): ChangeSummary {
  return s.changes.length > 0 ? s : { ...s, incomplete: true };
}

/** Anything differs: an itemized change, a resource only the templates show differing, an output, or CloudFormation's word. */
export function hasChanges(s: ChangeSummary): boolean {
  return s.changes.length > 0 || (s.unitemized?.length ?? 0) > 0 || Object.keys(s.otherDifferences ?? {}).length > 0 || Boolean(s.incomplete);
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const SECTION_NOUN: Readonly<Record<string, string>> = { outputs: 'output', parameters: 'parameter', conditions: 'condition', mappings: 'mapping' };


/** What the template diff knows beyond the itemized changes: "1 resource (Service) and 2 outputs", or undefined. */
function templateKnows(s: ChangeSummary): string | undefined {
  const parts: string[] = [];
  const unitemized = s.unitemized ?? [];
  if (unitemized.length) parts.push(`${plural(unitemized.length, 'resource')} (${unitemized.map((u) => u.logicalId).join(', ')})`);
  for (const [section, n] of Object.entries(s.otherDifferences ?? {})) parts.push(plural(n, SECTION_NOUN[section] ?? section));
  return parts.length ? parts.join(' and ') : undefined;
}

/**
 * "3 to add, 1 to change, 0 to replace, 0 to remove"; when nothing is itemized but something differs, what is known
 * instead, never "0 to add, 0 to change ..." for a change that is not nothing.
 */
export function countsLine(s: ChangeSummary): string {
  const counts = `${s.adds} to add, ${s.modifications} to change, ${s.replacements} to replace, ${s.removals} to remove`;
  const known = templateKnows(s);
  if (s.changes.length > 0) return known ? `${counts}; the template also differs in ${known}, not itemized by CloudFormation` : counts;
  if (known) return `no resource change itemized by CloudFormation, but the template differs in ${known}`;
  if (s.incomplete) return 'CloudFormation reports changes but itemized none: this summary is incomplete (the change set in the CloudFormation console lists what it holds)';
  return counts;
}

/** "5 resource changes", or what is known when CloudFormation itemized none: for the approval question. */
export function changeCountPhrase(s: ChangeSummary): string {
  if (s.changes.length > 0) return plural(s.changes.length, 'resource change');
  const known = templateKnows(s);
  return known ? `a change CloudFormation did not itemize (the template differs in ${known})` : 'a change CloudFormation did not itemize';
}

const MARK: Readonly<Record<ChangeKind, string>> = { add: '+', modify: '~', replace: '±', remove: '-', orphan: '-', import: '←' };
const VERB: Readonly<Record<ChangeKind, string>> = {
  add: 'add',
  modify: 'change',
  replace: 'REPLACE',
  remove: 'REMOVE',
  orphan: 'remove from stack (kept in the account)',
  import: 'import',
};

/** More additions than this are shown as counts per service (a first deploy adds everything). */
const LISTED_ADDS = 12;

/** One line per changed resource, destructive ones first and flagged; many additions as counts per service. */
export function changeLines(s: ChangeSummary, style: { bad: (x: string) => string; warn: (x: string) => string; dim: (x: string) => string }): string[] {
  const order: ChangeKind[] = ['remove', 'replace', 'orphan', 'modify', 'add', 'import'];
  const collapseAdds = s.changes.filter((c) => c.kind === 'add').length > LISTED_ADDS;
  const listed = s.changes.filter((c) => !(collapseAdds && c.kind === 'add'));
  const sorted = [...listed].sort((a, b) => Number(b.destroysData) - Number(a.destroysData) || order.indexOf(a.kind) - order.indexOf(b.kind));
  const lines = sorted.map((c) => {
    const verb = `${VERB[c.kind]}${c.conditional ? ' (may replace)' : ''}`;
    const text = `${MARK[c.kind]} ${c.logicalId}  ${style.dim(c.type)}  ${verb}`;
    if (c.destroysData) return style.bad(`${text}  <- STATEFUL: its data is lost`);
    return c.kind === 'replace' || c.kind === 'remove' ? style.warn(text) : text;
  });
  for (const u of s.unitemized ?? []) lines.push(style.warn(`? ${u.logicalId}  ${style.dim(u.type)}  template differs; CloudFormation itemized no change (a value it resolves at deploy time)`));
  if (collapseAdds) {
    const byService: Record<string, number> = {};
    for (const c of s.changes.filter((x) => x.kind === 'add')) {
      const service = c.type.startsWith('AWS::') ? c.type.split('::')[1] : c.type.split('::')[0];
      byService[service] = (byService[service] ?? 0) + 1;
    }
    const counts = Object.entries(byService).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`+ ${s.adds} new resources: ${counts}`);
  }
  return lines;
}

/**
 * Shows the change: counts, one line per resource, and a loud warning per data-losing change. With --json, one
 * `changes` event instead.
 */
export function reportChanges(ctx: CommandContext, stackName: string, s: ChangeSummary): void {
  const { io } = ctx;
  io.event({
    type: 'changes',
    stack: stackName,
    adds: s.adds,
    modifications: s.modifications,
    replacements: s.replacements,
    removals: s.removals,
    permissionChange: s.permissionChange,
    resources: s.changes,
    unitemized: s.unitemized ?? [],
    otherDifferences: s.otherDifferences ?? {},
    ...(s.incomplete ? { incomplete: true } : {}),
  });
  if (io.json) {
    for (const c of s.destructive) io.warn(`${c.logicalId} (${c.type}) would be ${c.kind === 'replace' ? 'replaced' : 'removed'}: its data is lost`);
    return;
  }
  io.section(`Changes to ${stackName}: ${countsLine(s)}`);
  for (const line of changeLines(s, io.style)) io.line(`  ${line}`);
  if (s.permissionChange !== 'none') io.line(`  ${io.style.warn(`IAM / security-group changes: ${s.permissionChange}`)}`);
  for (const c of s.destructive) {
    io.warn(io.style.bad(`${c.logicalId} (${c.type}) would be ${c.kind === 'replace' ? (c.conditional ? 'possibly replaced' : 'replaced') : 'removed'}: its data is lost`));
  }
}
