/**
 * A real build and push: buildah (vfs storage, chroot isolation) builds a FROM scratch image and pushes it
 * through tapctl's own push-image code to a real registry (Debian's docker-registry, htpasswd bcrypt auth)
 * on 127.0.0.1. Only ECR's API is faked, as a thin layer over that registry: the authorization token, and
 * DescribeImages / BatchGetImage answered from the registry itself.
 *
 * Needs buildah, docker-registry and htpasswd (.ci/install-image-tools.sh installs them); skipped without.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BatchGetImageCommand, DescribeImagesCommand, type BatchGetImageCommandInput, type DescribeImagesCommandInput } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/errors.js';
import { MANIFEST_MEDIA_TYPES } from '../../src/aws/ecr.js';
import { spawnProcess, whichOnPath, type Spawn, type SpawnRequest } from '../../src/image/exec.js';
import { cleanEnv } from '../helpers/cli.js';
import type { TempProject } from '../helpers/project.js';
import { runPushImage } from './harness.js';
import { CloudFormationClient, ECRClient, STSClient, imageProject, mockAccount, mockStack, mockToken, pushedRecord } from './fixtures.js';

const which = whichOnPath(process.env);
const missing = ['buildah', 'docker-registry', 'htpasswd'].filter((t) => !which(t));
const hasTools = missing.length === 0;
if (!hasTools) console.warn(`registry.integration.test: skipped, not installed: ${missing.join(', ')} (run .ci/install-image-tools.sh)`);

const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

describe.skipIf(!hasTools)('push-image against a real registry (buildah + docker-registry)', () => {
  let work: string;
  let registry: ChildProcess | undefined;
  let registryLog = '';
  let port: number;
  let endpoint: string;
  let project: TempProject;
  const sts = mockClient(STSClient);
  const cfn = mockClient(CloudFormationClient);
  const ecr = mockClient(ECRClient);
  const basic = `Basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}`;

  /** GET or HEAD a manifest from the real registry, as ECR would serve it. */
  const manifestFromRegistry = async (repository: string, reference: string, method: 'GET' | 'HEAD' = 'GET') =>
    fetch(`${endpoint}/v2/${repository}/manifests/${reference}`, { method, headers: { authorization: basic, accept: ACCEPT } });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tapctl-registry-'));
    port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const htpasswd = execFileSync('htpasswd', ['-Bbn', 'AWS', PASSWORD]).toString();
    writeFileSync(join(work, 'htpasswd'), htpasswd);
    mkdirSync(join(work, 'data'));
    writeFileSync(
      join(work, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(work, 'data')}`,
        'http:',
        `  addr: 127.0.0.1:${port}`,
        'auth:',
        '  htpasswd:',
        '    realm: tapctl-test',
        `    path: ${join(work, 'htpasswd')}`,
        '',
      ].join('\n'),
    );
    registry = spawn('docker-registry', ['serve', join(work, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    registry.stdout?.on('data', (d) => (registryLog += d));
    registry.stderr?.on('data', (d) => (registryLog += d));
    // Up when /v2/ asks for credentials.
    for (let i = 0; ; i++) {
      const status = await fetch(`${endpoint}/v2/`).then((r) => r.status, () => 0);
      if (status === 401) break;
      if (i > 100) throw new Error(`docker-registry did not start:\n${registryLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    registry?.kill('SIGTERM');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    for (const m of [sts, cfn, ecr]) m.reset();
    mockAccount(sts);
    mockStack(cfn, `127.0.0.1:${port}/shop-app-dev`);
    mockToken(ecr, endpoint, Buffer.from(`AWS:${PASSWORD}`).toString('base64'));
    // ECR's read API, answered by the real registry.
    ecr.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput) => {
      const id = input.imageIds?.[0] ?? {};
      const response = await manifestFromRegistry(input.repositoryName!, id.imageDigest ?? id.imageTag!);
      if (response.status === 404) throw Object.assign(new Error('image not found'), { name: 'ImageNotFoundException' });
      const body = (await response.json()) as { layers?: Array<{ size: number }>; config?: { size: number } };
      return {
        imageDetails: [
          {
            repositoryName: input.repositoryName,
            imageDigest: response.headers.get('docker-content-digest') ?? undefined,
            imageTags: id.imageTag ? [id.imageTag] : [],
            imageSizeInBytes: (body.layers ?? []).reduce((n, l) => n + l.size, 0),
            imagePushedAt: new Date(),
            imageManifestMediaType: response.headers.get('content-type') ?? undefined,
          },
        ],
      };
    });
    ecr.on(BatchGetImageCommand).callsFake(async (input: BatchGetImageCommandInput) => {
      const id = input.imageIds?.[0] ?? {};
      const response = await manifestFromRegistry(input.repositoryName!, id.imageDigest ?? id.imageTag!);
      return { images: [{ imageId: id, imageManifest: await response.text(), imageManifestMediaType: response.headers.get('content-type') ?? undefined }], failures: [] };
    });
  });

  afterEach(() => project?.cleanup());

  /** Every process tapctl starts, with argv, environment and stdin, recorded. */
  function recordingSpawn(rewrite?: (r: SpawnRequest) => SpawnRequest): Spawn & { calls: SpawnRequest[] } {
    const calls: SpawnRequest[] = [];
    const fn: Spawn = (request) => {
      const actual = rewrite ? rewrite(request) : request;
      calls.push(actual);
      return spawnProcess(actual);
    };
    return Object.assign(fn, { calls });
  }

  const buildahStore = () => {
    const store = mkdtempSync(join(work, 'store-'));
    return { root: join(store, 'root'), runroot: join(store, 'runroot'), storageDriver: 'vfs', isolation: 'chroot' as const };
  };

  it('builds, pushes with the ECR token, reports the registry digest, and never puts the password in argv or env', async () => {
    project = imageProject();
    // While pushing, the credentials sit in a private folder (0700) in a 0600 file outside the project.
    const authModes: string[] = [];
    const spawn = recordingSpawn((r) => {
      if (r.args.includes('push')) {
        const file = r.args[r.args.indexOf('--authfile') + 1];
        authModes.push(`${(statSync(dirname(file)).mode & 0o777).toString(8)} ${(statSync(file).mode & 0o777).toString(8)} ${file.startsWith(project.dir)}`);
      }
      return r;
    });
    const run = await runPushImage(
      { cwd: project.dir, env: cleanEnv() },
      { builder: 'buildah', tag: 'it-1', alsoLatest: true },
      { spawn, buildah: buildahStore(), readBackRetry: { attempts: 3, delayMs: 200 } },
    );
    expect(run.code, `${run.stderr}\n${registryLog}`).toBe(0);

    const head = await manifestFromRegistry('shop-app-dev', 'it-1', 'HEAD');
    expect(head.status).toBe(200);
    const registryDigest = head.headers.get('docker-content-digest');
    expect(registryDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(run.result?.digest).toBe(registryDigest);
    expect(run.stdout).toContain(registryDigest!);
    expect(run.result).toMatchObject({ platform: 'linux/amd64', tags: ['it-1', 'latest'], builder: 'buildah' });
    expect((await manifestFromRegistry('shop-app-dev', 'latest', 'HEAD')).headers.get('docker-content-digest')).toBe(registryDigest);
    expect(pushedRecord(project.dir)).toMatchObject({ repositoryUri: `127.0.0.1:${port}/shop-app-dev`, tag: 'it-1', digest: registryDigest, platform: 'linux/amd64' });

    // The password: on the login's stdin, nowhere else.
    expect(spawn.calls.length).toBeGreaterThanOrEqual(4);
    for (const call of spawn.calls) {
      expect([call.command, ...call.args].join(' ')).not.toContain(PASSWORD);
      expect(JSON.stringify(call.env ?? {})).not.toContain(PASSWORD);
    }
    const logins = spawn.calls.filter((c) => c.args.includes('login'));
    expect(logins).toHaveLength(1);
    expect(logins[0].input).toBe(PASSWORD);
    expect(authModes).toEqual(['700 600 false', '700 600 false']);
    const authFile = logins[0].args[logins[0].args.indexOf('--authfile') + 1];
    expect(existsSync(dirname(authFile))).toBe(false);
    expect(spawn.calls.filter((c) => c.input === PASSWORD)).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    // http:// registry: TLS verification off for exactly login and push.
    expect(spawn.calls.filter((c) => c.args.includes('--tls-verify=false')).map((c) => c.args.find((a) => a === 'login' || a === 'push'))).toEqual(['login', 'push', 'push']);
  });

  it('arm64 tasks: the image is built for linux/arm64 and its config blob says so', async () => {
    project = imageProject({ architecture: 'arm64' });
    const run = await runPushImage({ cwd: project.dir, env: cleanEnv() }, { builder: 'buildah', tag: 'it-arm' }, { spawn: spawnProcess, buildah: buildahStore() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ platform: 'linux/arm64', digest: (await manifestFromRegistry('shop-app-dev', 'it-arm', 'HEAD')).headers.get('docker-content-digest') });
  });

  it('a builder that ignores the platform is caught by the read-back: exit 1, nothing recorded', async () => {
    project = imageProject({ architecture: 'arm64' });
    // Simulate a builder (or a Dockerfile's FROM --platform) producing amd64 whatever was asked.
    const spawn = recordingSpawn((r) => (r.args.includes('bud') ? { ...r, args: r.args.map((a) => (a === 'linux/arm64' ? 'linux/amd64' : a)) } : r));
    const run = await runPushImage({ cwd: project.dir, env: cleanEnv() }, { builder: 'buildah', tag: 'it-wrong' }, { spawn, buildah: buildahStore() });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.stderr).toContain('is built for linux/amd64, but the service runs linux/arm64');
    expect(pushedRecord(project.dir)).toBeUndefined();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
