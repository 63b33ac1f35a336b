#!/usr/bin/env node
// `npm run bench`: medians of the commands whose speed users feel, against their targets on a 2-core machine.
// A benchmark, not a test: it reports and never fails the build. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'tapctl.js');
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const CONFIG = `project: shop
preset: ecommerce
defaults:
  alarms: { email: ops@shop.test }
environments:
  dev:     { account: "111111111111", region: us-east-1, network: { natGateways: 1 } }
  staging: { account: "111111111111", region: us-west-2 }
  prod:    { account: "222222222222", region: us-east-1 }
`;

const dir = mkdtempSync(join(tmpdir(), 'tapctl-bench-'));
writeFileSync(join(dir, 'tapctl.config.yaml'), CONFIG);
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' };

function time(args, { runs, warmup = 1 }) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= warmup) samples.push(ms);
  }
  return median(samples);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
const row = (name, ms, targetMs, note = '') => rows.push({ name, ms, targetMs, note });

try {
  const baseline = time(['-e', '0'], { runs: 15 });
  row('node -e 0 (baseline)', baseline);
  row('tapctl --help', time([bin, '--help'], { runs: 15 }), 250);
  row('tapctl validate (3 environments)', time([bin, 'validate'], { runs: 15 }), 350);
  row('tapctl synth --env dev (cold)', time([bin, 'synth', '--env', 'dev', '--no-cache'], { runs: 5 }), 2000, 'in-process, CFN validation off');
  row('tapctl synth --env dev (cached)', time([bin, 'synth', '--env', 'dev'], { runs: 15 }), 400);
  row('tapctl synth --env dev --validate', time([bin, 'synth', '--env', 'dev', '--validate', '--no-cache'], { runs: 3, warmup: 0 }), undefined, 'built-in CloudFormation validation on');

  const extras = [
    ['./bench-status.js', 'benchStatus'],
    ['./bench-deploy.js', 'benchDeploy'],
  ];
  for (const [file, fn] of extras) {
    if (!existsSync(join(root, 'scripts', file))) continue;
    const mod = await import(file);
    const out = await mod[fn]({ runs: 9 });
    if (fn === 'benchStatus') {
      row('tapctl status: start-up to first AWS call', out.startupToFirstCallMs, 250, 'local fake AWS via the environment endpoint');
      row('tapctl status: wall time', out.wallMs, undefined, 'one DescribeStacks, then every section in parallel');
    }
    for (const r of out.rows ?? []) rows.push(r);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`tapctl benchmark — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
for (const r of rows) {
  const value = r.unit ? `${r.ms} ${r.unit}` : `${(r.ms / 1000).toFixed(3)} s`;
  const target = r.targetMs === undefined ? '' : r.unit ? `target ${r.targetMs} ${r.unit}` : `target ≤ ${(r.targetMs / 1000).toFixed(2)} s`;
  const verdict = r.targetMs === undefined ? '' : r.ms <= r.targetMs ? 'ok' : 'OVER';
  console.log(`${r.name.padEnd(width)}  ${value.padStart(10)}  ${target.padEnd(16)} ${verdict.padEnd(4)} ${r.note ?? ''}`);
}
