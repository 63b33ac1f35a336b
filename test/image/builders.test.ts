/** What each builder runs: argv, environment and stdin, with a fake spawn (no engine needed). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, OperationError } from '../../src/cli/errors.js';
import type { BuildRequest, RegistryCredentials } from '../../src/image/builder.js';
import { createBuilder } from '../../src/image/detect.js';
import type { SpawnRequest } from '../../src/image/exec.js';
import { fakeSpawn } from './harness.js';

const request: BuildRequest = {
  contextDir: '/app',
  dockerfile: '/app/Dockerfile',
  platform: 'linux/arm64',
  tags: ['reg.example/app:abc', 'reg.example/app:latest'],
  buildArgs: { NODE_ENV: 'production' },
  secrets: { npm: { env: 'NPM_TOKEN' }, npmrc: { file: '/home/dev/.npmrc' } },
};
const creds: RegistryCredentials = { registry: 'reg.example', username: 'AWS', password: 'hunter2-password', insecure: false };
const env = { PATH: '/usr/bin', NPM_TOKEN: 'the-secret-value' };

let authDir: string;
beforeEach(() => (authDir = mkdtempSync(join(tmpdir(), 'tapctl-builders-'))));
afterEach(() => rmSync(authDir, { recursive: true, force: true }));

const noSecretInArgv = (calls: SpawnRequest[]) => {
  for (const c of calls) {
    expect(c.args.join(' ')).not.toContain('the-secret-value');
    expect(c.args.join(' ')).not.toContain(creds.password);
  }
};

describe('docker', () => {
  it('builds with buildx --load for the platform, secrets by env name', async () => {
    const spawn = fakeSpawn();
    await createBuilder('docker', { spawn, env }).build(request);
    const build = spawn.calls.at(-1)!;
    expect(build.args).toEqual([
      'buildx', 'build', '--load', '--progress', 'plain', '--platform', 'linux/arm64', '-f', '/app/Dockerfile',
      '-t', 'reg.example/app:abc', '-t', 'reg.example/app:latest', '--build-arg', 'NODE_ENV=production', '--secret', 'id=npm,env=NPM_TOKEN', '--secret', 'id=npmrc,src=/home/dev/.npmrc', '/app',
    ]);
    noSecretInArgv(spawn.calls);
  });

  it('without buildx: classic docker build, and build secrets are refused (they need BuildKit)', async () => {
    const spawn = fakeSpawn((r) => (r.args[0] === 'buildx' ? { code: 1 } : {}));
    const builder = createBuilder('docker', { spawn, env });
    expect(await builder.describe()).toBe('docker build');
    await expect(builder.build(request)).rejects.toThrow(/BuildKit/);
    await builder.build({ ...request, secrets: {} });
    expect(spawn.calls.at(-1)!.args.slice(0, 3)).toEqual(['build', '--platform', 'linux/arm64']);
  });

  it('logs in and pushes with a private DOCKER_CONFIG, password on stdin, digest from the output', async () => {
    const digest = `sha256:${'e'.repeat(64)}`;
    const spawn = fakeSpawn((r) => (r.args[0] === 'push' ? { lines: ['abc: Pushed', `abc: digest: ${digest} size: 528`] } : {}));
    const builder = createBuilder('docker', { spawn, env });
    await builder.login(creds, authDir);
    const pushed = await builder.push({ reference: 'reg.example/app:abc', insecure: false, authDir });
    const [login, push] = spawn.calls;
    expect(login.args).toEqual(['login', '--username', 'AWS', '--password-stdin', 'reg.example']);
    expect(login.input).toBe(creds.password);
    expect(login.env?.DOCKER_CONFIG).toBe(authDir);
    expect(push.env?.DOCKER_CONFIG).toBe(authDir);
    expect(pushed.digest).toBe(digest);
    noSecretInArgv(spawn.calls);
  });
});

describe('podman', () => {
  it('builds in docker format for the platform; login and push use the private --authfile and --digestfile', async () => {
    const spawn = fakeSpawn();
    const builder = createBuilder('podman', { spawn, env });
    await builder.build(request);
    await builder.login({ ...creds, insecure: true }, authDir);
    await builder.push({ reference: 'reg.example/app:abc', insecure: true, authDir });
    const [build, login, push] = spawn.calls;
    expect(build.args.slice(0, 5)).toEqual(['build', '--platform', 'linux/arm64', '--format', 'docker']);
    expect(build.args).toContain('id=npm,env=NPM_TOKEN');
    expect(login.args).toEqual(['login', '--authfile', join(authDir, 'auth.json'), '--tls-verify=false', '--username', 'AWS', '--password-stdin', 'reg.example']);
    expect(login.input).toBe(creds.password);
    expect(push.args.slice(0, 4)).toEqual(['push', '--authfile', join(authDir, 'auth.json'), '--tls-verify=false']);
    expect(push.args.slice(-2)).toEqual(['reg.example/app:abc', 'docker://reg.example/app:abc']);
    // The digest file's folder is cleaned up with the push.
    expect(existsSync(push.args[push.args.indexOf('--digestfile') + 1])).toBe(false);
    noSecretInArgv(spawn.calls);
  });
});

describe('buildah', () => {
  it('puts storage flags before the subcommand and isolation on bud', async () => {
    const spawn = fakeSpawn();
    const builder = createBuilder('buildah', { spawn, env, buildah: { root: '/r', runroot: '/rr', storageDriver: 'vfs', isolation: 'chroot' } });
    await builder.build(request);
    expect(spawn.calls[0].args.slice(0, 9)).toEqual(['--root', '/r', '--runroot', '/rr', '--storage-driver', 'vfs', 'bud', '--isolation', 'chroot']);
    expect(await builder.describe()).toBe('buildah bud (chroot isolation)');
  });
});

describe('finch', () => {
  it('logs in on stdin, pushes, and logs out again (it keeps credentials in its own store)', async () => {
    const spawn = fakeSpawn();
    const builder = createBuilder('finch', { spawn, env });
    await builder.build(request);
    await builder.login(creds, authDir);
    await builder.push({ reference: 'reg.example/app:abc', insecure: false, authDir });
    await builder.logout!(creds);
    expect(spawn.calls.map((c) => c.args[0])).toEqual(['build', 'login', 'push', 'logout']);
    expect(spawn.calls[0].args.slice(0, 3)).toEqual(['build', '--platform', 'linux/arm64']);
    expect(spawn.calls[1].input).toBe(creds.password);
    noSecretInArgv(spawn.calls);
  });
});

describe('failures', () => {
  it('a failed login is exit 1 and shows no password', async () => {
    const spawn = fakeSpawn(() => ({ code: 1, lines: ['Error: unauthorized: incorrect username or password'] }));
    const error = await createBuilder('podman', { spawn, env }).login(creds, authDir).catch((e) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error.exitCode).toBe(ExitCode.Failed);
    expect(error.code).toBe('login-failed');
    expect(error.message).toContain('incorrect username or password');
    expect(`${error.message} ${error.hint}`).not.toContain(creds.password);
  });

  it('Ctrl-C during a build is an interruption (exit 130), not a build failure', async () => {
    const controller = new AbortController();
    const spawn = fakeSpawn(() => {
      controller.abort();
      return { code: 130 };
    });
    const error = await createBuilder('buildah', { spawn, env }).build({ ...request, signal: controller.signal }).catch((e) => e);
    expect(error.exitCode).toBe(ExitCode.Interrupted);
  });

  it('a builder that vanished from PATH is named', async () => {
    const spawn = fakeSpawn(() => ({ code: 127, error: Object.assign(new Error('spawn buildah ENOENT'), { code: 'ENOENT' }) }));
    await expect(createBuilder('buildah', { spawn, env }).build(request)).rejects.toThrow(/buildah is not installed or not on PATH/);
  });
});

describe('build secrets reach every builder by reference, never by value', () => {
  it.each(['docker', 'podman', 'buildah', 'finch'] as const)('%s: --secret names the variable and the file; no value is in argv', async (name) => {
    const spawn = fakeSpawn();
    await createBuilder(name, { spawn, env }).build(request);
    const build = spawn.calls.at(-1)!;
    const secretArgs = build.args.flatMap((a, i) => (build.args[i - 1] === '--secret' ? [a] : []));
    expect(secretArgs).toEqual(['id=npm,env=NPM_TOKEN', 'id=npmrc,src=/home/dev/.npmrc']);
    expect(build.env?.NPM_TOKEN).toBe('the-secret-value'); // the builder reads it from its own environment
    noSecretInArgv(spawn.calls);
  });
});
