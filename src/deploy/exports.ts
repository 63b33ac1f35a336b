/**
 * Cross-stack links: a stack's exports that other stacks import (Fn::ImportValue). CloudFormation refuses to
 * change or remove an export while any stack imports it, and says so only when the deploy fails ("Export ...
 * cannot be updated as it is in use by ..."). So before a deploy that changes or removes an export, and before a
 * destroy (which removes them all), the importers are asked for (ListImports, one call per export that changes)
 * and the operation is refused (exit 3) naming them.
 *
 * What changes is decided on the templates: an export the next template no longer has is removed; one whose
 * value resolves to another literal, or whose value expression differs from the deployed template's, is
 * changed (changing an environment's kind renames the API stage, and so its URL). A value that changes only
 * because CloudFormation replaces the resource it names shows in the change set: `exportsOfReplaced` finds
 * those, and deploy asks about them before it approves the change set.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients.js';
import { importingStacks } from '../aws/imports.js';
import type { Template } from '../aws/stack-details.js';
import { RefusedError, isTapctlError } from '../cli/errors.js';
import { literalName, type CfnTemplate } from '../synth/physical-names.js';

export interface ExportChange {
  readonly name: string;
  /** The output that exports it in the deployed stack. */
  readonly outputKey: string;
  readonly change: 'changed' | 'removed';
}

export interface ExportImporters extends ExportChange {
  readonly importedBy: readonly string[];
}

type Outputs = Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;

/** The exports of the deployed stack that the next template changes or removes. */
export function exportChanges(stack: Stack, deployed: Template | undefined, next: CfnTemplate, where: { account: string; region: string; stackName: string }): ExportChange[] {
  const nextOutputs = (next.Outputs ?? {}) as Outputs;
  const byName = new Map<string, { key: string; value: unknown }>();
  for (const [key, o] of Object.entries(nextOutputs)) {
    const name = literalName(o.Export?.Name, where);
    if (name) byName.set(name, { key, value: o.Value });
  }
  const deployedOutputs = (deployed?.Outputs ?? {}) as Outputs;
  const out: ExportChange[] = [];
  for (const o of stack.Outputs ?? []) {
    if (!o.ExportName) continue;
    const outputKey = o.OutputKey ?? '';
    const now = byName.get(o.ExportName);
    if (!now) {
      out.push({ name: o.ExportName, outputKey, change: 'removed' });
      continue;
    }
    const literal = literalName(now.value, where);
    const before = deployedOutputs[outputKey]?.Value;
    const changed = literal !== undefined ? literal !== o.OutputValue : before !== undefined && JSON.stringify(before) !== JSON.stringify(now.value);
    if (changed) out.push({ name: o.ExportName, outputKey, change: 'changed' });
  }
  return out;
}

/** Whether a template value refers to one of `ids` (Ref or Fn::GetAtt, at any depth). */
function refersTo(value: unknown, ids: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, ids));
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string' && ids.has(v.Ref)) return true;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && ids.has(getAtt[0])) return true;
  if (typeof getAtt === 'string' && ids.has(getAtt.split('.')[0])) return true;
  return Object.values(v).some((x) => refersTo(x, ids));
}

/** The exports whose value names a resource the change set replaces: a new resource, a new value. */
export function exportsOfReplaced(next: CfnTemplate, replaced: readonly string[], where: { account: string; region: string; stackName: string }): ExportChange[] {
  const ids = new Set(replaced);
  if (ids.size === 0) return [];
  return Object.entries((next.Outputs ?? {}) as Outputs).flatMap(([key, o]) => {
    const name = literalName(o.Export?.Name, where);
    return name && refersTo(o.Value, ids) ? [{ name, outputKey: key, change: 'changed' as const }] : [];
  });
}

/** Every export of the deployed stack, as a destroy removes them. */
export function allExports(stack: Stack): ExportChange[] {
  return (stack.Outputs ?? []).filter((o) => o.ExportName).map((o) => ({ name: o.ExportName as string, outputKey: o.OutputKey ?? '', change: 'removed' as const }));
}

export interface ImportersRead {
  readonly imported: readonly ExportImporters[];
  /** Exports whose importers could not be read, with why (the first reason). */
  readonly unchecked: readonly string[];
  readonly reason?: string;
}

/** ListImports for each export, one at a time (a stack has at most 200 outputs). */
export async function importersOf(clients: AwsClients, changes: readonly ExportChange[]): Promise<ImportersRead> {
  const imported: ExportImporters[] = [];
  const unchecked: string[] = [];
  let reason: string | undefined;
  for (const c of changes) {
    try {
      const importedBy = await importingStacks(clients, c.name);
      if (importedBy.length > 0) imported.push({ ...c, importedBy });
    } catch (e) {
      if (!isTapctlError(e)) throw e;
      unchecked.push(c.name);
      reason ??= e.message;
    }
  }
  return { imported, unchecked, ...(reason ? { reason } : {}) };
}

/** The refusal naming each imported export and who imports it. */
export function importedExportsRefusal(envName: string, stackName: string, imported: readonly ExportImporters[], operation: 'deploy' | 'destroy'): RefusedError {
  const list = imported.map((i) => `${i.name} (${i.change}; imported by ${i.importedBy.join(', ')})`).join('; ');
  const stacks = [...new Set(imported.flatMap((i) => i.importedBy))];
  return new RefusedError(`refusing to ${operation} '${envName}': ${operation === 'deploy' ? 'it changes or removes' : 'it removes'} exports of ${stackName} that other stacks import: ${list}`, {
    hint: `CloudFormation would fail with "Export ... cannot be updated as it is in use": make ${stacks.join(', ')} stop importing ${imported.length === 1 ? 'it' : 'them'} (remove the Fn::ImportValue) and deploy ${stacks.length === 1 ? 'it' : 'them'} first${operation === 'deploy' ? ', or undo the config change that changes the export' : ''}`,
    details: { exports: imported },
  });
}

export interface ExportCheck {
  readonly status: 'pass' | 'warn';
  readonly detail: string;
}

/** The preflight line for the exports a deploy changes; throws the refusal when a stack imports one. */
export async function checkExports(clients: AwsClients, envName: string, stack: Stack, deployed: Template | undefined, next: CfnTemplate, where: { account: string; region: string; stackName: string }): Promise<ExportCheck> {
  const changes = exportChanges(stack, deployed, next, where);
  const count = (stack.Outputs ?? []).filter((o) => o.ExportName).length;
  if (changes.length === 0) return { status: 'pass', detail: `${count} exports, none changed or removed` };
  const read = await importersOf(clients, changes);
  if (read.imported.length > 0) throw importedExportsRefusal(envName, where.stackName, read.imported, 'deploy');
  const names = changes.map((c) => `${c.name} (${c.change})`).join(', ');
  if (read.unchecked.length > 0) {
    return {
      status: 'warn',
      detail: `${names}: who imports ${read.unchecked.join(', ')} could not be read (${read.reason}); if a stack imports one, CloudFormation fails the deploy with "Export ... cannot be updated as it is in use"`,
    };
  }
  return { status: 'pass', detail: `${names}: no stack imports ${changes.length === 1 ? 'it' : 'them'}` };
}
