/**
 * What a change does, resource by resource, from toolkit-lib's template diff (enriched with the change set's
 * replacement verdicts when one was created). Counts adds, modifications, replacements and removals, and marks
 * every replacement or removal of a stateful resource: those lose data.
 */
import type { CommandContext } from '../cli/context.js';
import { statefulResourceTypes } from '../infra/stateful.js';

/** The part of @aws-cdk/cloudformation-diff's ResourceDifference this module reads. */
interface ResourceDifferenceLike {
  readonly changeImpact: string;
  readonly oldResourceType?: string;
  readonly newResourceType?: string;
}

/** The part of @aws-cdk/cloudformation-diff's TemplateDiff this module reads. */
export interface TemplateDiffLike {
  readonly resources: { readonly logicalIds: string[]; get(logicalId: string): ResourceDifferenceLike };
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
  let broadening = false;
  let anyPermission = false;
  for (const diff of Object.values(diffs)) {
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
  };
}

export function hasChanges(s: ChangeSummary): boolean {
  return s.changes.length > 0;
}

/** "3 to add, 1 to change, 0 to replace, 0 to remove" */
export function countsLine(s: ChangeSummary): string {
  return `${s.adds} to add, ${s.modifications} to change, ${s.replacements} to replace, ${s.removals} to remove`;
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
  io.event({ type: 'changes', stack: stackName, adds: s.adds, modifications: s.modifications, replacements: s.replacements, removals: s.removals, permissionChange: s.permissionChange, resources: s.changes });
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
