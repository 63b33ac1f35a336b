/**
 * The spawned binary (bin/tapctl.cjs, built into dist/) against the fake AWS of scripts/bench-status.js, reached
 * through the environment's `endpoint:` key: the real process edge, the real SDK over HTTP, the real exit codes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, spawnTapctl } from '../helpers/cli.js';
import { sdkPackageOf } from '../helpers/sdk-chunks.js';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';
import { benchModule, type FakeAws, type FakeScenario } from './fake-aws.js';
import { validate } from './json-schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs/status-schema.json'), 'utf8'));
// Records every module the process loads, ES modules (the bundle's chunks, the SDK among them) and CommonJS alike.
const TRACER = fileURLToPath(new URL('../../scripts/lib/trace-imports.mjs', import.meta.url));
/** The files the traced process loaded (TAPCTL_TRACE_IMPORTS), as paths with forward slashes. */
const loadedFiles = (log: string): string[] =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => fileURLToPath(u).replace(/\\/g, '/'));

/** Builds dist/ when it is missing or older than the status sources (tsc emits even when other files have type errors). */
function ensureBuilt(): void {
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { recursive: true }).map((f) => statSync(join(dir, String(f))).mtimeMs));
  // bin/tapctl.cjs runs the bundle (scripts/bundle.js), which is made from tsc's output.
  const built = join(ROOT, 'dist/bundle/tapctl.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(ROOT, 'src/status'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // Type errors elsewhere in the tree do not stop tsc from emitting.
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.js')], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(built)) throw new Error('dist/ could not be built: run npm run build');
}

let fake: FakeAws | undefined;
let project: TempProject | undefined;

async function deployedProject(scenario: FakeScenario = {}): Promise<{ fake: FakeAws; project: TempProject }> {
  const { startFakeAws } = await benchModule();
  fake = await startFakeAws(scenario);
  const config = sampleConfig();
  const environments = config.environments as Record<string, Record<string, unknown>>;
  project = tempProject({ ...config, environments: { ...environments, dev: { ...environments.dev, endpoint: fake.endpoint } } });
  return { fake, project };
}

beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  await fake?.close();
  project?.cleanup();
  fake = undefined;
  project = undefined;
});

describe('tapctl status (spawned binary, fake AWS)', () => {
  it('not deployed: one line with how to deploy, exit 1', async () => {
    const { fake, project } = await deployedProject({ deployed: false });
    const { fakeAwsEnv } = await benchModule();
    const r = await spawnTapctl(['status', '--env', 'dev'], { cwd: project.dir, env: fakeAwsEnv() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(
      `✖ environment 'dev' is not deployed: there is no stack TapStack-shop-dev in account ${DEV_ACCOUNT} (us-east-1)\n  hint: deploy it with: tapctl deploy --env dev\n`,
    );
    expect(r.stdout).toBe('');
    expect(fake.requests.map((q) => `${q.service}:${q.action}`).sort()).toEqual(['cloudformation:DescribeStacks', 'sts:GetCallerIdentity']);
  });

  // No variable, no shared file, metadata lookups off: the SDK's chain has nothing to read (aws/credential-sources.ts),
  // and status says so without loading it. With a shared file (that holds no credentials) the chain itself decides.
  it.each([
    ['no credential source at all', false],
    ['a shared config file without credentials', true],
  ])('%s: exit 2 with the sign-in hint; no call reaches AWS and no SDK client loads', async (_what, sharedFile) => {
    const { fake, project } = await deployedProject();
    const log = join(project.dir, 'loaded.txt');
    if (sharedFile) writeFileSync(join(project.dir, 'aws-config'), '[default]\nregion = us-east-1\n');
    const env = cleanEnv({
      HOME: project.dir,
      AWS_CONFIG_FILE: join(project.dir, sharedFile ? 'aws-config' : 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(project.dir, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      TAPCTL_TRACE_IMPORTS: log,
    });
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_') && /KEY|TOKEN|PROFILE/.test(k))).toEqual([]);
    // Spawned asynchronously: the fake AWS answers from this process.
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', TRACER, BIN, 'status', '--env', 'dev'], { cwd: project.dir, env }, (error, _stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
      });
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('✖ no AWS credentials found while checking your AWS identity');
    expect(r.stderr).toContain('hint: sign in (aws sso login, or set AWS_PROFILE / AWS_ACCESS_KEY_ID), or pass --profile <name>');
    expect(fake.requests).toEqual([]);
    // At most the SDK's credential chain was loaded to learn that: no client (each costs tens of milliseconds).
    const loaded = loadedFiles(log);
    expect(loaded.some((f) => sdkPackageOf(f) === '@aws-sdk/credential-provider-node')).toBe(sharedFile);
    expect(loaded.filter((f) => sdkPackageOf(f)?.startsWith('@aws-sdk/client-'))).toEqual([]);
  });

  it('a deployed environment: --json validates against the schema; only the needed SDK clients load, never aws-cdk-lib or toolkit-lib', async () => {
    const { project } = await deployedProject();
    const { fakeAwsEnv } = await benchModule();
    const log = join(project.dir, 'loaded.txt');
    const { spawn } = await import('node:child_process');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', TRACER, BIN, 'status', '--env', 'dev', '--json'], {
        cwd: project.dir,
        env: fakeAwsEnv({ TAPCTL_TRACE_IMPORTS: log }),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(validate(SCHEMA, doc, { strict: true })).toEqual([]);
    expect(doc).toMatchObject({ summary: { state: 'stable' }, service: { state: 'ok' }, targets: { state: 'ok' }, database: { state: 'ok' }, alarms: { state: 'ok' } });

    const loaded = loadedFiles(log);
    const packages = new Set(loaded.map((f) => sdkPackageOf(f) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean));
    // The probe sees what status loads through import() ...
    for (const needed of ['@aws-sdk/client-cloudformation', '@aws-sdk/client-sts', '@aws-sdk/client-ecs', '@aws-sdk/client-elastic-load-balancing-v2', '@aws-sdk/client-rds', '@aws-sdk/client-cloudwatch', '@aws-sdk/client-ssm']) {
      expect(packages, needed).toContain(needed);
    }
    // ... and nothing status has no use for.
    for (const unwanted of ['aws-cdk-lib', '@aws-cdk/toolkit-lib', 'constructs', '@aws-sdk/client-ecr', '@aws-sdk/client-api-gateway', '@aws-sdk/client-s3', '@inquirer/prompts']) {
      expect(packages, unwanted).not.toContain(unwanted);
    }
  });

  it('the benchmark runs and reports medians', async () => {
    const { benchStatus } = await benchModule();
    const result = await benchStatus({ runs: 1 });
    expect(result.runs).toBe(1);
    expect(result.startupToFirstCallMs).toBeGreaterThan(0);
    expect(result.wallMs).toBeGreaterThan(result.startupToFirstCallMs);
  });
});
