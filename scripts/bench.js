#!/usr/bin/env node
/**
 * `npm run bench`: the speed goals of tapctl, each as a ratio to its floor measured in the same run.
 *
 * Absolute times on a shared 2-core machine mean little, so every case is compared with a floor that runs
 * interleaved with it (round after round: floor, case, floor, case ...) and the medians are compared. The measure
 * is the CPU time of the child process (user + sys, read by scripts/lib/bench-probe.cjs inside it): on a busy
 * machine it moves far less than wall time. Wall times are printed beside it for reference.
 *
 * Exits 1 when a goal is missed by more than 25 % (the margin a noisy machine needs), 2 when the build is missing.
 * Not part of the unit tests. Options (environment):
 *   RUNS=<n>               rounds of the light cases (default 15; heavy cases run a third as often, at least 3)
 *   TAPCTL_BENCH_BIN=<js>  measure another build's bin/tapctl.cjs (e.g. an older checkout) with the same floors
 *   TAPCTL_BENCH_SEED=<f>  the seed floor app (default ../shared/bench/seed-app/synth.cjs beside the project)
 *   ONLY=<regex>           only the goals whose name matches
 *   BENCH_ENV=clean        measure with PATH and LANG only, instead of this shell's environment (see baseEnv)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAws } from './bench-status.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = resolve(process.env.TAPCTL_BENCH_BIN ?? join(root, 'bin', 'tapctl.cjs'));
const probe = join(root, 'scripts', 'lib', 'bench-probe.cjs');
const seed = resolve(process.env.TAPCTL_BENCH_SEED ?? join(root, '..', 'shared', 'bench', 'seed-app', 'synth.cjs'));
const runs = Number(process.env.RUNS) || 15;
const heavyRuns = Math.max(3, Math.round(runs / 3));
const only = process.env.ONLY ? new RegExp(process.env.ONLY, 'i') : undefined;
if (!existsSync(join(root, 'dist', 'bundle', 'tapctl.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const config = (endpoint) => `project: shop
preset: ecommerce
defaults:
  alarms: { email: ops@shop.test }
environments:
  dev:     { account: "111111111111", region: us-east-1, network: { natGateways: 1 }${endpoint ? `, endpoint: ${endpoint}` : ''} }
  staging: { account: "111111111111", region: us-west-2 }
  prod:    { account: "222222222222", region: us-east-1 }
`;

const work = mkdtempSync(join(tmpdir(), 'tapctl-bench-'));
const home = join(work, 'home');
const probeFile = join(work, 'probe.json');
const fake = await startFakeAws();
const project = join(work, 'project');
mkdirSync(home);
mkdirSync(project);
writeFileSync(join(project, 'tapctl.config.yaml'), config(fake.endpoint));

/**
 * The environment of every measured process, floors and tapctl alike: this shell's, less every AWS_ and TAPCTL_
 * variable, with an empty HOME (no ~/.aws) and no instance metadata lookups. BENCH_ENV=clean keeps only PATH and
 * LANG: the ratios then grow, since a bare `node -e 0` gets cheaper (NODE_EXTRA_CA_CERTS, for one, costs every
 * Node start ~35 ms of CPU on this machine).
 */
const clean = process.env.BENCH_ENV === 'clean';
const inherited = clean
  ? { PATH: process.env.PATH, LANG: process.env.LANG ?? 'C' }
  : Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|TAPCTL_|NODE_OPTIONS$|NO_COLOR$|FORCE_COLOR$)/.test(k)));
const baseEnv = { ...inherited, HOME: home, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' };
const credentials = { ...baseEnv, AWS_ACCESS_KEY_ID: 'AKIAFAKEBENCH', AWS_SECRET_ACCESS_KEY: 'fake-secret' };

/** One measured process: node --require <probe> <args>. Resolves with the probe's report and the wall time. */
function measure(args, { env = baseEnv, cwd = project } = {}) {
  rmSync(probeFile, { force: true });
  const started = performance.now();
  return run(process.execPath, ['--require', probe, ...args], { cwd, env: { ...env, TAPCTL_BENCH_PROBE: probeFile } }).then((r) => {
    const wallMs = performance.now() - started;
    if (!existsSync(probeFile)) throw new Error(`${args.join(' ')}: no probe report (exit ${r.code}): ${r.stderr}`);
    return { ...JSON.parse(readFileSync(probeFile, 'utf8')), wallMs, stderr: r.stderr };
  });
}

function run(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

const tapctl = (...args) => [bin, ...args];
const FLOOR_NODE = { label: 'node -e 0', args: ['-e', '0'] };

/**
 * The goals. `floor` runs interleaved with `subject`; `metric` picks the number compared (CPU ms unless said);
 * `goal` is the highest acceptable ratio.
 */
const goals = [
  { name: 'tapctl --help', subject: { args: tapctl('--help') }, floor: FLOOR_NODE, goal: 1.5 },
  { name: 'tapctl config --env dev', subject: { args: tapctl('config', '--env', 'dev') }, floor: FLOOR_NODE, goal: 1.5 },
  { name: 'tapctl synth --env dev (cached)', subject: { args: tapctl('synth', '--env', 'dev'), warmup: tapctl('synth', '--env', 'dev') }, floor: FLOOR_NODE, goal: 1.5 },
  { name: 'tapctl validate (3 environments)', subject: { args: tapctl('validate') }, floor: FLOOR_NODE, goal: 2 },
  {
    name: 'tapctl status: start to first AWS request',
    subject: { args: tapctl('status', '--env', 'dev'), env: credentials, metric: 'firstRequestCpuMs' },
    floor: FLOOR_NODE,
    goal: 2.5,
    note: 'fake AWS on 127.0.0.1',
  },
  {
    name: 'tapctl status, no credentials: to its exit 2',
    subject: { args: tapctl('status', '--env', 'dev'), expectCode: 2 },
    floor: FLOOR_NODE,
    goal: 2,
  },
  {
    name: 'tapctl synth --env dev (cold)',
    subject: { args: tapctl('synth', '--env', 'dev', '--no-cache') },
    floor: existsSync(seed) ? { label: 'seed synth.cjs', args: [seed], env: { ...baseEnv, NODE_PATH: join(root, 'node_modules'), CDK_VALIDATION: 'false' } } : undefined,
    goal: 1.25,
    heavy: true,
    note: existsSync(seed) ? '' : `no seed floor at ${seed} (TAPCTL_BENCH_SEED)`,
  },
  {
    name: `tapctl synth --all (${ENVIRONMENTS.length} environments, cold)`,
    subject: { args: tapctl('synth', '--all', '--no-cache') },
    floor: { label: 'synth --env dev (cold)', args: tapctl('synth', '--env', 'dev', '--no-cache') },
    goal: 1 + 0.2 * (ENVIRONMENTS.length - 1),
    heavy: true,
  },
  {
    name: `tapctl validate --deep (${ENVIRONMENTS.length} environments)`,
    subject: { args: tapctl('validate', '--deep') },
    floor: { label: 'validate --deep --env dev', args: tapctl('validate', '--deep', '--env', 'dev') },
    goal: 1 + 0.2 * (ENVIRONMENTS.length - 1),
    heavy: true,
    rounds: 3,
  },
].filter((g) => !only || only.test(g.name) || (g.name.includes('(cold)') && only.test('peak memory')));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
let peakRssMiB = [];
try {
  for (const g of goals) {
    if (!g.floor) {
      results.push({ ...g, skipped: g.note });
      continue;
    }
    const rounds = g.rounds ?? (g.heavy ? heavyRuns : runs);
    const floorSamples = [];
    const subjectSamples = [];
    // One unmeasured run of each fills the file cache (and the synth cache where the case wants it warm).
    await measure(g.floor.args, { env: g.floor.env });
    await measure(g.subject.warmup ?? g.subject.args, { env: g.subject.env });
    let failure;
    for (let i = 0; i < rounds && !failure; i++) {
      floorSamples.push(await measure(g.floor.args, { env: g.floor.env }));
      const r = await measure(g.subject.args, { env: g.subject.env });
      if (r.code !== (g.subject.expectCode ?? 0)) failure = `exit ${r.code}, expected ${g.subject.expectCode ?? 0}: ${r.stderr.trim().split('\n').slice(0, 2).join(' | ')}`;
      subjectSamples.push(r);
    }
    if (failure) {
      results.push({ ...g, skipped: failure });
      continue;
    }
    const metric = g.subject.metric ?? 'cpuMs';
    const floorMs = median(floorSamples.map((r) => r.cpuMs));
    const subjectMs = median(subjectSamples.map((r) => r[metric]));
    if (g.name.endsWith('(cold)') && g.name.includes('--env dev')) peakRssMiB = subjectSamples.map((r) => r.maxRssMiB);
    results.push({
      ...g,
      floorMs,
      subjectMs,
      ratio: subjectMs / floorMs,
      floorWallMs: median(floorSamples.map((r) => r.wallMs)),
      subjectWallMs: median(subjectSamples.map((r) => r.wallMs)),
      rounds,
    });
    process.stderr.write('.');
  }
} finally {
  await fake.close();
  rmSync(work, { recursive: true, force: true });
}
process.stderr.write('\n');

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
console.log(`tapctl ${version} benchmark — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores — ${bin === join(root, 'bin', 'tapctl.cjs') ? 'this build' : bin}`);
console.log('Ratio = median CPU time (user+sys of the child) of the case / of its floor, measured interleaved in this run.');
console.log(`Environment: ${clean ? 'clean (PATH and LANG only; BENCH_ENV=clean)' : "this shell's, less AWS_* and TAPCTL_* (BENCH_ENV=clean for PATH and LANG only)"}${process.env.NODE_EXTRA_CA_CERTS && !clean ? '; includes NODE_EXTRA_CA_CERTS' : ''}.\n`);
const width = Math.max(...results.map((r) => r.name.length));
const pad = (s, n) => String(s).padStart(n);
console.log(`${'goal'.padEnd(width)}  ${pad('ratio', 6)}  ${pad('goal', 5)}  ${pad('cpu ms', 7)}  ${pad('floor', 7)}  ${'floor is'.padEnd(26)}  ${pad('wall ms', 8)}`);
let missed = 0;
for (const r of results) {
  if (r.skipped) {
    console.log(`${r.name.padEnd(width)}  ${pad('n/a', 6)}  ${pad(r.goal.toFixed(2), 5)}  skipped: ${r.skipped}`);
    continue;
  }
  const verdict = r.ratio <= r.goal ? 'ok' : r.ratio <= r.goal * 1.25 ? 'over (within the 25 % noise margin)' : 'MISSED';
  if (verdict === 'MISSED') missed++;
  console.log(
    `${r.name.padEnd(width)}  ${pad(r.ratio.toFixed(2), 6)}  ${pad(r.goal.toFixed(2), 5)}  ${pad(r.subjectMs.toFixed(0), 7)}  ${pad(r.floorMs.toFixed(0), 7)}  ${r.floor.label.padEnd(26)}  ${pad(r.subjectWallMs.toFixed(0), 8)}  ${verdict}${r.note ? ` (${r.note})` : ''}`,
  );
}
if (peakRssMiB.length) {
  const peak = Math.max(...peakRssMiB);
  const verdict = peak <= 160 ? 'ok' : peak <= 200 ? 'over (within the 25 % noise margin)' : 'MISSED';
  if (verdict === 'MISSED') missed++;
  console.log(`${'peak memory of a cold synth (MiB, max RSS)'.padEnd(width)}  ${pad(peak.toFixed(0), 6)}  ${pad('160', 5)}  ${''.padStart(7)}  ${''.padStart(7)}  ${''.padEnd(26)}  ${''.padStart(8)}  ${verdict}`);
}
// Not a ratio: how many AWS calls a deploy with no changes makes (it runs test/deploy/api-calls.test.ts).
if (!only && existsSync(join(root, 'scripts', 'bench-deploy.js'))) {
  const { benchDeploy } = await import('./bench-deploy.js');
  console.log('');
  for (const row of (await benchDeploy()).rows) console.log(`${row.name}: ${row.ms} ${row.unit}  ${row.note}`);
}
if (missed) {
  console.log(`\n${missed} goal(s) missed by more than 25 %`);
  process.exitCode = 1;
}
