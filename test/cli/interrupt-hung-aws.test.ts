/**
 * Ctrl-C (SIGINT) while an AWS call hangs must end logs, run, exec, secrets and releases at once with exit 130 and, with
 * --json, exactly one result line; and an AWS call's time budget is for the whole call, retries included.
 *
 * A local endpoint answers STS (the account check) and holds every other request open without an answer, telling
 * the test when one arrives: the signal is sent on that event, never after a sleep.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, cleanEnv, runTapctl } from '../helpers/cli.js';
import { DEV_ACCOUNT, sampleConfig, tempProject, type TempProject } from '../helpers/project.js';

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${DEV_ACCOUNT}:user/qa</Arn><UserId>AIDA</UserId><Account>${DEV_ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

let server: Server;
let project: TempProject;
let bin: string;
/** Requests held open, and who waits for the next one. */
const held: ServerResponse[] = [];
let onHung: ((what: string) => void) | undefined;
let hungCount = 0;

function answer(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (body.includes('Action=GetCallerIdentity')) {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(IDENTITY);
      return;
    }
    held.push(res);
    hungCount++;
    onHung?.(String(req.headers['x-amz-target'] ?? /Action=(\w+)/.exec(body)?.[1] ?? req.url));
  });
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  project = tempProject(
    sampleConfig({
      environments: { dev: { account: DEV_ACCOUNT, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, container: { exec: true } } },
    }),
  );
  // exec looks for the session-manager-plugin before any AWS call: a stand-in that only tells its version.
  bin = mkdtempSync(join(tmpdir(), 'tapctl-plugin-'));
  writeFileSync(join(bin, 'session-manager-plugin'), '#!/bin/sh\necho 1.2.804.0\n');
  chmodSync(join(bin, 'session-manager-plugin'), 0o755);
});
afterAll(() => {
  for (const res of held) res.destroy();
  server.close();
  project.cleanup();
  rmSync(bin, { recursive: true, force: true });
});

const env = () => cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', PATH: `${bin}:${process.env.PATH ?? ''}` });

/** Spawns tapctl, sends `signal` when the endpoint holds its first unanswered request, and returns how it ended. */
function interruptWhenHung(argv: string[], signal: NodeJS.Signals = 'SIGINT', input = ''): Promise<{ code: number | null; stdout: string; stderr: string; hungOn: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: project.dir, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hungOn = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    onHung = (what) => {
      onHung = undefined;
      hungOn = what;
      child.kill(signal);
    };
    // A safety net far beyond the expected second, so that a regression fails instead of hanging the suite.
    const net = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(net);
      resolve({ code, stdout, stderr, hungOn });
    });
    child.stdin.end(input);
  });
}

describe('Ctrl-C while an AWS call hangs', () => {
  const cases: Array<[string, string[], string?]> = [
    ['logs', ['logs', '--env', 'dev', '--json']],
    ['run', ['run', '--env', 'dev', '--json', '--', 'true']],
    ['secrets list', ['secrets', 'list', '--env', 'dev', '--json']],
    ['secrets set', ['secrets', 'set', '--env', 'dev', '--json', 'STRIPE_KEY'], 'sk_test_value'],
    ['releases', ['releases', '--env', 'dev', '--json']],
  ];
  for (const [command, argv, input] of cases) {
    it(`${command}: exit 130 at once, and one result line with --json`, async () => {
      const started = Date.now();
      const r = await interruptWhenHung(argv, 'SIGINT', input);
      expect(r.hungOn, r.stderr).not.toBe('');
      expect(r.code, r.stderr).toBe(130);
      const lines = r.stdout.trim().split('\n').filter(Boolean);
      const results = lines.map((l) => JSON.parse(l) as { type: string }).filter((l) => l.type === 'result');
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ type: 'result', ok: false, command, error: { code: 'interrupted', exitCode: 130 } });
      // Far below the 20 s an unanswered call may take: the hung call was aborted, not waited out.
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }

  it('exec (which has no --json: the session is its output): exit 130 at once, saying it was interrupted', async () => {
    const started = Date.now();
    const r = await interruptWhenHung(['exec', '--env', 'dev', '--', 'ls']);
    expect(r.hungOn, r.stderr).not.toBe('');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('SIGTERM (a cancelled CI job) while an AWS call hangs', () => {
  for (const [command, argv, input] of [
    ['logs', ['logs', '--env', 'dev', '--json']],
    ['secrets set', ['secrets', 'set', '--env', 'dev', '--json', 'STRIPE_KEY'], 'sk_test_value'],
  ] as Array<[string, string[], string?]>) {
    it(`${command}: exit 143 at once, and one result line that says so`, async () => {
      const r = await interruptWhenHung(argv, 'SIGTERM', input);
      expect(r.hungOn, r.stderr).not.toBe('');
      expect(r.code, r.stderr).toBe(143);
      const results = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string }).filter((l) => l.type === 'result');
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: false, command, error: { code: 'interrupted', exitCode: 143, message: expect.stringContaining('(SIGTERM)') } });
    });
  }
});

describe('the AWS call budget is for the whole call', () => {
  it('a silent endpoint ends secrets list after one budget, not one per attempt (3 attempts)', async () => {
    // The SDK and the client factory read these from the process environment, not from the env given to runCli.
    vi.stubEnv('TAPCTL_AWS_TIMEOUT_MS', '1500');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'y');
    const before = hungCount;
    const started = Date.now();
    const r = await runTapctl(['secrets', 'list', '--env', 'dev'], { cwd: project.dir, env: { ...env(), TAPCTL_AWS_TIMEOUT_MS: '1500' } }).finally(() => vi.unstubAllEnvs());
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no answer from AWS while .*within 1\.5 s, all attempts together/);
    // Per attempt, the three attempts took 4.5 s and more; the whole call now ends at its one budget.
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(3_500);
    expect(hungCount - before).toBe(1);
  });
});
