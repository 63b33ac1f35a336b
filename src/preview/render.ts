/**
 * How env create, list and sweep read in a terminal. Loaded with the flows (run.ts), not at every start.
 */
import type { Styles } from '../cli/io-host.js';
import type { EnvCreateResult } from './create-flow.js';
import type { EnvListResult } from './list-flow.js';
import type { SweepItem, SweepResult } from './sweep-flow.js';
import { formatDuration, formatRemaining } from './ttl.js';

export function renderCreate(r: EnvCreateResult, s: Styles): string {
  const lines = [s.good(`✔ preview '${r.name}' ${r.status} from '${r.source}' (${r.stack}, ${r.account}/${r.region})`)];
  const rows: Array<[string, string]> = [
    ['expires', `${r.preview.expiresAt} (in ${formatRemaining(r.preview.expiresAt, Date.now())})`],
    ['branch', r.preview.branch ?? s.dim('none recorded: swept by its expiry only')],
    ['image', r.image.source === 'none' ? s.dim('none (no container service)') : `${r.image.reference ?? ''}${r.image.source === 'built' ? s.dim('  built from the working tree') : ''}`],
    ['deploy', r.deployStatus],
  ];
  for (const [k, v] of rows) lines.push(`  ${s.dim(k.padEnd(8))} ${v}`);
  lines.push('', r.url ? `${s.bold('URL')}  ${r.url}` : s.dim(r.deployStatus === 'started' ? 'no URL yet: the deploy is still running' : 'no site URL for this preset; tapctl status --env ' + r.name + ' --outputs lists the outputs'));
  lines.push('', ...r.next.map((n) => `next: ${s.code(n)}`));
  return lines.join('\n');
}

export function renderList(r: EnvListResult, s: Styles): string {
  const now = Date.now();
  const head = ['NAME', 'ORIGIN', 'KIND', 'ACCOUNT/REGION', 'STATUS', 'AGE', 'EXPIRES'];
  const cells = r.environments.map((e) => [
    e.name,
    e.origin === 'preview' ? `preview of ${e.source ?? '?'}` : 'config',
    e.kind,
    `${e.account}/${e.region}${e.endpoint ? ` @${hostOf(e.endpoint)}` : ''}`,
    e.status,
    e.ageSeconds === undefined ? '' : formatDuration(e.ageSeconds * 1000),
    e.expiresAt ? formatRemaining(e.expiresAt, now) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const row = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const lines = [s.bold(`Environments of '${r.project}'`), `  ${s.dim(row(head))}`];
  r.environments.forEach((e, i) => {
    const text = row(cells[i]);
    lines.push(`  ${e.expired ? s.warn(text) : e.status.endsWith('_FAILED') ? s.bad(text) : text}`);
    const extra = [e.branch ? `branch ${e.branch}` : '', e.ciActor ?? (e.creator ? e.creator.slice(e.creator.lastIndexOf('/') + 1) : ''), e.note ?? ''].filter(Boolean);
    // A configured environment's "not checked" note is its account's, said once below the table; any other is its own.
    if (e.origin === 'preview') lines.push(`    ${s.dim(extra.join(' · '))}`);
    else if (e.note && !e.note.startsWith('not checked')) lines.push(`    ${s.dim(e.note)}`);
  });
  for (const a of r.accounts.filter((x) => !x.checked)) lines.push(`  ${s.warn('!')} ${a.account}/${a.region}${a.endpoint ? ` @${hostOf(a.endpoint)}` : ''}: ${a.note ?? 'not checked'}`);
  return lines.join('\n');
}

export function renderSweep(r: SweepResult, s: Styles): string {
  const lines: string[] = [];
  const section = (title: string, items: readonly SweepItem[], mark: string, paint: (x: string) => string) => {
    if (items.length === 0) return;
    lines.push(s.bold(`${title} (${items.length})`));
    for (const i of items) {
      lines.push(`  ${paint(mark)} ${i.name}  ${s.dim(`${i.stack} · ${i.detail}`)}`);
      if (i.error) lines.push(`      ${s.bad(i.error.message)}${i.error.hint ? s.dim(`  (${i.error.hint})`) : ''}`);
      if (i.ledgerEnded) lines.push(`      ${s.dim(`release ledger ${i.ledgerEnded} marked ended`)}`);
      for (const k of i.retained ?? []) lines.push(`      ${s.warn('kept')} ${k.physicalId ?? k.logicalId}  ${s.dim(`${k.type}, ${k.policy}`)}`);
    }
  };
  section(r.dryRun ? 'Would delete' : 'Deleted', r.deleted, r.dryRun ? '-' : '✔', r.dryRun ? s.warn : s.good);
  section('Not deleted (the next run tries again)', r.failed, '✖', s.bad);
  section('Refused (not touched)', r.refused, '!', s.bad);
  section('Busy (looked at next run)', r.inProgress, '…', s.dim);
  section('Kept', r.kept, '·', s.dim);
  for (const a of r.accounts.filter((x) => !x.checked)) lines.push(`${s.warn('!')} ${a.account}/${a.region}: ${a.note ?? 'not swept'}`);
  if (lines.length === 0) lines.push(s.good('✔ no previews: nothing to sweep'));
  else if (!r.dryRun && r.deleted.length === 0 && r.failed.length === 0) lines.unshift(s.good('✔ nothing due: no preview deleted'));
  return lines.join('\n');
}

/** `http://localhost:4566` -> `localhost:4566`: enough to tell an emulated account from the real one. */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}
