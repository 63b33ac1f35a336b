#!/usr/bin/env node
// `npm run example`: the main job on a built-in example, on a fresh machine with no AWS account:
// scaffold a project into a scratch folder, validate it, and run the full deploy preflight and plan as a dry run
// (the AWS checks are skipped without credentials; nothing is deployed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/tapctl.cjs', import.meta.url));
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'tapctl-example-'));
const steps = [
  ['init', '--dir', dir, '--project', 'shop', '--account', '123456789012', '--email', 'ops@shop.test', '--yes'],
  ['validate', '--dir', dir],
  ['synth', '--dir', dir, '--env', 'dev'],
  ['deploy', '--dir', dir, '--env', 'dev', '--dry-run'],
];
// Without credentials on purpose: the example must never touch a real account.
const env = { ...process.env, AWS_PROFILE: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_EC2_METADATA_DISABLED: 'true' };
for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[k];

for (const args of steps) {
  console.error(`\n$ tapctl ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\nexample stopped: tapctl ${args[0]} exited ${r.status}`);
    process.exit(r.status ?? 1);
  }
}
console.error(`\nThe example project is in ${dir}`);
