// The AWS API calls of a no-change deploy and of a dry run, counted at the SDK mocks by
// test/deploy/api-calls.test.ts (toolkit-lib and tapctl run for real against them). Called by scripts/bench.js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function benchDeploy() {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/deploy/api-calls.test.ts', '--reporter=verbose'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const counts = (label) => {
    const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.startsWith(`${label}:`));
    return line ? JSON.parse(line.slice(label.length + 1)) : undefined;
  };
  const rows = [];
  for (const [label, name] of [
    ['no-change deploy', 'deploy, no changes: AWS API calls'],
    ['no-change deploy of a release', 'deploy of the ledger\'s current release, no changes: AWS API calls'],
    ['dry run', 'deploy --dry-run (deployed stack): AWS API calls'],
  ]) {
    const c = counts(label);
    if (!c) {
      rows.push({ name, ms: 'n/a', unit: '', note: `test/deploy/api-calls.test.ts did not report (exit ${r.status})` });
      continue;
    }
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const changes = Object.keys(c).filter((k) => /ChangeSet|Execute/.test(k));
    rows.push({ name, ms: total, unit: 'calls', note: `${Object.entries(c).map(([k, v]) => `${k}×${v}`).join(', ')}${label.startsWith('no-change deploy') ? (changes.length ? ' — CHANGE SET TOUCHED' : ' — no change set created or executed') : ''}` });
  }
  return { rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of (await benchDeploy()).rows) console.log(`${row.name}: ${row.ms} ${row.unit}  ${row.note}`);
}
