/** The pure parts of status: image references, the pushed-image comparison, the stability verdict, probes. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SCHEMA_VERSION, type DeploymentInfo, type Section, type ServiceInfo, type StackInfo } from '../../src/status/schema.js';
import { compareWithPushed, parseImage, taskDefinitionName } from '../../src/status/sections/image.js';
import { joinPath, probeUrl } from '../../src/status/sections/endpoints.js';
import { isFailedStackStatus } from '../../src/status/sections/stack.js';
import { assessStability } from '../../src/status/stability.js';
import { ago, formatTime } from '../../src/status/render.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('parseImage', () => {
  it('splits repository, tag and digest, without mistaking a registry port for a tag', () => {
    expect(parseImage('1.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev:v7')).toEqual({ reference: '1.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev:v7', repository: '1.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'v7', digest: null });
    expect(parseImage(`localhost:5000/app@${A}`)).toMatchObject({ repository: 'localhost:5000/app', tag: null, digest: A });
    expect(parseImage(`repo/app:v1@${A}`, B)).toMatchObject({ tag: 'v1', digest: A });
    expect(parseImage('localhost:5000/app', B)).toMatchObject({ repository: 'localhost:5000/app', tag: null, digest: B });
  });

  it('names task definitions family:revision', () => {
    expect(taskDefinitionName('arn:aws:ecs:us-east-1:1:task-definition/shop-app-dev:12')).toEqual({ name: 'shop-app-dev:12', revision: 12 });
    expect(taskDefinitionName('')).toEqual({ name: '', revision: null });
  });
});

describe('compareWithPushed', () => {
  const pushed = { repositoryUri: '1.dkr.ecr.us-east-1.amazonaws.com/shop-app-dev', tag: 'v7', digest: A, platform: 'linux/amd64', pushedAt: '2026-11-22T09:00:00.000Z' };
  it('compares by digest when both have one', () => {
    expect(compareWithPushed(parseImage(`${pushed.repositoryUri}:v7`, A), pushed).matchesLastPushed).toBe(true);
    expect(compareWithPushed(parseImage(`${pushed.repositoryUri}:v7`, B), pushed).matchesLastPushed).toBe(false);
  });
  it('falls back to the tag (and repository) without a running digest', () => {
    expect(compareWithPushed(parseImage(`${pushed.repositoryUri}:v7`), pushed).matchesLastPushed).toBe(true);
    expect(compareWithPushed(parseImage(`${pushed.repositoryUri}:v6`), pushed).matchesLastPushed).toBe(false);
    expect(compareWithPushed(parseImage('public.ecr.aws/nginx/nginx:v7'), pushed).matchesLastPushed).toBe(false);
  });
  it('is unknown (null) when nothing was pushed or nothing runs', () => {
    expect(compareWithPushed(parseImage('x:v1'), undefined)).toEqual({ running: parseImage('x:v1'), lastPushed: null, matchesLastPushed: null });
    expect(compareWithPushed(null, pushed).matchesLastPushed).toBeNull();
  });
});

describe('assessStability', () => {
  const stack = (status: string): StackInfo => ({ name: 'S', id: 'arn', status, statusReason: null, createdAt: null, lastUpdatedAt: null, terminationProtection: false, operationInProgress: status.endsWith('_IN_PROGRESS') });
  const d = (over: Partial<DeploymentInfo>): DeploymentInfo => ({
    id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: null, taskDefinition: 'app:1', revision: 1,
    desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0, createdAt: null, updatedAt: null, image: null, ...over,
  });
  const svc = (...deployments: DeploymentInfo[]): Section<ServiceInfo> => ({
    state: 'ok',
    data: { cluster: 'c', service: 's', status: 'ACTIVE', desiredCount: 2, runningCount: 2, pendingCount: 0, deployments, image: { running: null, lastPushed: null, matchesLastPushed: null }, events: [], notes: [] },
  });

  it('stable when nothing moves', () => {
    expect(assessStability(stack('UPDATE_COMPLETE'), svc(d({})))).toEqual({ state: 'stable', reasons: [] });
    expect(assessStability(stack('CREATE_COMPLETE'), { state: 'error', error: { code: 'access-denied', message: 'no' } }).state).toBe('stable');
  });
  it('in-progress for a stack operation or a rollout, and that wins over a failure', () => {
    expect(assessStability(stack('UPDATE_IN_PROGRESS'), svc(d({}))).state).toBe('in-progress');
    expect(assessStability(stack('UPDATE_COMPLETE'), svc(d({ rolloutState: 'IN_PROGRESS' }))).state).toBe('in-progress');
    expect(assessStability(stack('UPDATE_ROLLBACK_IN_PROGRESS'), svc(d({ rolloutState: 'FAILED' }))).state).toBe('in-progress');
    // Without the circuit breaker there is no rollout state: two live deployments mean a rollout.
    expect(assessStability(stack('UPDATE_COMPLETE'), svc(d({ rolloutState: undefined as never }), d({ status: 'ACTIVE', rolloutState: undefined as never }))).reasons).toEqual(['2 deployments of s are live']);
  });
  it('failed for a failed or rolled-back stack and a failed rollout', () => {
    for (const status of ['CREATE_FAILED', 'ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED']) expect(isFailedStackStatus(status), status).toBe(true);
    expect(isFailedStackStatus('UPDATE_COMPLETE')).toBe(false);
    expect(assessStability(stack('UPDATE_COMPLETE'), svc(d({ rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker' })))).toEqual({ state: 'failed', reasons: ['deployment ecs-svc/1 (app:1) failed: circuit breaker'] });
  });
});

describe('probes', () => {
  it('joins the health path onto the stage path', () => {
    expect(joinPath('https://x.execute-api.us-east-1.amazonaws.com/dev/', '/health')).toBe('https://x.execute-api.us-east-1.amazonaws.com/dev/health');
    expect(joinPath('http://alb', 'health')).toBe('http://alb/health');
  });

  it('measures a real GET with a status code and latency, and gives up on a silent endpoint', async () => {
    let hangReached: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (hangReached = resolve));
    const server = createServer((req, res) => {
      if (req.url === '/health') res.end('ok');
      // /hang never answers.
      if (req.url === '/hang') hangReached();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const okProbe = await probeUrl(`${base}/health`, { signal: new AbortController().signal });
      expect(okProbe).toMatchObject({ ok: true, statusCode: 200, error: null });
      expect(okProbe.latencyMs).toBeGreaterThanOrEqual(0);
      const controller = new AbortController();
      // Ctrl-C once the request is waiting on the silent endpoint.
      void hanging.then(() => controller.abort());
      expect(await probeUrl(`${base}/hang`, { signal: controller.signal })).toMatchObject({ ok: false, statusCode: null, error: 'interrupted' });
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const refused = await probeUrl(`http://127.0.0.1:${closedPort}/health`, { signal: new AbortController().signal });
      expect(refused.error).toMatch(/connection refused \(ECONNREFUSED\)/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('formatting', () => {
  it('gives times in UTC with how long ago, relative to the document time', () => {
    expect(formatTime('2026-11-22T09:30:05.000Z', '2026-11-22T10:00:05.000Z')).toBe('2026-11-22 09:30:05 UTC (30 min ago)');
    expect(formatTime(null, '2026-11-22T10:00:00.000Z')).toBe('unknown');
    expect([ago(-3), ago(2), ago(12), ago(7200), ago(3 * 86_400)]).toEqual(['just now', 'just now', '12 s ago', '2 h ago', '3 d ago']);
  });
});

describe('docs/status-schema.json', () => {
  it('carries the same schema version as the code', () => {
    const schema = JSON.parse(readFileSync(new URL('../../docs/status-schema.json', import.meta.url), 'utf8'));
    expect(schema.$defs.statusDocument.properties.schemaVersion.const).toBe(SCHEMA_VERSION);
  });
});
